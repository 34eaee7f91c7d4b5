"""Dates of the sample data: the periods a contract's returns cover, through gwp_monitor.domain.periods.

The calendar rules (what a month or a quarter is, which periods fall between two dates) are the
domain's; this module only adapts them to the generator: it accepts the spellings callers use for a
period, and numbers months as integers because those numbers are seed components (see ``seeding``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from gwp_monitor.domain.periods import Period, month_of, periods_between
from gwp_monitor.domain.templates import Kind

PeriodLike = tuple[date, date] | Period  # either spelling of a return period
DateRange = tuple[date, date]


def to_date(value: Any) -> date:
    """A date from a date, a datetime or an ISO string (as register YAML and tests spell them)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def as_period(p: PeriodLike) -> DateRange:
    """(start, end) from a tuple or a gwp_monitor.domain.periods.Period."""
    if isinstance(p, Period):
        return to_date(p.start), to_date(p.end)
    start, end = p
    return to_date(start), to_date(end)


def month_index(d: date) -> int:
    """Months since year 0 of ``d``'s month: the month's seed component and its place in a worker pool."""
    return d.year * 12 + d.month - 1


def first_of_month_after(d: date, months: int) -> date:
    """The first day of the calendar month ``months`` after (or, if negative, before) ``d``'s month."""
    month = month_of(d)
    for _ in range(abs(months)):
        month = month_of(month.end + timedelta(days=1) if months > 0 else month.start - timedelta(days=1))
    return month.start


def add_years(d: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def contract_periods(contract: Mapping[str, Any], kind: Kind, until: date) -> list[DateRange]:
    """The contract's return periods of ``kind`` that have ended by ``until`` (spec 2.1).

    Empty when the contract does not expect that kind. Uses gwp_monitor.domain.periods so the sample data
    has exactly the periods the register will expect.
    """
    schedule = (contract.get("returns") or {}).get(kind)
    if not schedule:
        return []
    last = until
    if contract.get("end_date"):
        last = min(last, to_date(contract["end_date"]))
    return [(p.start, p.end) for p in periods_between(schedule["frequency"], to_date(contract["start_date"]), last)]
