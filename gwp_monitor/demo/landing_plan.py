"""What the demo landing folder should hold by an as-of date: which files, received when, broken how.

The plan is made before any row is generated: each contract's returns that are past due, then the
stories the demo tells (a missing return, an Excel supplier, a broken file, a corrected resubmission,
late files, underpayment), each given to a different contract where there are enough of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

import numpy as np

from gwp_monitor.demo.dates import DateRange, contract_periods
from gwp_monitor.demo.mistakes import PROBLEM_KINDS
from gwp_monitor.demo.pay import period_floors
from gwp_monitor.demo.register import commitment_map
from gwp_monitor.demo.sectors import contract_in_london, slug
from gwp_monitor.demo.seeding import seeded_rng
from gwp_monitor.demo.workers import AGE
from gwp_monitor.domain.periods import is_calendar_quarter
from gwp_monitor.domain.rates import WageFloors
from gwp_monitor.domain.templates import Kind

Contract = Mapping[str, Any]
FileFormat = Literal["csv", "xlsx"]
Schedule = list[tuple[DateRange, date]]  # (period, due date) of a contract's returns of one kind


@dataclass(frozen=True)
class ExpectedReturn:
    """A return the register expects that is deliberately not in the landing folder."""

    contract_ref: str
    kind: Kind
    period_start: date
    period_end: date
    due_date: date


@dataclass
class PlannedFile:
    """One file to write: its contract, period, arrival time, format and what to break in it."""

    contract: Contract
    kind: Kind
    period: DateRange
    due: date
    received: datetime
    fmt: FileFormat
    name: str
    breach_share: float = 0.0
    minimum_share: float = 0.0
    broken_rows: int = 0
    supersedes: str | None = None
    superseded_by: str | None = None
    weekly: bool = False  # weekly-paid workers and a two-job worker (demo.real_world)
    uk_format: bool = False  # written as a UK payroll system exports it (demo.real_world)


@dataclass(frozen=True)
class LandingPlan:
    files: list[PlannedFile]
    overdue: list[ExpectedReturn]  # past due and deliberately not sent
    awaiting: list[ExpectedReturn]  # ended but not yet due, so not sent yet


@dataclass(frozen=True)
class _Roles:
    """Which contract carries which story (None when the register is too small for it)."""

    rlw_breach: Contract | None
    resubmit: Contract | None
    statutory: Contract | None
    broken: Contract | None
    overdue: Contract | None
    excel: Contract | None


def default_start(as_of: date) -> date:
    """1 April of a financial year that gives the demo at least six months of returns."""
    year = as_of.year if as_of >= date(as_of.year, 10, 1) else as_of.year - 1
    return date(year, 4, 1)


def _at(day: date, rng: np.random.Generator) -> datetime:
    """A working-hours time on ``day`` in UTC: when a supplier's e-mail or upload would arrive."""
    return datetime.combine(day, time(int(rng.integers(8, 18)), int(rng.integers(0, 60))), tzinfo=UTC)


def _received(rng: np.random.Generator, period_end: date, due: date, as_of: date, late: bool) -> datetime:
    """On time: 1 to due_days days after the period; late: 1 to 20 days after the due date. Always
    before the as-of date, since a file in the folder has been received by then."""
    room = (as_of - due).days - 1  # days after the due date still before as_of
    if late and room >= 1:
        return _at(due + timedelta(days=int(rng.integers(1, min(20, room) + 1))), rng)
    span = max((due - period_end).days, 1)
    day = period_end + timedelta(days=int(rng.integers(1, span + 1)))
    return _at(min(day, as_of - timedelta(days=1)), rng)


def _file_name(contract: Contract, kind: Kind, period: DateRange, fmt: str, suffix: str = "") -> str:
    """The name a supplier gives the file: its payroll system's pattern, or a person's for Excel."""
    ref = str(contract["contract_ref"])
    start, end = period
    quarter = is_calendar_quarter(start, end)
    label = f"{start.year}-Q{(start.month - 1) // 3 + 1}" if quarter else f"{start:%Y-%m}"
    if fmt == "xlsx":  # the Excel supplier names files by hand
        when = f"{start.year} Q{(start.month - 1) // 3 + 1}" if quarter else f"{start:%b %Y}"
        return f"{ref} {kind} return {when}{suffix}.xlsx"
    return f"{slug(contract['supplier']['name'])}_{ref}_{kind}_{label}{suffix}.csv"


