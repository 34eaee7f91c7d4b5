"""The contract register (spec 2.1): which contracts are monitored, which returns they owe and when,
and which commitments they carry.

A register that does not validate is refused as a whole: ``RegisterError`` lists every problem, each
naming where it is (``contracts[2] (NCC-2025-0142): commitments[1]: ...``, indices 0-based), so an
administrator fixes the file in one pass and nothing is half-loaded.

Identifiers are read as written: ``supplier_id``, ``contract_ref``, ``start_date`` and ``end_date``
are taken from the YAML text itself, so an unquoted Companies House number like ``08064685`` keeps
its leading zero (plain YAML would read it as the integer 8064685, or ``0123`` as octal 83). When
``parse_register`` is given already-parsed data in which an identifier is a number, the zeros may
already be lost, so it is refused with a hint to quote it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import yaml

from gwp_monitor.domain.catalogue import CATALOGUE, Commitment, implicit_commitments, validate_commitment
from gwp_monitor.domain.periods import FREQUENCIES, Frequency, Period, expand_periods, is_calendar_period, periods_between
from gwp_monitor.domain.templates import KINDS, Kind

__all__ = [
    "Commitment", "Contract", "Register", "RegisterError", "ReturnSchedule", "Supplier",
    "load_register", "parse_register", "EXPECTED_RETURNS_COLUMNS",
]

CONTRACT_REF_PATTERN = re.compile(r"[A-Za-z0-9._/-]{1,64}")
_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_DUE_DAYS = 365
#: Frequencies each return kind may use (spec 2.1).
ALLOWED_FREQUENCIES: dict[str, tuple[Frequency, ...]] = {"payroll": ("monthly",), "workforce": FREQUENCIES}
EXPECTED_RETURNS_COLUMNS = ["contract_ref", "kind", "period_start", "period_end", "due_date"]

_CONTRACT_KEYS = ("contract_ref", "title", "supplier", "start_date", "end_date", "returns", "contacts", "commitments")
_VERBATIM_KEYS = frozenset({"contract_ref", "supplier_id", "start_date", "end_date"})
_YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


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


@dataclass(frozen=True)
class Supplier:
    supplier_id: str
    name: str


@dataclass(frozen=True)
class ReturnSchedule:
    """How often a return kind is owed and how many days after its period's last day it is due."""

    kind: Kind
    frequency: Frequency
    due_days: int

    def due_date(self, period: Period) -> date:
        return period.end + timedelta(days=self.due_days)


@dataclass(frozen=True)
class Contract:
    """One monitored contract. ``commitments`` always includes statutory_minimum_wage."""

    contract_ref: str
    title: str
    supplier: Supplier
    start_date: date
    end_date: date | None
    returns: Mapping[str, ReturnSchedule] = field(hash=False)
    contacts: Mapping[str, str] = field(hash=False)
    commitments: tuple[Commitment, ...]

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


@dataclass(frozen=True)
class Register:
    contracts: Mapping[str, Contract] = field(hash=False)
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
        as_of = _as_date(as_of)
        windows = [
            (c.contract_ref, kind, s.frequency, s.due_days, c.start_date, min(c.end_date, as_of) if c.end_date else as_of)
            for c in self.contracts.values()
            for kind, s in c.returns.items()
        ]
        cols = ["contract_ref", "kind", "frequency", "due_days", "start", "end"]
        w = pd.DataFrame(windows, columns=cols)
        parts = []
        for frequency, group in w.groupby("frequency", sort=False):
            group = group.reset_index(drop=True)
            periods = expand_periods(frequency, pd.to_datetime(group["start"]), pd.to_datetime(group["end"]))
            rows = group.iloc[periods["row"].to_numpy()].reset_index(drop=True)
            due = periods["period_end"].to_numpy() + rows["due_days"].to_numpy().astype("timedelta64[D]")
            parts.append(pd.DataFrame({
                "contract_ref": rows["contract_ref"], "kind": rows["kind"],
                "period_start": periods["period_start"], "period_end": periods["period_end"],
                "due_date": due.astype("datetime64[ns]"),
            }))
        if not parts:
            return _empty_expected()
        out = pd.concat(parts, ignore_index=True)
        return out.sort_values(["contract_ref", "kind", "period_start"], ignore_index=True)


def _empty_expected() -> pd.DataFrame:
    empty_dates = np.array([], dtype="datetime64[ns]")
    return pd.DataFrame({
        "contract_ref": pd.Series([], dtype="str"), "kind": pd.Series([], dtype="str"),
        "period_start": empty_dates, "period_end": empty_dates, "due_date": empty_dates,
    })


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


# --- loading --------------------------------------------------------------------------------------


