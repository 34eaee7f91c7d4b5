"""The commitment catalogue of spec 4, as data, with every word said about each type.

``CommitmentType`` names the types; one ``CommitmentSpec`` per type, all in ``CATALOGUE``, says what
it checks (the Great Expectations rule, its parameters, its severity) and how people are told about
it: the dashboard's title, the unit its figures read in, the alerts' label, observation and next
steps. The register validator, the assessors, the docs, the dashboard and the alerts all read it
from here, so adding a commitment type is done in this file only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

import pandas as pd

from gwp_monitor.domain.commitment_spec import (
    Commitment,
    CommitmentSpec,
    Evidence,
    ParamSpec,
    ParamType,
    Rule,
    Severity,
    SourceKind,
)
from gwp_monitor.domain.formatting import COUNT, HOURS, PERCENT, SHARE, WORKERS_BELOW, YES_NO

__all__ = [
    "CATALOGUE",
    "REAL_LIVING_WAGE",
    "STATUTORY_MINIMUM_WAGE",
    "Commitment",
    "CommitmentSpec",
    "CommitmentType",
    "Evidence",
    "ParamSpec",
    "ParamType",
    "Rule",
    "Severity",
    "SourceKind",
    "implicit_commitments",
    "validate_commitment",
]


class CommitmentType(StrEnum):
    """The commitment types of spec 4. Members are strings, so they compare equal to the names the
    register, the database and the published views hold."""

    STATUTORY_MINIMUM_WAGE = "statutory_minimum_wage"
    REAL_LIVING_WAGE = "real_living_wage"
    MAX_ZERO_HOURS_SHARE = "max_zero_hours_share"
    MAX_AGENCY_SHARE = "max_agency_share"
    MIN_APPRENTICES = "min_apprentices"
    MIN_LOCAL_RESIDENT_SHARE = "min_local_resident_share"
    WORKER_VOICE = "worker_voice"
    FLEXIBLE_WORKING = "flexible_working"
    GENDER_PAY_GAP_REPORTED = "gender_pay_gap_reported"
    MAX_GENDER_PAY_GAP = "max_gender_pay_gap"
    MIN_TRAINING_HOURS_PER_FTE = "min_training_hours_per_fte"
    GPG_PUBLISHED = "gpg_published"
    GPG_CONSISTENT = "gpg_consistent"


#: The commitment every contract carries whatever the register says (spec 3.2).
STATUTORY_MINIMUM_WAGE = CommitmentType.STATUTORY_MINIMUM_WAGE
#: The wage commitment a contract may add; the assessors treat both wage types specially.
REAL_LIVING_WAGE = CommitmentType.REAL_LIVING_WAGE


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


_FRACTION = "a fraction between 0 and 1"
_YES_NO = "1 when kept, 0 when not; threshold 1"
_T = CommitmentType

_ENTRIES = (
    CommitmentSpec(
        name=_T.STATUTORY_MINIMUM_WAGE,
        source_kind="payroll",
        severity="critical",
        implicit=True,
        summary="Every worker paid for hours in the month is paid at least the legal minimum for their "
        "age band, and every apprentice at least the apprentice rate.",
        observed="observed_value: workers paid below their statutory floor; threshold: 0",
        rule=Rule("at_least", 1.0, label="statutory minimum wage"),
        title="Statutory minimum wage",
        unit=WORKERS_BELOW,
        label="statutory minimum wage",
        floor_title="Statutory minimum",
        breach_note="Paying below the statutory minimum wage is unlawful.",
        next_steps=(
            "Contact {supplier} now: underpaying the statutory minimum wage is unlawful. Require them to "
            "correct the pay of {workers} and to pay the {arrears} without delay, and to confirm both in writing.",
            "Consider escalating under the contract's terms; HM Revenue & Customs enforces the minimum wage.",
        ),
    ),
    CommitmentSpec(
        name=_T.REAL_LIVING_WAGE,
        source_kind="payroll",
        severity="high",
        params=(ParamSpec("include_apprentices", "bool", False, default=False),),
        summary="Every worker aged 18 or over on the contract, including agency and subcontracted "
        "staff, is paid at least the Real Living Wage (London rate in London).",
        observed="observed_value: workers paid below the Real Living Wage; threshold: 0",
        rule=Rule("at_least", 1.0, label="Real Living Wage"),
        title="Real Living Wage",
        unit=WORKERS_BELOW,
        label="Real Living Wage",
        floor_title="Real Living Wage",
        next_steps=(
            "Ask {supplier} for an uplift plan, with dates, that brings {workers} up to the Real "
            "Living Wage, and for back-pay of {any_arrears}.",
            "Check the plan covers subcontractor and agency staff on the contract as well as direct employees.",
        ),
    ),
    CommitmentSpec(
        name=_T.MAX_ZERO_HOURS_SHARE,
        source_kind="workforce",
        severity="medium",
        params=(ParamSpec("max", "fraction", True, min=0, max=1),),
        summary="No more than the agreed share of people on the contract are on zero-hours contracts.",
        observed=f"observed_value: zero_hours_workers / headcount; threshold: max ({_FRACTION})",
        rule=Rule("at_most", "max", _share("zero_hours_workers"), _HEADCOUNT_ZERO),
        title="Zero-hours share",
        unit=SHARE,
        measure="share of workers on zero-hours contracts",
        label="zero-hours share {limit}",
        label_unset="zero-hours share within the agreed limit",
        next_steps=(
            "Ask the supplier why the share of zero-hours contracts rose and for a plan to offer "
            "guaranteed-hours contracts to bring it back within the limit.",
        ),
    ),
    CommitmentSpec(
        name=_T.MAX_AGENCY_SHARE,
        source_kind="workforce",
        severity="medium",
        params=(ParamSpec("max", "fraction", True, min=0, max=1),),
        summary="No more than the agreed share of people on the contract are agency workers.",
        observed=f"observed_value: agency_workers / headcount; threshold: max ({_FRACTION})",
        rule=Rule("at_most", "max", _share("agency_workers"), _HEADCOUNT_ZERO),
        title="Agency worker share",
        unit=SHARE,
        measure="share of agency workers",
        label="agency worker share {limit}",
        label_unset="agency worker share within the agreed limit",
        next_steps=(
            "Ask the supplier for a plan to reduce reliance on agency workers, such as moving "
            "long-standing agency staff onto direct contracts.",
        ),
    ),
    CommitmentSpec(
        name=_T.MIN_APPRENTICES,
        source_kind="workforce",
        severity="medium",
        params=(ParamSpec("min", "integer", True, min=0),),
        summary="At least the agreed number of apprentices work on the contract.",
        observed="observed_value: apprentices; threshold: min",
        rule=Rule("at_least", "min", lambda f: f["apprentices"], "the number of apprentices is missing"),
        title="Apprentices",
        unit=COUNT,
        measure="number of apprentices",
        label="{limit} apprentice{s}",
        label_unset="the agreed number of apprentices",
        next_steps=(
            "Ask the supplier for an apprentice recruitment plan, with start dates, to meet the committed number.",
        ),
    ),
    CommitmentSpec(
        name=_T.MIN_LOCAL_RESIDENT_SHARE,
        source_kind="workforce",
        severity="medium",
        params=(ParamSpec("min", "fraction", True, min=0, max=1),),
        summary="At least the agreed share of people on the contract live in the authority's area.",
        observed=f"observed_value: local_residents / headcount; threshold: min ({_FRACTION})",
        rule=Rule("at_least", "min", _share("local_residents"), _HEADCOUNT_ZERO),
        title="Local resident share",
        unit=SHARE,
        measure="share of workers who are local residents",
        label="local residents {limit} of the workforce",
        label_unset="the agreed share of local residents",
        next_steps=(
            "Ask the supplier for a local recruitment plan (for example with the council's "
            "employment and skills service) to reach the committed share.",
        ),
    ),
    CommitmentSpec(
        name=_T.WORKER_VOICE,
        source_kind="workforce",
        severity="medium",
        summary="Workers have a voice: a recognised trade union or an elected staff forum.",
        observed=_YES_NO,
        rule=Rule(
            "at_least",
            1.0,
            _yes("recognised_trade_union", "worker_voice_forum"),
            "neither trade union nor forum is stated",
        ),
        title="Worker voice",
        unit=YES_NO,
        measure="recognised trade union or elected staff forum",
        label="worker voice (a recognised trade union or an elected staff forum)",
        next_steps=(
            "Ask the supplier how it will give workers a voice: recognising a trade union or "
            "setting up an elected staff forum, with a date.",
        ),
    ),
    CommitmentSpec(
        name=_T.FLEXIBLE_WORKING,
        source_kind="workforce",
        severity="medium",
        summary="Workers can ask for flexible working from their first day.",
        observed=_YES_NO,
        rule=Rule("at_least", 1.0, _yes("flexible_working_from_day_one"), "flexible_working_from_day_one is missing"),
        title="Flexible working from day one",
        unit=YES_NO,
        measure="flexible working offered from day one",
        label="flexible working from day one",
        next_steps=("Ask the supplier to offer flexible working from day one and to send its updated policy.",),
    ),
    CommitmentSpec(
        name=_T.GENDER_PAY_GAP_REPORTED,
        source_kind="workforce",
        severity="medium",
        summary="The supplier reports both its median and mean gender pay gap.",
        observed=_YES_NO,
        rule=Rule("at_least", 1.0, _both_present),
        title="Gender pay gap reported",
        unit=YES_NO,
        measure="median and mean gender pay gap reported",
        label="gender pay gap reported",
        next_steps=("Ask the supplier to include the median and mean gender pay gap in its next workforce return.",),
    ),
    CommitmentSpec(
        name=_T.MAX_GENDER_PAY_GAP,
        source_kind="workforce",
        severity="medium",
        params=(ParamSpec("max_pct", "number", True, min=-100, max=100),),
        summary="The median gender pay gap is no wider than the agreed percentage.",
        observed="observed_value: gender_pay_gap_median_pct; threshold: max_pct",
        rule=Rule(
            "at_most", "max_pct", lambda f: f["gender_pay_gap_median_pct"], "the return gives no median gender pay gap"
        ),
        title="Gender pay gap",
        unit=PERCENT,
        measure="median gender pay gap",
        label="median gender pay gap {limit}",
        label_unset="gender pay gap within the agreed limit",
        next_steps=("Ask the supplier for a gender pay gap action plan with measurable steps and dates.",),
    ),
    CommitmentSpec(
        name=_T.MIN_TRAINING_HOURS_PER_FTE,
        source_kind="workforce",
        severity="medium",
        params=(ParamSpec("min", "number", True, min=0),),
        summary="Workers get at least the agreed hours of training per full-time equivalent.",
        observed="observed_value: training_hours / fte; threshold: min",
        rule=Rule(
            "at_least",
            "min",
            lambda f: f["training_hours"] / f["fte"].where(f["fte"] > 0),
            "training_hours is missing or fte is 0",
        ),
        title="Training hours per FTE",
        unit=HOURS,
        measure="training hours per FTE",
        label="{limit} training hours per FTE",
        label_unset="the agreed training hours per FTE",
        next_steps=("Ask the supplier for a training plan that brings training back to the committed hours per FTE.",),
    ),
    CommitmentSpec(
        name=_T.GPG_PUBLISHED,
        source_kind="workforce",
        severity="medium",
        evidence="gpg_register",
        summary="The supplier's gender pay gap figures for the reporting year of the period are in the UK "
        "government's public register (it must publish them with 250 or more employees).",
        observed=_YES_NO + "; not_assessable when the supplier reports fewer than 250 staff and is not in the "
        "register, has no Companies House number, or the register for that year is not imported",
        rule=Rule("at_least", 1.0, lambda f: f["gpg_published__observed"], "the published register cannot be checked"),
        title="Gender pay gap published",
        unit=YES_NO,
        measure="figures found in the public gender pay gap register",
        label="gender pay gap published in the government's register",
        next_steps=(
            "Ask the supplier why its gender pay gap figures are not in the government's register: an employer "
            "with 250 or more staff must publish them each year. Check the Companies House number in the "
            "contract register first.",
        ),
    ),
    CommitmentSpec(
        name=_T.GPG_CONSISTENT,
        source_kind="workforce",
        severity="medium",
        evidence="gpg_register",
        params=(ParamSpec("tolerance_pct", "number", False, default=5.0, min=0, max=100),),
        summary="The median gender pay gap in the workforce return is within the agreed tolerance of the "
        "median the supplier published in the government's register for the same reporting year.",
        observed="observed_value: |returned median gap - published median gap| in percentage points; "
        "threshold: tolerance_pct",
        rule=Rule(
            "at_most",
            "tolerance_pct",
            lambda f: (f["gender_pay_gap_median_pct"] - f["published_median_pct"]).abs(),
            "the returned or the published median gender pay gap is missing",
        ),
        title="Gender pay gap matches register",
        unit=PERCENT,
        measure="difference between the returned and the published median gender pay gap",
        label="returned median gender pay gap differing from the published one by {limit}",
        label_unset="returned gender pay gap close to the published one",
        next_steps=(
            "Ask the supplier to explain the difference between the gender pay gap in its return and the figure "
            "it published, and to correct whichever is wrong.",
        ),
    ),
)

#: Every type's spec, in the catalogue order of spec 4 (wages first: the order contract managers are
#: asked about them, and the order the dashboard lists them). Keys are plain strings (the enum's
#: values), so names read from the catalogue write to YAML, Arrow and the database as text.
CATALOGUE: dict[str, CommitmentSpec] = {spec.name.value: spec for spec in _ENTRIES}
if set(CATALOGUE) != set(CommitmentType):  # pragma: no cover - a type added to one place only
    raise RuntimeError("every CommitmentType needs exactly one catalogue entry")


def implicit_commitments() -> tuple[Commitment, ...]:
    """Commitments every contract carries without listing them (today: statutory minimum wage)."""
    return tuple(Commitment(name, {}) for name, c in CATALOGUE.items() if c.implicit)


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
