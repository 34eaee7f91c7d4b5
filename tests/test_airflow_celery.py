"""gwp_returns on a real Airflow with CeleryExecutor, on this machine: a Redis broker started by the
test, PostgreSQL as metadata database and Celery result backend, and scheduler, dag-processor,
api-server and one Celery worker started by `./dev airflow --executor celery --workers 1`
(scripts/airflow-standalone.sh) in a process group of their own.

The test triggers the DAG over a small landing folder, waits for the run to succeed, compares the
reporting views with a direct `run_pipeline` on the same files, checks the run is one `runs` row, and
stops every process it started (Airflow's group, then Redis). The cluster helper is the benchmark's
(bench/bench_airflow.py), so what is measured there is what is tested here.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2025, 11, 20)


def _bench():
    sys.path.insert(0, str(REPO / "bench"))
    import bench_airflow

    return bench_airflow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A Redis server of this test's own, on a free port of 127.0.0.1, without persistence."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    proc = subprocess.Popen(
        [
            server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("redis-server did not start listening within 20 s")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(20)


def test_gwp_returns_on_celery_matches_a_direct_run(redis_url: str, tmp_path: Path) -> None:
    pytest.importorskip("airflow.providers.celery", reason="the Celery provider is in requirements.lock")
    bench = _bench()
    common = bench.common
    if not common.postgres_available():
        pytest.skip(f"PostgreSQL at {common.PG_SERVER_URL} is unreachable")
    from gwp_monitor.demo.landing import write_demo_landing
    from gwp_monitor.pipeline import run_pipeline
    from gwp_monitor.store.database import open_database

    demo = write_demo_landing(tmp_path / "demo", seed=3, as_of=AS_OF, n_contracts=2, overwrite=True)
    with common.throwaway_postgres("celery_direct") as direct_url, common.throwaway_postgres("celery_dag") as dag_url:
        direct = open_database(direct_url)
        try:
            run_pipeline(demo.register_path, demo.landing, direct, as_of=AS_OF)
        finally:
            direct.engine.dispose()
        env = bench.gwp_env(demo.register_path, demo.landing, dag_url, tmp_path / "report")
        env["GWP_AS_OF"] = AS_OF.isoformat()
        env["AIRFLOW__CELERY__BROKER_URL"] = redis_url
        started_group = None
        with bench.running_airflow(tmp_path / "airflow", env, "celery", workers=1) as airflow:
            started_group = airflow.proc.pid
            run = airflow.run_dag("celery-test")
            assert run["state"] == "success", bench.task_table(run["tasks"])
            ingest = [t for t in run["tasks"] if t["task_id"] == "ingest"]
            assert ingest and all(t["state"] == "success" for t in ingest)
            worker_log = (tmp_path / "airflow" / "component-logs" / "worker-1.log").read_text(errors="replace")
            assert "visibility_timeout" not in worker_log, "the broker's visibility_timeout is set"
        assert bench.view_rows(dag_url) == bench.view_rows(direct_url)
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        engine = create_engine(dag_url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool)
        with engine.connect() as conn:
            runs = conn.execute(text("SELECT status, files_read FROM runs")).all()
        engine.dispose()
        assert [(r.status, r.files_read) for r in runs] == [("succeeded", len(demo.files))]
    left = subprocess.run(["pgrep", "-g", str(started_group)], capture_output=True, text=True).stdout.split()
    assert not left, f"processes of the Airflow group still running: {left}"
