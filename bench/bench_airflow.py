"""The gwp_returns DAG under a real scheduler against `gwp-monitor run` on the same files.

* floor: `gwp-monitor run` in a fresh process (interpreter start, imports, GX context, the run, its
  Data Docs) over N demo return files, into a new PostgreSQL database.
* figure: the same N files through `gwp_returns` on a real Airflow (scheduler, dag-processor and
  api-server as separate processes, started by `./dev airflow --executor ...`, i.e.
  scripts/airflow-standalone.sh; PostgreSQL metadata database in a database of its own), from the
  trigger to the run's success (dag_run.queued_at to end_date). The DAG does more than the command
  (it also refreshes timeliness, sends alerts and renders the dashboard); that is charged to it.
* target: figure <= 2x floor, with LocalExecutor. CeleryExecutor (Redis broker at 127.0.0.1:6379) rows
  are measured with `--celery-workers 1 2` and are informational.

Also printed: files per minute for each, every task's queue wait and duration, the cost of importing
GX and gwp_monitor in a fresh process (what each task process pays once), and whether the DAG's views
equal the direct run's.

    python bench/bench_airflow.py [--files N] [--celery-workers 1 2] [--no-local]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import AS_OF, Row, check_ratio, info, log, report  # noqa: E402

SCRIPT = common.ROOT / "scripts" / "airflow-standalone.sh"
VIEWS = ("v_contract_status", "v_open_breaches")
#: Seconds to wait for Airflow to come up (parse the DAG) and for one run to finish.
START_TIMEOUT = 300
RUN_TIMEOUT = 3600


def landing_of(files: int) -> tuple[Path, Path, Path]:
    """(register, landing folder with exactly `files` demo return files, one more file kept aside for
    the latency measurement), cached per count."""
    from gwp_monitor.demo.landing import write_demo_landing
    from gwp_monitor.ingest.intake import return_files

    folder = common.DATA / f"airflow-{files}-v3"
    done = folder / ".complete"
    if not done.exists():
        log(f"writing {files} demo return files")
        shutil.rmtree(folder, ignore_errors=True)
        demo = write_demo_landing(folder, seed=11, as_of=AS_OF, n_contracts=math.ceil(files / 6) + 1, overwrite=True)
        listed = return_files(demo.landing)
        (folder / "aside").mkdir()
        listed[files].rename(folder / "aside" / listed[files].name)
        for extra in listed[files + 1 :]:
            extra.unlink()
        done.write_text("ok\n")
    return folder / "register.yaml", folder / "landing", next((folder / "aside").iterdir())


def landing_copy(landing: Path, folder: Path) -> Path:
    """A copy of the landing folder (times kept) for one measurement: a run moves the files it stored
    to the processed area beside its landing folder (retention), so no two runs may share one."""
    copy = folder / "landing"
    shutil.copytree(landing, copy)
    return copy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def api_answers(port: int) -> bool:
    """The api-server on `port` answers (task processes report to its Execution API: a task started
    before it listens fails at once)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5) as answer:
            return answer.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


def gwp_env(register: Path, landing: Path, url: str, report_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GWP_", "AIRFLOW"))}
    env.update(
        GWP_DATABASE_URL=url,
        GWP_REGISTER=str(register),
        GWP_LANDING_DIR=str(landing),
        GWP_REPORT_DIR=str(report_dir),
        GWP_AS_OF=AS_OF.isoformat(),
        GWP_TASK_RETRIES="1",
        GWP_RETURNS_SCHEDULE="0 3 29 2 *",  # 29 February: no scheduled run since start_date to catch up on
        PYTHONUNBUFFERED="1",
    )
    return env


def gwp_monitor_command() -> list[str]:
    script = Path(sys.executable).with_name("gwp-monitor")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "gwp_monitor.cli"]


