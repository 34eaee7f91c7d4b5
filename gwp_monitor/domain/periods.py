"""Calendar periods of returns (spec 2.1): monthly periods are calendar months, quarterly periods
calendar quarters (Jan-Mar, Apr-Jun, Jul-Sep, Oct-Dec).

Everything that decides whether a period is "real" (the register's expected returns, the check that
a submission's dates are one of its contract's periods) goes through this module, so the rule lives
in one place, and so does the way a period is named to people (``period_label``). Scalar helpers
work on ``datetime.date``; the ``*_mask`` and ``expand_periods`` functions are the vectorised
equivalents for frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd

from gwp_monitor.domain.formatting import DASH, as_date, format_date

Frequency = Literal["monthly", "quarterly"]
FREQUENCIES: tuple[Frequency, ...] = ("monthly", "quarterly")

#: Months per period for each frequency.
_MONTHS: dict[str, int] = {"monthly": 1, "quarterly": 3}


@dataclass(frozen=True, order=True)
class Period:
    """A closed date range [start, end]; ordering is by start, then end (chronological)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        # A reversed period is always a bug upstream; fail where it is made, not where it is used.
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")


def _add_months(d: date, months: int) -> date:
    """First day of the month ``months`` after ``d``'s month (day is dropped on purpose)."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(d: date) -> Period:
    """The calendar month that contains ``d``."""
    start = date(d.year, d.month, 1)
    return Period(start, _add_months(start, 1) - timedelta(days=1))


def quarter_of(d: date) -> Period:
    """The calendar quarter (Jan-Mar, Apr-Jun, Jul-Sep, Oct-Dec) that contains ``d``."""
    start = date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    return Period(start, _add_months(start, 3) - timedelta(days=1))


def period_of(frequency: Frequency, d: date) -> Period:
    """The period of ``frequency`` that contains ``d``."""
    if frequency == "monthly":
        return month_of(d)
    if frequency == "quarterly":
        return quarter_of(d)
    raise ValueError(f"unknown frequency {frequency!r}; expected one of {', '.join(FREQUENCIES)}")


def periods_between(frequency: Frequency, start: date, end: date) -> list[Period]:
    """Every calendar period that starts on or after ``start`` and ends on or before ``end``.

    Partial periods at either edge are left out: a contract starting on 15 May expects its first
    monthly return for June (spec 2.1). Empty when ``end`` is before the first whole period ends.
    """
    first = period_of(frequency, start)
    if first.start < start:
        first = period_of(frequency, first.end + timedelta(days=1))
    out: list[Period] = []
    current = first
    while current.end <= end:
        out.append(current)
        current = period_of(frequency, current.end + timedelta(days=1))
    return out


def is_calendar_month(start: date, end: date) -> bool:
    """True when [start, end] is exactly one calendar month."""
    return month_of(start) == Period(start, end) if end >= start else False


def is_calendar_quarter(start: date, end: date) -> bool:
    """True when [start, end] is exactly one calendar quarter."""
    return quarter_of(start) == Period(start, end) if end >= start else False


def is_calendar_period(frequency: Frequency, start: date, end: date) -> bool:
    """True when [start, end] is exactly one period of ``frequency``."""
    return period_of(frequency, start) == Period(start, end) if end >= start else False


def period_label(start: Any, end: Any, *, plain: bool = False) -> str:
    """How people name a return period: ``Mar 2026`` for a month, ``Jan–Mar 2026`` for a quarter.

    The dashboard (default) names any run of whole months that way (``Nov 2025–Jan 2026``) and
    other ranges by their two dates (``1 Feb 2026 – 3 Mar 2026``). ``plain`` is for alerts, which
    go out as plain text and e-mail subjects: ASCII only (``Jan-Mar 2026``, ``1 Feb 2026 to 30 Apr
    2026``), and only a calendar month or quarter is shortened, so a rejected return's odd period is
    spelled out in full. Dates may be anything ``as_date`` reads; a missing one shows as a dash.
    """
    first, last = as_date(start), as_date(end)
    if first is None or last is None:
        return DASH if first is None and last is None else format_date(first or last)
    dash, between = ("-", " to ") if plain else ("\u2013", " \u2013 ")
    if plain:
        months = is_calendar_month(first, last) or is_calendar_quarter(first, last)
    else:
        months = first.day == 1 and month_of(last).end == last
    if not months:
        return f"{format_date(first)}{between}{format_date(last)}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%b %Y}"
    if first.year == last.year:
        return f"{first:%b}{dash}{last:%b %Y}"
    return f"{first:%b %Y}{dash}{last:%b %Y}"


# --- vectorised -----------------------------------------------------------------------------------


def _as_datetime(values: pd.Series) -> pd.Series:
    """Datetime64 view of ``values`` at midnight; dates and strings are converted, junk becomes NaT."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, errors="coerce")
    return values.dt.normalize()


