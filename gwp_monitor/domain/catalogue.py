"""The commitment catalogue of spec 4, as data.

One ``CommitmentType`` entry per type, all in ``CATALOGUE``: the register validator, the assessors,
the docs and the dashboards' wording read it from here, so adding a commitment type (or a field
such as its Great Expectations builder) is done in one place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Literal

import pandas as pd

SourceKind = Literal["payroll", "workforce"]
Severity = Literal["critical", "high", "medium"]
ParamType = Literal["fraction", "integer", "number", "bool"]

#: The commitment every contract carries whatever the register says (spec 3.2).
STATUTORY_MINIMUM_WAGE = "statutory_minimum_wage"


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a commitment type and the values the register may give it."""

    name: str
    type: ParamType
    required: bool
    default: Any = None
    min: float | None = None
    max: float | None = None

    def requirement(self) -> str:
        """Plain words for what a valid value looks like, used in register error messages."""
        if self.type == "bool":
            return "as true or false"
        if self.type == "fraction":
            return "between 0 and 1"
        what = "as a whole number" if self.type == "integer" else "as a number"
        if self.min is not None and self.max is not None:
            return f"{what} between {_fmt(self.min)} and {_fmt(self.max)}"
        if self.min is not None:
            return f"{what} of at least {_fmt(self.min)}"
        if self.max is not None:
            return f"{what} of at most {_fmt(self.max)}"
        return what

    def coerce(self, value: Any) -> tuple[Any, bool]:
        """(normalised value, ok). YAML booleans are never accepted as numbers, nor numbers as
        booleans: ``max: yes`` is a typo, not 1."""
        if self.type == "bool":
            return (value, True) if isinstance(value, bool) else (None, False)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, False
        if isinstance(value, float) and not math.isfinite(value):
            return None, False
        if self.type == "integer":
            if isinstance(value, float) and not value.is_integer():
                return None, False
            value = int(value)
        else:
            value = float(value)
        lo = 0.0 if self.type == "fraction" else self.min
        hi = 1.0 if self.type == "fraction" else self.max
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            return None, False
        return value, True


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class Rule:
    """How Great Expectations decides a commitment: per row, `observe` against a limit.

    The limit is the contract's parameter named by `limit` (e.g. "max"), a constant (1 for yes/no
    commitments), or, for the wage types, the worker's floor from the rates tables (`observe` is
    None: the compliance module supplies hourly rate and floor). `missing` explains a NaN
    observation (not_assessable); `label` names the floor in verdict text.
    """

    comparison: Literal["at_least", "at_most"]
    limit: str | float
    observe: Callable[[pd.DataFrame], pd.Series] | None = None
    missing: str = ""
    label: str = ""


