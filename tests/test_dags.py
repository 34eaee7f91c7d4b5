"""The Airflow 3 DAGs, for real: DagBag import, cheap parsing, and whole ``dag.test()`` runs of
``gwp_returns`` and ``gwp_return_deadlines`` on the demo returns, with alerts delivered to a real SMTP
server (aiosmtpd) and a real HTTP webhook receiver running in this test process.

Why every Airflow step runs in a subprocess (``python -c RUNNER``), not in the pytest process:

- Airflow reads ``AIRFLOW_HOME`` and ``AIRFLOW__*`` when it is first imported, and the DAG files
  (``GWP_LANDING_DIR``) and ``gwp_monitor.airflow_support`` (``GWP_TASK_RETRIES``) read settings at
  import too. In-process, whichever test (or another test module, under pytest-xdist any module
  the worker collected) imported them first would fix those values for the whole worker. A fresh
  interpreter per step gets exactly the environment the test built, whatever the worker did before.
- Airflow configures logging, structlog, its ORM session and signal handlers globally; none of that
  leaks into the other tests of the worker.
- Each test's environment (reporting database, SMTP port, webhook URL) is passed explicitly; nothing
  is monkeypatched into ``os.environ`` of a worker that runs other tests in between.

The price is an interpreter start and an Airflow import per step (about 2 s). The mail and webhook
servers stay in this process, in threads, and the subprocess talks to them over 127.0.0.1.

The metadata database is migrated once per test session (per xdist worker: ``tmp_path_factory`` is
per worker) and copied into each test's own ``AIRFLOW_HOME``, so tests never share Airflow state.
``GWP_TASK_RETRIES=0`` so a failing task fails at once instead of waiting for retries.

The end-to-end story of ``gwp_returns`` is one test (run, check verdicts, alerts and XCom, run again)
rather than a module fixture shared by several tests: under ``pytest -n 2`` a module fixture would
run once per worker that gets one of its tests, doubling the one expensive step (a minute).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers_mail_http import (
    ReceivedMail,
    SMTPRecorder,
    WebhookRecorder,
    running_smtp_server,
    running_webhook_receiver,
)

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
DAGS = REPO / "dags"
DAG_FILES = {
    "gwp_returns": DAGS / "gwp_returns.py",
    "gwp_return_deadlines": DAGS / "gwp_return_deadlines.py",
    "gwp_public_registers": DAGS / "gwp_public_registers.py",
}
SEED = 7
AS_OF = date(2025, 11, 20)
#: Generous bound for one Airflow subprocess; dag.test of gwp_returns on the demo takes about a minute.
STEP_TIMEOUT = 600  # generous: a loaded 2-core machine runs the demo DAG several times slower

# --------------------------------------------------------------------------------------------
# What runs inside the Airflow subprocesses
# --------------------------------------------------------------------------------------------

#: argv: mode ("bag" | "test"), output JSON path[, dag_id]. Writes what the test asserts on.
RUNNER = r"""
import json, os, sys, time
mode, out = sys.argv[1], sys.argv[2]
started = time.perf_counter()
from airflow.dag_processing.dagbag import DagBag
result = {"airflow_import_s": time.perf_counter() - started}
t = time.perf_counter()
bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
result["dagbag_s"] = time.perf_counter() - t
result["import_errors"] = {str(k): str(v) for k, v in bag.import_errors.items()}
result["dag_ids"] = sorted(bag.dag_ids)
if mode == "bag":
    from airflow.serialization.encoders import coerce_to_core_timetable
    dags = {}
    for dag_id, dag in bag.dags.items():
        tt = dag.timetable
        inner = getattr(tt, "timetable", None)
        cond = getattr(tt, "asset_condition", None)
        dags[dag_id] = {
            "fileloc": dag.fileloc,
            "timetable": type(tt).__name__,
            "summary": coerce_to_core_timetable(tt).summary,
            "cron": getattr(tt, "expression", None),
            "timezone": str(getattr(tt, "timezone", "")),
            "inner_timetable": type(inner).__name__ if inner is not None else None,
            "inner_cron": getattr(inner, "expression", None),
            "inner_timezone": str(getattr(inner, "timezone", "")),
            "assets": [{"name": a.name, "uri": a.uri} for a in getattr(cond, "objects", [])],
            "task_ids": sorted(dag.task_ids),
            "catchup": dag.catchup,
            "max_active_runs": dag.max_active_runs,
            "retries": dag.default_args.get("retries"),
        }
    result["dags"] = dags
