"""Runs over time, on SQLite and PostgreSQL (spec 2.4, 5): repeating a run changes nothing but the
run log; a failure while storing one submission leaves no trace of it and the next run stores it; a
later resubmission replaces its period's results, an older one arriving late does not.

Payroll-only contracts keep each run to one Great Expectations validation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from factories import make_register, numbered_contracts
from sqlalchemy import inspect, text

from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.store.database import VIEWS, open_database

AS_OF = date(2025, 10, 20)
CONTRACTS = numbered_contracts(2, "P", start_date="2025-07-01", commitments=["real_living_wage"])
JUL, AUG, SEP = ("2025-07-01", "2025-07-31"), ("2025-08-01", "2025-08-31"), ("2025-09-01", "2025-09-30")

#: Every table of the schema; a new table must be added here (and so to the idempotency check).
TABLES = {
    "alembic_version",
    "schema_views",
    "suppliers",
    "contracts",
    "commitments",
    "runs",
    "files_seen",
    "submissions",
    "workforce_figures",  # issue 17: returned figures and the public gender pay gap register
    "gpg_snapshots",
    "gpg_employers",
    "gpg_checks",
    "verdicts",
    "wage_figures",
    "owed_figures",
    "return_timeliness",
    "breaches",
    "alert_log",
    "alert_outbox",
    "fetched_files",  # issue 14: files fetched from landing sources
    # issue 13: the supplier portal's accounts, audit log and uploads (a run writes none of them)
    "portal_users",
    "portal_tokens",
    "portal_sign_in_failures",
    "portal_audit_log",
    "portal_uploads",
    "portal_upload_submissions",
}


@pytest.fixture
def register(tmp_path):
    return make_register(tmp_path, *CONTRACTS)


@pytest.fixture
def db(reporting_db_url):
    database = open_database(reporting_db_url)
    yield database
    database.engine.dispose()


def counts(db) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in sorted(TABLES)}


def views_snapshot(db, db_rows) -> dict[str, list]:
    """Every view's rows, sorted, without assessed_at (verdicts for missing returns are recomputed,
    with a new time, on every run)."""
    out = {}
    for view in VIEWS:
        rows = [
            tuple(sorted((k, str(v)) for k, v in r.items() if k != "assessed_at"))
            for r in db_rows(db, f"SELECT * FROM {view}")
        ]
        out[view] = sorted(rows)
    return out


def runs(db, db_rows) -> list[dict]:
    return db_rows(
        db, "SELECT run_id, status, files_read, submissions_stored, submissions_skipped FROM runs ORDER BY run_id"
    )


def test_the_same_folder_three_times_changes_nothing_but_the_run_log(db, register, landing_writer, returns, db_rows):
    r = returns
    landing_writer("p1-jul.csv", [r.paid_row("P-1", JUL, 1, "12.80")], "2025-08-10T09:00:00")
    landing_writer(
        "p1-aug.csv", [r.paid_row("P-1", AUG, 1, "12.00"), r.paid_row("P-1", AUG, 2, "13.00")], "2025-09-10T09:00:00"
    )
    landing_writer("p1-sep.csv", [r.paid_row("P-1", SEP, 1, "12.00")], "2025-10-05T09:00:00")
    landing_writer("p1-sep-fix.csv", [r.paid_row("P-1", SEP, 1, "12.70")], "2025-10-09T09:00:00")
    landing_writer(
        "p2.csv",
        [r.paid_row("P-2", JUL, 1, "13.00"), r.payroll_row(AUG, 1, contract_ref="P-2", hours_paid="x")],
        "2025-09-12T09:00:00",
    )
    landing_writer("notes.docx", b"PK\x03\x04 not really a workbook", "2025-09-13T09:00:00")
    assert set(inspect(db.engine).get_table_names()) == TABLES

    first = run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
    assert [first.outcomes[k] for k in ("accepted", "rejected", "skipped")] == [5, 2, 0]
    after_first, views_first = counts(db), views_snapshot(db, db_rows)
    assert after_first["runs"] == 1 and after_first["submissions"] == 7 and after_first["files_seen"] == 6
    assert after_first["verdicts"] > 0 and after_first["wage_figures"] > 0 and after_first["return_timeliness"] == 6

    second = run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
    third = run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
    for summary in (second, third):
        assert summary.files_found == 6 and summary.files_read == 0 and not summary.stored
    after_third = counts(db)
    assert after_third["runs"] == 3, "every run is logged"
    assert {t: n for t, n in after_third.items() if t != "runs"} == {
        t: n for t, n in after_first.items() if t != "runs"
    }
    assert views_snapshot(db, db_rows) == views_first
    assert [(x["status"], x["files_read"], x["submissions_stored"]) for x in runs(db, db_rows)] == [
        ("succeeded", 6, 7),
        ("succeeded", 0, 0),
        ("succeeded", 0, 0),
    ]

    # The same returns again under new names (the files differ byte for byte): every submission's
    # content was processed already, so all are skipped and still nothing changes.
    for path in sorted(landing_writer.folder.glob("p*.csv")):
        copy = path.with_name("copy-" + path.name)
        copy.write_text(path.read_text().replace("\n", "\r\n"))
    fourth = run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
    assert fourth.files_read == 5 and fourth.skipped == 6 and not fourth.stored
    after_fourth = counts(db)
    assert after_fourth["runs"] == 4 and after_fourth["files_seen"] == after_first["files_seen"] + 5
    assert {t: n for t, n in after_fourth.items() if t not in ("runs", "files_seen")} == {
        t: n for t, n in after_first.items() if t not in ("runs", "files_seen")
    }
    assert views_snapshot(db, db_rows) == views_first


def test_a_failure_while_storing_leaves_no_trace_and_the_next_run_stores_it(
    db, register, landing_writer, returns, db_rows
):
    r = returns
    landing_writer("p1-jul.csv", [r.paid_row("P-1", JUL, 1, "12.80")], "2025-08-10T09:00:00")
    landing_writer(
        "p1-sep.csv", [r.paid_row("P-1", SEP, 1, "12.00"), r.paid_row("P-1", SEP, 2, "13.00")], "2025-10-05T09:00:00"
    )
    # One file, two submissions: P-1's corrected September (which would supersede) and P-2's September.
    landing_writer(
        "fixes.csv",
        [r.paid_row("P-1", SEP, 1, "12.70"), r.paid_row("P-1", SEP, 2, "13.00"), r.paid_row("P-2", SEP, 1, "13.00")],
        "2025-10-09T09:00:00",
    )

    calls = []

    def explode_on_p1_fix(conn):
        """Called inside the store transaction, after the submission and its verdicts were written."""
        row = conn.execute(
            text("SELECT contract_ref, file_name FROM submissions ORDER BY submission_id DESC LIMIT 1")
        ).one()
        calls.append(tuple(row))
        if tuple(row) == ("P-1", "fixes.csv"):
            assert (
                conn.execute(
                    text(
                        "SELECT COUNT(*) FROM verdicts v JOIN submissions s ON s.submission_id = v.submission_id "
                        "WHERE s.file_name = 'fixes.csv' AND s.contract_ref = 'P-1'"
                    )
                ).scalar_one()
                == 2
            )
            raise RuntimeError("disk on fire")

    first = run_pipeline(register, landing_writer.folder, db, as_of=AS_OF, store_hook=explode_on_p1_fix)
    assert ("P-1", "fixes.csv") in calls and ("P-2", "fixes.csv") in calls
    assert first.outcomes["accepted"] == 3
    assert [w for w in first.warnings if "could not be stored" in w] == [
        "fixes.csv: could not be stored (RuntimeError: disk on fire); it will be retried next run"
    ]
    assert runs(db, db_rows)[0]["status"] == "partial"

    subs = db_rows(
        db,
        "SELECT submission_id, contract_ref, period_start, status, file_name, superseded_by FROM submissions ORDER BY submission_id",
    )
    assert [(s["contract_ref"], s["period_start"], s["file_name"], s["status"]) for s in subs] == [
        ("P-1", "2025-07-01", "p1-jul.csv", "accepted"),
        ("P-1", "2025-09-01", "p1-sep.csv", "accepted"),  # not superseded: that update was rolled back too
        ("P-2", "2025-09-01", "fixes.csv", "accepted"),
    ]
    assert subs[1]["superseded_by"] is None
    ids = {s["submission_id"] for s in subs}
    # No verdict or wage figure of the failed submission survived (nothing points at an unknown id), and
    # P-1's September holds exactly the first return's results.
    assert {
        x["submission_id"]
        for x in db_rows(db, "SELECT DISTINCT submission_id FROM verdicts WHERE submission_id IS NOT NULL")
    } == ids
    assert {x["submission_id"] for x in db_rows(db, "SELECT DISTINCT submission_id FROM wage_figures")} == ids
    p1_sep_id = subs[1]["submission_id"]
    assert {
        x["submission_id"]
        for x in db_rows(
            db, "SELECT submission_id FROM verdicts WHERE contract_ref = 'P-1' AND period_start = '2025-09-01'"
        )
    } == {p1_sep_id}
    assert {
        x["submission_id"]
        for x in db_rows(
            db, "SELECT submission_id FROM wage_figures WHERE contract_ref = 'P-1' AND period_start = '2025-09-01'"
        )
    } == {p1_sep_id}
    assert [x["file_name"] for x in db_rows(db, "SELECT file_name FROM files_seen ORDER BY file_name")] == [
        "p1-jul.csv",
        "p1-sep.csv",
    ]
    history = db_rows(
        db,
        "SELECT status FROM v_compliance_history WHERE contract_ref = 'P-1' AND commitment = 'real_living_wage' AND period_start = '2025-09-01'",
    )
    assert [h["status"] for h in history] == ["breach"]

    second = run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
    assert second.files_read == 1  # only the file that was not fully stored is read again
    assert (second.outcomes["accepted"], second.skipped) == (1, 1)  # P-2's September was stored already
    assert not [w for w in second.warnings if "could not be stored" in w]
    assert [x["status"] for x in runs(db, db_rows)] == ["partial", "succeeded"]
    v_subs = db_rows(
        db,
        "SELECT file_name, status FROM v_submissions WHERE contract_ref = 'P-1' AND period_start = '2025-09-01' ORDER BY submission_id",
    )
    assert [(s["file_name"], s["status"]) for s in v_subs] == [("p1-sep.csv", "superseded"), ("fixes.csv", "accepted")]
    history = db_rows(
        db,
        "SELECT commitment, status FROM v_compliance_history WHERE contract_ref = 'P-1' AND period_start = '2025-09-01'",
    )
    assert sorted((h["commitment"], h["status"]) for h in history) == [
        ("real_living_wage", "compliant"),
        ("statutory_minimum_wage", "compliant"),
    ]
    assert len(db_rows(db, "SELECT * FROM files_seen")) == 3


def test_a_later_resubmission_replaces_its_period_and_an_older_one_arriving_late_does_not(
    db, register, landing_writer, returns, db_rows
):
    r = returns
    landing_writer("p1-jul.csv", [r.paid_row("P-1", JUL, 1, "12.80")], "2025-08-10T09:00:00")
    landing_writer(
        "p1-aug.csv",
        [r.paid_row("P-1", AUG, 1, "12.00"), r.paid_row("P-1", AUG, 2, "12.50", hours="50")],
        "2025-09-10T09:00:00",
    )
    landing_writer("p1-sep.csv", [r.paid_row("P-1", SEP, 1, "12.90")], "2025-10-10T09:00:00")
    run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)

    def rlw_august():
        return db_rows(
            db,
            "SELECT status, observed_value FROM v_compliance_history "
            "WHERE contract_ref = 'P-1' AND commitment = 'real_living_wage' AND period_start = '2025-08-01'",
        )

    def uk_figures_august():
        return db_rows(
            db,
            # lowest_rate is null: under 5 workers (spec 5)
            "SELECT workers_assessed, workers_below, lowest_rate, arrears_gbp, upcoming_rate, workers_below_upcoming FROM v_wage_compliance "
            "WHERE contract_ref = 'P-1' AND rate_type = 'real_living_wage' AND period_start = '2025-08-01'",
        )

    assert rlw_august() == [{"status": "breach", "observed_value": 2}]
    # As of 2025-10-20 the 2025/26 rate (announced 2025-10-22) is not known yet: no upcoming rate.
    assert [tuple(x.values()) for x in uk_figures_august()] == [(2, 2, None, Decimal("65.00"), None, None)]
    assert [
        x["periods_in_breach"] for x in db_rows(db, "SELECT * FROM v_open_breaches WHERE contract_ref = 'P-1'")
    ] == []  # September compliant

    # The supplier corrects August (three workers now, all paid the Real Living Wage).
    landing_writer(
        "p1-aug-corrected.csv", [r.paid_row("P-1", AUG, w, "12.60") for w in (1, 2, 3)], "2025-09-20T09:00:00"
    )
    second = run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
    assert (second.files_read, second.outcomes["accepted"]) == (1, 1)
    assert rlw_august() == [{"status": "compliant", "observed_value": 0}]
    assert [tuple(x.values()) for x in uk_figures_august()] == [(3, 0, None, Decimal("0"), None, None)]
    aug = db_rows(
        db,
        "SELECT file_name, status FROM v_submissions WHERE contract_ref = 'P-1' AND period_start = '2025-08-01' ORDER BY submission_id",
    )
    assert [(s["file_name"], s["status"]) for s in aug] == [
        ("p1-aug.csv", "superseded"),
        ("p1-aug-corrected.csv", "accepted"),
    ]
    # The earlier return's results stay in the history tables, out of the views.
    assert len(db_rows(db, "SELECT * FROM verdicts WHERE contract_ref = 'P-1' AND period_start = '2025-08-01'")) == 4
    timeliness = db_rows(
        db, "SELECT status FROM v_return_timeliness WHERE contract_ref = 'P-1' AND period_start = '2025-08-01'"
    )
    assert [t["status"] for t in timeliness] == ["received_on_time"]  # the first receipt counts

    # A version received between the two arrives only now: it is kept, as superseded, and changes nothing.
    landing_writer("p1-aug-old.csv", [r.paid_row("P-1", AUG, 1, "11.00")], "2025-09-15T09:00:00")
    before = db_rows(db, "SELECT * FROM v_compliance_history WHERE contract_ref = 'P-1'")
    third = run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
    assert (third.outcomes["superseded"], third.outcomes["accepted"]) == (1, 0)
    aug = db_rows(
        db,
        "SELECT file_name, status FROM v_submissions WHERE contract_ref = 'P-1' AND period_start = '2025-08-01' ORDER BY received_at",
    )
    assert [(s["file_name"], s["status"]) for s in aug] == [
        ("p1-aug.csv", "superseded"),
        ("p1-aug-old.csv", "superseded"),
        ("p1-aug-corrected.csv", "accepted"),
    ]
    strip = lambda rows: sorted(tuple((k, v) for k, v in x.items() if k != "assessed_at") for x in rows)  # noqa: E731
    assert strip(db_rows(db, "SELECT * FROM v_compliance_history WHERE contract_ref = 'P-1'")) == strip(before)
    assert [tuple(x.values()) for x in uk_figures_august()] == [(3, 0, None, Decimal("0"), None, None)]
    assert db_rows(db, "SELECT rag FROM v_contract_status WHERE contract_ref = 'P-1'") == [{"rag": "green"}]


def test_a_file_sent_twice_or_too_large_is_neither_lost_nor_fatal(
    db, register, landing_writer, returns, db_rows, monkeypatch
):
    """The same file under two names (\"returns.csv\", \"returns (1).csv\") is one submission, the
    other not read; every file over the size limit is rejected with its reason, each one recorded."""
    monkeypatch.setenv("GWP_MAX_FILE_BYTES", "2000")
    r = returns
    first = landing_writer("returns.csv", [r.paid_row("P-1", JUL, 1, "12.80")], "2025-08-10T09:00:00")
    landing_writer("returns (1).csv", first.read_bytes(), "2025-08-10T09:05:00")
    landing_writer("big-aug.csv", [r.paid_row("P-1", AUG, w, "12.80") for w in range(1, 20)], "2025-09-10T09:00:00")
    landing_writer("big-sep.csv", [r.paid_row("P-1", SEP, w, "12.80") for w in range(1, 20)], "2025-10-10T09:00:00")
    assert all((landing_writer.folder / n).stat().st_size > 2000 for n in ("big-aug.csv", "big-sep.csv"))

    summary = run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
    # The copy is not even read (its bytes were seen earlier in this run): no submission to skip.
    assert (summary.outcomes["accepted"], summary.outcomes["rejected"], summary.skipped) == (1, 2, 0)
    assert "returns (1).csv: the same bytes as returns.csv; read once" in summary.warnings
    assert [x["status"] for x in runs(db, db_rows)] == ["succeeded"]
    subs = db_rows(db, "SELECT file_name, status, errors, file_sha256 FROM v_submissions ORDER BY received_at")
    assert [(s["file_name"], s["status"]) for s in subs] == [
        ("returns.csv", "accepted"),
        ("big-aug.csv", "rejected"),
        ("big-sep.csv", "rejected"),
    ]
    assert all("over the" in s["errors"] and "limit" in s["errors"] for s in subs[1:])
    assert all(len(s["file_sha256"]) == 64 for s in subs)
    assert len(db_rows(db, "SELECT * FROM files_seen")) == 3  # the two copies are one file

    again = run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
    assert again.files_read == 0 and not again.stored
    assert len(db_rows(db, "SELECT * FROM v_submissions")) == 3


def test_a_backlog_is_stored_in_batches_each_remembered_before_the_next_is_read(
    db, register, landing_writer, returns, db_rows, monkeypatch
):
    """Memory is bounded by a batch, not the backlog (GWP_BATCH_BYTES): three files in three batches
    give the same results as one, and each batch's files are remembered as it is stored."""
    monkeypatch.setenv("GWP_BATCH_BYTES", "1")  # every file a batch of its own
    r = returns
    landing_writer("p1-jul.csv", [r.paid_row("P-1", JUL, 1, "12.80")], "2025-08-10T09:00:00")
    landing_writer("p1-aug.csv", [r.paid_row("P-1", AUG, 1, "12.00")], "2025-09-10T09:00:00")
    landing_writer("p2-jul.csv", [r.paid_row("P-2", JUL, 1, "13.00")], "2025-08-12T09:00:00")
    read: list[tuple[list[str], int]] = []
    import gwp_monitor.pipeline as pipeline

    real = pipeline.take_in

    def take_in(files, *args, **kwargs):
        read.append(([f.name for f in files], len(db_rows(db, "SELECT * FROM files_seen"))))
        return real(files, *args, **kwargs)

    monkeypatch.setattr(pipeline, "take_in", take_in)
    summary = run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
    assert read == [(["p1-jul.csv"], 0), (["p2-jul.csv"], 1), (["p1-aug.csv"], 2)]
    assert summary.outcomes["accepted"] == 3
    assert len(db_rows(db, "SELECT * FROM files_seen")) == 3
