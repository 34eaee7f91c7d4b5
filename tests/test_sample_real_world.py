"""The demo shows returns as suppliers really send them (issue 12 item 7), asserted on the demo database
after the real pipeline, on SQLite and PostgreSQL: weekly-paid workers and a two-job worker counted once
each, a UK payroll export read with what was normalised told, and a resubmission that clears a breach.
Also the pure transforms of demo.real_world, table-driven."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import REPORTING_BACKENDS

from gwp_monitor.demo.real_world import pay_weeks, uk_export, weekly_and_two_jobs


@pytest.fixture(scope="module", params=REPORTING_BACKENDS)
def demo(request, demo_dashboard):
    return demo_dashboard(request.param)


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize(
    ("month", "first", "count"),
    [
        ((date(2025, 5, 1), date(2025, 5, 31)), (date(2025, 4, 28), date(2025, 5, 4)), 4),  # starts in April
        ((date(2025, 6, 1), date(2025, 6, 30)), (date(2025, 5, 26), date(2025, 6, 1)), 5),  # ends on the 1st
        ((date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 1, 26), date(2026, 2, 1)), 4),
        ((date(2025, 8, 1), date(2025, 8, 31)), (date(2025, 7, 28), date(2025, 8, 3)), 5),  # last ends on the 31st
    ],
)
def test_pay_weeks_end_inside_the_month_and_are_seven_days(month, first, count) -> None:
    found = pay_weeks(*month)
    assert found[0] == first and len(found) == count
    assert all(month[0] <= end <= month[1] and (end - start).days == 6 for start, end in found)
    assert all(b[0] - a[0] == pd.Timedelta(days=7) for a, b in zip(found, found[1:], strict=False))


def _month_rows(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "contract_ref": "C-1",
            "period_start": "2025-05-01",
            "period_end": "2025-05-31",
            "worker_ref": [f"W{i}" for i in range(n)],
            "hours_paid": [100.0 + i for i in range(n)],
            "basic_pay": [round((100.0 + i) * (12.0 + i / 10), 2) for i in range(n)],
            "hourly_rate": [None] * n,
        }
    )


def test_weekly_and_two_jobs_keep_each_workers_hours_and_rate() -> None:
    before = _month_rows(8)
    after = weekly_and_two_jobs(before, np.random.default_rng(1), weekly=3)
    assert set(after["worker_ref"]) == set(before["worker_ref"])
    per_worker = after.groupby("worker_ref")["hours_paid"].sum()
    assert per_worker.to_dict() == pytest.approx(before.set_index("worker_ref")["hours_paid"].to_dict())
    counts = after["worker_ref"].value_counts()
    # Three weekly-paid workers (4 pay weeks end in May 2025) and one in two jobs.
    assert sorted(counts[counts > 1].tolist()) == [2, 4, 4, 4]
    two_jobs = after[after["job_ref"].notna()]
    assert sorted(two_jobs["job_ref"]) == ["JOB-1", "JOB-2"] and two_jobs["worker_ref"].nunique() == 1
    assert two_jobs["worker_ref"].iloc[0] == "W7"  # the best paid: above every floor in both jobs
    weekly = after[after["pay_period_start"].notna()]
    rates = (weekly["basic_pay"] / weekly["hours_paid"]).round(2)
    original = (before.set_index("worker_ref")["basic_pay"] / before.set_index("worker_ref")["hours_paid"]).round(2)
    assert (rates.to_numpy() == original[weekly["worker_ref"]].to_numpy()).all()
    assert not ((weekly["basic_pay"] - weekly["hours_paid"] * weekly["hourly_rate"]).abs() > 0.005).any()


@pytest.mark.parametrize(
    ("kind", "column", "value", "shown"),
    [
        ("payroll", "basic_pay", 2457.0, "£2,457.00"),
        ("payroll", "hourly_rate", 12.6, "£12.60"),
        ("payroll", "period_start", "2025-04-01", "01/04/2025"),
        ("payroll", "hours_paid", 162.5, 162.5),  # hours are not money: unchanged
        ("workforce", "gender_pay_gap_median_pct", 3.5, "3.5%"),
        ("workforce", "period_end", date(2025, 6, 30), "30/06/2025"),
    ],
)
def test_uk_export_values(kind, column, value, shown) -> None:
    out = uk_export(pd.DataFrame({column: [value]}), kind)
    header = column.replace("_", " ").title()
    assert list(out.columns) == [header] and out[header].iloc[0] == shown


def test_demo_has_weekly_paid_and_two_job_workers_counted_once(demo, db_rows) -> None:
    weekly = [f for f in demo.demo.files if f.weekly]
    assert len(weekly) >= 3
    for f in weekly:
        rows = _read(f.path)
        worked = rows[pd.to_numeric(rows["hours_paid"]) > 0]
        assert (rows["pay_period_start"] != "").sum() >= 3 * 4  # three workers, a row per pay week
        assert rows.loc[rows["job_ref"] != "", "worker_ref"].nunique() == 1  # one worker in two jobs
        assert len(rows) > rows["worker_ref"].nunique()
        status = db_rows(
            demo.database,
            "SELECT status, row_count FROM v_submissions WHERE file_name = :name",
            name=f.path.name,
        )
        if f.superseded_by is None:
            assert [s["status"] for s in status] == ["accepted"], f.path.name
        assert [s["row_count"] for s in status] == [len(rows)]
        if f.superseded_by is not None:
            continue
        # Every worker lands in exactly one statutory band: assessed = distinct workers, not rows.
        assessed = db_rows(
            demo.database,
            "SELECT SUM(workers_assessed) AS n FROM v_wage_compliance WHERE contract_ref = :ref "
            "AND period_start = :start AND rate_type = 'statutory_minimum_wage'",
            ref=f.contract_ref,
            start=f.period_start.isoformat(),
        )
        assert assessed[0]["n"] == worked["worker_ref"].nunique()


def test_demo_weekly_contract_still_breaches_as_planned(demo, db_rows) -> None:
    ref = next(f for f in demo.demo.files if f.weekly).contract_ref
    planted = {
        b.period_start for b in demo.demo.breaches if b.contract_ref == ref and b.commitment == "real_living_wage"
    }
    breached = {
        date.fromisoformat(r["period_start"])
        for r in db_rows(
            demo.database,
            "SELECT period_start FROM v_compliance_history WHERE contract_ref = :ref "
            "AND commitment = 'real_living_wage' AND status = 'breach'",
            ref=ref,
        )
    }
    assert planted and planted == breached


def test_demo_has_uk_format_files_read_with_what_was_normalised(demo, db_rows) -> None:
    uk = [f for f in demo.demo.files if f.uk_format]
    assert {f.kind for f in uk} == {"payroll", "workforce"}
    payroll = next(f for f in uk if f.kind == "payroll")
    text = payroll.path.read_text(encoding="utf-8")
    assert text.startswith("Contract Ref,Period Start,Period End,Worker Ref")
    assert "/20" in text and '"£' in text  # day-first dates; £ amounts with thousands commas are quoted
    workforce = next(f for f in uk if f.kind == "workforce" and "%" in f.path.read_text(encoding="utf-8"))
    for f, notes in (
        (payroll, ("dates read as day/month/year", "amounts read without the £ sign or thousands commas")),
        (workforce, ("date read as day/month/year", "percentage read without the % sign")),
    ):
        (row,) = db_rows(
            demo.database, "SELECT status, warnings FROM v_submissions WHERE file_name = :n", n=f.path.name
        )
        assert row["status"] == "accepted"
        assert "'Contract Ref' as contract_ref" in row["warnings"]
        for note in notes:
            assert note in row["warnings"], (note, row["warnings"])
    assert any("£1," in f.path.read_text(encoding="utf-8") or "£2," in f.path.read_text(encoding="utf-8") for f in uk)


def test_demo_resubmission_clears_a_breach_and_the_dashboard_shows_it(demo, db_rows) -> None:
    (correction,) = demo.demo.resubmissions
    changes = db_rows(
        demo.database,
        "SELECT commitment, previous_status, new_status, previous_arrears_gbp, new_arrears_gbp "
        "FROM v_resubmission_changes WHERE contract_ref = :ref AND period_start = :start",
        ref=correction.contract_ref,
        start=correction.period_start.isoformat(),
    )
    rlw = [c for c in changes if c["commitment"] == "real_living_wage"]
    assert [(c["previous_status"], c["new_status"]) for c in rlw] == [("breach", "compliant")]
    assert rlw[0]["previous_arrears_gbp"] > 0 and rlw[0]["new_arrears_gbp"] == 0
    from gwp_monitor.report import contract_file_name

    page = (demo.report_dir / "contract" / contract_file_name(correction.contract_ref)).read_text(encoding="utf-8")
    assert "What resubmissions changed" in page and correction.path.name in page
