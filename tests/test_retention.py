"""Retention of raw return files (spec 6, 9): processed files move out of the landing folder and are
deleted after GWP_RETENTION_DAYS; and the orchestration steps the DAGs run for sources and retention."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from factories import contract, write_register

from gwp_monitor import orchestration
from gwp_monitor.cli import main
from gwp_monitor.config.settings import Settings
from gwp_monitor.ingest.intake import return_files
from gwp_monitor.ingest.landed import Delivery, land_bytes, partial_path, sidecar_path
from gwp_monitor.notify.delivery import OperationalError
from gwp_monitor.sources.retention import RetentionError, purge, retire

DAY = date(2026, 11, 30)


def landed_file(landing: Path, text: str) -> Path:
    delivery = Delivery(datetime(2026, 11, 2, 9, tzinfo=UTC), "sftp", "returns.csv", source_id=text)
    return land_bytes(landing, text.encode(), delivery, ".csv")


def test_retire_moves_files_with_their_delivery_records_out_of_the_landing_scan(tmp_path):
    landing, processed = tmp_path / "landing", tmp_path / "processed"
    first = landed_file(landing, "a")
    by_hand = landing / "sub" / "copied.csv"
    by_hand.parent.mkdir()
    by_hand.write_text("b")

    moved = retire(landing, processed, [first, by_hand], today=DAY)
    assert moved == [processed / "2026-11-30" / first.name, processed / "2026-11-30" / "sub" / "copied.csv"]
    assert sidecar_path(moved[0]).is_file() and not sidecar_path(first).exists()
    assert return_files(landing) == []

    again = landing / "sub" / "copied.csv"  # the same name delivered again the same day: kept apart
    again.write_text("c")
    assert retire(landing, processed, [again], today=DAY) == [processed / "2026-11-30" / "sub" / "copied-2.csv"]


def test_a_processed_area_inside_the_landing_folder_is_refused(tmp_path):
    with pytest.raises(RetentionError, match="overlaps the landing folder"):
        retire(tmp_path / "landing", tmp_path / "landing" / "processed", [])


def test_purge_deletes_days_older_than_the_retention_period_and_abandoned_downloads(tmp_path):
    landing, processed = tmp_path / "landing", tmp_path / "processed"
    for day in ("2026-08-31", "2026-09-01", "2026-11-29"):
        (processed / day).mkdir(parents=True)
        (processed / day / "r.csv").write_text("x")
        (processed / day / ".r.csv.gwp.json").write_text("{}")
    (processed / "notes").mkdir()  # not a day folder: never touched
    stale, live = partial_path(landing, "old"), partial_path(landing, "new")
    stale.write_bytes(b"half")
    live.write_bytes(b"half")
    os.utime(stale, (time.time() - 3 * 86400,) * 2)

    dry = purge(processed, 90, today=DAY, landing=landing, dry_run=True)
    assert (dry.days, dry.files, len(dry.parts)) == (["2026-08-31"], 1, 1)
    assert (processed / "2026-08-31").is_dir() and stale.exists()

    done = purge(processed, 90, today=DAY, landing=landing)
    assert done.days == ["2026-08-31"]
    assert sorted(p.name for p in processed.iterdir()) == ["2026-09-01", "2026-11-29", "notes"]
    assert not stale.exists() and live.exists()


def test_landing_purge_command(tmp_path, monkeypatch, capsys):
    processed = tmp_path / "processed"
    (processed / "2025-01-01").mkdir(parents=True)
    (processed / "2025-01-01" / "old.csv").write_text("x")
    monkeypatch.setenv("GWP_AS_OF", "2026-11-30")
    args = ["landing", "purge", "--landing", str(tmp_path / "landing")]
    assert main([*args, "--dry-run"]) == 0
    assert "Would delete 1 file(s)" in capsys.readouterr().out and (processed / "2025-01-01").exists()
    assert main([*args, "--retention-days", "365"]) == 0
    assert not (processed / "2025-01-01").exists()
    assert "2025-01-01" in capsys.readouterr().out


def test_orchestration_lists_register_sources_and_a_down_source_fails_its_task_with_one_line(tmp_path):
    supplier_source = "sftp://acme@sftp.acme.example/returns"
    register = write_register(
        tmp_path / "register.yaml",
        contract("SRC-1", supplier_id="01234567"),
    )
    text = register.read_text().replace(
        "name: Test Supplier Ltd", f"name: Test Supplier Ltd\n    source: {supplier_source}"
    )
    register.write_text(text)
    down = "sftp://nobody@127.0.0.1:1/returns"
    settings = Settings.load(
        environ={
            "GWP_REGISTER": str(register),
            "GWP_SOURCES": f"portal,{down}",
            "GWP_LANDING_DIR": str(tmp_path / "landing"),
            "GWP_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
            "GWP_SOURCE_TIMEOUT": "3",
        }
    )
    assert orchestration.landing_sources(settings) == ["portal", down, "sftp://acme@sftp.acme.example:22/returns"]
    assert orchestration.fetch_source(settings, "portal")["landed"] == 0
    with pytest.raises(OperationalError) as failed:
        orchestration.fetch_source(settings, down)
    assert (
        str(failed.value)
        == f"{down}: cannot connect to 127.0.0.1:1 (Connection refused): is the server up and reachable?"
    )
    assert orchestration.purge_processed(settings) == {"days_deleted": [], "files_deleted": 0, "abandoned_downloads": 0}
