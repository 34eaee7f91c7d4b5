"""Owed to workers and the uplift cost on the dashboard (spec 4), from v_owed_to_workers.

The headline money is one figure per contract with no double counting (domain.owed, shared with the
breach alerts); each breach's own arrears stay in the breach table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from gwp_monitor.domain.formatting import as_date, as_float, as_int, as_text, format_date, money, plural, rate
from gwp_monitor.domain.owed import owed_in_open_breaches
from gwp_monitor.domain.periods import period_label

__all__ = ["Owed", "Uplift", "owed", "owed_in_open_breaches", "uplift"]


@dataclass(frozen=True)
class Owed:
    """What a contract's workers are owed: over its open wage breaches, and in its latest period."""

    open_gbp: float  # over the periods of the open wage breaches; 0 when none is open
    latest_period: str | None
    latest_gbp: float | None
    latest_workers: int | None


@dataclass(frozen=True)
class Uplift:
    """What the supplier must add to the latest period's pay bill to meet the announced Real Living Wage."""

    period: str
    new_rates: str
    pay_from: date
    cost_gbp: float
    workers: int

    @property
    def sentence(self) -> str:
        when = format_date(self.pay_from)
        if not self.workers:
            return (
                f"Every worker assessed in {self.period} is already paid at least the new {self.new_rates}, "
                f"which must be paid from {when}."
            )
        return (
            f"To pay the new {self.new_rates} from {when}, add {money(self.cost_gbp)} a month "
            f"for {plural(self.workers, 'worker')} (on {self.period}'s pay bill)."
        )


def _by_period(rows: Iterable[dict[str, Any]]) -> list[tuple[date, dict[str, Any]]]:
    dated = [(as_date(r.get("period_start")), r) for r in rows]
    return sorted(((d, r) for d, r in dated if d is not None), key=lambda p: p[0])


def owed(owed_rows: list[dict[str, Any]], open_breaches: list[dict[str, Any]]) -> Owed:
    periods = _by_period(owed_rows)
    latest = periods[-1][1] if periods else None
    return Owed(
        open_gbp=owed_in_open_breaches(owed_rows, open_breaches),
        latest_period=period_label(latest.get("period_start"), latest.get("period_end")) if latest else None,
        latest_gbp=as_float(latest.get("owed_gbp")) if latest else None,
        latest_workers=as_int(latest.get("workers_owed")) if latest else None,
    )


def uplift(owed_rows: list[dict[str, Any]], wage_rows: list[dict[str, Any]]) -> Uplift | None:
    """The latest period's uplift cost, or None when no upcoming rate exists for that period."""
    periods = _by_period(owed_rows)
    if not periods:
        return None
    start, latest = periods[-1]
    pay_from = as_date(latest.get("uplift_from"))
    if pay_from is None:
        return None
    upcoming = {
        as_text(w.get("band")): as_float(w.get("upcoming_rate"))
        for w in wage_rows
        if as_date(w.get("period_start")) == start and as_text(w.get("rate_type")) == "real_living_wage"
    }
    uk, london = upcoming.get("uk"), upcoming.get("london")
    if uk is not None and london is not None:
        new_rates = f"{rate(uk)} ({rate(london)} in London)"
    elif uk is not None or london is not None:
        new_rates = rate(uk if uk is not None else london) + (" London rate" if uk is None else "")
    else:
        new_rates = "Real Living Wage"
    return Uplift(
        period=period_label(latest.get("period_start"), latest.get("period_end")),
        new_rates=new_rates,
        pay_from=pay_from,
        cost_gbp=as_float(latest.get("uplift_cost_gbp")) or 0.0,
        workers=as_int(latest.get("workers_below_uplift")) or 0,
    )