def _schedule(contract: Contract, kind: Kind, as_of: date) -> tuple[Schedule, Schedule]:
    """The contract's periods ended before ``as_of``: those whose return is due, and those not yet due."""
    due_days = int(contract["returns"][kind]["due_days"])
    ended = contract_periods(contract, kind, as_of - timedelta(days=1))
    periods = [(p, p[1] + timedelta(days=due_days)) for p in ended]
    return [x for x in periods if x[1] < as_of], [x for x in periods if x[1] >= as_of]


def _choose_roles(contracts: Sequence[Contract], past: Mapping[str, Schedule], seed: int, as_of: date) -> _Roles:
    """Give each story to a different contract with enough past-due months, in a seeded order."""
    rng = seeded_rng(seed, "demo", as_of.isoformat())
    order = [contracts[int(i)] for i in rng.permutation(len(contracts))]
    taken: set[str] = set()

    def take(need_rlw: bool, min_months: int) -> Contract | None:
        fits = [
            c
            for c in order
            if len(past[c["contract_ref"]]) >= min_months and (not need_rlw or "real_living_wage" in commitment_map(c))
        ]
        free = [c for c in fits if c["contract_ref"] not in taken]
        candidates = free or fits
        if not candidates:
            return None
        chosen = candidates[0]
        taken.add(chosen["contract_ref"])
        return chosen

    return _Roles(
        rlw_breach=take(True, 3),
        resubmit=take(True, 2),
        statutory=take(False, 1),
        broken=take(False, 1),
        overdue=take(False, 1),
        excel=take(False, 0),
    )


def _plan_contract(
    contract: Contract, months: Schedule, roles: _Roles, seed: int, as_of: date, overdue: list[ExpectedReturn]
) -> list[PlannedFile]:
    """The contract's payroll files (one per past-due month, but for a deliberately missing one),
    then its workforce files; the missing return is appended to ``overdue``. The Real Living Wage
    breach contract pays some workers weekly and one in two jobs; the statutory minimum contract's
    supplier sends UK payroll exports (spec 2.2), so the demo shows both being read."""
    ref = contract["contract_ref"]
    fmt: FileFormat = "xlsx" if contract is roles.excel else "csv"
    uk_format = contract is roles.statutory and fmt == "csv" and contract is not roles.broken
    no_rlw_share = 0.0 if "real_living_wage" in commitment_map(contract) else 0.3  # some paid the legal minimum
    plans: list[PlannedFile] = []
    for i, (period, due) in enumerate(months):
        from_end = len(months) - i  # 1 = latest past-due month
        if contract is roles.overdue and from_end == 1:
            overdue.append(ExpectedReturn(ref, "payroll", period[0], period[1], due))
            continue
        frng = seeded_rng(seed, "received", ref, "payroll", period[0].isoformat())
        late = bool(frng.random() < 0.12) and contract is not roles.broken and contract is not roles.resubmit
        plan = PlannedFile(
            contract,
            "payroll",
            period,
            due,
            _received(frng, period[1], due, as_of, late),
            fmt,
            _file_name(contract, "payroll", period, fmt),
            breach_share=no_rlw_share,
            weekly=contract is roles.rlw_breach,
            uk_format=uk_format,
        )
        if contract is roles.rlw_breach and from_end <= 3:
            plan.breach_share = 0.10
        if contract is roles.statutory and from_end == 1:
            plan.minimum_share = 0.05
        if contract is roles.broken and from_end == 1:
            plan.broken_rows = len(PROBLEM_KINDS)
            plan.weekly = plan.uk_format = False
        plans.append(plan)
    for period, due in _schedule(contract, "workforce", as_of)[0]:
        frng = seeded_rng(seed, "received", ref, "workforce", period[0].isoformat())
        received = _received(frng, period[1], due, as_of, bool(frng.random() < 0.12))
        plans.append(
            PlannedFile(
                contract,
                "workforce",
                period,
                due,
                received,
                fmt,
                _file_name(contract, "workforce", period, fmt),
                uk_format=uk_format,
            )
        )
    return plans


