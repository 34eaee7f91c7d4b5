"""Workforce return rows (spec 2.3): one per contract and period, from the same workers as the payroll.

Figures are computed from the simulated workforce (headcount, FTE from hours, gender pay gaps from
rates), then each workforce commitment in the register is kept or broken on purpose (``breaches``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from gwp_monitor.demo.breaches import ENFORCERS, PlantedBreach, Row
from gwp_monitor.demo.dates import DateRange, PeriodLike, as_period, month_index
from gwp_monitor.demo.pay import month_pay, period_floors
from gwp_monitor.demo.seeding import ShareArg, seeded_rng, share_for
from gwp_monitor.demo.workers import CONTRACT, EMPLOYMENT, GENDER, Pool, Profile, build_pool, contract_profile, subset
from gwp_monitor.domain.periods import is_calendar_month, is_calendar_quarter, periods_between
from gwp_monitor.domain.rates import WageFloors, load_wage_floors
from gwp_monitor.domain.templates import column_names, columns

#: Standard full-time month: 37.5 hours a week x 52 / 12. Used for FTE in workforce returns.
_FTE_MONTH_HOURS = 37.5 * 52 / 12

#: One list of periods for every contract, or each contract's own periods by contract_ref.
PeriodsArg = Sequence[PeriodLike] | Mapping[str, Sequence[PeriodLike]]


def _workforce_periods(periods: PeriodsArg, ref: str) -> list[DateRange]:
    """The periods asked for one contract, refused unless calendar months or quarters (spec 2.3)."""
    chosen = periods.get(ref, []) if isinstance(periods, Mapping) else periods
    out = [as_period(p) for p in chosen]
    for start, end in out:
        if not (is_calendar_month(start, end) or is_calendar_quarter(start, end)):
            raise ValueError(
                f"workforce periods are calendar quarters or months (spec 2.3); {start} to {end} is neither"
            )
    return out


def _gap_pct(rates: np.ndarray, gender: np.ndarray, blank: np.ndarray, stat: str) -> float:
    """(men - women) / men x 100 of the median or mean hourly rate; NaN without both men and women."""
    men = rates[(gender == GENDER["male"]) & ~blank]
    women = rates[(gender == GENDER["female"]) & ~blank]
    if not len(men) or not len(women):
        return math.nan
    f = np.median if stat == "median" else np.mean
    m, w = float(f(men)), float(f(women))
    return round((m - w) / m * 100, 1) if m > 0 else math.nan


def make_workforce(
    contracts: Sequence[Mapping[str, Any]],
    periods: PeriodsArg,
    seed: int = 0,
    breach_share: ShareArg = 0.15,
    workers_per_contract: int = 40,
    *,
    london: Mapping[str, bool] | None = None,
    floors: WageFloors | None = None,
) -> pd.DataFrame:
    """Workforce return rows (spec 2.3): one per contract and period, all template columns.

    ``periods`` is one list for every contract, or a mapping contract_ref -> that contract's periods
    (quarters or months, per its schedule; see ``contract_periods``). Figures come from the same
    simulated workforce as ``make_payroll`` with the same seed and workers_per_contract (headcount =
    people paid for hours in the period, FTE from their hours, gender pay gaps from their rates), so
    the two returns tell one story. Every count is <= headcount.

    Each workforce commitment in the register is then kept, or, with probability ``breach_share``
    (float, or mapping contract_ref -> share) per contract, period and commitment, breached on purpose;
    ``planted_breaches(frame)`` lists the breaches. A commitment that cannot be broken (a minimum of
    0, a maximum share of 1) is always kept.
    """
    floors = floors or load_wage_floors()
    rows: list[Row] = []
    breaches: list[PlantedBreach] = []
    for contract in contracts:
        p = contract_profile(contract, seed, workers_per_contract, london)
        ref = p.contract_ref
        chosen = _workforce_periods(periods, ref)
        if not chosen:
            continue
        pool = build_pool(p, seed, workers_per_contract, max(month_index(e) for _, e in chosen))
        share = share_for(breach_share, ref)
        for start, end in chosen:
            row, broken = _workforce_row(p, pool, (start, end), seed, workers_per_contract, floors, share)
            rows.append(row)
            breaches.extend(PlantedBreach(ref, name, start, end, detail) for name, detail in broken)
    frame = pd.DataFrame(rows, columns=column_names("workforce"))
    for col in columns("workforce"):
        if col.type == "integer":
            frame[col.name] = frame[col.name].astype("Int64")
        elif col.type == "decimal":
            frame[col.name] = frame[col.name].astype(float)
        else:
            frame[col.name] = frame[col.name].astype("str")
    frame.attrs["breaches"] = tuple(breaches)
    frame.attrs["problems"] = ()
    return frame


def _workforce_row(
    p: Profile,
    pool: Pool,
    period: DateRange,
    seed: int,
    workers: int,
    floors: WageFloors,
    share: float,
) -> tuple[Row, list[tuple[str, str]]]:
    """The workforce figures of one contract and period, then each commitment kept or broken."""
    start, end = period
    calendar_months = periods_between("monthly", start, end)
    hours_total = np.zeros(len(pool.ids))
    last_rate = np.full(len(pool.ids), np.nan)
    for month in calendar_months:  # one to three months: vectorised over workers inside
        index = month_index(month.start)
        idx = pool.active(index, p.start_month)
        rng = seeded_rng(seed, "month", p.contract_ref, workers, index)
        m = month_pay(
            rng, subset(pool.w, idx), p, (month.start, month.end), period_floors(floors, month.start), 0.0, 0.0
        )
        hours_total[idx] += m.hours
        last_rate[idx] = np.where(m.hours > 0, m.rate, last_rate[idx])
    worked = np.flatnonzero(hours_total > 0)
    w = subset(pool.w, worked)
    first, months = month_index(start), len(calendar_months)
    headcount = len(worked)
    fte = round(float(hours_total[worked].sum()) / (_FTE_MONTH_HOURS * months), 2)
    rng = seeded_rng(seed, "workforce", p.contract_ref, workers, first, months)
    row: Row = {
        "contract_ref": p.contract_ref,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "headcount": headcount,
        "fte": fte,
        "zero_hours_workers": int((w["contract_type"] == CONTRACT["zero_hours"]).sum()),
        "agency_workers": int((w["employment"] == EMPLOYMENT["agency"]).sum()),
        "apprentices": int(w["apprentice"].sum()),
        "local_residents": int(w["local"].sum()),
        "disabled_workers": int(w["disabled"].sum()) if p.reports_diversity else None,
        "ethnic_minority_workers": int(w["ethnic_minority"].sum()) if p.reports_diversity else None,
        "female_workers": int(((w["gender"] == GENDER["female"]) & ~w["gender_blank"]).sum()),
        "gender_pay_gap_median_pct": math.nan,
        "gender_pay_gap_mean_pct": math.nan,
        "recognised_trade_union": p.union,
        "worker_voice_forum": p.forum,
        "flexible_working_from_day_one": p.flexible,
        "training_hours": round(fte * months * float(rng.uniform(0.8, 3.0)), 1),
    }
    committed = p.commitments
    if p.reports_gpg or "gender_pay_gap_reported" in committed or "max_gender_pay_gap" in committed:
        rates = last_rate[worked]
        median = _gap_pct(rates, w["gender"], w["gender_blank"], "median")
        mean = _gap_pct(rates, w["gender"], w["gender_blank"], "mean")
        row["gender_pay_gap_median_pct"] = median if not math.isnan(median) else round(float(rng.normal(6, 5)), 1)
        if math.isnan(mean):
            mean = round(row["gender_pay_gap_median_pct"] + float(rng.normal(1.5, 2)), 1)
        row["gender_pay_gap_mean_pct"] = mean
    if not (p.reports_training or "min_training_hours_per_fte" in committed):
        row["training_hours"] = math.nan

    broken: list[tuple[str, str]] = []
    for name, params in committed.items():
        if name not in ENFORCERS:
            continue
        want_breach = bool(rng.random() < share)
        detail = ENFORCERS[name](row, params, want_breach, rng)
        if detail is not None:
            broken.append((name, detail))
    for col in columns("workforce"):  # the supplier's own spelling of yes/no, as in its payroll files
        if col.type == "boolean":
            row[col.name] = p.bool_style[0] if row[col.name] else p.bool_style[1]
    return row, broken
