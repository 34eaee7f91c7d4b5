"""The contract register (spec 2.1): which contracts are monitored, which returns they owe and when,
and which commitments they carry.

The register's shape is declared as pydantic dataclasses (``Contract``, ``Supplier``,
``ReturnSchedule``, and ``RegisterDocument`` for the file as a whole). A register that does not
validate is refused as a whole: ``RegisterError`` lists every problem, each naming where it is
(``contracts[2] (NCC-2025-0142): commitments[1]: ...``, indices 0-based), so an administrator fixes
the file in one pass and nothing is half-loaded. The validators word their own problems for a
contract manager; ``register_errors`` only places them in the file.

Identifiers are read as written: ``supplier_id``, ``contract_ref``, ``start_date`` and ``end_date``
are taken from the YAML text itself, so an unquoted Companies House number like ``08064685`` keeps
its leading zero (plain YAML would read it as the integer 8064685, or ``0123`` as octal 83). When
``parse_register`` is given already-parsed data in which an identifier is a number, the zeros may
already be lost, so it is refused with a hint to quote it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, TypeGuard

from pydantic import (
    ConfigDict,
    Field,
    SkipValidation,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass
from pydantic_core import ArgsKwargs, InitErrorDetails

from gwp_monitor.config import expected_returns as _expected
from gwp_monitor.config.expected_returns import EXPECTED_RETURNS_COLUMNS
from gwp_monitor.config.register_errors import RegisterError, invalid, line, lines, problem, problems_from
from gwp_monitor.config.register_yaml import read_register_yaml
from gwp_monitor.domain.catalogue import CATALOGUE, Commitment, implicit_commitments, validate_commitment
from gwp_monitor.domain.periods import FREQUENCIES, Frequency, Period, is_calendar_period, periods_between
from gwp_monitor.domain.templates import KINDS, Kind

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Commitment",
    "Contract",
    "Register",
    "RegisterDocument",
    "RegisterError",
    "ReturnSchedule",
    "Supplier",
    "load_register",
    "parse_register",
    "EXPECTED_RETURNS_COLUMNS",
]

CONTRACT_REF_PATTERN = re.compile(r"[A-Za-z0-9._/-]{1,64}")
_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_DUE_DAYS = 365
#: Frequencies each return kind may use (spec 2.1).
ALLOWED_FREQUENCIES: dict[str, tuple[Frequency, ...]] = {"payroll": ("monthly",), "workforce": FREQUENCIES}

#: Unknown keys are refused; SkipValidation fields hold values the validators already built.
_STRICT = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


def _given(value: Any) -> Any:
    """A required field written as null (a key left out entirely is pydantic's "missing")."""
    if value is None:
        raise problem("missing required field '{label}'")
    return value


def _text(value: Any) -> str:
    """A required text field, kept as written (identifiers must not lose leading zeros)."""
    if isinstance(_given(value), (bool, int, float)):
        raise problem(f"{{label}} must be text; put it in quotes so it is kept as written (got {value!r})")
    if not isinstance(value, str) or not value.strip():
        raise problem(f"{{label}} must be non-empty text (got {value!r})")
    return value.strip()


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE_PATTERN.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise problem(f"{{label}} must be a real date written like 2025-04-01 (got {value!r})")


@dataclass(frozen=True, config=_STRICT)
class Supplier:
    supplier_id: str
    name: str
    #: Where this supplier's returns are fetched from when it has its own server (spec 9): an
    #: sftp://, imaps:// or file:// URL. Never a password: those come from the environment or Airflow.
    source: str | None = None

    _text_fields = field_validator("supplier_id", "name", mode="before")(_text)

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, value: Any) -> Any:
        if value is None:
            return None
        from gwp_monitor.sources.urls import SourceUrlError, parse_source

        try:
            return parse_source(_text(value)).url
        except SourceUrlError as exc:
            raise problem(str(exc).replace("{", "{{").replace("}", "}}")) from None