def direct_run(register: Path, landing: Path, url: str, report_dir: Path) -> float:
    env = gwp_env(register, landing, url, report_dir)
    env["PYTHONPATH"] = str(common.ROOT)
    started = time.perf_counter()
    subprocess.run(
        [*gwp_monitor_command(), "run", "--quiet", "--contracts", str(register), "--landing", str(landing),
         "--db", url, "--as-of", AS_OF.isoformat(), "--report-dir", str(report_dir)],
        env=env, cwd=common.ROOT, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def import_cost(module: str) -> float:
    """Seconds a fresh interpreter takes to import `module` (what each task process pays once)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(common.ROOT)},
    )
    return float(done.stdout.strip().splitlines()[-1])


class LocalAirflow:
    """Airflow started by `scripts/airflow-standalone.sh --executor MODE [--workers N]` in a process
    group of its own, on a PostgreSQL metadata database; `stop()` ends the whole group."""

    def __init__(self, home: Path, metadata_url: str, env: dict[str, str], mode: str, workers: int = 1) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self.home, self.mode, self.workers = home, mode, workers
        self.port = free_port()
        self.env = {
            **env,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW_PORT": str(self.port),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url.replace("postgresql://", "postgresql+psycopg://", 1),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            # Only the DAG measured runs: the others stay paused (their daily and monthly runs would
            # otherwise start at once and share the two cores).
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(common.ROOT),
        }
        self.metadata = create_engine(self.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], poolclass=NullPool)
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        args = ["bash", str(SCRIPT), "--executor", self.mode]
        if self.mode == "celery":
            args += ["--workers", str(self.workers)]
        self.home.mkdir(parents=True, exist_ok=True)
        self.log = (self.home / "airflow.log").open("wb")
        self.proc = subprocess.Popen(
            args, env=self.env, cwd=common.ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Airflow exited ({self.proc.returncode}); see {self.home / 'airflow.log'}")
            if self._scalar("SELECT COUNT(*) FROM serialized_dag WHERE dag_id = 'gwp_returns'") and self._api_up():
                self.airflow("dags", "unpause", "gwp_returns")
                return
            time.sleep(1)
        raise RuntimeError(f"gwp_returns was not parsed within {START_TIMEOUT} s; see {self.home}")

    def _api_up(self) -> bool:
        return api_answers(self.port)

    def _scalar(self, sql: str, **params: object) -> object:
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with self.metadata.connect() as conn:
                return conn.execute(text(sql), params).scalar()
        except SQLAlchemyError:  # not migrated yet
            return None

    def airflow(self, *args: str) -> None:
        subprocess.run(
            ["bash", str(SCRIPT), *args], env=self.env, cwd=common.ROOT, check=True, stdout=subprocess.DEVNULL
        )

    def run_dag(self, run_id: str) -> dict:
        """Trigger gwp_returns and wait for it to finish; its timings from the metadata database."""
        from sqlalchemy import text

        self.airflow("dags", "trigger", "gwp_returns", "--run-id", run_id)
        deadline = time.monotonic() + RUN_TIMEOUT
        state = None
        while time.monotonic() < deadline:
            state = self._scalar("SELECT state FROM dag_run WHERE dag_id = 'gwp_returns' AND run_id = :r", r=run_id)
            if state in ("success", "failed"):
                break
            time.sleep(1)
        with self.metadata.connect() as conn:
            run = conn.execute(
                text(
                    "SELECT EXTRACT(EPOCH FROM end_date - queued_at) AS total,"
                    " EXTRACT(EPOCH FROM start_date - queued_at) AS queued"
                    " FROM dag_run WHERE dag_id = 'gwp_returns' AND run_id = :r"
                ),
                {"r": run_id},
            ).one()
            tasks = [
                dict(r._mapping)
                for r in conn.execute(
                    text(
                        "SELECT task_id, map_index, state, EXTRACT(EPOCH FROM start_date - queued_dttm) AS wait_s,"
                        " duration AS run_s, EXTRACT(EPOCH FROM queued_dttm) AS queued_at,"
                        " EXTRACT(EPOCH FROM start_date) AS started_at, EXTRACT(EPOCH FROM end_date) AS ended_at"
                        " FROM task_instance WHERE dag_id = 'gwp_returns' AND run_id = :r ORDER BY start_date"
                    ),
                    {"r": run_id},
                )
            ]
        for t in tasks:
            t.update(task_log_times(self.home / "logs", run_id, t["task_id"], t["map_index"]))
        return {"state": state, "total_s": float(run.total or 0), "queued_s": float(run.queued or 0), "tasks": tasks}

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        with_leftovers = (
            subprocess.run(["pgrep", "-g", str(self.proc.pid)], capture_output=True, text=True) if self.proc else None
        )
        if with_leftovers is not None and with_leftovers.stdout.strip():
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.metadata.dispose()


@contextmanager
def running_airflow(home: Path, env: dict[str, str], mode: str, workers: int = 1) -> Iterator[LocalAirflow]:
    with common.throwaway_postgres("airflow_meta") as metadata_url:
        airflow = LocalAirflow(home, metadata_url, env, mode, workers)
        try:
            airflow.start()
            yield airflow
        finally:
            airflow.stop()


def one_file_latency(airflow: LocalAirflow, url: str, landing: Path, aside: Path) -> float:
    """Seconds from a new file landing to its submission in the database, the way the portal starts a
    run: an asset event for `gwp_landing` posted to Airflow's REST API (gwp_monitor.portal.airflow_trigger),
    then the scheduler creating the run, and open_run + one batch storing the file."""
    import json

    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from gwp_monitor.config.settings import Settings
    from gwp_monitor.portal.airflow_trigger import announce_landing

    passwords = json.loads((airflow.home / "simple_auth_manager_passwords.json.generated").read_text())
    user, password = next(iter(passwords.items()))
    settings = Settings.load(
        airflow_api_url=f"http://127.0.0.1:{airflow.port}", airflow_api_user=user, airflow_api_password=password
    )
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool)
    target = landing / aside.name
    try:
        started = time.perf_counter()
        shutil.copy2(aside, target)
        announced = announce_landing(settings, {"file": aside.name})
        if not announced.started:
            raise RuntimeError(f"the asset event was not posted: {announced.message}")
        while time.perf_counter() - started < RUN_TIMEOUT:
            with engine.connect() as conn:
                if conn.execute(text("SELECT 1 FROM submissions WHERE file_name = :n"), {"n": aside.name}).first():
                    return time.perf_counter() - started
            time.sleep(0.2)
        raise RuntimeError(f"{aside.name} was not stored within {RUN_TIMEOUT} s")
    finally:
        target.unlink(missing_ok=True)  # moved to the processed area once stored
        engine.dispose()


def view_rows(url: str) -> dict[str, list]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {v: sorted(tuple(map(str, r)) for r in conn.execute(text(f"SELECT * FROM {v}"))) for v in VIEWS}
    finally:
        engine.dispose()


def task_log_times(logs: Path, run_id: str, task_id: str, map_index: int | None) -> dict[str, float]:
    """When the task process had parsed the DAG file and when the task's own code returned, from the
    timestamps of its log (JSON lines): what splits a task's duration into start-up and work."""
    import json
    from datetime import datetime

    folder = logs / "dag_id=gwp_returns" / f"run_id={run_id}" / f"task_id={task_id}"
    if map_index is not None and map_index >= 0:
        folder = folder / f"map_index={map_index}"
    times: dict[str, float] = {}
    for path in sorted(folder.glob("attempt=*.log"))[-1:]:
        for line in path.read_text(errors="replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            when = datetime.fromisoformat(event.get("timestamp", "").replace("Z", "+00:00")).timestamp()
            text = str(event.get("event", ""))
            if text.startswith("Worker startup parse complete"):
                times["parsed_at"] = when
            elif text.startswith("Done. Returned value"):
                times["returned_at"] = when
    return times


def overhead_table(tasks: list[dict], run_queued_s: float) -> str:
    """Each task's time split: the scheduler noticing its upstream ended (gap), a free slot and the task
    process starting (start: fork, the Execution API's hand-shake), parsing the DAG file (parse), its
    own code (work: settings, database session, the step itself; GX and gwp-monitor are preloaded, so
    no import) and reporting back (XCom and state)."""
    done = [t for t in tasks if t.get("started_at") and t.get("ended_at")]
    lines = [f"    {'task':<18} {'gap':>6} {'start':>6} {'parse':>6} {'work':>6} {'report':>7}"]
    totals = dict.fromkeys(("gap", "start", "parse", "work", "report"), 0.0)
    for t in sorted(done, key=lambda t: float(t["started_at"])):
        started, ended = float(t["started_at"]), float(t["ended_at"])
        queued = float(t["queued_at"] or started)  # None when the slot took it at once (Celery)
        upstream = [float(u["ended_at"]) for u in done if float(u["ended_at"]) <= queued]
        parts = {
            "gap": queued - max(upstream) if upstream else 0.0,
            "start": started - queued,
            "parse": t.get("parsed_at", started) - started,
            "work": t.get("returned_at", ended) - t.get("parsed_at", started),
            "report": ended - t.get("returned_at", ended),
        }
        for k, v in parts.items():
            totals[k] += v
        name = t["task_id"] + ("" if t["map_index"] is None or t["map_index"] < 0 else f"[{t['map_index']}]")
        lines.append(f"    {name:<18} " + " ".join(f"{v:>5.2f}s" for v in parts.values()))
    lines.append(f"    {'all tasks':<18} " + " ".join(f"{v:>5.2f}s" for v in totals.values()))
    lines.append(f"    (and {run_queued_s:.2f} s from the trigger to the run's first task being scheduled)")
    return "\n".join(lines)


def task_table(tasks: list[dict]) -> str:
    lines = [f"    {'task':<24} {'queue wait':>10} {'duration':>9}  state"]
    for t in tasks:
        name = t["task_id"] + ("" if t["map_index"] is None or t["map_index"] < 0 else f"[{t['map_index']}]")
        wait = "-" if t["wait_s"] is None else f"{float(t['wait_s']):.1f} s"
        run = "-" if t["run_s"] is None else f"{float(t['run_s']):.1f} s"
        lines.append(f"    {name:<24} {wait:>10} {run:>9}  {t['state']}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--celery-workers", type=int, nargs="*", default=[], help="e.g. 1 2 (needs Redis)")
    parser.add_argument("--no-local", action="store_true", help="skip the LocalExecutor measurement")
    args = parser.parse_args()
    if not common.postgres_available():
        log(f"PostgreSQL at {common.PG_SERVER_URL} is unreachable: this benchmark needs it")
        return 2
    common.warn_if_busy()
    register, landing, aside = landing_of(args.files)
    work = common.fresh_dir("airflow")
    rows: list[Row] = []
    details: dict = {"files": args.files}
    per_minute = lambda seconds: args.files / seconds * 60  # noqa: E731

    with common.throwaway_postgres("direct") as url:
        log(f"gwp-monitor run over {args.files} files")
        direct_s = direct_run(register, landing_copy(landing, work / "direct"), url, work / "direct-report")
        expected = view_rows(url)
    rows.append(info(f"gwp-monitor run, {args.files} files", direct_s, note=f"{per_minute(direct_s):.0f} files/min"))
    details["direct_s"] = direct_s
    details["import_great_expectations_s"] = import_cost("great_expectations")
    details["import_orchestration_s"] = import_cost("gwp_monitor.orchestration")
    rows.append(info("fresh process: import great_expectations", details["import_great_expectations_s"]))
    rows.append(info("fresh process: import gwp_monitor.orchestration", details["import_orchestration_s"]))

    configs = ([] if args.no_local else [("local", 1)]) + [("celery", n) for n in args.celery_workers]
    for mode, workers in configs:
        label = "LocalExecutor" if mode == "local" else f"CeleryExecutor, {workers} worker(s)"
        with ExitStack() as stack:
            url = stack.enter_context(common.throwaway_postgres("dag"))
            dag_landing = work / f"{mode}-{workers}" / "landing"
            dag_landing.mkdir(parents=True)
            env = gwp_env(register, dag_landing, url, work / f"{mode}-{workers}-report")
            log(f"starting Airflow ({label})")
            airflow = stack.enter_context(running_airflow(work / f"airflow-{mode}-{workers}", env, mode, workers))
            # A deployed Airflow runs for weeks: its components' one-off start-up costs (the api-server
            # answers its first task ~3 s late) belong to no run. One run over an empty landing folder
            # pays them, and is reported on its own line; then the files land and the measured run starts.
            log(f"first run after start, no files ({label})")
            cold = airflow.run_dag(f"bench-{mode}-{workers}-first")
            shutil.rmtree(dag_landing)
            landing_copy(landing, dag_landing.parent)
            log(f"gwp_returns over {args.files} files ({label})")
            run = airflow.run_dag(f"bench-{mode}-{workers}")
            run["first_run_no_files_s"] = cold["total_s"]
            same = view_rows(url) == expected
            if mode == "local" and run["state"] == "success":
                run["one_file_latency_s"] = one_file_latency(airflow, url, dag_landing, aside)
        print(
            f"\n{label}: run {run['state']} in {run['total_s']:.1f} s (queued {run['queued_s']:.1f} s); views equal the direct run's: {same}"
        )
        print(task_table(run["tasks"]))
        print(
            "  where each task's time went (seconds; upstream end -> queued -> running -> parsed -> returned -> end):"
        )
        print(overhead_table(run["tasks"], run["queued_s"]))
        details[label] = {**run, "views_equal_direct": same}
        if run["state"] != "success" or not same:
            log(f"{label}: the run did not succeed with the direct run's results; see {work}")
            return 2
        rows.append(info(f"first run after Airflow starts, no files ({label})", run["first_run_no_files_s"]))
        if "one_file_latency_s" in run:
            rows.append(
                info("one new file: asset event -> its verdicts stored (LocalExecutor)", run["one_file_latency_s"])
            )
        name = f"gwp_returns DAG ({label}), {args.files} files"
        note = f"{per_minute(run['total_s']):.0f} files/min"
        if mode == "local":
            rows.append(check_ratio(name, run["total_s"], direct_s, 2.0, floor_label="gwp-monitor run", note=note))
        else:
            rows.append(info(name, run["total_s"], note=note, floor=direct_s, floor_label="gwp-monitor run"))
    report("airflow", rows, details)
    common.rmtree(work)
    return 0 if all(r.passed is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