class _RegisterLoader(yaml.SafeLoader):
    """SafeLoader that keeps identifiers and dates as written and notes duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[str] = []


def _construct_mapping(loader: _RegisterLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a plain value", key_node.start_mark)
        if key in out:
            loader.duplicate_keys.append(f"line {key_node.start_mark.line + 1}: {key!r} is given twice in the same mapping")
        verbatim = (
            key in _VERBATIM_KEYS and isinstance(value_node, yaml.ScalarNode)
            and not (value_node.style is None and value_node.value in _YAML_NULLS)
        )
        out[key] = value_node.value if verbatim else loader.construct_object(value_node, deep=True)
    return out


_RegisterLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_register(path: str | Path) -> Register:
    """Read and validate a register file; raises RegisterError listing every problem."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegisterError([f"{source}: file not found"], source) from None
    except IsADirectoryError:
        raise RegisterError([f"{source}: is a directory, not a register file"], source) from None
    except UnicodeDecodeError as exc:
        raise RegisterError([f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})"], source) from None
    except OSError as exc:
        raise RegisterError([f"{source}: cannot be read ({exc.strerror})"], source) from None
    loader = _RegisterLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RegisterError([f"{source}: YAML syntax error{where}: {exc.problem or exc.context}"], source) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise RegisterError([f"{source}: YAML error: {exc}"], source) from None
    finally:
        loader.dispose()
    register, problems = _parse(data, source)
    problems = loader.duplicate_keys + problems
    if problems or register is None:
        raise RegisterError(problems, source)
    return register


def parse_register(data: Any, source: str = "<memory>") -> Register:
    """Validate already-parsed register data (a mapping with a 'contracts' list)."""
    register, problems = _parse(data, source)
    if problems or register is None:
        raise RegisterError(problems, source)
    return register


def _parse(data: Any, source: str) -> tuple[Register | None, list[str]]:
    problems: list[str] = []
    if not isinstance(data, Mapping) or "contracts" not in data:
        return None, ["the register needs a top-level 'contracts' list"]
    problems += [f"unknown top-level key {k!r} (allowed: contracts)" for k in data if k != "contracts"]
    raw_contracts = data["contracts"]
    if not isinstance(raw_contracts, list) or not raw_contracts:
        return None, problems + ["'contracts' must be a non-empty list of contracts"]
    contracts: dict[str, Contract] = {}
    first_seen: dict[str, int] = {}
    for i, raw in enumerate(raw_contracts):
        contract, found = _parse_contract(raw, i)
        problems += found
        ref = raw.get("contract_ref") if isinstance(raw, Mapping) else None
        if isinstance(ref, str) and CONTRACT_REF_PATTERN.fullmatch(ref):
            if ref in first_seen:
                problems.append(f"contracts[{i}] ({ref}): contract_ref {ref} is already used by contracts[{first_seen[ref]}]")
            else:
                first_seen[ref] = i
                if contract is not None:
                    contracts[ref] = contract
    if problems:
        return None, problems
    return Register(MappingProxyType(contracts), source), []


def _parse_contract(raw: Any, i: int) -> tuple[Contract | None, list[str]]:
    if not isinstance(raw, Mapping):
        return None, [f"contracts[{i}]: must be a mapping of contract fields, got {raw!r}"]
    ref = raw.get("contract_ref")
    valid_ref = isinstance(ref, str) and CONTRACT_REF_PATTERN.fullmatch(ref) is not None
    where = f"contracts[{i}] ({ref})" if valid_ref else f"contracts[{i}]"
    problems: list[str] = []

    def add(msg: str) -> None:
        problems.append(f"{where}: {msg}")

    for key in raw:
        if key not in _CONTRACT_KEYS:
            add(f"unknown field {key!r} (allowed: {', '.join(_CONTRACT_KEYS)})")
    if ref is None:
        add("missing required field 'contract_ref'")
    elif not valid_ref:
        add(f"contract_ref {ref!r} must be 1 to 64 letters, digits or . _ / -")
    title = _text(raw, "title", add)
    supplier = _supplier(raw.get("supplier"), add)
    start = _date(raw, "start_date", add, required=True)
    end = _date(raw, "end_date", add, required=False)
    if start and end and end < start:
        add(f"end_date {end} is before start_date {start}")
    returns = _returns(raw.get("returns"), add)
    contacts = _contacts(raw.get("contacts"), add)
    raw_returns = raw.get("returns")
    # Kinds the author declared, even with a faulty schedule, so one mistake is reported once.
    declared = {k for k in raw_returns if k in KINDS} if isinstance(raw_returns, Mapping) else set()
    commitments = _commitments(raw.get("commitments"), declared, add)
    if problems:
        return None, problems
    return Contract(
        ref, title, supplier, start, end, MappingProxyType(returns), MappingProxyType(contacts),
        implicit_commitments() + commitments,
    ), []


