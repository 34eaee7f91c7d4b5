"""`gwp-monitor status`: a contract with no submission yet says "never", not "nan" (issue 12 item 6)."""

from __future__ import annotations

import re

from factories import AS_OF

from gwp_monitor.cli import main
from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.store.database import open_database


def test_status_says_never_for_a_contract_without_submissions(tmp_path, register, capsys):
    url = f"sqlite:///{(tmp_path / 'reporting.db').as_posix()}"
    (tmp_path / "landing").mkdir()
    db = open_database(url)
    run_pipeline(register, tmp_path / "landing", db, as_of=AS_OF)
    db.engine.dispose()
    capsys.readouterr()
    assert main(["status", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "never" in out and not re.search(r"\bnan\b", out, flags=re.I)
