"""How the register's problems are worded and placed: pydantic errors turned into lines a contract
manager can act on, e.g. ``contracts[2] (NCC-2025-0142): commitments[1]: ...``.

The register's validators raise ``problem`` with their own wording; the wording may hold
``{label}`` (the dotted path of the value, ``supplier.supplier_id``) or ``{parent}`` (the path of
what holds it, ``returns.payroll``), filled in here from the error's location, because a validator
does not know where in the file its value sits. Validators that find several problems at once raise
``invalid`` with one ``line`` each, so every problem is still listed in one go.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

_TYPE = "register"
_MISSING = ("missing", "missing_argument")
_UNKNOWN = ("unexpected_keyword_argument", "extra_forbidden")
#: Where a value sits: keys and list indices from the top of what was validated.
Loc = tuple[str | int, ...]


class RegisterError(Exception):
    """The register was refused; ``problems`` lists every reason, each naming where it is."""

    def __init__(self, problems: list[str], source: str = "<memory>") -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(self.problems, source)  # args rebuild the error when pickled (e.g. by Airflow)

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"contract register {self.source} is not valid ({n} problem{'s' if n != 1 else ''}); nothing was loaded"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


def problem(text: str) -> PydanticCustomError:
    """One problem in the register's own words (may hold ``{label}`` / ``{parent}``)."""
    return PydanticCustomError(_TYPE, "{text}", {"text": text})


def line(loc: Loc, text: str) -> InitErrorDetails:
    """A problem at ``loc`` below the value being validated."""
    return InitErrorDetails(type=problem(text), loc=loc, input=None)


def lines(loc: Loc, exc: ValidationError) -> list[InitErrorDetails]:
    """The problems of a nested validation, moved below ``loc``."""
    out = []
    for e in exc.errors():
        kind = problem(e["ctx"]["text"]) if e["type"] == _TYPE else e["type"]
        details = InitErrorDetails(type=kind, loc=loc + tuple(e["loc"]), input=e.get("input"))
        if e["type"] != _TYPE and "ctx" in e:
            details["ctx"] = e["ctx"]
        out.append(details)
    return out


def invalid(errors: Sequence[InitErrorDetails]) -> ValidationError:
    """Several problems raised at once from one validator."""
    return ValidationError.from_exception_data("register", list(errors))


def label(path: Sequence[str | int]) -> str:
    """``("returns", "payroll")`` -> ``returns.payroll``; ``("commitments", 1)`` -> ``commitments[1]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def problems_from(
    exc: ValidationError, data: Any, allowed: Callable[[Loc], Sequence[str]], is_ref: Callable[[Any], bool]
) -> list[str]:
    """Every problem of a failed register validation, in the file's order, placed by contract.

    ``allowed(parent)`` names the keys a mapping at ``parent`` (inside a contract) may have;
    ``is_ref`` says whether a contract's reference is valid enough to quote in its location.
    """
    contracts = data.get("contracts") if isinstance(data, Mapping) else None
    out = []
    for e in exc.errors():
        loc = tuple(e["loc"])
        if len(loc) >= 2 and loc[0] == "contracts" and isinstance(loc[1], int) and isinstance(contracts, list):
            raw = contracts[loc[1]]
            ref = raw.get("contract_ref") if isinstance(raw, Mapping) else None
            where = f"contracts[{loc[1]}] ({ref})" if is_ref(ref) else f"contracts[{loc[1]}]"
            out.append(f"{where}: {_describe(e, loc[2:], allowed)}")
        elif e["type"] in _UNKNOWN:
            out.append(f"unknown top-level key {loc[-1]!r} (allowed: contracts)")
        else:
            out.append(_describe(e, loc, allowed))
    return out


def _describe(e: Any, rel: Loc, allowed: Callable[[Loc], Sequence[str]]) -> str:
    if e["type"] == _TYPE:
        return e["ctx"]["text"].replace("{label}", label(rel)).replace("{parent}", label(rel[:-1]))
    if e["type"] in _MISSING:
        return f"missing required field {label(rel)!r}"
    if e["type"] in _UNKNOWN:
        parent = rel[:-1]
        text = f"unknown field {rel[-1]!r} (allowed: {', '.join(allowed(parent))})"
        return f"{label(parent)}: {text}" if parent else text
    return f"{label(rel)}: {e['msg']}" if rel else e["msg"]
