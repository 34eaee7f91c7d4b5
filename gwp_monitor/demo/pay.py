"""Hours and pay for one month: compliant pay built up from the wage floors, underpayment on request.

The floors come from gwp_monitor.domain.rates (the same tables the checks use), never from figures
restated here, so sample pay follows an administrator's rate update.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from gwp_monitor.demo.dates import DateRange
from gwp_monitor.demo.workers import AGE, CONTRACT, Profile
from gwp_monitor.domain.rates import WageFloors
from gwp_monitor.domain.templates import AGE_BANDS


@dataclass(frozen=True)
class Floors:
    """The wage floors for one pay period, looked up through gwp_monitor.domain.rates."""

    rlw_uk: float
    rlw_london: float
    statutory: np.ndarray  # by template age code
    apprentice: float


def period_floors(floors: WageFloors, period_start: date) -> Floors:
    """The floors in force for a pay period starting on ``period_start`` (spec 3), as floats for numpy.

    The Real Living Wage is NaN before the table's first rate; a missing statutory rate is an error,
    since sample pay cannot be built without a legal minimum.
    """

    def as_float(rate: Decimal | None) -> float:
        return math.nan if rate is None else float(rate)

    statutory = np.array([as_float(floors.statutory(period_start, band)) for band in AGE_BANDS])
    apprentice = as_float(floors.statutory(period_start, "apprentice"))
    if np.isnan(statutory).any() or math.isnan(apprentice):
        raise ValueError(
            f"the statutory minimum wage table has no rate for a period starting {period_start}: "
            "sample pay needs it (add the rate to the rates data or pick a later period)"
        )
    return Floors(
        as_float(floors.real_living_wage(period_start, False)),
        as_float(floors.real_living_wage(period_start, True)),
        statutory,
        apprentice,
    )


def _ceil_penny(x: np.ndarray) -> np.ndarray:
    # round(..., 6) first: 12.6 * 100 is 1260.0000000000002 in floating point, which is not a penny more.
    return np.ceil(np.round(x * 100, 6)) / 100


def _floor_penny(x: np.ndarray) -> np.ndarray:
    """Round down to the penny (see _ceil_penny for the float guard): an underpayment stays under."""
    return np.floor(np.round(x * 100, 6)) / 100


def _lowest(eligible: np.ndarray, u: np.ndarray, k: int) -> np.ndarray:
    """Mask of the ``k`` eligible rows with the lowest ``u``: the same workers month after month."""
    out = np.zeros(len(u), dtype=bool)
    if k <= 0:
        return out
    keys = np.where(eligible, u, np.inf)
    order = np.argpartition(keys, k - 1)[:k] if k < len(keys) else np.arange(len(keys))  # O(n), not a sort
    out[order[eligible[order]]] = True
    return out


def _how_many(share: float, of: int) -> int:
    """Workers to underpay for a requested share: at least one when a share is asked for at all."""
    if share <= 0 or of <= 0:
        return 0
    return min(of, max(1, int(round(share * of))))


@dataclass
class Month:
    """One month's pay, per worker (positions as in the worker attributes passed to ``month_pay``)."""

    hours: np.ndarray
    rate: np.ndarray
    pay: np.ndarray
    below_rlw: np.ndarray
    below_statutory: np.ndarray


def month_pay(
    rng: np.random.Generator,
    w: Mapping[str, np.ndarray],
    p: Profile,
    period: DateRange,
    fl: Floors,
    breach_share: float,
    minimum_share: float,
) -> Month:
    """Hours, hourly rate and basic pay of each worker for one calendar month.

    Pay is built from the floors: workers meant to be compliant get floor x (1 + their premium),
    rounded up to the penny, and their basic pay is rounded up too, so basic_pay / hours_paid never
    dips below the floor by rounding (which would be a false breach). The underpaid are the workers
    with the lowest stable ``pay_u``, so an underpaid worker stays underpaid in the following months.
    """
    n = len(w["weekly"])
    start, end = period
    weeks = np.busday_count(start, end + timedelta(days=1)) / 5.0
    u = rng.random((3, n))
    noise = rng.normal(1.0, 0.04, n)
    ct = w["contract_type"]
    hours = np.where(w["salaried"], w["monthly"], w["weekly"] * weeks * noise)
    hours = np.where(ct == CONTRACT["zero_hours"], np.where(u[0] < 0.12, 0.0, (4 + 34 * u[1]) * weeks), hours)
    hours = np.where(ct == CONTRACT["casual"], np.where(u[0] < 0.25, 0.0, (3 + 21 * u[1]) * weeks), hours)
    hours = np.where(ct == CONTRACT["minimum_hours"], (w["weekly"] + 12 * u[1]) * weeks, hours)
    hours = np.where(w["salaried"], hours, np.round(hours * 4) / 4)  # hourly-paid: quarter hours
    hours = np.where((hours > 0) & (hours < 1), 1.0, hours)

    statutory = np.where(w["apprentice"], fl.apprentice, fl.statutory[w["age"]])
    rlw = np.full(n, fl.rlw_london if p.london else fl.rlw_uk)
    # Real Living Wage scope (spec 3.1): 18 and over; apprentices only if the commitment says so.
    in_scope = (w["age"] != AGE["under_18"]) & (~w["apprentice"] | p.rlw_covers_apprentices) & ~np.isnan(rlw)
    worked = hours > 0
    below_statutory = _lowest(worked, w["pay_u"], _how_many(minimum_share, int(worked.sum())))
    gap = rlw - statutory
    can_be_below = worked & in_scope & ~below_statutory & (gap >= 0.02)
    below_rlw = _lowest(can_be_below, w["pay_u"], _how_many(breach_share, int((worked & in_scope).sum())))

    floor_in = np.fmax(rlw, statutory)
    rate = np.where(
        in_scope,
        _ceil_penny(floor_in * (1 + w["premium"])),
        _ceil_penny(statutory * (1 + w["premium"] + w["outscope_extra"])),
    )
    under_rlw = np.clip(_floor_penny(statutory + w["below_fraction"] * np.nan_to_num(gap)), statutory, rlw - 0.01)
    rate = np.where(below_rlw, under_rlw, rate)
    rate = np.where(below_statutory, np.maximum(_floor_penny(statutory - w["shortfall"]), 1.0), rate)
    exact = rate * hours
    underpaid = below_rlw | below_statutory
    pay = np.where(underpaid, np.round(exact, 2), _ceil_penny(exact))
    return Month(hours, rate, pay, below_rlw, below_statutory)
