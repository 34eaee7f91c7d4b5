"""The reporting database read back through its published views (spec 5), on SQLite and PostgreSQL.

One run of the pipeline over a landing folder of hand-made returns, as of 2025-11-10, with received
times set by the files' mtimes:

* RED-1 (payroll monthly + workforce quarterly, from 2025-06-01): June below both wage floors, July
  compliant (sent late), then August, September and October below the Real Living Wage (a run of
  three breaching months, UK and London bands, with arrears); the Q3 workforce return breaches the
  zero-hours limit. Red.
* GREEN-2 (both kinds, from 2025-07-01): July and August in one file (July late); September sent
  twice, the first version below the floors, the second (later) one compliant and superseding it;
  October not yet due and not sent (awaiting). Green.
* AMBER-OVERDUE-3 (payroll, from 2025-08-01): August never sent (overdue), September late, October
  on time, all compliant. Amber for the overdue return alone.
* AMBER-REJECTED-4 (payroll, from 2025-09-01): September and October accepted and compliant, then a
  broken October resubmission is rejected. Amber for the rejected latest submission alone.
* A PDF in the landing folder: rejected with one reason, no contract.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from factories import QUARTERLY_WORKFORCE, contract, make_register, month, quarter
from sqlalchemy import inspect, text

from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.store.database import VIEWS, open_database

AS_OF = date(2025, 11, 10)

#: RED-1 and GREEN-2 send both returns and carry both commitments.
RED_AND_GREEN = dict(
    workforce=QUARTERLY_WORKFORCE, commitments=["real_living_wage", {"type": "max_zero_hours_share", "max": 0.05}]
)
CONTRACTS = (
    contract(
        "RED-1",
        title="Home care, lot 1",
        supplier_id="11111111",
        supplier_name="Red Care Ltd",
        start_date="2025-06-01",
        **RED_AND_GREEN,
    ),
    contract(
        "GREEN-2",
        title="Home care, lot 2",
        supplier_id="22222222",
        supplier_name="Green Care Ltd",
        start_date="2025-07-01",
        **RED_AND_GREEN,
    ),
    contract(
        "AMBER-OVERDUE-3",
        title="Cleaning",
        supplier_id="33333333",
        supplier_name="Amber Cleaning Ltd",
        start_date="2025-08-01",
        commitments=["real_living_wage"],
    ),
    contract(
        "AMBER-REJECTED-4",
        title="Catering",
        supplier_id="44444444",
        supplier_name="Amber Catering Ltd",
        start_date="2025-09-01",
        commitments=["real_living_wage"],
    ),
)

#: Spec 5, verbatim: the published views and their columns, in order (latest is history's last rows).
COMPLIANCE_COLUMNS = [
    "contract_ref",
    "supplier_name",
    "commitment",
    "period_start",
    "period_end",
    "status",
    "severity",
    "observed_value",
    "threshold",
    "detail",
    "assessed_at",
]
SPEC_VIEWS = {
    # issue 17 (its columns as the issue lists them, then the period and what explains the match)
    "v_public_register_checks": [
        "contract_ref",
        "supplier_id",
        "reporting_year",
        "published",
        "published_median_pct",
        "published_mean_pct",
        "returned_median_pct",
        "difference_pct",
        "submitted_late",
        "matched_by",
        "period_start",
        "period_end",
        "company_number",
        "employer_name",
        "register_link",
        "name_suggestion",
        "note",
    ],
    "v_compliance_history": COMPLIANCE_COLUMNS,
    "v_compliance_latest": COMPLIANCE_COLUMNS,
    "v_wage_compliance": [
        "contract_ref",
        "period_start",
        "period_end",
        "rate_type",
        "band",
        "required_rate",
        "workers_assessed",
        "workers_below",
        "lowest_rate",
        "arrears_gbp",
        "upcoming_rate",
        "workers_below_upcoming",
    ],
    "v_contract_status": [
        "contract_ref",
        "supplier_name",
        "rag",
        "open_breaches",
        "overdue_returns",
        "last_submission_at",
    ],
    "v_open_breaches": [
        "contract_ref",
        "commitment",
        "severity",
        "first_period_start",
        "latest_period_end",
        "periods_in_breach",
        "workers_affected",
        "arrears_gbp",
    ],
    "v_submissions": [
        "submission_id",
        "contract_ref",
        "kind",
        "period_start",
        "period_end",
        "status",
        "file_name",
        "file_sha256",
        "received_at",
        "row_count",
        "error_count",
        "errors",
        "warnings",  # added (issue 12): notes told to the supplier without a rejection
        "supersedes_submission_id",
        "source",
    ],
    "v_owed_to_workers": [
        "contract_ref",
        "period_start",
        "period_end",
        "workers_owed",
        "owed_gbp",
        "uplift_from",
        "workers_below_uplift",
        "uplift_cost_gbp",
    ],
    "v_resubmission_changes": [
        "contract_ref",
        "kind",
        "period_start",
        "period_end",
        "commitment",
        "previous_submission_id",
        "new_submission_id",
        "changed_at",
        "previous_status",
        "new_status",
        "previous_observed_value",
        "new_observed_value",
        "previous_arrears_gbp",
        "new_arrears_gbp",
    ],
    "v_return_timeliness": ["contract_ref", "kind", "period_start", "period_end", "due_date", "status"],
}

JUN, JUL, AUG, SEP, OCT = (month(2025, m) for m in range(6, 11))
Q3 = quarter(2025, 3)


# --- helpers ------------------------------------------------------------------------------------------


def workforce(returns, ref: str, period: tuple[str, str], **cells: str) -> dict:
    return returns.workforce_row(period, contract_ref=ref, **cells)


def utc(value) -> datetime:
    """A timestamp column as an aware UTC datetime (SQLite hands back naive UTC text)."""
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def write_landing(write, returns) -> None:
    r = returns
    # RED-1: June below both floors; July fine but late; Aug-Oct below the Real Living Wage.
    write("red-jun.csv", [r.paid_row("RED-1", JUN, 1, "12.00")], "2025-07-10T09:00:00")
    write("red-jul.csv", [r.paid_row("RED-1", JUL, 1, "12.80")], "2025-08-20T09:00:00")
    write(
        "red-aug.csv",
        [
            r.paid_row("RED-1", AUG, 1, "12.30", "100.5"),  # uk: (12.60 - 12.30) x 100.5 = 30.15
            r.paid_row("RED-1", AUG, 2, "13.10", "80", london="yes"),  # london: (13.85 - 13.10) x 80 = 60.00
        ],
        "2025-09-12T09:00:00",
    )
    write(
        "red-sep.csv",
        [
            r.paid_row("RED-1", SEP, 1, "12.40", "70.1"),  # uk: 0.20 x 70.1 = 14.02
            r.paid_row("RED-1", SEP, 2, "13.00", "90"),
        ],
        "2025-10-14T09:00:00",
    )
    write(
        "red-oct.csv",
        [
            r.paid_row("RED-1", OCT, 1, "12.50", "101"),  # uk: 0.10 x 101 = 10.10
            r.paid_row("RED-1", OCT, 2, "13.80", "40", london="yes"),  # london: 0.05 x 40 = 2.00
            r.paid_row("RED-1", OCT, 3, "13.50", "120"),
            r.paid_row("RED-1", OCT, 4, "9.00", "60", apprentice="yes", age_band="18_20"),  # out of RLW scope
            r.paid_row("RED-1", OCT, 5, "12.70", "50", age_band="18_20"),
            returns.payroll_row(OCT, 6, contract_ref="RED-1", hours_paid="0", basic_pay="0", hourly_rate=""),
        ],
        "2025-11-03T09:00:00",
    )
    write("red-q3.csv", [workforce(r, "RED-1", Q3, headcount="40", zero_hours_workers="10")], "2025-10-25T09:00:00")
    # GREEN-2: July and August in one file; September twice, the later one corrected.
    write(
        "green-jul-aug.csv",
        [r.paid_row("GREEN-2", JUL, 1, "12.90"), r.paid_row("GREEN-2", AUG, 1, "12.90")],
        "2025-09-05T09:00:00",
    )
    write(
        "green-sep-v1.csv",
        [r.paid_row("GREEN-2", SEP, 1, "12.00"), r.paid_row("GREEN-2", SEP, 2, "13.00")],
        "2025-10-03T09:00:00",
    )
    write(
        "green-sep-v2.csv",
        [r.paid_row("GREEN-2", SEP, 1, "12.70"), r.paid_row("GREEN-2", SEP, 2, "13.00")],
        "2025-10-09T09:00:00",
    )
    write("green-q3.csv", [workforce(r, "GREEN-2", Q3, headcount="40", zero_hours_workers="1")], "2025-10-20T09:00:00")
    # AMBER-OVERDUE-3: August never arrives.
    write("amber3-sep.csv", [r.paid_row("AMBER-OVERDUE-3", SEP, 1, "13.00")], "2025-10-20T09:00:00")
    write("amber3-oct.csv", [r.paid_row("AMBER-OVERDUE-3", OCT, 1, "13.00")], "2025-11-01T09:00:00")
    # AMBER-REJECTED-4: a broken October resubmission after the accepted one.
    write("amber4-sep.csv", [r.paid_row("AMBER-REJECTED-4", SEP, 1, "13.00")], "2025-10-01T09:00:00")
    write("amber4-oct.csv", [r.paid_row("AMBER-REJECTED-4", OCT, 1, "13.00")], "2025-11-02T09:00:00")
    write(
        "amber4-oct-fix.csv",
        [
            r.paid_row("AMBER-REJECTED-4", OCT, 1, "13.00"),
            r.paid_row("AMBER-REJECTED-4", OCT, 2, "13.00", age_band="adult"),
            r.paid_row("AMBER-REJECTED-4", OCT, 3, "13.00", basic_pay="1000.00"),  # 10.00/h, not 13.00
        ],
        "2025-11-05T09:00:00",
    )
    write("scan.pdf", b"%PDF-1.4 not a return", "2025-11-04T09:00:00")


@pytest.fixture(scope="module")
def scenario(module_reporting_db_url, new_landing, returns, tmp_path_factory):
    """The run, once per backend; the tests below only read."""
    folder = tmp_path_factory.mktemp("scenario")
    write = new_landing(folder / "landing")
    write_landing(write, returns)
    db = open_database(module_reporting_db_url)
    summary = run_pipeline(make_register(folder, *CONTRACTS), write.folder, db, as_of=AS_OF)
    yield db, summary
    db.engine.dispose()


# --- the interface itself -----------------------------------------------------------------------------


def test_every_published_view_exists_with_exactly_its_columns_in_order(reporting_db_url):
    db = open_database(reporting_db_url)
    try:
        assert set(VIEWS) == set(SPEC_VIEWS)
        assert set(SPEC_VIEWS) <= set(inspect(db.engine).get_view_names())
        for view, columns in SPEC_VIEWS.items():
            with db.engine.connect() as conn:
                result = conn.execute(text(f"SELECT * FROM {view} WHERE 1 = 0"))
                assert list(result.keys()) == columns, view
    finally:
        db.engine.dispose()


def test_opening_again_upgrades_nothing_and_keeps_the_views(reporting_db_url):
    from gwp_monitor.store.database import upgrade

    first = open_database(reporting_db_url)
    try:
        assert upgrade(first.engine) == []
        with first.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM alembic_version")).scalar_one() == 1
        assert set(SPEC_VIEWS) <= set(inspect(first.engine).get_view_names())
    finally:
        first.engine.dispose()


# --- one run over good, bad and superseding returns ---------------------------------------------------


def test_run_summary_counts_every_outcome(scenario):
    _, summary = scenario
    assert summary.files_found == summary.files_read == 16
    # September v1 is accepted when stored, then superseded by v2 (stored after it, received later).
    assert [summary.outcomes[k] for k in ("accepted", "rejected", "superseded", "skipped")] == [15, 2, 0, 0]
    assert not [w for w in summary.warnings if "could not be stored" in w]


def test_submissions_view_has_statuses_errors_and_received_times(scenario, db_rows):
    db, _ = scenario
    subs = db_rows(db, "SELECT * FROM v_submissions ORDER BY submission_id")
    assert len(subs) == 17
    by_file = {}
    for s in subs:
        by_file.setdefault(s["file_name"], []).append(s)
    assert [s["status"] for s in subs].count("accepted") == 14
    assert [s["status"] for s in subs].count("rejected") == 2
    assert [s["status"] for s in subs].count("superseded") == 1

    (v1,) = by_file["green-sep-v1.csv"]
    (v2,) = by_file["green-sep-v2.csv"]
    assert (v1["status"], v2["status"]) == ("superseded", "accepted")
    assert (v1["contract_ref"], v1["kind"], v1["period_start"], v1["period_end"]) == (
        "GREEN-2",
        "payroll",
        "2025-09-01",
        "2025-09-30",
    )
    assert utc(v1["received_at"]) == datetime(2025, 10, 3, 9, tzinfo=UTC)
    assert utc(v2["received_at"]) == datetime(2025, 10, 9, 9, tzinfo=UTC)

    jul_aug = by_file["green-jul-aug.csv"]
    assert sorted((s["period_start"], s["status"], s["row_count"]) for s in jul_aug) == [
        ("2025-07-01", "accepted", 1),
        ("2025-08-01", "accepted", 1),
    ]

    (bad,) = by_file["amber4-oct-fix.csv"]
    assert (bad["status"], bad["contract_ref"], bad["kind"], bad["period_start"]) == (
        "rejected",
        "AMBER-REJECTED-4",
        "payroll",
        "2025-10-01",
    )
    assert bad["row_count"] == 3 and bad["error_count"] == 2
    errors = bad["errors"].splitlines()
    assert len(errors) == 2
    assert any(e.startswith("age_band:") and "(1 row: 3)" in e for e in errors), errors
    assert any(e.startswith("hourly_rate:") and "(1 row: 4)" in e for e in errors), errors

    (pdf,) = by_file["scan.pdf"]
    assert pdf["status"] == "rejected" and pdf["contract_ref"] is None and pdf["kind"] is None
    assert pdf["error_count"] == 1 and "'.pdf' files are not accepted" in pdf["errors"]
    assert utc(pdf["received_at"]) == datetime(2025, 11, 4, 9, tzinfo=UTC)

    for s in subs:
        if s["status"] != "rejected":
            assert s["error_count"] == 0 and s["errors"] is None, s["file_name"]
        assert len(s["file_sha256"]) == 64
    assert len({s["file_sha256"] for s in subs}) == len(subs)


def test_compliance_history_has_one_row_per_period_and_no_superseded_results(scenario, db_rows):
    db, _ = scenario
    rows = db_rows(db, "SELECT * FROM v_compliance_history")
    keys = [(r["contract_ref"], r["commitment"], r["period_start"]) for r in rows]
    assert len(keys) == len(set(keys)), "one row per contract, commitment and period"
    per_contract = {
        ref: sum(1 for r in rows if r["contract_ref"] == ref)
        for ref in ("RED-1", "GREEN-2", "AMBER-OVERDUE-3", "AMBER-REJECTED-4")
    }
    # 5 months x 2 wage commitments + Q3; 3 months x 2 + Q3 (October not due); 3 x 2; 2 x 2.
    assert per_contract == {"RED-1": 11, "GREEN-2": 7, "AMBER-OVERDUE-3": 6, "AMBER-REJECTED-4": 4}
    assert len(rows) == 28

    # The superseded September return's verdicts are kept (history) but are not in the view.
    kept = db_rows(
        db,
        "SELECT v.status FROM verdicts v JOIN submissions s ON s.submission_id = v.submission_id "
        "WHERE s.status = 'superseded'",
    )
    assert sorted(r["status"] for r in kept) == ["breach", "breach"]
    green_sep = {
        r["commitment"]: r for r in rows if r["contract_ref"] == "GREEN-2" and r["period_start"] == "2025-09-01"
    }
    assert {c: r["status"] for c, r in green_sep.items()} == {
        "statutory_minimum_wage": "compliant",
        "real_living_wage": "compliant",
    }
    assert green_sep["real_living_wage"]["supplier_name"] == "Green Care Ltd"
    assert green_sep["real_living_wage"]["severity"] == "high"
    assert green_sep["statutory_minimum_wage"]["severity"] == "critical"
    assert (green_sep["real_living_wage"]["observed_value"], green_sep["real_living_wage"]["threshold"]) == (0, 0)

    red = {(r["commitment"], r["period_start"]): r for r in rows if r["contract_ref"] == "RED-1"}
    assert red[("statutory_minimum_wage", "2025-06-01")]["status"] == "breach"
    assert [
        red[("real_living_wage", m)]["status"]
        for m in ("2025-06-01", "2025-07-01", "2025-08-01", "2025-09-01", "2025-10-01")
    ] == ["breach", "compliant", "breach", "breach", "breach"]
    assert red[("real_living_wage", "2025-08-01")]["observed_value"] == 2
    zero_hours = red[("max_zero_hours_share", "2025-07-01")]
    assert (zero_hours["status"], zero_hours["period_end"], zero_hours["severity"]) == (
        "breach",
        "2025-09-30",
        "medium",
    )
    assert (zero_hours["observed_value"], zero_hours["threshold"]) == (Decimal("0.25"), Decimal("0.05"))

    missing = [r for r in rows if r["contract_ref"] == "AMBER-OVERDUE-3" and r["period_start"] == "2025-08-01"]
    assert len(missing) == 2
    assert all(
        r["status"] == "not_assessable" and r["observed_value"] is None and r["threshold"] is None for r in missing
    )
    assert all("has not been received" in r["detail"] for r in missing)

    latest = db_rows(db, "SELECT * FROM v_compliance_latest")
    assert {(r["contract_ref"], r["commitment"]): (r["period_start"], r["status"]) for r in latest} == {
        ("RED-1", "statutory_minimum_wage"): ("2025-10-01", "compliant"),
        ("RED-1", "real_living_wage"): ("2025-10-01", "breach"),
        ("RED-1", "max_zero_hours_share"): ("2025-07-01", "breach"),
        ("GREEN-2", "statutory_minimum_wage"): ("2025-09-01", "compliant"),
        ("GREEN-2", "real_living_wage"): ("2025-09-01", "compliant"),
        ("GREEN-2", "max_zero_hours_share"): ("2025-07-01", "compliant"),
        ("AMBER-OVERDUE-3", "statutory_minimum_wage"): ("2025-10-01", "compliant"),
        ("AMBER-OVERDUE-3", "real_living_wage"): ("2025-10-01", "compliant"),
        ("AMBER-REJECTED-4", "statutory_minimum_wage"): ("2025-10-01", "compliant"),
        ("AMBER-REJECTED-4", "real_living_wage"): ("2025-10-01", "compliant"),
    }


def test_wage_compliance_figures_per_band(scenario, db_rows):
    db, _ = scenario
    rows = db_rows(db, "SELECT * FROM v_wage_compliance WHERE contract_ref = 'RED-1' AND period_start = '2025-10-01'")
    got = {(r["rate_type"], r["band"]): r for r in rows}
    assert set(got) == {
        ("real_living_wage", "uk"),
        ("real_living_wage", "london"),
        ("statutory_minimum_wage", "21_plus"),
        ("statutory_minimum_wage", "18_20"),
        ("statutory_minimum_wage", "apprentice"),
    }
    fields = (
        "period_end",
        "required_rate",
        "workers_assessed",
        "workers_below",
        "lowest_rate",
        "arrears_gbp",
        "upcoming_rate",
        "workers_below_upcoming",
    )
    D = Decimal
    expected = {
        # The 2025/26 rate (13.45 / 14.80) was announced on 2025-10-22, before the as-of date: upcoming.
        # lowest_rate is null in every band: each has fewer than 5 workers assessed (spec 5).
        ("real_living_wage", "uk"): ("2025-10-31", D("12.60"), 3, 1, None, D("10.10"), D("13.45"), 2),
        ("real_living_wage", "london"): ("2025-10-31", D("13.85"), 1, 1, None, D("2.00"), D("14.80"), 1),
        ("statutory_minimum_wage", "21_plus"): ("2025-10-31", D("12.21"), 3, 0, None, 0, None, None),
        ("statutory_minimum_wage", "18_20"): ("2025-10-31", D("10.00"), 1, 0, None, 0, None, None),
        ("statutory_minimum_wage", "apprentice"): ("2025-10-31", D("7.55"), 1, 0, None, 0, None, None),
    }
    for key, want in expected.items():
        assert tuple(got[key][f] for f in fields) == want, key

    # A superseded return's figures are gone from the view; the replacement's are there.
    green_sep = db_rows(
        db,
        "SELECT * FROM v_wage_compliance WHERE contract_ref = 'GREEN-2' AND period_start = '2025-09-01' AND band = 'uk'",
    )
    assert [(r["workers_assessed"], r["workers_below"], r["lowest_rate"]) for r in green_sep] == [
        (2, 0, None)  # lowest_rate hidden under 5 workers (spec 5)
    ]
    # Rejected and missing returns have no figures; one row per contract, period, rate type and band.
    assert not db_rows(
        db, "SELECT * FROM v_wage_compliance WHERE contract_ref = 'AMBER-OVERDUE-3' AND period_start = '2025-08-01'"
    )
    all_rows = db_rows(db, "SELECT * FROM v_wage_compliance")
    keys = [(r["contract_ref"], r["period_start"], r["rate_type"], r["band"]) for r in all_rows]
    assert len(keys) == len(set(keys))
    assert all(r["workers_assessed"] > 0 for r in all_rows)


def test_open_breaches_count_the_run_of_breaching_periods_back_from_the_latest(scenario, db_rows):
    db, _ = scenario
    rows = {(r["contract_ref"], r["commitment"]): r for r in db_rows(db, "SELECT * FROM v_open_breaches")}
    # June's breaches are not open: July was compliant (RLW), and July onwards (statutory minimum).
    assert set(rows) == {("RED-1", "real_living_wage"), ("RED-1", "max_zero_hours_share")}
    rlw = rows[("RED-1", "real_living_wage")]
    assert rlw["severity"] == "high"
    assert (rlw["first_period_start"], rlw["latest_period_end"], rlw["periods_in_breach"]) == (
        "2025-08-01",
        "2025-10-31",
        3,
    )
    assert rlw["workers_affected"] == 2  # October's workers below, UK and London bands together
    # August 30.15 + 60.00, September 14.02, October 10.10 + 2.00: to the penny on both databases.
    assert rlw["arrears_gbp"] == Decimal("116.27")
    zero_hours = rows[("RED-1", "max_zero_hours_share")]
    assert (
        zero_hours["severity"],
        zero_hours["first_period_start"],
        zero_hours["latest_period_end"],
        zero_hours["periods_in_breach"],
    ) == ("medium", "2025-07-01", "2025-09-30", 1)
    assert zero_hours["workers_affected"] is None and zero_hours["arrears_gbp"] is None


def test_contract_status_rag(scenario, db_rows):
    db, _ = scenario
    rows = {r["contract_ref"]: r for r in db_rows(db, "SELECT * FROM v_contract_status")}
    assert {ref: (r["rag"], r["open_breaches"], r["overdue_returns"]) for ref, r in rows.items()} == {
        "RED-1": ("red", 2, 0),
        "GREEN-2": ("green", 0, 0),
        "AMBER-OVERDUE-3": ("amber", 0, 1),  # every latest verdict compliant: amber for the overdue return
        "AMBER-REJECTED-4": ("amber", 0, 0),  # nothing overdue or unknown: amber for the rejected resubmission
    }
    assert rows["RED-1"]["supplier_name"] == "Red Care Ltd"
    assert utc(rows["RED-1"]["last_submission_at"]) == datetime(2025, 11, 3, 9, tzinfo=UTC)
    assert utc(rows["AMBER-REJECTED-4"]["last_submission_at"]) == datetime(2025, 11, 5, 9, tzinfo=UTC)


def test_return_timeliness_statuses(scenario, db_rows):
    db, _ = scenario
    rows = db_rows(db, "SELECT * FROM v_return_timeliness")
    got = {
        (r["contract_ref"], r["kind"], r["period_start"]): (r["period_end"], r["due_date"], r["status"]) for r in rows
    }
    assert len(rows) == len(got)
    assert got == {
        ("RED-1", "payroll", "2025-06-01"): ("2025-06-30", "2025-07-15", "received_on_time"),
        ("RED-1", "payroll", "2025-07-01"): ("2025-07-31", "2025-08-15", "received_late"),
        ("RED-1", "payroll", "2025-08-01"): ("2025-08-31", "2025-09-15", "received_on_time"),
        ("RED-1", "payroll", "2025-09-01"): ("2025-09-30", "2025-10-15", "received_on_time"),
        ("RED-1", "payroll", "2025-10-01"): ("2025-10-31", "2025-11-15", "received_on_time"),
        ("RED-1", "workforce", "2025-07-01"): ("2025-09-30", "2025-10-30", "received_on_time"),
        ("GREEN-2", "payroll", "2025-07-01"): ("2025-07-31", "2025-08-15", "received_late"),
        ("GREEN-2", "payroll", "2025-08-01"): ("2025-08-31", "2025-09-15", "received_on_time"),
        ("GREEN-2", "payroll", "2025-09-01"): ("2025-09-30", "2025-10-15", "received_on_time"),
        ("GREEN-2", "payroll", "2025-10-01"): ("2025-10-31", "2025-11-15", "awaiting"),
        ("GREEN-2", "workforce", "2025-07-01"): ("2025-09-30", "2025-10-30", "received_on_time"),
        ("AMBER-OVERDUE-3", "payroll", "2025-08-01"): ("2025-08-31", "2025-09-15", "overdue"),
        ("AMBER-OVERDUE-3", "payroll", "2025-09-01"): ("2025-09-30", "2025-10-15", "received_late"),
        ("AMBER-OVERDUE-3", "payroll", "2025-10-01"): ("2025-10-31", "2025-11-15", "received_on_time"),
        ("AMBER-REJECTED-4", "payroll", "2025-09-01"): ("2025-09-30", "2025-10-15", "received_on_time"),
        ("AMBER-REJECTED-4", "payroll", "2025-10-01"): ("2025-10-31", "2025-11-15", "received_on_time"),
    }