else:
    dag_id = sys.argv[3]
    assert not bag.import_errors, bag.import_errors
    dag = bag.get_dag(dag_id)
    t = time.perf_counter()
    dr = dag.test()
    result["dag_test_s"] = time.perf_counter() - t
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    with create_session() as session:
        result["run_id"] = dr.run_id
        result["state"] = str(getattr(dr.state, "value", dr.state))
        result["tis"] = [
            {"task_id": ti.task_id, "map_index": ti.map_index, "state": str(getattr(ti.state, "value", ti.state)),
             "try_number": ti.try_number}
            for ti in session.query(TaskInstance).filter(TaskInstance.dag_id == dag_id, TaskInstance.run_id == dr.run_id)
        ]
        result["xcoms"] = [
            {"task_id": x.task_id, "map_index": x.map_index, "key": x.key, "value": x.value}
            for x in session.query(XComModel).filter(XComModel.dag_id == dag_id, XComModel.run_id == dr.run_id)
        ]
with open(out, "w", encoding="utf-8") as handle:
    json.dump(result, handle, default=str)
"""

#: argv: DAG file, output JSON path. Imports the Task SDK, then the DAG file, and says what each loaded.
PARSER = r"""
import importlib.util, json, sys, time
path, out = sys.argv[1], sys.argv[2]
started = time.perf_counter()
import airflow.sdk
sdk_s = time.perf_counter() - started
before = set(sys.modules)
t = time.perf_counter()
spec = importlib.util.spec_from_file_location("dag_file_under_test", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
dag_file_s = time.perf_counter() - t
after = set(sys.modules)
with open(out, "w", encoding="utf-8") as handle:
    json.dump({"sdk_import_s": sdk_s, "dag_file_s": dag_file_s, "before": sorted(before), "added": sorted(after - before)}, handle)
"""


def _base_env(home: Path) -> dict[str, str]:
    """This process's environment without any GWP_* or AIRFLOW* setting, plus a private Airflow."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GWP_", "AIRFLOW"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
        GWP_TASK_RETRIES="0",
        PYTHONUNBUFFERED="1",
    )
    return env


def _run(args: list[str], env: dict[str, str], log: Path, what: str) -> float:
    """Run a subprocess with output to `log`; fail with the log's tail if it fails. Returns seconds."""
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.run(args, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, timeout=STEP_TIMEOUT)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-6000:]
        pytest.fail(f"{what} exited with {proc.returncode}; log {log}:\n{tail}", pytrace=False)
    return seconds


@dataclass
class DagRunResult:
    """One dag.test(): the run's state, its task instances and XComs, and how long it took."""

    dag_id: str
    state: str
    run_id: str
    dag_test_s: float
    subprocess_s: float
    tis: list[dict[str, Any]]
    xcoms: list[dict[str, Any]]
    log: Path

    def states(self, task_id: str) -> list[str]:
        return [t["state"] for t in self.tis if t["task_id"] == task_id]

    def xcom(self, task_id: str, key: str = "return_value", map_index: int = -1) -> Any:
        found = [
            x["value"] for x in self.xcoms if (x["task_id"], x["key"], x["map_index"]) == (task_id, key, map_index)
        ]
        assert len(found) == 1, f"expected one XCom {task_id}[{map_index}].{key}, found {found}"
        return found[0]

    def summary(self) -> str:
        tis = ", ".join(
            f"{t['task_id']}{'' if t['map_index'] < 0 else '[' + str(t['map_index']) + ']'}={t['state']}"
            for t in sorted(self.tis, key=lambda t: (t["task_id"], t["map_index"]))
        )
        return f"{self.dag_id} {self.run_id}: {self.state} ({tis}); log {self.log}"


class Airflow:
    """A private AIRFLOW_HOME for one test and the steps the tests run in it."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.runs = 0

    def env(self, **gwp: str) -> dict[str, str]:
        return {**_base_env(self.home), **gwp}

    def dagbag(self, **gwp: str) -> dict[str, Any]:
        out = self.home / "dagbag.json"
        _run([sys.executable, "-c", RUNNER, "bag", str(out)], self.env(**gwp), self.home / "dagbag.log", "DagBag")
        return json.loads(out.read_text(encoding="utf-8"))

    def test(self, dag_id: str, **gwp: str) -> DagRunResult:
        self.runs += 1
        out = self.home / f"run{self.runs}-{dag_id}.json"
        log = self.home / f"run{self.runs}-{dag_id}.log"
        seconds = _run(
            [sys.executable, "-c", RUNNER, "test", str(out), dag_id], self.env(**gwp), log, f"dag.test({dag_id})"
        )
        data = json.loads(out.read_text(encoding="utf-8"))
        return DagRunResult(
            dag_id, data["state"], data["run_id"], data["dag_test_s"], seconds, data["tis"], data["xcoms"], log
        )


@pytest.fixture(scope="session")
def airflow_metadata_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An AIRFLOW_HOME whose SQLite metadata database `airflow db migrate` has set up (once per worker)."""
    home = tmp_path_factory.mktemp("airflow-template")
    airflow = str(Path(sys.executable).with_name("airflow"))
    _run([airflow, "db", "migrate"], _base_env(home), home / "migrate.log", "airflow db migrate")
    assert (home / "airflow.db").is_file()
    return home


