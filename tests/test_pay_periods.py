"""Pay periods and jobs (spec 2.2, 3, 4), table-driven, through the real path (read, type, GX, assess).

Weekly-paid workers give one row per pay week, a worker with two jobs one row per job: rows are unique
on (worker_ref, job_ref, pay_period_start); workers are counted as distinct worker_refs (assessed,
below); arrears add up over rows; the rate in force is the one for the pay period's start.

Rates (spec 3): statutory 21_plus 11.44 from 2024-04-01, 12.21 from 2025-04-01; Real Living Wage UK
12.60 to be paid from 2025-05-01 (12.00 before).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from factories import AS_OF

from gwp_monitor.assess.wages import assess_payroll
from gwp_monitor.domain.rates import load_wage_floors
from gwp_monitor.ingest.intake import take_in

COLUMNS_ORDER = ("pay_period_start", "pay_period_end", "job_ref")


@dataclass(frozen=True)
class Row:
    worker: int
    rate: str
    hours: str = "150"
    pay_period: tuple[str, str] | None = None
    job: str | None = None


@dataclass(frozen=True)
class Case:
    id: str
    month: tuple[str, str]
    rows: tuple[Row, ...]
    rate_type: str
    assessed: int
    below: int
    arrears: float


def weeks(*starts: str) -> tuple[tuple[str, str], ...]:
    from datetime import date, timedelta

    return tuple((s, (date.fromisoformat(s) + timedelta(days=6)).isoformat()) for s in starts)


JUNE_WEEKS = weeks("2025-06-02", "2025-06-09", "2025-06-16", "2025-06-23")

CASES = [
    Case(
        "weekly_paid_worker_is_one_worker_with_arrears_over_the_weeks",
        ("2025-06-01", "2025-06-30"),
        tuple(Row(1, "12.50", "30", w) for w in JUNE_WEEKS) + (Row(2, "13.00"), Row(3, "13.00")),
        "real_living_wage",
        assessed=3,
        below=1,
        arrears=12.00,  # (12.60 - 12.50) x 30 h x 4 weeks
    ),
    Case(
        "two_jobs_one_below_is_one_worker_below",
        ("2025-07-01", "2025-07-31"),
        (Row(1, "13.00", "100", job="care"), Row(1, "12.50", "50", job="cleaning"), Row(2, "13.00")),
        "real_living_wage",
        assessed=2,
        below=1,
        arrears=5.00,  # (12.60 - 12.50) x 50 h: the other job is not netted against it
    ),
    Case(
        "the_rate_is_the_one_for_the_pay_periods_start",
        ("2025-04-01", "2025-04-30"),
        (
            Row(1, "12.00", "30", ("2025-03-29", "2025-04-04")),  # starts in March: 11.44 applies, not below
            Row(1, "12.00", "30", ("2025-04-05", "2025-04-11")),  # 12.21 applies: below
            Row(2, "13.00"),
        ),
        "statutory_minimum_wage",
        assessed=2,
        below=1,
        arrears=6.30,  # (12.21 - 12.00) x 30 h
    ),
]


def _cells(returns, case: Case, row: Row) -> dict[str, str]:
    basic = str((Decimal(row.rate) * Decimal(row.hours)).quantize(Decimal("0.01")))
    cells = returns.payroll_row(
        case.month, row.worker, hourly_rate=row.rate, hours_paid=row.hours, basic_pay=basic, employer=""
    )
    if row.pay_period:
        cells |= {"pay_period_start": row.pay_period[0], "pay_period_end": row.pay_period[1]}
    if row.job:
        cells["job_ref"] = row.job
    return cells


@pytest.fixture(scope="module")
def assessed(tmp_path_factory, returns, register):
    folder = tmp_path_factory.mktemp("pay_periods")
    rows = [_cells(returns, case, row) for case in CASES for row in case.rows]
    header = list(dict.fromkeys(name for row in rows for name in row))
    intake = take_in([returns.csv(folder / "pay.csv", rows, header)], register, as_of=AS_OF)
    assert [s.problems for s in intake.submissions] == [[]] * len(CASES)
    return assess_payroll(intake.accepted_rows("payroll"), register, load_wage_floors(), AS_OF)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_workers_are_distinct_worker_refs_and_arrears_add_up_over_rows(assessed, case):
    start = case.month[0]
    wages = assessed.wages[
        (assessed.wages["period_start"].astype(str) == start) & (assessed.wages["rate_type"] == case.rate_type)
    ]
    assert wages["workers_assessed"].sum() == case.assessed
    assert wages["workers_below"].sum() == case.below
    assert round(float(wages["arrears_gbp"].sum()), 2) == case.arrears
    verdicts = assessed.verdicts
    (verdict,) = verdicts[
        (verdicts["period_start"].astype(str) == start) & (verdicts["commitment"] == case.rate_type)
    ].itertuples()
    assert verdict.status == "breach" and verdict.observed_value == case.below
    assert verdict.detail.startswith(f"{case.below} of {case.assessed} workers paid below")


UNIQUENESS = [
    # (rows of one worker, accepted?)
    ("same_week_twice", (Row(1, "13.00", "30", JUNE_WEEKS[0]), Row(1, "13.00", "30", JUNE_WEEKS[0])), False),
    ("two_weeks", (Row(1, "13.00", "30", JUNE_WEEKS[0]), Row(1, "13.00", "30", JUNE_WEEKS[1])), True),
    ("same_job_twice", (Row(1, "13.00", job="a"), Row(1, "13.00", job="a")), False),
    ("two_jobs", (Row(1, "13.00", job="a"), Row(1, "13.00", job="b")), True),
    ("two_rows_no_job_no_pay_period", (Row(1, "13.00"), Row(1, "13.00")), False),
]


@pytest.mark.parametrize(("id", "rows", "accepted"), UNIQUENESS, ids=[u[0] for u in UNIQUENESS])
def test_rows_are_unique_on_worker_job_and_pay_period_start(tmp_path, returns, register, id, rows, accepted):
    case = Case(id, ("2025-06-01", "2025-06-30"), rows, "", 0, 0, 0)
    cells = [_cells(returns, case, row) for row in rows]
    header = list(dict.fromkeys(name for row in cells for name in row))
    (s,) = take_in([returns.csv(tmp_path / "u.csv", cells, header)], register, as_of=AS_OF).submissions
    assert s.status == ("accepted" if accepted else "rejected"), [p.describe() for p in s.problems]
    if not accepted:
        (problem,) = s.problems
        assert problem.column == "worker_ref" and "job_ref" in problem.rule and "pay_period_start" in problem.rule
