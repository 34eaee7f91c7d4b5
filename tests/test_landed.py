"""The landing contract (ingest.landed): a deliverer's received time, source and file name reach the
reporting database; half-written downloads and delivery records are never read as returns."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest
from factories import make_register, numbered_contracts

from gwp_monitor.ingest.intake import return_files
from gwp_monitor.ingest.landed import (
    Delivery,
    delivery_of,
    land_bytes,
    land_partial,
    partial_path,
    safe_label,
    sidecar_path,
)
from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.store.database import open_database

SEP = ("2025-09-01", "2025-09-30")
ON_TIME = datetime(2025, 10, 3, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("payroll sept.csv", "payroll sept.csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\pay\\June £.xlsx", "June _.xlsx"),
        ("\x00\x1b[31m.csv", "_31m.csv"),
        ("...", "return"),
        ("a" * 300 + ".csv", "a" * 120),
    ],
)
def test_a_suppliers_file_name_is_only_a_safe_label(given, shown):
    assert safe_label(given) == shown


def test_landing_is_atomic_and_records_the_delivery(tmp_path):
    landing = tmp_path / "landing"
    delivery = Delivery(ON_TIME, "portal", "June payroll.csv", uploaded_by="pay@supplier.example")
    landed = land_bytes(landing, b"contract_ref\n", delivery, ".CSV")
    assert landed.parent == landing and landed.suffix == ".csv" and landed.name.startswith("portal-20251003T093000Z-")
    assert delivery_of(landed) == delivery
    assert return_files(landing) == [landed]  # the hidden record is not a return
    assert not [p for p in landing.iterdir() if p.name.endswith(".part")]


def test_a_download_in_progress_is_never_a_candidate(tmp_path):
    landing = tmp_path / "landing"
    part = partial_path(landing, "sftp-file.csv")
    part.write_bytes(b"contract_ref,half a ro")
    assert return_files(landing) == []
    landed = land_partial(part, Delivery(ON_TIME, "sftp", "file.csv", source_id="sftp://h/out/file.csv"), ".csv")
    assert return_files(landing) == [landed] and not part.exists()


def test_a_broken_delivery_record_falls_back_to_the_file_time(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"x")
    sidecar_path(path).write_text("{not json", encoding="utf-8")
    assert delivery_of(path) is None


def test_naive_received_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        Delivery(datetime(2025, 10, 3), "portal", "x.csv")


def test_the_recorded_time_source_and_name_reach_the_reporting_database(tmp_path, returns, db_rows):
    """A copy made weeks later (new mtime) is still on time: the received time is the deliverer's."""
    register = make_register(tmp_path, *numbered_contracts(1, "L", start_date="2025-09-01"))
    landing = tmp_path / "landing"
    data = returns.csv(tmp_path / "made.csv", [returns.paid_row("L-1", SEP, 1, "13.00")]).read_bytes()
    landed = land_bytes(landing, data, Delivery(ON_TIME, "portal", "September pay.csv"), ".csv")
    late = datetime(2025, 11, 20, tzinfo=UTC).timestamp()
    os.utime(landed, (late, late))
    copied = returns.csv(landing / "by-hand.csv", [returns.paid_row("L-1", ("2025-10-01", "2025-10-31"), 1, "13.00")])
    os.utime(copied, (datetime(2025, 11, 3, 12, tzinfo=UTC).timestamp(),) * 2)
    database = open_database(f"sqlite:///{(tmp_path / 'r.db').as_posix()}")
    try:
        run_pipeline(register, landing, database, as_of=date(2025, 11, 25))
        rows = db_rows(
            database, "SELECT file_name, source, received_at, status FROM v_submissions ORDER BY period_start"
        )
        assert [(r["file_name"], r["source"], r["status"]) for r in rows] == [
            ("September pay.csv", "portal", "accepted"),
            ("by-hand.csv", "folder", "accepted"),
        ]
        assert str(rows[0]["received_at"]).startswith("2025-10-03")
        assert str(rows[1]["received_at"]).startswith("2025-11-03")
        timeliness = db_rows(
            database,
            "SELECT period_start, status FROM v_return_timeliness WHERE kind = 'payroll' ORDER BY period_start",
        )
        assert timeliness[0]["status"] == "received_on_time"
    finally:
        database.engine.dispose()
