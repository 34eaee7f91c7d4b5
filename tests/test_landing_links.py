"""Symbolic links in the landing folder are refused with a reason, never followed to files outside it
(issue 16, item 11)."""

from __future__ import annotations

from datetime import date

from factories import make_register, numbered_contracts

from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.store.database import open_database

SEP = ("2025-09-01", "2025-09-30")


def test_links_to_a_file_or_a_folder_outside_the_landing_folder_are_refused(tmp_path, returns):
    register = make_register(tmp_path, *numbered_contracts(1, "L", start_date="2025-09-01"))
    outside = tmp_path / "secret"
    outside.mkdir()
    target = returns.csv(outside / "other.csv", [returns.paid_row("L-1", SEP, 1, "13.00")])
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "link.csv").symlink_to(target)
    (landing / "folder").symlink_to(outside, target_is_directory=True)
    database = open_database(f"sqlite:///{(tmp_path / 'r.db').as_posix()}")
    try:
        summary = run_pipeline(register, landing, database, as_of=date(2025, 11, 10))
        assert summary.files_found == 0 and not summary.stored
        refused = [w for w in summary.warnings if "symbolic link" in w]
        assert sorted(w.split(":")[0] for w in refused) == ["folder", "link.csv"]
        # Named explicitly (as the DAG's mapped tasks pass paths), a link is refused as well.
        named = run_pipeline(
            register, landing, database, as_of=date(2025, 11, 10), paths=[landing / "link.csv", target]
        )
        assert not named.stored
        assert any("link.csv: refused, it is a symbolic link" in w for w in named.warnings)
        assert any("other.csv: refused, it is outside the landing folder" in w for w in named.warnings)
    finally:
        database.engine.dispose()