def _plan_resubmission(
    plans: list[PlannedFile], contract: Contract, seed: int, as_of: date, floors: WageFloors
) -> None:
    """A month whose first file missed the Real Living Wage for some workers, corrected by a later file.

    Prefers a month where the Real Living Wage is above the legal minimum for everyone, so the
    original really shows the underpayment.
    """

    def rlw_above_floor(period: DateRange) -> bool:
        fl = period_floors(floors, period[0])
        rlw = fl.rlw_london if contract_in_london(contract) else fl.rlw_uk
        return bool(rlw > fl.statutory[AGE["21_plus"]])

    candidates = [pl for pl in plans if pl.contract is contract and pl.kind == "payroll" and not pl.broken_rows]
    room = [pl for pl in candidates if (as_of - pl.received.date()).days >= 3]
    good = [pl for pl in room[:-1] if rlw_above_floor(pl.period)] or room
    if not good:
        return
    original = good[-min(3, len(good))]
    original.breach_share = 0.25
    frng = seeded_rng(seed, "resubmission", contract["contract_ref"])
    days = (as_of - original.received.date()).days - 1
    when = _at(original.received.date() + timedelta(days=int(frng.integers(1, max(2, min(20, days) + 1)))), frng)
    when = min(when, datetime.combine(as_of - timedelta(days=1), time(17, 0), tzinfo=UTC))
    if when <= original.received:
        when = original.received + timedelta(hours=2)
    suffix = "_corrected" if original.fmt == "csv" else " corrected"
    name = _file_name(contract, "payroll", original.period, original.fmt, suffix)
    correction = PlannedFile(
        contract,
        "payroll",
        original.period,
        original.due,
        when,
        original.fmt,
        name,
        breach_share=0.0,
        supersedes=original.name,
        weekly=original.weekly,
        uk_format=original.uk_format,
    )
    original.superseded_by = name
    plans.append(correction)


def _ensure_one_late(plans: list[PlannedFile], seed: int, as_of: date) -> None:
    """At least one late file: make the one with the most room after its due date late."""
    if any(pl.received.date() > pl.due for pl in plans):
        return
    movable = [
        pl
        for pl in plans
        if not pl.broken_rows and pl.supersedes is None and pl.superseded_by is None and (as_of - pl.due).days >= 2
    ]
    if movable:
        pl = max(movable, key=lambda x: (as_of - x.due).days)
        pl.received = _received(seeded_rng(seed, "late", pl.name), pl.period[1], pl.due, as_of, True)


def plan_landing(contracts: Sequence[Contract], seed: int, as_of: date, floors: WageFloors) -> LandingPlan:
    """Every file the landing folder holds by ``as_of``, and the returns deliberately absent from it."""
    past: dict[str, Schedule] = {}
    awaiting: list[ExpectedReturn] = []
    for contract in contracts:
        for kind in ("payroll", "workforce"):
            done, pending = _schedule(contract, kind, as_of)
            if kind == "payroll":
                past[contract["contract_ref"]] = done
            awaiting.extend(ExpectedReturn(contract["contract_ref"], kind, s, e, d) for (s, e), d in pending)
    roles = _choose_roles(contracts, past, seed, as_of)
    plans: list[PlannedFile] = []
    overdue: list[ExpectedReturn] = []
    for contract in contracts:
        plans.extend(_plan_contract(contract, past[contract["contract_ref"]], roles, seed, as_of, overdue))
    if roles.resubmit is not None:
        _plan_resubmission(plans, roles.resubmit, seed, as_of, floors)
    _ensure_one_late(plans, seed, as_of)
    return LandingPlan(plans, overdue, awaiting)