def _share(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: f[column] / f["headcount"].where(f["headcount"] > 0)


def _yes(*columns: str) -> Callable[[pd.DataFrame], pd.Series]:
    """1.0 when any of the yes/no columns is yes, 0.0 when all are no, NaN when none is known."""
    def observe(f: pd.DataFrame) -> pd.Series:
        values = f[list(columns)].astype("boolean")
        known = values.notna().any(axis=1)
        return values.fillna(False).any(axis=1).astype("float64").where(known)
    return observe


def _both_present(f: pd.DataFrame) -> pd.Series:
    return (f["gender_pay_gap_median_pct"].notna() & f["gender_pay_gap_mean_pct"].notna()).astype("float64")


_HEADCOUNT_ZERO = "headcount is 0 or missing, so a share cannot be worked out"


@dataclass(frozen=True)
class CommitmentType:
    """What a commitment type checks, from which return, how serious a breach is.

    ``summary`` is one plain sentence for contract managers saying what "kept" means; ``observed``
    says what a verdict's observed_value and threshold hold (spec 4). ``implicit`` types are added
    to every contract and may not be listed in the register.
    """

    name: str
    source_kind: SourceKind
    severity: Severity
    params: tuple[ParamSpec, ...]
    summary: str
    observed: str
    rule: Rule
    implicit: bool = False

    def param(self, name: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True)
class Commitment:
    """One commitment of one contract: its type and validated parameters (defaults filled in).

    Lives here rather than in register.py because the catalogue builds it; register re-exports it.
    ``params`` is read-only; hashing uses the type only (params are not hashable).
    """

    type: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def spec(self) -> CommitmentType:
        return CATALOGUE[self.type]


_FRACTION = "a fraction between 0 and 1"
_YES_NO = "1 when kept, 0 when not; threshold 1"

CATALOGUE: dict[str, CommitmentType] = {
    c.name: c
    for c in (
        CommitmentType(
            STATUTORY_MINIMUM_WAGE, "payroll", "critical", (),
            "Every worker paid for hours in the month is paid at least the legal minimum for their "
            "age band, and every apprentice at least the apprentice rate.",
            "observed_value: workers paid below their statutory floor; threshold: 0",
            Rule("at_least", 1.0, label="statutory minimum wage"),
            implicit=True,
        ),
        CommitmentType(
            "real_living_wage", "payroll", "high",
            (ParamSpec("include_apprentices", "bool", False, default=False),),
            "Every worker aged 18 or over on the contract, including agency and subcontracted "
            "staff, is paid at least the Real Living Wage (London rate in London).",
            "observed_value: workers paid below the Real Living Wage; threshold: 0",
            Rule("at_least", 1.0, label="Real Living Wage"),
        ),
        CommitmentType(
            "max_zero_hours_share", "workforce", "medium",
            (ParamSpec("max", "fraction", True, min=0, max=1),),
            "No more than the agreed share of people on the contract are on zero-hours contracts.",
            f"observed_value: zero_hours_workers / headcount; threshold: max ({_FRACTION})",
            Rule("at_most", "max", _share("zero_hours_workers"), _HEADCOUNT_ZERO),
        ),
        CommitmentType(
            "max_agency_share", "workforce", "medium",
            (ParamSpec("max", "fraction", True, min=0, max=1),),
            "No more than the agreed share of people on the contract are agency workers.",
            f"observed_value: agency_workers / headcount; threshold: max ({_FRACTION})",
            Rule("at_most", "max", _share("agency_workers"), _HEADCOUNT_ZERO),
        ),
        CommitmentType(
            "min_apprentices", "workforce", "medium",
            (ParamSpec("min", "integer", True, min=0),),
            "At least the agreed number of apprentices work on the contract.",
            "observed_value: apprentices; threshold: min",
            Rule("at_least", "min", lambda f: f["apprentices"], "the number of apprentices is missing"),
        ),
        CommitmentType(
            "min_local_resident_share", "workforce", "medium",
            (ParamSpec("min", "fraction", True, min=0, max=1),),
            "At least the agreed share of people on the contract live in the authority's area.",
            f"observed_value: local_residents / headcount; threshold: min ({_FRACTION})",
            Rule("at_least", "min", _share("local_residents"), _HEADCOUNT_ZERO),
        ),
        CommitmentType(
            "worker_voice", "workforce", "medium", (),
            "Workers have a voice: a recognised trade union or an elected staff forum.",
            _YES_NO,
            Rule("at_least", 1.0, _yes("recognised_trade_union", "worker_voice_forum"), "neither trade union nor forum is stated"),
        ),
        CommitmentType(
            "flexible_working", "workforce", "medium", (),
            "Workers can ask for flexible working from their first day.",
            _YES_NO,
            Rule("at_least", 1.0, _yes("flexible_working_from_day_one"), "flexible_working_from_day_one is missing"),
        ),
        CommitmentType(
            "gender_pay_gap_reported", "workforce", "medium", (),
            "The supplier reports both its median and mean gender pay gap.",
            _YES_NO,
            Rule("at_least", 1.0, _both_present),
        ),
        CommitmentType(
            "max_gender_pay_gap", "workforce", "medium",
            (ParamSpec("max_pct", "number", True, min=-100, max=100),),
            "The median gender pay gap is no wider than the agreed percentage.",
            "observed_value: gender_pay_gap_median_pct; threshold: max_pct",
            Rule("at_most", "max_pct", lambda f: f["gender_pay_gap_median_pct"], "the return gives no median gender pay gap"),
        ),
        CommitmentType(
            "min_training_hours_per_fte", "workforce", "medium",
            (ParamSpec("min", "number", True, min=0),),
            "Workers get at least the agreed hours of training per full-time equivalent.",
            "observed_value: training_hours / fte; threshold: min",
            Rule("at_least", "min", lambda f: f["training_hours"] / f["fte"].where(f["fte"] > 0),
                 "training_hours is missing or fte is 0"),
        ),
    )
}


def implicit_commitments() -> tuple[Commitment, ...]:
    """Commitments every contract carries without listing them (today: statutory minimum wage)."""
    return tuple(Commitment(c.name, {}) for c in CATALOGUE.values() if c.implicit)


def validate_commitment(raw: Any) -> tuple[Commitment | None, list[str]]:
    """Check one register entry such as ``{type: max_zero_hours_share, max: 0.05}``.

    Returns the Commitment (defaults filled in) and no problems, or None and every problem found.
    Problems carry no location; the register prefixes "contracts[i] (ref): commitments[j]: ".
    """
    if not isinstance(raw, Mapping):
        return None, [f"must be a mapping like {{type: worker_voice}}, got {raw!r}"]
    name = raw.get("type")
    if name is None:
        return None, ["has no 'type'"]
    if not isinstance(name, str) or name not in CATALOGUE:
        known = ", ".join(n for n, c in CATALOGUE.items() if not c.implicit)
        return None, [f"unknown commitment type {name!r} (known: {known})"]
    spec = CATALOGUE[name]
    if spec.implicit:
        return None, [f"{name} is checked on every contract automatically; remove it from the register"]
    problems: list[str] = []
    params: dict[str, Any] = {}
    for key in raw:
        if key != "type" and spec.param(str(key)) is None:
            allowed = ", ".join(p.name for p in spec.params) or "none"
            problems.append(f"{name} has unknown parameter {key!r} (allowed: {allowed})")
    for p in spec.params:
        if p.name not in raw or raw[p.name] is None:
            if p.required:
                problems.append(f"{name} needs {p.name!r} {p.requirement()} (missing)")
            else:
                params[p.name] = p.default
            continue
        value, ok = p.coerce(raw[p.name])
        if ok:
            params[p.name] = value
        else:
            problems.append(f"{name} needs {p.name!r} {p.requirement()} (got {raw[p.name]!r})")
    if problems:
        return None, problems
    return Commitment(name, params), []
