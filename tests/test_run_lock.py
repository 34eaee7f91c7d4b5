"""One run at a time per reporting database (issue 16, items 6 and 8): a second run waits for the first
and says so, a run killed earlier is marked abandoned by the next one and the dashboard says so, and a
storing failure's warning carries no SQL or parameters.
"""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from factories import make_register, numbered_contracts
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.report.build import build_report
from gwp_monitor.store import writes
from gwp_monitor.store.database import open_database
from gwp_monitor.store.runs import RunInProgress, run_lock

AS_OF = date(2025, 11, 10)
SEP = ("2025-09-01", "2025-09-30")


@pytest.fixture
def db(reporting_db_url):
    database = open_database(reporting_db_url)
    yield database
    database.engine.dispose()


@pytest.fixture
def register(tmp_path):
    return make_register(tmp_path, *numbered_contracts(1, "R", start_date="2025-09-01"))


def statuses(db) -> list[str]:
    with db.engine.connect() as conn:
        return list(conn.execute(text("SELECT status FROM runs ORDER BY run_id")).scalars())


def test_a_run_left_running_by_a_kill_is_marked_abandoned_and_the_dashboard_says_so(db, register, tmp_path):
    writes.start_run(db, AS_OF, "landing")  # what a run killed with SIGKILL leaves behind
    (tmp_path / "landing").mkdir()
    summary = run_pipeline(register, tmp_path / "landing", db, as_of=AS_OF)
    assert statuses(db) == ["abandoned", "succeeded"]
    assert any("1 earlier run(s) had been interrupted" in w for w in summary.warnings)
    index = build_report(db, tmp_path / "report", AS_OF).read_text(encoding="utf-8")
    assert "1 run(s) were interrupted and marked abandoned" in index


def test_a_second_run_waits_for_the_first_and_says_so(db, register, tmp_path):
    (tmp_path / "landing").mkdir()
    told: list[str] = []
    done = threading.Event()
    holder = open_database(str(db.engine.url.render_as_string(hide_password=False)).replace("+psycopg", ""))
    try:
        with run_lock(holder):

            def second() -> None:
                run_pipeline(register, tmp_path / "landing", db, as_of=AS_OF, on_wait=told.append)
                done.set()

            thread = threading.Thread(target=second)
            thread.start()
            time.sleep(2.5)
            assert not done.is_set(), "the second run must wait while the first holds the lock"
            assert statuses(db) == [], "and must not even log itself yet"
            with (
                pytest.raises(RunInProgress, match="another run is in progress .* nothing was done"),
                run_lock(db, wait=0),
            ):
                pass
        thread.join(60)
        assert done.is_set()
        assert len(told) == 1 and "another run is in progress" in told[0] and "waiting" in told[0]
        assert statuses(db) == ["succeeded"]
    finally:
        holder.engine.dispose()


def test_a_storing_failure_warning_names_the_error_without_sql_or_parameters(db, register, tmp_path, returns):
    landing = tmp_path / "landing"
    landing.mkdir()
    returns.csv(landing / "r1.csv", [returns.paid_row("R-1", SEP, 1, "13.00")])

    def fail(conn) -> None:
        raise IntegrityError("INSERT INTO verdicts (a) VALUES (?)", {"a": "secret-param"}, Exception("dup key"))

    summary = run_pipeline(register, landing, db, as_of=AS_OF, store_hook=fail)
    (warning,) = [w for w in summary.warnings if "could not be stored" in w]
    assert warning == "r1.csv: could not be stored (Exception: dup key); it will be retried next run"
