"""Fault injection (issue 16): a `gwp-monitor run` killed with SIGKILL at a named SQL statement, in a
real subprocess (tests/kill_at.py hooks SQLAlchemy), then run again: the second run must finish and the
published views must equal those of a run that was never interrupted, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPORTING_BACKENDS, _reporting_database
from factories import make_register, numbered_contracts
from kill_at import MARKER

from gwp_monitor.store.database import VIEWS, make_engine

KILL_AT = Path(__file__).with_name("kill_at.py")
AS_OF = "2025-10-20"
CONTRACTS = numbered_contracts(2, "K", start_date="2025-07-01", commitments=["real_living_wage"])
JUL, AUG, SEP = ("2025-07-01", "2025-07-31"), ("2025-08-01", "2025-08-31"), ("2025-09-01", "2025-09-30")
#: Columns that differ between two correct runs: when a row was written, by which run, and surrogate keys
#: (a PostgreSQL sequence does not give back the numbers a rolled-back transaction took).
VOLATILE = {
    "assessed_at",
    "run_id",
    "created_at",
    "stored_at",
    "changed_at",
    "submission_id",
    "previous_submission_id",
    "new_submission_id",
    "supersedes_submission_id",
}


@pytest.fixture
def scenario(tmp_path, landing_writer, returns):
    """A register and a landing folder: breaches, a rejection, a resubmission."""
    r = returns
    make_register(tmp_path, *CONTRACTS)
    landing_writer("k1-jul.csv", [r.paid_row("K-1", JUL, 1, "12.80")], "2025-08-10T09:00:00")
    landing_writer(
        "k1-aug.csv", [r.paid_row("K-1", AUG, 1, "12.00"), r.paid_row("K-1", AUG, 2, "13.00")], "2025-09-10T09:00:00"
    )
    landing_writer("k1-sep.csv", [r.paid_row("K-1", SEP, 1, "12.00")], "2025-10-05T09:00:00")
    landing_writer("k1-sep-fix.csv", [r.paid_row("K-1", SEP, 1, "12.70")], "2025-10-09T09:00:00")
    landing_writer(
        "k2.csv",
        [r.paid_row("K-2", JUL, 1, "13.00"), r.payroll_row(AUG, 1, contract_ref="K-2", hours_paid="x")],
        "2025-09-12T09:00:00",
    )
    return tmp_path / "register.yaml", landing_writer.folder


class Runner:
    """`gwp-monitor run` in the children of one `tests/kill_at.py --serve` process, which has imported
    everything a run needs once: a run costs about a second instead of the ten that importing Great
    Expectations takes on a busy machine, so twenty kills per database stay affordable. Each child is a
    real process, killed by a real SIGKILL."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GWP_")}
        env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[1]), str(Path(__file__).parent)])
        self.server = subprocess.Popen(
            [sys.executable, str(KILL_AT), "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def __call__(
        self,
        pattern: str | None,
        nth: int,
        url: str,
        register: Path,
        landing: Path,
        cwd: Path,
        env: dict[str, str] | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess:
        """Run, killed before the nth statement matching `pattern` (None or nth 0: not killed; "*" with
        nth 0 counts the statements). A run still going after `timeout` s is killed and fails the test.

        Each database gets its own copy of `landing` (times kept): a run moves what it processed to the
        processed area (retention), so one database's runs must not empty another's folder."""
        key = hashlib.sha256(url.encode()).hexdigest()[:12]
        copy = cwd / f"landing-{key}"
        if not copy.exists():
            shutil.copytree(landing, copy)
        landing = copy
        env = {**(env or {}), "GWP_PROCESSED_DIR": str(cwd / f"processed-{key}")}
        args = [
            "run",
            "--contracts",
            str(register),
            "--landing",
            str(landing),
            "--db",
            url,
            "--as-of",
            AS_OF,
            "--quiet",
        ]
        job = {"pattern": pattern or "*", "nth": nth if pattern else 0, "args": args, "cwd": str(cwd), "env": env}
        assert self.server.stdin and self.server.stdout
        self.server.stdin.write(json.dumps(job) + "\n")
        self.server.stdin.flush()
        pid = json.loads(self.server.stdout.readline())["pid"]
        ready, _, _ = select.select([self.server.stdout], [], [], timeout)
        if not ready:
            os.kill(pid, signal.SIGKILL)
        done = json.loads(self.server.stdout.readline())
        assert ready, f"the run was still going after {timeout} s: {done['stderr']}"
        return subprocess.CompletedProcess(args, done["returncode"], done["stdout"], done["stderr"])

    def close(self) -> None:
        assert self.server.stdin
        self.server.stdin.close()
        self.server.wait(30)


@pytest.fixture(scope="module")
def gwp():
    runner = Runner()
    yield runner
    runner.close()


def views(url: str) -> dict[str, list]:
    """Every published view's rows as sorted text, without the columns that name a run or a time."""
    from sqlalchemy import text

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for view in VIEWS:
                result = conn.execute(text(f"SELECT * FROM {view}"))
                out[view] = sorted(
                    tuple((k, str(v)) for k, v in sorted(row._mapping.items()) if k not in VOLATILE) for row in result
                )
            return out
    finally:
        engine.dispose()


def assert_same_views(url: str, expected: dict[str, list], after: str = "") -> None:
    """Every view at `url` has the rows `expected` has; a difference is shown as the rows missing and
    the rows extra, view by view."""
    got = views(url)
    diff = {
        view: {"missing": sorted(set(rows) - set(got[view])), "extra": sorted(set(got[view]) - set(rows))}
        for view, rows in expected.items()
        if got[view] != rows
    }
    assert not diff, f"views differ from a clean run {after}: {diff}"


@pytest.fixture(params=REPORTING_BACKENDS)
def two_dbs(request, tmp_path):
    """Two empty reporting databases on one backend: the one faults are injected into, and a clean reference."""
    made = []
    for name in ("faulty", "clean"):
        (tmp_path / name).mkdir()
        made.append(_reporting_database(request.param, request, tmp_path / name))
    yield [next(gen) for gen in made]
    for gen in made:
        gen.close()


KILL_POINTS = [
    pytest.param(r"^\s*CREATE TABLE suppliers", id="create-table-suppliers"),
    pytest.param(r"CREATE UNIQUE INDEX submissions_one_accepted", id="create-index-one-accepted"),
    pytest.param(r"CREATE VIEW v_submissions", id="create-view-v_submissions"),
    pytest.param(r"^\s*INSERT INTO verdicts", id="insert-verdicts"),
    pytest.param(r"^\s*INSERT INTO files_seen", id="insert-files-seen"),
]


@pytest.mark.slow
@pytest.mark.parametrize("pattern", KILL_POINTS)
def test_a_run_killed_at_a_named_statement_is_finished_by_the_next_run(pattern, two_dbs, scenario, gwp, tmp_path):
    register, landing = scenario
    reporting_db_url, clean_url = two_dbs
    clean = gwp(None, 0, clean_url, register, landing, tmp_path)
    assert clean.returncode == 0, clean.stderr

    killed = gwp(pattern, 1, reporting_db_url, register, landing, tmp_path)
    assert killed.returncode == -signal.SIGKILL, f"the statement was never reached: {killed.stderr}"
    again = gwp(None, 0, reporting_db_url, register, landing, tmp_path)
    assert again.returncode == 0, again.stderr
    assert_same_views(reporting_db_url, views(clean_url))
    if "INSERT" in pattern:  # killed after the run was logged: the next run marked it abandoned
        assert run_statuses(reporting_db_url) == ["abandoned", "succeeded"]


def run_statuses(url: str) -> list[str]:
    from sqlalchemy import text

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT status FROM runs ORDER BY run_id")).scalars())
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("backend", REPORTING_BACKENDS)
def test_twenty_kills_at_random_statements_each_finished_by_the_next_run(backend, request, scenario, gwp, tmp_path):
    """The probe's convergence check: 20 runs killed at random statements, each from a fresh database
    so that the kill lands mid-run (once a run has finished, a later run has little left to do and a
    late statement is never reached), each finished by the next run, which must give every view a
    never-interrupted run gives."""
    import random
    from contextlib import closing

    register, landing = scenario
    with closing(_reporting_database(backend, request, tmp_path)) as clean:
        clean_url = next(clean)
        reference = gwp("*", 0, clean_url, register, landing, tmp_path)
        assert reference.returncode == 0, reference.stderr
        expected = views(clean_url)
    statements = int(re.findall(r"kill_at: (\d+) statements", reference.stderr)[-1])
    landed = []
    for i, nth in enumerate(sorted(random.Random(16).sample(range(1, statements + 1), 20))):
        folder = tmp_path / f"kill-{i}"
        folder.mkdir()
        with closing(_reporting_database(backend, request, folder)) as fresh:
            url = next(fresh)
            killed = gwp("*", nth, url, register, landing, tmp_path)
            hit = f"statement {killed.stderr.split(MARKER)[-1].strip()}" if MARKER in killed.stderr else None
            if killed.returncode == -signal.SIGKILL and hit:
                landed.append(hit)
            again = gwp(None, 0, url, register, landing, tmp_path)
            assert again.returncode == 0, f"after a kill before {hit}: {again.stderr}"
            assert_same_views(url, expected, f"after a kill before {hit}")
            assert run_statuses(url)[-1] == "succeeded" and "running" not in run_statuses(url)
    assert len(landed) == 20, f"only {len(landed)} of 20 kills landed (of {statements} statements): {landed}"


#: Short PostgreSQL limits for the silent-network tests (GWP_DB_*; the defaults are minutes).
SILENT_LIMITS = {
    "GWP_DB_CONNECT_TIMEOUT": "2",
    "GWP_DB_STATEMENT_TIMEOUT": "3",
    "GWP_DB_IDLE_TIMEOUT": "3",
    "GWP_DB_NETWORK_TIMEOUT": "3",
    "GWP_DB_RETRIES": "2",
    "GWP_DB_RETRY_DELAY": "0.5",
}


@pytest.fixture
def reference_views(request, scenario, gwp, tmp_path):
    """Every view of a never-interrupted run of the scenario on PostgreSQL."""
    from contextlib import closing

    register, landing = scenario
    (tmp_path / "clean").mkdir()
    with closing(_reporting_database("postgres", request, tmp_path / "clean")) as clean:
        clean_url = next(clean)
        assert gwp(None, 0, clean_url, register, landing, tmp_path).returncode == 0
        return views(clean_url)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_network_gone_silent_mid_run_fails_the_run_within_the_limits(
    proxied_url, scenario, reference_views, gwp, tmp_path
):
    """Mid-run, PostgreSQL's answers stop arriving and new connections hang, nothing is closed: the run
    gives up after the statement and network limits and the retries, in one line with exit 2, instead
    of waiting as long as the silence lasts; once the network is back, the next run converges."""
    url, proxy = proxied_url
    register, landing = scenario
    proxy.black_hole_on(b"INSERT INTO verdicts")
    silent = gwp(None, 0, url, register, landing, tmp_path, env=SILENT_LIMITS, timeout=120)
    assert proxy.silent_since is not None, "the run never reached the statement"
    waited = time.monotonic() - proxy.silent_since
    # The answer is given up after statement + network timeout (6 s); the write is tried twice more, each
    # connection attempt failing after the connect timeout (2 s), with 0.5 s and 1 s between (5.5 s);
    # marking the run failed gets the same (7.5 s); releasing the run lock on its silenced connection is
    # given up after 6 s: 25 s in all, 45 s on a loaded machine. Without the client-side limit the run
    # waits for as long as the silence lasts.
    assert waited < 45, f"the run hung for {waited:.0f} s: {silent.stderr}"
    assert silent.returncode == 2, silent.stdout + silent.stderr
    errors = [line for line in silent.stderr.splitlines() if line.startswith("gwp-monitor: error:")]
    assert len(errors) == 1 and "stopped answering" in errors[0], silent.stderr
    assert "Traceback" not in silent.stderr and "[SQL" not in silent.stderr
    print(f"silent network: the run gave up {waited:.1f} s after the network went silent")

    proxy.resume()
    again = gwp(None, 0, url, register, landing, tmp_path, env=SILENT_LIMITS)
    assert again.returncode == 0, again.stderr
    assert_same_views(url, reference_views)
    assert run_statuses(url) == ["abandoned", "succeeded"]


@pytest.mark.slow
@pytest.mark.postgres
def test_a_network_silent_for_a_while_is_waited_out_and_the_run_succeeds(
    proxied_url, scenario, reference_views, gwp, tmp_path
):
    """The same silence, over 7 s after it began: the answer is given up after 6 s, the transaction is
    tried again on a new connection, which gets through once the network is back, and the run ends as
    a never-interrupted run does (the abandoned transaction's session ends when the network is back and
    its client is seen to have gone, releasing its locks)."""
    import threading

    url, proxy = proxied_url
    register, landing = scenario
    proxy.black_hole_on(b"INSERT INTO verdicts")
    stop = threading.Event()

    def back_after_seven_seconds() -> None:
        while proxy.silent_since is None and not stop.wait(0.05):
            pass
        stop.wait(7)
        proxy.resume()

    thread = threading.Thread(target=back_after_seven_seconds, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        done = gwp(None, 0, url, register, landing, tmp_path, env={**SILENT_LIMITS, "GWP_DB_RETRIES": "5"}, timeout=120)
        took = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
    assert done.returncode == 0, done.stderr
    assert "trying again" in done.stderr
    assert_same_views(url, reference_views)
    assert run_statuses(url) == ["succeeded"]
    print(f"silent network for 7 s: the run succeeded in {took:.1f} s")
