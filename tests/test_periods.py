"""Calendar period arithmetic (spec 2.1), scalar and vectorised, including leap years."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from gwp_monitor.domain.periods import (
    Period,
    calendar_month_mask,
    calendar_period_mask,
    calendar_quarter_mask,
    expand_periods,
    is_calendar_month,
    is_calendar_period,
    is_calendar_quarter,
    month_of,
    period_label,
    periods_between,
    quarter_of,
)

D = date


@pytest.mark.parametrize(
    "day, start, end",
    [
        (D(2024, 2, 10), D(2024, 2, 1), D(2024, 2, 29)),  # leap year
        (D(2025, 2, 28), D(2025, 2, 1), D(2025, 2, 28)),
        (D(2100, 2, 1), D(2100, 2, 1), D(2100, 2, 28)),  # century, not a leap year
        (D(2000, 2, 29), D(2000, 2, 1), D(2000, 2, 29)),  # 400-year leap year
        (D(2025, 12, 31), D(2025, 12, 1), D(2025, 12, 31)),
        (D(2025, 4, 30), D(2025, 4, 1), D(2025, 4, 30)),
    ],
)
def test_month_of(day: date, start: date, end: date) -> None:
    assert month_of(day) == Period(start, end)


@pytest.mark.parametrize(
    "day, start, end",
    [
        (D(2024, 1, 1), D(2024, 1, 1), D(2024, 3, 31)),
        (D(2024, 3, 31), D(2024, 1, 1), D(2024, 3, 31)),
        (D(2024, 4, 1), D(2024, 4, 1), D(2024, 6, 30)),
        (D(2024, 8, 15), D(2024, 7, 1), D(2024, 9, 30)),
        (D(2024, 12, 31), D(2024, 10, 1), D(2024, 12, 31)),
    ],
)
def test_quarter_of(day: date, start: date, end: date) -> None:
    assert quarter_of(day) == Period(start, end)


def test_period_is_ordered_and_refuses_reversed_dates() -> None:
    assert Period(D(2025, 1, 1), D(2025, 1, 31)) < Period(D(2025, 2, 1), D(2025, 2, 28))
    assert sorted([month_of(D(2025, 3, 1)), month_of(D(2025, 1, 1))])[0].start == D(2025, 1, 1)
    with pytest.raises(ValueError):
        Period(D(2025, 2, 1), D(2025, 1, 31))


@pytest.mark.parametrize(
    "frequency, start, end, expected_starts",
    [
        ("monthly", D(2025, 4, 1), D(2025, 6, 30), [D(2025, 4, 1), D(2025, 5, 1), D(2025, 6, 1)]),
        ("monthly", D(2025, 4, 2), D(2025, 6, 30), [D(2025, 5, 1), D(2025, 6, 1)]),  # partial first month
        ("monthly", D(2025, 4, 1), D(2025, 6, 29), [D(2025, 4, 1), D(2025, 5, 1)]),  # partial last month
        ("monthly", D(2025, 4, 2), D(2025, 5, 30), []),
        ("monthly", D(2024, 1, 31), D(2024, 2, 29), [D(2024, 2, 1)]),  # leap February is whole
        ("monthly", D(2024, 1, 31), D(2024, 2, 28), []),
        ("monthly", D(2024, 12, 1), D(2025, 1, 31), [D(2024, 12, 1), D(2025, 1, 1)]),  # year end
        ("quarterly", D(2025, 4, 1), D(2025, 12, 31), [D(2025, 4, 1), D(2025, 7, 1), D(2025, 10, 1)]),
        ("quarterly", D(2025, 5, 15), D(2026, 3, 31), [D(2025, 7, 1), D(2025, 10, 1), D(2026, 1, 1)]),
        ("quarterly", D(2025, 4, 1), D(2025, 9, 29), [D(2025, 4, 1)]),
        ("quarterly", D(2025, 6, 1), D(2025, 6, 30), []),
        ("monthly", D(2025, 6, 1), D(2025, 5, 1), []),  # end before start
    ],
)
def test_periods_between(frequency: str, start: date, end: date, expected_starts: list[date]) -> None:
    periods = periods_between(frequency, start, end)  # type: ignore[arg-type]
    assert [p.start for p in periods] == expected_starts
    assert all(p.start >= start and p.end <= end for p in periods)


def test_periods_between_refuses_unknown_frequency() -> None:
    with pytest.raises(ValueError, match="weekly"):
        periods_between("weekly", D(2025, 1, 1), D(2025, 12, 31))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "start, end, dashboard, plain",
    [
        (D(2026, 10, 1), D(2026, 10, 31), "Oct 2026", "Oct 2026"),
        (D(2028, 2, 1), D(2028, 2, 29), "Feb 2028", "Feb 2028"),
        (D(2026, 1, 1), D(2026, 3, 31), "Jan\u2013Mar 2026", "Jan-Mar 2026"),
        # Whole months but not a calendar quarter: the dashboard shortens, alerts spell the dates out.
        (D(2026, 2, 1), D(2026, 4, 30), "Feb\u2013Apr 2026", "1 Feb 2026 to 30 Apr 2026"),
        (D(2025, 11, 1), D(2026, 1, 31), "Nov 2025\u2013Jan 2026", "1 Nov 2025 to 31 Jan 2026"),
        (D(2026, 10, 2), D(2026, 10, 31), "2 Oct 2026 \u2013 31 Oct 2026", "2 Oct 2026 to 31 Oct 2026"),
        ("2026-01-01", "2026-03-31", "Jan\u2013Mar 2026", "Jan-Mar 2026"),  # ISO text, as SQLite returns it
        (None, D(2026, 1, 5), "5 Jan 2026", "5 Jan 2026"),
        (None, None, "\u2014", "\u2014"),
    ],
)
def test_period_label(start: object, end: object, dashboard: str, plain: str) -> None:
    assert period_label(start, end) == dashboard
    assert period_label(start, end, plain=True) == plain


@pytest.mark.parametrize(
    "start, end, month, quarter",
    [
        (D(2024, 2, 1), D(2024, 2, 29), True, False),
        (D(2023, 2, 1), D(2023, 2, 28), True, False),
        (D(2024, 2, 1), D(2024, 2, 28), False, False),  # leap year: 28 Feb is not the end
        (D(2025, 1, 1), D(2025, 3, 31), False, True),
        (D(2025, 2, 1), D(2025, 4, 30), False, False),  # three months, not a calendar quarter
        (D(2025, 1, 2), D(2025, 1, 31), False, False),
        (D(2025, 1, 31), D(2025, 1, 1), False, False),  # reversed
        (D(2025, 10, 1), D(2025, 12, 31), False, True),
    ],
)
def test_scalar_and_vectorised_period_checks_agree(start: date, end: date, month: bool, quarter: bool) -> None:
    assert is_calendar_month(start, end) is month
    assert is_calendar_quarter(start, end) is quarter
    assert is_calendar_period("monthly", start, end) is month
    starts, ends = pd.Series(pd.to_datetime([start])), pd.Series(pd.to_datetime([end]))
    assert bool(calendar_month_mask(starts, ends).iloc[0]) is month
    assert bool(calendar_quarter_mask(starts, ends).iloc[0]) is quarter
    assert bool(calendar_period_mask("quarterly", starts, ends).iloc[0]) is quarter


def test_masks_give_na_for_missing_dates_and_keep_the_index() -> None:
    starts = pd.Series(pd.to_datetime(["2025-01-01", None, "2025-01-01"]), index=[10, 11, 12])
    ends = pd.Series(pd.to_datetime(["2025-01-31", "2025-01-31", None]), index=[10, 11, 12])
    mask = calendar_month_mask(starts, ends)
    assert str(mask.dtype) == "boolean"
    assert list(mask.index) == [10, 11, 12]
    assert bool(mask.iloc[0]) is True
    assert mask.isna().tolist() == [False, True, True]


def test_masks_accept_date_objects_and_other_units() -> None:
    starts = pd.Series([D(2025, 7, 1), D(2025, 7, 1)])
    ends = pd.Series([D(2025, 9, 30), D(2025, 7, 31)])
    assert calendar_quarter_mask(starts, ends).tolist() == [True, False]
    sec = pd.Series(pd.to_datetime(["2024-02-01"]).astype("datetime64[s]"))
    assert calendar_month_mask(sec, pd.Series(pd.to_datetime(["2024-02-29"]))).tolist() == [True]


def test_expand_periods_matches_periods_between() -> None:
    windows = [
        (D(2025, 4, 15), D(2026, 3, 31)),
        (D(2024, 1, 1), D(2024, 2, 29)),
        (D(2025, 6, 2), D(2025, 6, 30)),  # nothing whole
        (D(2023, 11, 30), D(2025, 2, 28)),
    ]
    starts = pd.Series(pd.to_datetime([s for s, _ in windows]))
    ends = pd.Series(pd.to_datetime([e for _, e in windows]))
    for frequency in ("monthly", "quarterly"):
        got = expand_periods(frequency, starts, ends)
        want = [(i, p.start, p.end) for i, (s, e) in enumerate(windows) for p in periods_between(frequency, s, e)]
        assert [(r, s.date(), e.date()) for r, s, e in got.itertuples(index=False)] == want
        assert str(got["period_start"].dtype) == "datetime64[ns]"


def test_expand_periods_skips_missing_windows() -> None:
    got = expand_periods(
        "monthly",
        pd.Series(pd.to_datetime([None, "2025-01-01"])),
        pd.Series(pd.to_datetime(["2025-03-31", "2025-01-31"])),
    )
    assert got["row"].tolist() == [1]
