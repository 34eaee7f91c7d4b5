"""The shape of a commitment type: its parameters, its Great Expectations rule and its words.

These are the building blocks of the catalogue (``gwp_monitor.domain.catalogue``), which holds one
``CommitmentSpec`` per type; keeping the machinery here keeps the catalogue itself a readable list.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from gwp_monitor.domain.formatting import Unit

if TYPE_CHECKING:
    from gwp_monitor.domain.catalogue import CommitmentType

SourceKind = Literal["payroll", "workforce"]
Severity = Literal["critical", "high", "medium"]
ParamType = Literal["fraction", "integer", "number", "bool"]
#: Where a commitment's observed value comes from: the supplier's return alone, or the return set
#: beside the public gender pay gap register (assessed by gwp_monitor.public_registers, not assess/).
Evidence = Literal["return", "gpg_register"]


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


@dataclass(frozen=True, kw_only=True)
class CommitmentSpec:
    """One commitment type: what it checks, from which return, how serious a breach is, and its words.

    ``summary`` is one plain sentence for contract managers saying what "kept" means; ``observed``
    says what a verdict's observed_value and threshold hold (spec 4). ``implicit`` types are added
    to every contract and may not be listed in the register.

    The words people read: ``title`` names the type on the dashboard; ``unit`` is how its observed
    value and threshold read there and in alerts (the threshold's direction comes from the rule:
    "at most", "at least"). Alerts call it ``label``, where ``{limit}`` is the threshold with its
    direction and ``{s}`` pluralises after it; ``label_unset`` when no threshold is known.
    ``measure`` names the observed figure in an alert ("share of agency workers 12%").
    ``next_steps`` is the advice to the contract manager after a breach; the wage types' steps use
    ``{supplier}``, ``{workers}``, ``{arrears}`` ("£45.50 arrears" or "arrears") and
    ``{any_arrears}`` ("£45.50 arrears" or "any arrears"). ``breach_note`` follows the breach
    sentence. ``floor_title`` names a wage type's floor in chart legends ("Statutory minimum (18-20)").
    ``evidence`` says whether the return alone decides the type, or the return beside the public
    gender pay gap register (then its rule's observe reads the columns public_registers joins in).
    """

    name: CommitmentType
    source_kind: SourceKind
    severity: Severity
    params: tuple[ParamSpec, ...] = ()
    rule: Rule
    implicit: bool = False
    summary: str
    observed: str
    title: str
    unit: Unit
    label: str
    label_unset: str = ""
    measure: str = ""
    next_steps: tuple[str, ...]
    breach_note: str = ""
    floor_title: str = ""
    evidence: Evidence = "return"

    def param(self, name: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def relation(self) -> str:
        """How the threshold limits the observed value, in words: "at least" or "at most"."""
        return self.rule.comparison.replace("_", " ")


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
    def spec(self) -> CommitmentSpec:
        from gwp_monitor.domain.catalogue import CATALOGUE

        return CATALOGUE[self.type]