@pytest.fixture
def airflow(airflow_metadata_template: Path, tmp_path: Path) -> Airflow:
    """A fresh, migrated Airflow of this test's own (a copy of the template's metadata database)."""
    home = tmp_path / "airflow-home"
    home.mkdir()
    for name in ("airflow.db", "airflow.cfg"):
        if (airflow_metadata_template / name).exists():
            shutil.copy2(airflow_metadata_template / name, home / name)
    return Airflow(home)


# --------------------------------------------------------------------------------------------
# The demo returns, and what running the pipeline directly on them gives
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    files: Any  # gwp_monitor.demo.landing.DemoFiles
    direct_db: Path  # reporting database filled by gwp_monitor.pipeline.run_pipeline on the same files
    worker_refs: frozenset[str]  # every worker_ref written into the landing files

    def contract(self, ref: str) -> dict[str, Any]:
        return next(c for c in self.files.register["contracts"] if c["contract_ref"] == ref)

    def contract_manager(self, ref: str) -> str:
        return self.contract(ref)["contacts"]["contract_manager"]

    def supplier_contact(self, ref: str) -> str:
        return self.contract(ref)["contacts"]["supplier"]


def _worker_refs(landing: Path) -> frozenset[str]:
    """worker_ref of every payroll row in the landing files (CSV, and XLSX or UK exports with title-case headers)."""
    refs: set[str] = set()
    for path in landing.iterdir():
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle))
        elif path.suffix == ".xlsx":
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            rows = [
                ["" if v is None else str(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)
            ]
            book.close()
        else:
            continue
        # Matched as the reader does (spec 2.2): the demo's UK payroll export writes "Worker Ref".
        header = [re.sub(r"[\s.\-]+", "_", h.strip().lower()) for h in rows[0]]
        if "worker_ref" in header:
            i = header.index("worker_ref")
            refs.update(r[i].strip() for r in rows[1:] if len(r) > i and r[i].strip())
    return frozenset(refs)


def sqlite_copy(source: Path, target: Path) -> Path:
    """Copy a SQLite database with the backup API (the reporting database runs in WAL mode)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo returns (fixed seed and as-of date) and a reporting database filled from them by
    run_pipeline directly. The landing folder is only read by the tests."""
    from gwp_monitor.demo.landing import write_demo_landing
    from gwp_monitor.pipeline import run_pipeline
    from gwp_monitor.store.database import open_database

    folder = tmp_path_factory.mktemp("demo")
    files = write_demo_landing(folder / "data", seed=SEED, as_of=AS_OF, overwrite=True)
    direct = folder / "direct.db"
    database = open_database(f"sqlite:///{direct}")
    try:
        run_pipeline(files.register_path, files.landing, database, as_of=AS_OF)
    finally:
        database.engine.dispose()
    refs = _worker_refs(files.landing)
    assert len(refs) > 100, "the demo payroll files should name many workers"
    return Demo(files, direct, refs)


def gwp_env(demo: Demo, tmp_path: Path, database: Path, *servers: SMTPRecorder | WebhookRecorder) -> dict[str, str]:
    """The settings of a DAG run over a copy of the demo landing folder (times kept): a run moves the
    files it processed to the processed area beside it (retention, issue 14)."""
    landing = tmp_path / "landing"
    if not landing.exists():
        shutil.copytree(demo.files.landing, landing)
    env = {
        "GWP_DATABASE_URL": f"sqlite:///{database}",
        "GWP_REGISTER": str(demo.files.register_path),
        "GWP_LANDING_DIR": str(landing),
        "GWP_REPORT_DIR": str(tmp_path / "report"),
        "GWP_AS_OF": AS_OF.isoformat(),
        "GWP_REMINDER_DAYS_BEFORE": "3",
        "GWP_BREACH_REMINDER_DAYS": "0",
    }
    for server in servers:
        env.update(server.env())
    return env


def rows(database: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(database)
    try:
        return sorted(tuple("" if v is None else str(v) for v in r) for r in con.execute(sql))
    finally:
        con.close()


def expected_open_breaches(demo: Demo) -> set[tuple[str, str, str, str, int]]:
    """(contract_ref, commitment, first_period_start, latest_period_end, periods_in_breach) worked out
    from the planted breaches alone: open when a commitment's latest due period (a file's, or an
    overdue return's) is a planted breach and its file was accepted; the run counts back over
    consecutive planted periods (spec 4)."""
    from gwp_monitor.domain.catalogue import CATALOGUE

    files = demo.files
    planted: dict[tuple[str, str], set[tuple[date, date]]] = {}
    for b in files.breaches:
        planted.setdefault((b.contract_ref, b.commitment), set()).add((b.period_start, b.period_end))
    out = set()
    for (ref, commitment), periods in planted.items():
        kind = CATALOGUE[commitment].source_kind
        due = sorted(
            {(f.period_start, f.period_end) for f in files.files if (f.contract_ref, f.kind) == (ref, kind)}
            | {(o.period_start, o.period_end) for o in files.overdue if (o.contract_ref, o.kind) == (ref, kind)}
        )
        accepted = {
            (f.period_start, f.period_end)
            for f in files.files
            if (f.contract_ref, f.kind) == (ref, kind) and not f.broken
        }
        if not due or due[-1] not in periods or due[-1] not in accepted:
            continue
        run = []
        for period in reversed(due):
            if period not in periods:
                break
            run.append(period)
        out.add((ref, commitment, run[-1][0].isoformat(), run[0][1].isoformat(), len(run)))
    return out


def expected_overdue(demo: Demo) -> set[tuple[str, str, str, str]]:
    """(contract_ref, kind, period_start, period_end) of returns past due with nothing accepted: the
    ones the demo leaves out on purpose and those whose only file was rejected."""
    files = demo.files
    out = {(o.contract_ref, o.kind, o.period_start.isoformat(), o.period_end.isoformat()) for o in files.overdue}
    for f in files.broken:
        if not any(
            g
            for g in files.files
            if not g.broken and (g.contract_ref, g.kind, g.period_start) == (f.contract_ref, f.kind, f.period_start)
        ):
            out.add((f.contract_ref, f.kind, f.period_start.isoformat(), f.period_end.isoformat()))
    return out


def delivery_id(event_key: str) -> str:
    return hashlib.sha256(event_key.encode("utf-8")).hexdigest()[:32]


def mail_event_keys(mails: list[ReceivedMail]) -> list[str]:
    return [str(m.message["X-GWP-Event-Key"]).strip() for m in mails]  # a long key's header is folded


def resubmission_keys(reporting: Path) -> set[str]:
    """Event keys of the contract managers' verdict_changed_by_resubmission alerts the run should send
    (a verdict changed, or arrears lowered): the demo's corrected resubmission clears a breach and lowers arrears."""
    changes = rows(
        reporting,
        "SELECT contract_ref, commitment, new_submission_id FROM v_resubmission_changes"
        " WHERE previous_status <> new_status OR COALESCE(new_arrears_gbp, 0) < COALESCE(previous_arrears_gbp, 0)",
    )
    return {f"verdict_changed_by_resubmission:{c}:{m}:{int(s)}" for c, m, s in changes}


def notice_keys(reporting: Path) -> dict[str, str]:
    """{event key: contract_ref} of the suppliers' receipts and rejection notices the run should send: one
    per stored submission of a contract in the register (a file naming no such contract has nobody to tell)."""
    subs = rows(
        reporting,
        "SELECT s.submission_id, s.status, s.contract_ref FROM v_submissions s"
        " JOIN contracts c ON c.contract_ref = s.contract_ref WHERE c.supplier_contact IS NOT NULL",
    )
    event = {"accepted": "submission_accepted", "superseded": "submission_accepted", "rejected": "submission_rejected"}
    return {f"{event[status]}:{int(sid)}": ref for sid, status, ref in subs}


def hook_event_keys(hook: WebhookRecorder, expected: set[str]) -> list[str]:
    """Event key of every delivered webhook request, from its Idempotency-Key header."""
    by_id = {delivery_id(k): k for k in expected}
    keys = []
    for r in hook.requests:
        if r.delivered:
            assert r.headers.get("idempotency-key") in by_id, f"webhook post for an unexpected event: {r.json}"
            keys.append(by_id[r.headers["idempotency-key"]])
    return keys


def assert_no_worker_ref(demo: Demo, texts: dict[str, str]) -> None:
    pattern = re.compile("|".join(re.escape(r) for r in sorted(demo.worker_refs, key=len, reverse=True)))
    for where, text in texts.items():
        found = pattern.search(text)
        assert found is None, f"worker_ref {found.group(0)!r} appears in {where}"


def message_texts(mails: list[ReceivedMail], hook: WebhookRecorder) -> dict[str, str]:
    """Everything a reader of the alerts can see: decoded headers and bodies, raw bytes, JSON."""
    out = {}
    for i, m in enumerate(mails):
        headers = "\n".join(f"{k}: {v}" for k, v in m.message.items())
        out[f"e-mail {i} ({m.message['Subject']})"] = "\n".join(
            [headers, m.text(), m.html(), m.raw.decode("utf-8", "replace"), " ".join(m.rcpt_tos)]
        )
    for i, r in enumerate(hook.requests):
        out[f"webhook post {i}"] = r.body.decode("utf-8", "replace") + json.dumps(r.json, ensure_ascii=False)
    return out


# --------------------------------------------------------------------------------------------
# The DAG folder: imports, schedules, and parse cost
# --------------------------------------------------------------------------------------------


def test_dag_folder_imports_without_errors_with_the_intended_schedules(airflow: Airflow, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    bag = airflow.dagbag(GWP_LANDING_DIR=str(landing))
    assert bag["import_errors"] == {}
    assert {"gwp_returns", "gwp_return_deadlines"} <= set(bag["dag_ids"])

    returns = bag["dags"]["gwp_returns"]
    # New files (an asset event from whatever syncs the landing folder) or the hourly cron.
    assert returns["timetable"] == "AssetOrTimeSchedule"
    assert returns["inner_timetable"] == "CronTriggerTimetable" and returns["inner_cron"] == "0 * * * *"
    assert returns["inner_timezone"] == "Europe/London"
    assert returns["assets"] == [{"name": "gwp_landing", "uri": f"file://{landing}"}]
    assert returns["task_ids"] == [
        "build_report",
        "close_run",
        "fetch_source",
        "ingest",
        "landing_sources",
        "open_run",
        "send_alerts",
        "watcher",
    ]

    deadlines = bag["dags"]["gwp_return_deadlines"]
    assert deadlines["timetable"] == "CronTriggerTimetable" and deadlines["timezone"] == "Europe/London"
    from croniter import croniter

    fires = croniter(deadlines["cron"], datetime(2025, 3, 29, 12, 0))  # across the clocks going forward
    first, second, third = (fires.get_next(datetime) for _ in range(3))
    assert second - first == timedelta(days=1) == third - second, f"{deadlines['cron']!r} is not once a day"
    assert deadlines["task_ids"] == ["purge_processed", "send_return_alerts"]

    for dag in (returns, deadlines):
        assert dag["catchup"] is False and dag["max_active_runs"] == 1
        assert dag["retries"] == 0  # GWP_TASK_RETRIES, as set for tests
    print(f"\nDagBag of {DAGS}: {bag['dagbag_s']:.3f} s to fill ({bag['airflow_import_s']:.2f} s to import Airflow)")


@pytest.mark.parametrize("dag_id", sorted(DAG_FILES))
def test_dag_file_parses_without_heavy_imports(dag_id: str, tmp_path: Path) -> None:
    """Spec 7 / the DAG files' contract: parsing loads only the Task SDK and airflow_support.

    Airflow itself imports SQLAlchemy (it is its ORM), so for SQLAlchemy the test asserts that the
    DAG file adds none of it; pandas and Great Expectations must not be loaded at all."""
    out = tmp_path / "parse.json"
    env = {**_base_env(tmp_path / "airflow-home"), "GWP_LANDING_DIR": str(tmp_path / "landing")}
    _run(
        [sys.executable, "-c", PARSER, str(DAG_FILES[dag_id]), str(out)], env, tmp_path / "parse.log", f"parse {dag_id}"
    )
    parsed = json.loads(out.read_text(encoding="utf-8"))
    loaded = set(parsed["before"]) | set(parsed["added"])
    added = set(parsed["added"])

    def top(names: set[str]) -> set[str]:
        return {n.split(".")[0] for n in names}

    assert not top(loaded) & {"pandas", "great_expectations", "pyarrow", "openpyxl"}
    assert not top(added) & {"sqlalchemy", "alembic", "numpy", "jinja2"}, sorted(top(added))
    ours = {n for n in added if n == "gwp_monitor" or n.startswith("gwp_monitor.")}
    settings = {"gwp_monitor.config", "gwp_monitor.config.settings"}  # GWP_TASK_RETRIES; pydantic only
    assert ours == {"gwp_monitor", "gwp_monitor.airflow_support", *settings}, sorted(ours)
    sqlalchemy_by_airflow = "sqlalchemy" in parsed["before"]
    report = (
        f"\n{dag_id}: DAG file parsed in {parsed['dag_file_s'] * 1000:.1f} ms after importing airflow.sdk "
        f"({parsed['sdk_import_s']:.2f} s; SQLAlchemy {'already loaded by Airflow' if sqlalchemy_by_airflow else 'not loaded'}); "
        f"the file added {len(added)} modules"
    )
    print(report)
    (tmp_path / "parse-time.txt").write_text(report.strip() + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# gwp_returns, end to end
# --------------------------------------------------------------------------------------------

XCOM_KEYS = {
    "ingest": {"files", "files_failed", "accepted", "rejected", "superseded", "skipped"},
    "close_run": {
        "run_id",
        "files",
        "waiting",
        "data_docs_pages",
        "received_on_time",
        "received_late",
        "overdue",
        "awaiting",
    },
    "send_alerts": {"sent", "already_sent"},
}


def assert_xcom_small_paths_and_counts(run: DagRunResult, demo: Demo, report_dir: Path) -> None:
    """XCom carries only paths and counts: no worker_ref, no GX result, nothing large."""
    landing_files = {str(report_dir.parent / "landing" / p.name) for p in demo.files.landing.iterdir()}
    assert run.xcoms, "the run pushed no XCom at all"
    for x in run.xcoms:
        size = len(json.dumps(x["value"]))
        task, key, value = x["task_id"], x["key"], x["value"]
        where = f"XCom {task}[{x['map_index']}].{key} = {str(value)[:200]}"
        if task == "open_run":  # the run's id, the listed paths, and those paths split into batches
            assert key in ("return_value", "reporting_run", "files"), where
            if key == "reporting_run":
                assert isinstance(value, int), where
                continue
            if key == "files":
                assert isinstance(value, list) and all(isinstance(p, str) for p in value), where
                assert set(value) <= landing_files, where
                assert size <= 300 * max(len(value), 1), where  # paths, nothing else
                continue
            assert all(set(b) == {"reporting_run", "paths"} for b in value), where
            assert all(isinstance(p, str) and p in landing_files for b in value for p in b["paths"]), where
            assert size <= 300 * max(sum(len(b["paths"]) for b in value), 1), where
            continue
        assert size <= 512, where
        if task == "landing_sources":  # the demo configures none
            assert key == "return_value" and value == [], where
            continue
        if task == "build_report":
            assert key == "return_value" and value == str(report_dir / "index.html"), where
            continue
        allowed = XCOM_KEYS[task]
        if key == "return_value":
            assert isinstance(value, dict) and set(value) <= allowed, where
            items = value.items()
        else:  # the task's dict pushed key by key (TaskFlow multiple_outputs for a `-> dict` task)
            assert key in allowed, where
            items = [(key, value)]
        for k, v in items:
            if k == "file":
                assert isinstance(v, str) and str(report_dir.parent / "landing" / v) in landing_files, where
            else:
                assert isinstance(v, int) and not isinstance(v, bool) and v >= 0, where
    everything = json.dumps([x["value"] for x in run.xcoms])
    assert_no_worker_ref(demo, {"XCom": everything})
    for marker in ("expectation", "unexpected", "result_format", "partial_unexpected", "observed_value"):
        assert marker not in everything.lower(), f"{marker!r} in XCom: a GX result leaked"


@pytest.mark.slow
def test_gwp_returns_dag_verdicts_alerts_xcom_and_exactly_once(airflow: Airflow, demo: Demo, tmp_path: Path) -> None:
    files = demo.files
    reporting = tmp_path / "reporting.db"
    with running_smtp_server() as smtp, running_webhook_receiver() as hook:
        env = gwp_env(demo, tmp_path, reporting, smtp, hook)

        first = airflow.test("gwp_returns", **env)

        timing = (
            f"dag.test(gwp_returns) on the demo returns ({len(files.files)} files, {len(files.register['contracts'])} "
            f"contracts, seed {SEED}, as of {AS_OF}): {first.dag_test_s:.1f} s in dag.test(), "
            f"{first.subprocess_s:.1f} s with interpreter start and Airflow import"
        )
        print("\n" + timing)
        (tmp_path / "dag_test_timing.txt").write_text(timing + "\n", encoding="utf-8")

        # -- the run: the files ingested in batches (GWP_INGEST_* defaults), everything else once ------
        assert first.state == "success", first.summary()
        batches = [b["paths"] for b in first.xcom("open_run")]
        landing = tmp_path / "landing"
        assert len(batches) == 2
        assert sorted(p for b in batches for p in b) == sorted(str(landing / f.path.name) for f in files.files)
        assert first.states("ingest") == ["success"] * len(batches), first.summary()
        assert sum(first.xcom("ingest", map_index=i)["files"] for i in range(len(batches))) == len(files.files)
        for task in ("open_run", "close_run", "send_alerts", "build_report"):
            assert first.states(task) == ["success"], first.summary()
        assert first.states("watcher") == ["skipped"], first.summary()
        assert sorted(first.xcom("open_run", key="files")) == sorted(str(landing / f.path.name) for f in files.files)
        # Retention: every processed file moved out of the landing folder, with nothing left behind.
        assert not list(landing.iterdir())
        assert sorted(p.name for p in (tmp_path / "processed").glob("*/*")) == sorted(f.path.name for f in files.files)

        # -- one run in the database and one set of Data Docs, however the files were split -------
        assert rows(reporting, "SELECT COUNT(*), MIN(status), MIN(files_read) FROM runs") == [
            ("1", "succeeded", str(len(files.files)))
        ]
        assert len(list((tmp_path / "report" / "data-docs").glob("run-*.html"))) == 4
        # -- the task logs: a line per file, and none of GX's registration chatter ------------------
        task_logs = first.log.read_text(encoding="utf-8", errors="replace")
        assert "because it is a closure" not in task_logs
        assert all(f"{f.path.name}: " in task_logs for f in files.files), "a per-file outcome line is missing"

        # -- verdicts: the same as run_pipeline directly, and the ones the demo planted ------------
        for view in ("v_contract_status", "v_open_breaches"):
            assert rows(reporting, f"SELECT * FROM {view}") == rows(demo.direct_db, f"SELECT * FROM {view}"), view
        history = "SELECT contract_ref, commitment, period_start, period_end, status, severity, observed_value, threshold, detail FROM v_compliance_history"
        assert rows(reporting, history) == rows(demo.direct_db, history)
        planted = {
            (b.contract_ref, b.commitment, b.period_start.isoformat(), b.period_end.isoformat()) for b in files.breaches
        }
        assert (
            set(
                rows(
                    reporting,
                    "SELECT contract_ref, commitment, period_start, period_end FROM v_compliance_history WHERE status = 'breach'",
                )
            )
            == planted
        )
        open_breaches = rows(
            reporting,
            "SELECT contract_ref, commitment, first_period_start, latest_period_end, periods_in_breach FROM v_open_breaches",
        )
        assert {(r[0], r[1], r[2], r[3], int(r[4])) for r in open_breaches} == expected_open_breaches(demo)
        assert open_breaches, "the demo should leave some breaches open"
        red = {r[0] for r in rows(reporting, "SELECT contract_ref FROM v_contract_status WHERE rag = 'red'")}
        assert red == {r[0] for r in open_breaches}

        # -- alerts: one breach_opened per open breach, per channel ---------------------------------
        changed = resubmission_keys(reporting)
        assert changed, "the demo's corrected resubmission should be alerted"
        expected = {f"breach_opened:{r[0]}:{r[1]}:{r[2]}" for r in open_breaches} | changed
        # ... and a receipt or a rejection notice to the supplier for every submission (e-mail only).
        notices = notice_keys(reporting)
        assert {k.split(":")[0] for k in notices} == {"submission_accepted", "submission_rejected"}
        mails = smtp.wait_for(len(expected) + len(notices))
        assert sorted(mail_event_keys(mails)) == sorted(expected | set(notices))
        for mail in mails:
            key = str(mail.message["X-GWP-Event-Key"]).strip()
            assert mail.message["X-GWP-Event"] == key.split(":")[0]
            if key in notices:
                ref = notices[key]
                assert mail.rcpt_tos == (demo.supplier_contact(ref),), "receipts and rejections go to the supplier"
            else:
                ref = key.split(":")[1]
                assert mail.rcpt_tos == (demo.contract_manager(ref),), "breaches go to the contract manager only"
            assert ref in str(mail.message["Subject"]) and ref in mail.text()
        assert sorted(hook_event_keys(hook, expected)) == sorted(expected)
        for request in hook.requests:
            assert request.delivered and request.json["text"]
            key = next(k for k in expected if delivery_id(k) == request.headers["idempotency-key"])
            assert key.split(":")[1] in request.json["text"]
        assert first.xcom("send_alerts") == {"sent": 2 * len(expected) + len(notices), "already_sent": 0}
        assert_no_worker_ref(
            demo,
            {
                **message_texts(mails, hook),
                "the run's task logs": first.log.read_text(encoding="utf-8", errors="replace"),
            },
        )

        # -- XCom: paths and counts only --------------------------------------------------------------
        assert_xcom_small_paths_and_counts(first, demo, tmp_path / "report")
        assert (tmp_path / "report" / "index.html").is_file()

        # -- again: nothing new to read, nothing new to send -------------------------------------------
        before = rows(reporting, "SELECT * FROM v_contract_status")
        second = airflow.test("gwp_returns", **env)
        assert second.state == "success", second.summary()
        assert second.xcom("open_run", key="files") == []
        assert second.states("ingest") == ["skipped"], second.summary()  # mapped over no batches
        assert second.xcom("send_alerts") == {"sent": 0, "already_sent": 2 * len(expected) + len(notices)}
        assert len(smtp.messages) == len(expected) + len(notices) and len(hook.requests) == len(expected), (
            "the re-run sent alerts again"
        )
        assert rows(reporting, "SELECT * FROM v_contract_status") == before
        assert_xcom_small_paths_and_counts(second, demo, tmp_path / "report")
        log = rows(reporting, "SELECT event_key, channel FROM alert_log")
        assert sorted(log) == sorted(
            [(k, c) for k in expected for c in ("email", "webhook")] + [(k, "email") for k in notices]
        )


# --------------------------------------------------------------------------------------------
# Failing webhook, and the daily deadlines DAG (both start from the direct pipeline's database)
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_failing_webhook_fails_the_alerts_task_and_a_rerun_sends_only_what_had_not_gone(
    airflow: Airflow, demo: Demo, tmp_path: Path
) -> None:
    reporting = sqlite_copy(demo.direct_db, tmp_path / "reporting.db")
    open_breaches = rows(reporting, "SELECT contract_ref, commitment, first_period_start FROM v_open_breaches")
    expected = {f"breach_opened:{r[0]}:{r[1]}:{r[2]}" for r in open_breaches} | resubmission_keys(reporting)
    assert len(expected) >= 3
    with running_smtp_server() as smtp, running_webhook_receiver(fail_first=2) as hook:
        env = gwp_env(demo, tmp_path, reporting, smtp, hook)

        first = airflow.test("gwp_returns", **env)
        assert first.state == "failed", first.summary()
        assert first.states("send_alerts") == ["failed"], first.summary()
        assert first.states("close_run") == ["success"] and first.states("build_report") == ["success"], first.summary()
        assert first.states("watcher") == ["failed"], "the watcher turns the failed task into a failed run"
        notices = notice_keys(reporting)  # suppliers' receipts and rejections: e-mail only
        mails = smtp.wait_for(len(expected) + len(notices))
        assert sorted(mail_event_keys(mails)) == sorted(expected | set(notices)), (
            "e-mail must not suffer from the webhook failing"
        )
        assert [r.status for r in hook.requests] == [500, 500] + [200] * (len(expected) - 2)
        delivered_first = hook_event_keys(hook, expected)
        assert len(delivered_first) == len(expected) - 2
        logged = rows(reporting, "SELECT event_key, channel FROM alert_log")
        assert sorted(logged) == sorted(
            [(k, "email") for k in expected | set(notices)] + [(k, "webhook") for k in delivered_first]
        )

        second = airflow.test("gwp_returns", **env)
        assert second.state == "success", second.summary()
        assert second.xcom("send_alerts") == {"sent": 2, "already_sent": 2 * len(expected) - 2 + len(notices)}
        assert len(smtp.messages) == len(expected) + len(notices), "no e-mail is sent twice"
        delivered = hook_event_keys(hook, expected)
        assert sorted(delivered) == sorted(expected), "each webhook alert delivered exactly once in the end"
        assert set(delivered[len(delivered_first) :]) == expected - set(delivered_first)
        assert_no_worker_ref(demo, message_texts(smtp.messages, hook))
        failed_log = first.log.read_text(encoding="utf-8", errors="replace")
        assert "DeliveryError" in failed_log and hook.path not in failed_log, "the webhook URL's secret path is logged"


@pytest.mark.slow
def test_deadlines_dag_sends_overdue_notices_to_supplier_and_contract_manager_once(
    airflow: Airflow, demo: Demo, tmp_path: Path
) -> None:
    files = demo.files
    assert files.overdue, "the demo leaves a return out on purpose"
    reporting = sqlite_copy(demo.direct_db, tmp_path / "reporting.db")
    overdue = expected_overdue(demo)
    assert (
        set(
            rows(
                reporting,
                "SELECT contract_ref, kind, period_start, period_end FROM v_return_timeliness WHERE status = 'overdue'",
            )
        )
        == overdue
    )
    expected = {f"return_overdue:{ref}:{kind}:{start}:{end}" for ref, kind, start, end in overdue}
    with running_smtp_server() as smtp, running_webhook_receiver() as hook:
        env = gwp_env(demo, tmp_path, reporting, smtp, hook)

        first = airflow.test("gwp_return_deadlines", **env)
        assert first.state == "success", first.summary()
        mails = smtp.wait_for(len(expected))
        # Nothing falls due within GWP_REMINDER_DAYS_BEFORE of the as-of date in the demo, so only
        # overdue notices go out.
        assert sorted(mail_event_keys(mails)) == sorted(expected)
        by_key = {str(m.message["X-GWP-Event-Key"]): m for m in mails}
        for o in files.overdue:
            mail = by_key[f"return_overdue:{o.contract_ref}:{o.kind}:{o.period_start}:{o.period_end}"]
            assert mail.message["X-GWP-Event"] == "return_overdue"
            assert set(mail.rcpt_tos) == {demo.supplier_contact(o.contract_ref), demo.contract_manager(o.contract_ref)}
            assert len(mail.rcpt_tos) == 2
            assert o.contract_ref in str(mail.message["Subject"]) and o.kind in str(mail.message["Subject"])
        assert sorted(hook_event_keys(hook, expected)) == sorted(expected)
        assert first.xcom("send_return_alerts") == {"sent": 2 * len(expected), "already_sent": 0}
        assert_no_worker_ref(demo, message_texts(mails, hook))
        # Retention runs daily beside the notices: nothing processed yet in this copy, nothing deleted.
        assert first.xcom("purge_processed") == {"days_deleted": [], "files_deleted": 0, "abandoned_downloads": 0}

        second = airflow.test("gwp_return_deadlines", **env)
        assert second.state == "success", second.summary()
        assert second.xcom("send_return_alerts") == {"sent": 0, "already_sent": 2 * len(expected)}
        assert len(smtp.messages) == len(expected) and len(hook.requests) == len(expected)