def _text(raw: Mapping[str, Any], key: str, add: Any, label: str | None = None) -> str:
    label = label or key
    value = raw.get(key)
    if value is None:
        add(f"missing required field {label!r}")
    elif isinstance(value, (bool, int, float)):
        add(f"{label} must be text; put it in quotes so it is kept as written (got {value!r})")
    elif not isinstance(value, str) or not value.strip():
        add(f"{label} must be non-empty text (got {value!r})")
    else:
        return value.strip()
    return ""


def _supplier(raw: Any, add: Any) -> Supplier:
    if raw is None:
        add("missing required field 'supplier'")
        return Supplier("", "")
    if not isinstance(raw, Mapping):
        add(f"supplier must be a mapping with supplier_id and name (got {raw!r})")
        return Supplier("", "")
    for key in raw:
        if key not in ("supplier_id", "name"):
            add(f"supplier: unknown field {key!r} (allowed: supplier_id, name)")
    return Supplier(_text(raw, "supplier_id", add, "supplier.supplier_id"), _text(raw, "name", add, "supplier.name"))


def _date(raw: Mapping[str, Any], key: str, add: Any, required: bool) -> date | None:
    value = raw.get(key)
    if value is None:
        if required:
            add(f"missing required field {key!r}")
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE_PATTERN.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    add(f"{key} must be a real date written like 2025-04-01 (got {value!r})")
    return None


def _returns(raw: Any, add: Any) -> dict[str, ReturnSchedule]:
    if raw is None:
        add("missing required field 'returns' (which of payroll, workforce are expected)")
        return {}
    if not isinstance(raw, Mapping) or not raw:
        add(f"returns must map at least one of {', '.join(KINDS)} to its schedule (got {raw!r})")
        return {}
    out: dict[str, ReturnSchedule] = {}
    for kind, spec in raw.items():
        if kind not in KINDS:
            add(f"returns: unknown return kind {kind!r} (known: {', '.join(KINDS)})")
            continue
        if not isinstance(spec, Mapping):
            add(f"returns.{kind} must be like {{frequency: monthly, due_days: 15}} (got {spec!r})")
            continue
        ok = True
        for key in spec:
            if key not in ("frequency", "due_days"):
                add(f"returns.{kind}: unknown field {key!r} (allowed: frequency, due_days)")
                ok = False
        allowed = ALLOWED_FREQUENCIES[kind]
        frequency = spec.get("frequency")
        if frequency not in allowed:
            what = "missing" if frequency is None else f"got {frequency!r}"
            add(f"returns.{kind}: frequency must be {' or '.join(allowed)} ({what})")
            ok = False
        due_days = spec.get("due_days")
        if isinstance(due_days, bool) or not isinstance(due_days, int) or not 0 <= due_days <= MAX_DUE_DAYS:
            what = "missing" if due_days is None else f"got {due_days!r}"
            add(f"returns.{kind}: due_days must be a whole number of days from 0 to {MAX_DUE_DAYS} ({what})")
            ok = False
        if ok:
            out[kind] = ReturnSchedule(kind, frequency, due_days)
    return out


def _contacts(raw: Any, add: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        add(f"contacts must map a role to an e-mail address (got {raw!r})")
        return {}
    out: dict[str, str] = {}
    for role, address in raw.items():
        if not isinstance(address, str) or not _EMAIL_PATTERN.fullmatch(address.strip()):
            add(f"contacts.{role} must be an e-mail address (got {address!r})")
        else:
            out[str(role)] = address.strip()
    return out


def _commitments(raw: Any, declared_kinds: set[str], add: Any) -> tuple[Commitment, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        add(f"commitments must be a list (got {raw!r})")
        return ()
    out: list[Commitment] = []
    seen: dict[str, int] = {}
    for j, item in enumerate(raw):
        commitment, found = validate_commitment(item)
        for msg in found:
            add(f"commitments[{j}]: {msg}")
        if commitment is None:
            continue
        if commitment.type in seen:
            add(f"commitments[{j}]: {commitment.type} is listed twice (also commitments[{seen[commitment.type]}])")
            continue
        seen[commitment.type] = j
        source_kind = CATALOGUE[commitment.type].source_kind
        if declared_kinds and source_kind not in declared_kinds:
            add(f"commitments[{j}]: {commitment.type} is checked on {source_kind} returns, but returns has no {source_kind} schedule")
            continue
        out.append(commitment)
    return tuple(out)