@dataclass(frozen=True, config=_STRICT)
class ReturnSchedule:
    """How often a return kind is owed and how many days after its period's last day it is due.

    In the register the kind is the key of the schedule (``returns: {payroll: {...}}``).
    """

    kind: Kind
    frequency: Frequency = Field(default=None, validate_default=True)
    due_days: int = Field(default=None, validate_default=True)

    @field_validator("frequency", mode="before")
    @classmethod
    def _frequency(cls, value: Any, info: ValidationInfo) -> Any:
        allowed = ALLOWED_FREQUENCIES.get(info.data.get("kind", ""), FREQUENCIES)
        if value not in allowed:
            what = "missing" if value is None else f"got {value!r}"
            raise problem(f"{{parent}}: frequency must be {' or '.join(allowed)} ({what})")
        return value

    @field_validator("due_days", mode="before")
    @classmethod
    def _due_days(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DUE_DAYS:
            what = "missing" if value is None else f"got {value!r}"
            raise problem(f"{{parent}}: due_days must be a whole number of days from 0 to {MAX_DUE_DAYS} ({what})")
        return value

    def due_date(self, period: Period) -> date:
        return period.end + timedelta(days=self.due_days)


@dataclass(frozen=True, config=_STRICT)
class Contract:
    """One monitored contract. ``commitments`` always includes statutory_minimum_wage."""

    contract_ref: str
    title: str
    supplier: Supplier
    start_date: date
    end_date: date | None = None
    # validate_default: the validators word "missing", fill in the implicit commitments, freeze mappings
    # None stands for "not given" and never outlives validation (the validators replace it), so the
    # declared types are the validated ones; dataclasses.field's stub cannot express that.
    returns: Annotated[SkipValidation[Mapping[str, ReturnSchedule]], Field(validate_default=True)] = field(
        default=None,  # type: ignore[arg-type]  # replaced by _returns
        hash=False,
    )
    contacts: Annotated[SkipValidation[Mapping[str, str]], Field(validate_default=True)] = field(
        default=None,  # type: ignore[arg-type]  # replaced by _contacts
        hash=False,
    )
    commitments: Annotated[SkipValidation[tuple[Commitment, ...]], Field(validate_default=True)] = None  # type: ignore[assignment]

    @model_validator(mode="before")
    @classmethod
    def _a_mapping(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, ArgsKwargs):
            return data
        if not isinstance(data, Mapping):
            raise problem(f"must be a mapping of contract fields, got {data!r}")
        if isinstance(info.context, dict):  # kinds declared, even with a faulty schedule (see _commitments)
            raw = data.get("returns")
            info.context["declared_kinds"] = {k for k in raw if k in KINDS} if isinstance(raw, Mapping) else set()
        return data

    @field_validator("contract_ref", mode="before")
    @classmethod
    def _ref(cls, value: Any) -> Any:
        if not _is_ref(_given(value)):
            raise problem(f"contract_ref {value!r} must be 1 to 64 letters, digits or . _ / -")
        return value

    _title = field_validator("title", mode="before")(_text)

    @field_validator("supplier", mode="before")
    @classmethod
    def _supplier(cls, value: Any) -> Any:
        if not isinstance(_given(value), (Mapping, Supplier)):
            raise problem(f"supplier must be a mapping with supplier_id and name (got {value!r})")
        return value

    @field_validator("start_date", mode="before")
    @classmethod
    def _start(cls, value: Any) -> date:
        return _date(_given(value))

    @field_validator("end_date", mode="before")
    @classmethod
    def _end(cls, value: Any, info: ValidationInfo) -> date | None:
        if value is None:
            return None
        end, start = _date(value), info.data.get("start_date")
        if start is not None and end < start:
            raise problem(f"end_date {end} is before start_date {start}")
        return end

    @field_validator("returns", mode="before")
    @classmethod
    def _returns(cls, raw: Any) -> Mapping[str, ReturnSchedule]:
        if raw is None:
            raise problem(f"missing required field 'returns' (which of {', '.join(KINDS)} are expected)")
        if not isinstance(raw, Mapping) or not raw:
            raise problem(f"returns must map at least one of {', '.join(KINDS)} to its schedule (got {raw!r})")
        errors, schedules = [], {}
        for kind, spec in raw.items():
            if kind not in KINDS:
                errors.append(line((kind,), f"returns: unknown return kind {kind!r} (known: {', '.join(KINDS)})"))
            elif isinstance(spec, ReturnSchedule):
                schedules[kind] = spec
            elif not isinstance(spec, Mapping):
                example = "{frequency: monthly, due_days: 15}"
                errors.append(line((kind,), f"{{label}} must be like {example} (got {spec!r})"))
            else:
                try:
                    schedules[kind] = _SCHEDULE.validate_python({**spec, "kind": kind})
                except ValidationError as exc:
                    errors += lines((kind,), exc)
        if errors:
            raise invalid(errors)
        return MappingProxyType(schedules)

    @field_validator("contacts", mode="before")
    @classmethod
    def _contacts(cls, raw: Any) -> Mapping[str, str]:
        if raw is None:
            return MappingProxyType({})
        if not isinstance(raw, Mapping):
            raise problem(f"contacts must map a role to an e-mail address (got {raw!r})")
        bad = [
            line((str(role),), f"{{label}} must be an e-mail address (got {address!r})")
            for role, address in raw.items()
            if not (isinstance(address, str) and _EMAIL_PATTERN.fullmatch(address.strip()))
        ]
        if bad:
            raise invalid(bad)
        return MappingProxyType({str(role): address.strip() for role, address in raw.items()})

    @field_validator("commitments", mode="before")
    @classmethod
    def _commitments(cls, raw: Any, info: ValidationInfo) -> tuple[Commitment, ...]:
        """Each entry through the catalogue's ``validate_commitment``, then no type twice and each
        type's return kind declared in ``returns``."""
        if raw is None:
            return implicit_commitments()
        if not isinstance(raw, (list, tuple)):
            raise problem(f"commitments must be a list (got {raw!r})")
        if isinstance(info.context, dict) and "declared_kinds" in info.context:
            declared = info.context["declared_kinds"]
        else:
            declared = set(info.data.get("returns") or ())
        errors: list[InitErrorDetails] = []
        out: list[Commitment] = []
        seen: dict[str, int] = {}
        for j, item in enumerate(raw):
            commitment, found = validate_commitment(item)
            errors += [line((j,), "{label}: " + msg) for msg in found]
            if commitment is None:
                continue
            if commitment.type in seen:
                first = seen[commitment.type]
                errors.append(line((j,), f"{{label}}: {commitment.type} is listed twice (also commitments[{first}])"))
                continue
            seen[commitment.type] = j
            source_kind = CATALOGUE[commitment.type].source_kind
            if declared and source_kind not in declared:
                errors.append(
                    line(
                        (j,),
                        (
                            f"{{label}}: {commitment.type} is checked on {source_kind} returns, "
                            f"but returns has no {source_kind} schedule"
                        ),
                    )
                )
                continue
            out.append(commitment)
        if errors:
            raise invalid(errors)
        return implicit_commitments() + tuple(out)

    def commitment(self, type_name: str) -> Commitment | None:
        return next((c for c in self.commitments if c.type == type_name), None)

    def expected_periods(self, kind: str, as_of: date) -> list[Period]:
        """Periods of ``kind`` owed by ``as_of`` (spec 2.1); empty when the kind is not expected."""
        schedule = self.returns.get(kind)
        if schedule is None:
            return []
        last = min(self.end_date, as_of) if self.end_date else as_of
        return periods_between(schedule.frequency, self.start_date, last)

    def period_problem(self, kind: str, start: date, end: date, as_of: date | None = None) -> str | None:
        """Why a submission for (kind, start, end) is not one of this contract's periods, or None.

        With ``as_of``, a period that has not ended by then is refused too (a return cannot cover
        days that have not happened yet).
        """
        schedule = self.returns.get(kind)
        if schedule is None:
            return f"contract {self.contract_ref} does not expect {kind} returns"
        if not is_calendar_period(schedule.frequency, start, end):
            shape = "calendar month" if schedule.frequency == "monthly" else "calendar quarter"
            return f"{kind} returns for {self.contract_ref} cover one {shape}; {start} to {end} is not one"
        if start < self.start_date:
            return f"period {start} to {end} starts before the contract starts ({self.start_date})"
        if self.end_date is not None and end > self.end_date:
            return f"period {start} to {end} ends after the contract ends ({self.end_date})"
        if as_of is not None and end > as_of:
            return f"period {start} to {end} has not ended by {as_of}"
        return None

    def is_expected_period(self, kind: str, start: date, end: date, as_of: date | None = None) -> bool:
        """True when (kind, start, end) is one of this contract's return periods."""
        return self.period_problem(kind, start, end, as_of) is None


_SCHEDULE = TypeAdapter(ReturnSchedule)


@dataclass(frozen=True, config=_STRICT)
class RegisterDocument:
    """The register file as written: a non-empty list of contracts with unique references."""

    contracts: list[Contract]

    @model_validator(mode="before")
    @classmethod
    def _has_contracts(cls, data: Any) -> Any:
        if not isinstance(data, (Mapping, ArgsKwargs)) or (isinstance(data, Mapping) and "contracts" not in data):
            raise problem("the register needs a top-level 'contracts' list")
        return data

    @field_validator("contracts", mode="wrap")
    @classmethod
    def _unique_refs(cls, raw: Any, handler: Any) -> list[Contract]:
        """Every contract's own problems, then (after them) a reference already used above."""
        if not isinstance(raw, list) or not raw:
            raise problem("'contracts' must be a non-empty list of contracts")
        errors = []
        try:
            contracts = handler(raw)
        except ValidationError as exc:
            errors, contracts = lines((), exc), None
        first_seen: dict[str, int] = {}
        for i, item in enumerate(raw):
            ref = item.get("contract_ref") if isinstance(item, Mapping) else None
            if _is_ref(ref):
                if ref in first_seen:
                    errors.append(line((i,), f"contract_ref {ref} is already used by contracts[{first_seen[ref]}]"))
                else:
                    first_seen[ref] = i
        if errors:
            raise invalid(sorted(errors, key=lambda e: e["loc"][0]))  # stable: a contract's problems stay in order
        return contracts


@dataclass(frozen=True, config=ConfigDict(arbitrary_types_allowed=True))
class Register:
    """The contracts of a valid register by reference; ``source`` names the file for messages."""

    contracts: SkipValidation[Mapping[str, Contract]] = field(hash=False)
    source: str = "<memory>"

    def schedule_for(self, contract_ref: str, kind: str) -> ReturnSchedule | None:
        """The contract's schedule for ``kind``; None when that kind is not expected.

        Raises KeyError for a contract that is not in the register.
        """
        if contract_ref not in self.contracts:
            raise KeyError(f"contract {contract_ref!r} is not in the register {self.source}")
        return self.contracts[contract_ref].returns.get(kind)

    def expected_returns(self, as_of: date) -> pd.DataFrame:
        """One row per return owed by ``as_of`` (spec 2.1), sorted by contract_ref, kind, period_start.

        Dates are datetime64[ns] at midnight (not python dates) so the frame merges directly with
        submissions and payroll frames; due_date = period_end + due_days.
        """
        return _expected.expected_returns(self.contracts.values(), as_of)


# --- loading --------------------------------------------------------------------------------------


def load_register(path: str | Path) -> Register:
    """Read and validate a register file; raises RegisterError listing every problem."""
    path = Path(path)
    data, duplicate_keys = read_register_yaml(path)
    return _validated(data, str(path), duplicate_keys)


def parse_register(data: Any, source: str = "<memory>") -> Register:
    """Validate already-parsed register data (a mapping with a 'contracts' list)."""
    return _validated(data, source, [])


_DOCUMENT = TypeAdapter(RegisterDocument)


def _validated(data: Any, source: str, earlier: list[str]) -> Register:
    try:
        document = _DOCUMENT.validate_python(data, context={})
    except ValidationError as exc:
        raise RegisterError(earlier + problems_from(exc, data, _allowed_keys, _is_ref), source) from None
    if earlier:
        raise RegisterError(earlier, source)
    return Register(MappingProxyType({c.contract_ref: c for c in document.contracts}), source)


def _is_ref(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and CONTRACT_REF_PATTERN.fullmatch(value) is not None


def _allowed_keys(parent: tuple[str | int, ...]) -> tuple[str, ...]:
    """The keys a mapping at ``parent`` (inside a contract) may have, for "unknown field" problems."""
    models: dict[tuple[str | int, ...], type] = {(): Contract, ("supplier",): Supplier}
    model = models.get(parent, ReturnSchedule)
    return tuple(f.name for f in dataclasses.fields(model) if f.name != "kind")
