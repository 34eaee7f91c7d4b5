"""`gwp-monitor report --db URL --out DIR` (spec 7): the dashboard from any reporting database.

Exit 0 with index.html and a page per contract written; exit 2 with a one-line reason, and nothing
written, when the database cannot be reached or no output folder is given. The database is the demo
run through the real pipeline (conftest's demo_dashboard), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from gwp_monitor.cli import main
from gwp_monitor.validate.data_docs import DOCS_FOLDER

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
UNREACHABLE_PG = "postgresql://postgres@127.0.0.1:1/x"


def gwp_monitor(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command line as a user runs it: a new process, no GWP_* settings from this environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GWP_")}
    env["COLUMNS"] = "200"  # rich wraps at the terminal width; keep the printed path on one line
    return subprocess.run(
        [sys.executable, "-m", "gwp_monitor.cli", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("gwp-monitor: error: ")
    return lines[0]


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_report_writes_the_dashboard_from_the_database(backend: str, demo_dashboard, tmp_path: Path) -> None:
    built = demo_dashboard(backend)
    out = tmp_path / "site"
    # The run's Data Docs already sit in the folder the dashboard is written to (run --report-dir).
    shutil.copytree(built.report_dir / DOCS_FOLDER, out / DOCS_FOLDER)
    done = gwp_monitor("report", "--db", built.db_url, "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Dashboard written" in done.stdout and str(out / "index.html") in done.stdout
    assert done.stderr == ""

    with built.database.engine.connect() as conn:
        refs = conn.execute(text("SELECT contract_ref FROM v_contract_status")).scalars().all()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Contracts overview" in index
    assert all(f'data-ref="{ref}"' in index for ref in refs)
    assert sorted(p.name for p in (out / "contract").glob("*.html")) == sorted(f"{ref}.html" for ref in refs)
    # No --as-of: the latest run's as-of date is shown, not today's.
    assert '<time datetime="2026-03-15">15 Mar 2026</time>' in index
    # The audit trails link to the Data Docs pages found in the output folder.
    pages = "".join(p.read_text(encoding="utf-8") for p in (out / "contract").glob("*.html"))
    linked = {part.split('"', 1)[0] for part in pages.split(f'href="../{DOCS_FOLDER}/')[1:]}
    assert linked and all((out / DOCS_FOLDER / name).is_file() for name in linked)
    # The same pages as the demo's own report, but for the generated time.
    ours = (out / "contract" / f"{refs[0]}.html").read_text(encoding="utf-8")
    demo = (built.report_dir / "contract" / f"{refs[0]}.html").read_text(encoding="utf-8")
    assert _without_generated_time(ours) == _without_generated_time(demo)


def _without_generated_time(page: str) -> str:
    start = page.index("<dt>Generated</dt>")
    return page[:start] + page[page.index("</dd>", start) :]


@pytest.mark.slow
def test_report_with_the_database_unreachable_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    done = gwp_monitor("report", "--db", UNREACHABLE_PG, "--out", str(out), cwd=tmp_path)
    assert done.returncode == 2, done
    line = one_line_error(done.stderr)
    assert "cannot reach the reporting database" in line and "127.0.0.1:1" in line
    assert done.stdout == ""
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_report_without_an_output_folder_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GWP_REPORT_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--db", f"sqlite:///{(tmp_path / 'gwp.db').as_posix()}"]) == 2
    out, err = capsys.readouterr()
    assert "no output folder given" in one_line_error(err) and out == ""
    assert list(tmp_path.iterdir()) == []  # checked before the database is opened (and created)


def test_report_help_names_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert "--db URL" in help_text and "--out OUT" in help_text and "--as-of" in help_text
