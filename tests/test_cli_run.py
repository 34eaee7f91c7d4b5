"""`gwp-monitor run`, `status` and `db upgrade` (spec 7): exit 0 when the run did its work, whatever
suppliers sent; exit 2 with a one-line reason on an operational failure, having written nothing."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from factories import contract, register_yaml
from sqlalchemy import create_engine, inspect

from gwp_monitor.cli import main

UNREACHABLE_PG = "postgresql://postgres:s3cret-pw@127.0.0.1:1/x"
GOOD_REGISTER = register_yaml(
    contract(
        "CLI-1",
        title="Home care",
        supplier_id="88888888",
        supplier_name="Cli Care Ltd",
        start_date="2025-09-01",
        commitments=["real_living_wage"],
    ),
    contract(
        "CLI-2", title="Cleaning", supplier_id="99999999", supplier_name="Cli Cleaning Ltd", start_date="2025-09-01"
    ),
)
#: Three problems: an unknown commitment type, an end before the start, a duplicate contract_ref.
BAD_REGISTER = register_yaml(
    contract(
        "CLI-1",
        title="Home care",
        supplier_id="88888888",
        supplier_name="Cli Care Ltd",
        start_date="2025-09-01",
        end_date="2025-01-31",
        commitments=["living_wage_ish"],
    ),
    contract(
        "CLI-1", title="Home care again", supplier_id="88888888", supplier_name="Cli Care Ltd", start_date="2025-09-01"
    ),
)
SEP = ("2025-09-01", "2025-09-30")


def write_register_text(folder: Path, text: str) -> Path:
    path = folder / "register.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(register: Path, landing: Path, *options: str) -> int:
    """`gwp-monitor run` as of 10 November 2025, quietly, with `options` (such as --db URL)."""
    return main(
        ["run", "--contracts", str(register), "--landing", str(landing), *options, "--as-of", "2025-11-10", "--quiet"]
    )


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("gwp-monitor: error: ")
    return lines[0]


def nothing_written(url: str, tmp_path) -> None:
    if url.startswith("sqlite:///"):
        assert not list(tmp_path.glob("reporting.db*"))
        return
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        found = inspect(engine)
        assert found.get_table_names() == [] and found.get_view_names() == []
    finally:
        engine.dispose()


@pytest.fixture
def landing(landing_writer, returns):
    landing_writer(
        "cli1-sep.csv",
        [returns.paid_row("CLI-1", SEP, 1, "12.00"), returns.paid_row("CLI-1", SEP, 2, "13.00")],
        "2025-10-05T09:00:00",
    )
    landing_writer(
        "cli2-sep.csv",
        [
            returns.paid_row("CLI-2", SEP, 1, "13.00"),
            returns.payroll_row(SEP, 2, contract_ref="CLI-2", age_band="adult"),
        ],
        "2025-10-06T09:00:00",
    )
    return landing_writer.folder


def snapshot(folder) -> dict:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}


def test_status_with_postgres_unreachable_exits_2_with_one_line_and_no_password(tmp_path, console_script):
    """Through the console script, as an operator runs it: the exit code and stderr of a real process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GWP_")}
    done = subprocess.run(
        [*console_script, "status", "--db", UNREACHABLE_PG],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2, done
    line = one_line_error(done.stderr)
    assert "cannot reach the reporting database" in line and "127.0.0.1:1" in line
    assert "s3cret-pw" not in done.stderr + done.stdout
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_run_with_postgres_unreachable_exits_2_and_leaves_the_landing_folder_alone(tmp_path, landing, capsys):
    before = snapshot(landing)
    code = run_cli(write_register_text(tmp_path, GOOD_REGISTER), landing, "--db", UNREACHABLE_PG)
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot reach the reporting database" in one_line_error(err) and "s3cret-pw" not in err
    assert snapshot(landing) == before


def test_run_with_an_invalid_register_exits_2_lists_every_problem_and_writes_nothing(
    reporting_db_url, tmp_path, landing, capsys
):
    before = snapshot(landing)
    code = run_cli(write_register_text(tmp_path, BAD_REGISTER), landing, "--db", reporting_db_url)
    assert code == 2
    out, err = capsys.readouterr()
    assert "is invalid (3 problem(s))" in one_line_error(err)
    assert "living_wage_ish" in out and "CLI-1" in out and "end_date" in out
    nothing_written(reporting_db_url, tmp_path)
    assert snapshot(landing) == before


def test_run_exits_0_with_breaches_and_rejections_and_status_reports_them(
    reporting_db_url, tmp_path, landing, capsys, monkeypatch
):
    monkeypatch.delenv("GWP_DATABASE_URL", raising=False)
    code = run_cli(write_register_text(tmp_path, GOOD_REGISTER), landing, "--db", reporting_db_url)
    out, err = capsys.readouterr()
    assert code == 0, err
    words = " ".join(out.split())  # rich wraps lines at the terminal width
    assert "as of 2025-11-10" in words and "1 accepted, 1 rejected" in words

    assert main(["status", "--db", reporting_db_url, "--format", "json"]) == 0
    status = {r["contract_ref"]: r for r in json.loads(capsys.readouterr().out)}
    assert {ref: (r["rag"], r["open_breaches"], r["overdue_returns"]) for ref, r in status.items()} == {
        "CLI-1": ("red", 2, 0),  # September below the statutory minimum and the Real Living Wage
        "CLI-2": ("amber", 0, 1),  # its only return was rejected: September is overdue
    }
    assert status["CLI-1"]["supplier_name"] == "Cli Care Ltd"

    # The URL from the environment when there is no --db; CSV has the view's columns.
    monkeypatch.setenv("GWP_DATABASE_URL", reporting_db_url)
    assert main(["status", "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(table[0]) == [
        "contract_ref",
        "supplier_name",
        "rag",
        "open_breaches",
        "overdue_returns",
        "last_submission_at",
    ]
    assert [(r["contract_ref"], r["rag"]) for r in table] == [("CLI-1", "red"), ("CLI-2", "amber")]
    assert table[0]["last_submission_at"].startswith("2025-10-05")

    # The files moved to the processed area (retention, spec 9): the landing folder is empty.
    processed = sorted((landing.parent / "processed").glob("*/*.csv"))
    assert [p.name for p in processed] == ["cli1-sep.csv", "cli2-sep.csv"]
    assert not [p for p in landing.iterdir() if not p.name.startswith(".")]
    for path in processed:  # the same files delivered again
        shutil.copy2(path, landing / path.name)

    # Run again: nothing new, still exit 0, and the status is unchanged.
    assert run_cli(tmp_path / "register.yaml", landing) == 0
    assert "2 file(s) in the landing folder, 0 new" in " ".join(capsys.readouterr().out.split())
    assert main(["status", "--format", "json"]) == 0
    again = {r["contract_ref"]: r for r in json.loads(capsys.readouterr().out)}
    assert {k: v["rag"] for k, v in again.items()} == {"CLI-1": "red", "CLI-2": "amber"}


def test_db_upgrade_creates_then_finds_the_schema_up_to_date(reporting_db_url, capsys):
    assert main(["db", "upgrade", "--db", reporting_db_url]) == 0
    first = capsys.readouterr().out
    assert "applied migration(s) 1" in first
    assert main(["db", "upgrade", "--db", reporting_db_url]) == 0
    assert "schema up to date" in capsys.readouterr().out
    engine = create_engine(reporting_db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        assert {"v_contract_status", "v_open_breaches", "v_submissions"} <= set(inspect(engine).get_view_names())
    finally:
        engine.dispose()