def _period_mask(starts: pd.Series, ends: pd.Series, months: int) -> pd.Series:
    s_ser, e_ser = _as_datetime(starts), _as_datetime(ends)
    missing = (s_ser.isna() | e_ser.isna()).to_numpy()
    s = s_ser.to_numpy(dtype="datetime64[ns]")
    e = e_ser.to_numpy(dtype="datetime64[ns]")
    month = _month_index(np.where(missing, np.datetime64(0, "ns"), s))
    # Whole period: s is the first day of a month that opens a period, e the day before the month
    # ``months`` later. Integer month arithmetic keeps this vectorised and leap-year safe.
    first_day = month.astype("datetime64[M]").astype("datetime64[ns]")
    last_day = (month + months).astype("datetime64[M]").astype("datetime64[ns]") - np.timedelta64(1, "D")
    mask = (s == first_day) & (month % months == 0) & (e == last_day)
    out = pd.Series(mask, index=s_ser.index, dtype="boolean")
    out[missing] = pd.NA
    return out


def calendar_month_mask(starts: pd.Series, ends: pd.Series) -> pd.Series:
    """Row-wise ``is_calendar_month`` over datetime64 Series (aligned by position/index).

    Returns a nullable ``boolean`` Series: <NA> where either side is NaT, so that a missing or
    unparseable date (reported by its own rule) is not reported a second time as a wrong period.
    Use ``mask.fillna(False)`` where a missing date should count as "not a calendar month".
    Times of day are ignored.
    """
    return _period_mask(starts, ends, 1)


def calendar_quarter_mask(starts: pd.Series, ends: pd.Series) -> pd.Series:
    """Row-wise ``is_calendar_quarter``; NaT on either side gives <NA> (see calendar_month_mask)."""
    return _period_mask(starts, ends, 3)


def calendar_period_mask(frequency: Frequency, starts: pd.Series, ends: pd.Series) -> pd.Series:
    """Row-wise ``is_calendar_period`` for one frequency; NaT gives <NA>."""
    if frequency not in _MONTHS:
        raise ValueError(f"unknown frequency {frequency!r}; expected one of {', '.join(FREQUENCIES)}")
    return _period_mask(starts, ends, _MONTHS[frequency])


def _month_index(values: np.ndarray) -> np.ndarray:
    """Months since 1970-01 for datetime64 values (int64)."""
    return values.astype("datetime64[M]").astype(np.int64)


def expand_periods(frequency: Frequency, starts: pd.Series, ends: pd.Series) -> pd.DataFrame:
    """Vectorised ``periods_between`` for many [start, end] windows at once.

    Returns one row per whole period inside each window, with ``row`` (the window's position in the
    inputs), ``period_start`` and ``period_end`` (datetime64[ns]), ordered by row then period. A
    window with a NaT edge yields nothing. Works in integer month arithmetic (no Python loop over
    periods), so the register can expand thousands of contracts over many years cheaply.
    """
    if frequency not in _MONTHS:
        raise ValueError(f"unknown frequency {frequency!r}; expected one of {', '.join(FREQUENCIES)}")
    months = _MONTHS[frequency]
    s = _as_datetime(pd.Series(starts)).to_numpy(dtype="datetime64[ns]")
    e = _as_datetime(pd.Series(ends)).to_numpy(dtype="datetime64[ns]")
    valid = ~(np.isnat(s) | np.isnat(e))
    s_month = _month_index(np.where(valid, s, np.datetime64(0, "ns")))
    e_month = _month_index(np.where(valid, e, np.datetime64(0, "ns")))
    # Period number = floor(month index / months); a period is whole when its first day is on or
    # after the window start and its last day on or before the window end.
    s_period = s_month // months
    s_first_day = (s_period * months).astype("datetime64[M]").astype("datetime64[ns]")
    first = np.where(s_first_day < s, s_period + 1, s_period)
    e_period = e_month // months
    e_last_day = ((e_period + 1) * months).astype("datetime64[M]").astype("datetime64[ns]") - np.timedelta64(1, "D")
    last = np.where(e_last_day > e, e_period - 1, e_period)
    counts = np.where(valid, np.maximum(last - first + 1, 0), 0)
    rows = np.repeat(np.arange(len(s)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    period = np.repeat(first, counts) + offsets
    period_start = (period * months).astype("datetime64[M]").astype("datetime64[ns]")
    period_end = ((period + 1) * months).astype("datetime64[M]").astype("datetime64[ns]") - np.timedelta64(1, "D")
    return pd.DataFrame({"row": rows, "period_start": period_start, "period_end": period_end})
