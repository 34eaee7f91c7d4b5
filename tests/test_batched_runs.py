"""The DAG's batched run, without Airflow: the steps `gwp_returns` runs (list, open run, batch tasks,
close run) called as plain functions on the demo returns, on SQLite and PostgreSQL.

One pipeline run is one `runs` row and one set of Data Docs however its files are split; the verdicts
are those of a direct `run_pipeline`; a retried or overlapping batch never stores a file twice (the
database's unique content hash decides, not the scheduler); GX results of several batches merge into
what one validation of all the rows gives.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from gwp_monitor import orchestration
from gwp_monitor.config.settings import Settings, use_settings
from gwp_monitor.demo.landing import DemoFiles, write_demo_landing
from gwp_monitor.pipeline import plan_batches, run_pipeline
from gwp_monitor.store.database import open_database
from gwp_monitor.validate.data_docs import DOCS_FOLDER, PARTS_FOLDER

AS_OF = date(2025, 11, 20)
HISTORY = (
    "SELECT contract_ref, commitment, period_start, period_end, status, severity FROM v_compliance_history"
    " ORDER BY contract_ref, commitment, period_start"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return write_demo_landing(tmp_path_factory.mktemp("demo"), seed=7, as_of=AS_OF, overwrite=True)


@pytest.fixture(scope="module")
def direct(demo: DemoFiles, tmp_path_factory: pytest.TempPathFactory):
    """The demo run directly (one process, one call), with its Data Docs."""
    folder = tmp_path_factory.mktemp("direct")
    database = open_database(f"sqlite:///{folder / 'direct.db'}")
    run_pipeline(demo.register_path, demo.landing, database, as_of=AS_OF, data_docs_dir=folder / "report")
    yield database, folder / "report"
    database.engine.dispose()


def settings_for(demo: DemoFiles, url: str, report_dir: Path, **kw: object) -> Settings:
    """Settings of a DAG run over a copy of the demo landing folder (times kept): batches move the
    files they stored to the processed area beside it (retention), so tests must not share one."""
    landing = report_dir.parent / "landing"
    if not landing.exists():
        shutil.copytree(demo.landing, landing)
    return Settings.load(
        database_url=url,
        contract_register=demo.register_path,
        landing_dir=landing,
        processed_dir=report_dir.parent / "processed",
        report_dir=report_dir,
        as_of=AS_OF,
        **kw,
    )


def task_env(settings: Settings) -> dict[str, str]:
    """The environment of a batch task's own process running with `settings` (nothing else GWP_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GWP_")}
    env.update(
        GWP_DATABASE_URL=settings.database_url,
        GWP_REGISTER=str(settings.contract_register),
        GWP_LANDING_DIR=str(settings.landing_dir),
        GWP_PROCESSED_DIR=str(settings.processed_folder),
        GWP_REPORT_DIR=str(settings.report_dir),
        GWP_AS_OF=AS_OF.isoformat(),
        PYTHONPATH=str(Path(__file__).resolve().parents[1]),
    )
    return env


def unretire(settings: Settings, paths: list[str]) -> None:
    """Put files a batch moved to the processed area back where it found them."""
    for path in map(Path, paths):
        (moved,) = settings.processed_folder.glob(f"*/{path.name}")
        shutil.move(moved, path)


def dag_steps(settings: Settings) -> dict:
    """What gwp_returns runs, in order, each batch as its own task would."""
    with use_settings(settings):
        opened = orchestration.open_run(settings)
        batches = [orchestration.ingest_batch(settings, opened["run_id"], paths) for paths in opened["batches"]]
        closed = orchestration.close_run(settings, opened["run_id"], opened["files"])
        timeliness = db_counts(settings, "SELECT status, COUNT(*) AS n FROM return_timeliness GROUP BY status")
    return {"files": opened["files"], "opened": opened, "batches": batches, "closed": closed, "timeliness": timeliness}


def db_counts(settings: Settings, sql: str) -> dict[str, int]:
    database = open_database(settings.database_url)
    try:
        with database.engine.connect() as conn:
            return {str(row[0]): int(row[1]) for row in conn.execute(text(sql))}
    finally:
        database.engine.dispose()


def pages(report_dir: Path) -> set[str]:
    """Data Docs page names without the run id."""
    return {p.name.split("-", 2)[2] for p in (report_dir / DOCS_FOLDER).glob("run-*.html")}


def test_plan_batches_sizes_from_backlog_and_parallelism() -> None:
    paths = [f"f{i:03d}" for i in range(100)]
    assert plan_batches([], 4, 20, 500) == []
    assert [len(b) for b in plan_batches(paths, 4, 20, 500)] == [25, 25, 25, 25]
    assert [len(b) for b in plan_batches(paths, 8, 20, 500)] == [20] * 5  # no batch under min_files
    assert [len(b) for b in plan_batches(paths[:7], 4, 20, 500)] == [7]  # a small backlog: one task
    assert [len(b) for b in plan_batches(paths, 2, 20, 30)] == [25, 25, 25, 25]  # max_files caps a batch
    assert [len(b) for b in plan_batches(paths[:10], 3, 1, 500)] == [4, 3, 3]
    assert sum(plan_batches(paths, 3, 1, 500), []) == paths  # contiguous, oldest first, nothing lost


def test_batched_dag_run_is_one_run_one_set_of_data_docs_and_the_direct_runs_verdicts(
    demo: DemoFiles, direct, reporting_db_url: str, tmp_path: Path, db_rows
) -> None:
    direct_db, direct_report = direct
    report = tmp_path / "report"
    settings = settings_for(
        demo, reporting_db_url, report, ingest_parallelism=3, ingest_batch_min_files=5, ingest_batch_max_files=500
    )
    done = dag_steps(settings)
    assert len(done["opened"]["batches"]) == 3
    assert sorted(done["files"]) == sorted(str(settings.landing_dir / f.path.name) for f in demo.files)
    database = open_database(reporting_db_url)
    try:
        runs = db_rows(database, "SELECT run_id, status, files_read, submissions_stored FROM runs")
        stored = db_rows(database, "SELECT COUNT(*) AS n FROM submissions")[0]["n"]
        assert runs == [
            {
                "run_id": done["opened"]["run_id"],
                "status": "succeeded",
                "files_read": len(demo.files),
                "submissions_stored": stored,
            }
        ]
        assert db_rows(database, HISTORY) == db_rows(direct_db, HISTORY)
        status = "SELECT contract_ref, rag, open_breaches FROM v_contract_status ORDER BY contract_ref"
        assert db_rows(database, status) == db_rows(direct_db, status)
        assert sum(b["files"] for b in done["batches"]) == len(demo.files)
        assert (
            sum(b.get("accepted", 0) + b.get("rejected", 0) + b.get("superseded", 0) for b in done["batches"]) == stored
        )
    finally:
        database.engine.dispose()
    # One page per kind and stage for the run, as the direct run writes; no batch parts left behind.
    assert pages(report) == pages(direct_report) and len(pages(report)) == 4
    assert len(list((report / DOCS_FOLDER).glob("run-*.html"))) == 4
    assert not (report / DOCS_FOLDER / PARTS_FOLDER / f"run-{done['opened']['run_id']}").exists()
    closed = dict(done["closed"])
    returns = {k: closed.pop(k) for k in ("received_on_time", "received_late", "overdue", "awaiting") if k in closed}
    assert closed == {"run_id": done["opened"]["run_id"], "files": len(demo.files), "waiting": 0, "data_docs_pages": 4}
    assert returns == done["timeliness"], "close_run also refreshed timeliness: its counts are the database's"


def test_a_retried_or_repeated_batch_stores_nothing_twice(
    demo: DemoFiles, reporting_db_url: str, tmp_path: Path, db_rows
) -> None:
    settings = settings_for(demo, reporting_db_url, tmp_path / "report", ingest_parallelism=2, ingest_batch_min_files=1)
    done = dag_steps(settings)
    database = open_database(reporting_db_url)
    tables = ("submissions", "verdicts", "wage_figures", "files_seen")

    def counts() -> dict[str, int]:
        return {t: db_rows(database, f"SELECT COUNT(*) AS n FROM {t}")[0]["n"] for t in tables}

    try:
        before = counts()
        run_id, batch = done["opened"]["run_id"], done["opened"]["batches"][0]
        unretire(settings, batch)  # as if the task was killed after storing, before moving its files
        with use_settings(settings):
            again = orchestration.ingest_batch(settings, run_id, batch)  # a retry after the task had finished
        assert again == {"files": len(batch), "files_failed": 0}, "files already read are not read again"
        # A try killed after storing, before marking its files read: the retry reads them again,
        # and the database's content hash keeps every submission stored once.
        with database.engine.begin() as conn:
            conn.execute(text("DELETE FROM files_seen"))
        unretire(settings, batch)
        with use_settings(settings):
            retried = orchestration.ingest_batch(settings, run_id, batch)
        assert retried["files_failed"] == 0
        assert set(retried) <= {"files", "files_failed", "skipped"} and retried["skipped"] >= len(batch)
        after = counts()
        assert {t: after[t] for t in tables if t != "files_seen"} == {t: before[t] for t in tables if t != "files_seen"}
        assert db_rows(database, "SELECT COUNT(*) AS n FROM runs")[0]["n"] == 1
    finally:
        database.engine.dispose()


def test_two_writers_storing_the_same_submission_at_once_store_it_once(
    demo: DemoFiles, reporting_db_url: str, tmp_path: Path, db_rows
) -> None:
    """Two batch tasks (or two overlapping runs) race on one file: the second writer waits on the
    first's uncommitted row, then the unique content hash turns its insert into "skipped"."""
    from gwp_monitor.config.register import load_register
    from gwp_monitor.domain.rates import load_wage_floors
    from gwp_monitor.ingest.intake import take_in
    from gwp_monitor.pipeline import assess
    from gwp_monitor.store import writes as store

    register = load_register(demo.register_path)
    path = next(f.path for f in demo.files if f.kind == "payroll" and not f.broken)
    intake = take_in([path], register, as_of=AS_OF)
    (submission,) = intake.submissions
    assessment = assess(intake, register, load_wage_floors(), AS_OF)
    database = open_database(reporting_db_url)
    try:
        store.sync_register(database, register)
        run_id = store.start_run(database, AS_OF, str(demo.landing))
        other: dict[str, object] = {}

        def second_writer() -> None:
            other["result"] = store.store_submission_once(
                database, run_id, submission, assessment.verdicts, assessment.wages
            )

        thread = threading.Thread(target=second_writer)

        def while_first_is_open(conn) -> None:  # inside the first writer's transaction
            thread.start()
            time.sleep(1.0)  # the second writer reaches its insert and waits on this transaction

        first = store.store_submission_once(
            database, run_id, submission, assessment.verdicts, assessment.wages, hook=while_first_is_open
        )
        thread.join(60)
        assert first[1] == "accepted" and first[0] is not None
        assert other["result"] == (None, "skipped")
        assert db_rows(database, "SELECT COUNT(*) AS n FROM submissions")[0]["n"] == 1
        verdicts = db_rows(database, "SELECT COUNT(*) AS n FROM verdicts")[0]["n"]
        assert verdicts == len(assessment.verdicts)
    finally:
        database.engine.dispose()


def test_results_of_batches_merge_into_the_results_of_one_validation(demo: DemoFiles) -> None:
    from gwp_monitor.config.register import load_register
    from gwp_monitor.ingest.intake import take_in
    from gwp_monitor.validate.merge_results import merge_result_dicts

    register = load_register(demo.register_path)
    paths = sorted(f.path for f in demo.files if f.kind == "payroll")
    whole = take_in(paths, register, as_of=AS_OF).gx_results["payroll"].to_json_dict()
    half = len(paths) // 2
    parts = [
        take_in(p, register, as_of=AS_OF).gx_results["payroll"].to_json_dict() for p in (paths[:half], paths[half:])
    ]
    merged = merge_result_dicts(parts)

    def by_expectation(result: dict) -> dict:
        return {
            (r["expectation_config"]["type"], str(r["expectation_config"]["kwargs"].get("column"))): (
                r["success"],
                r["result"].get("element_count"),
                r["result"].get("unexpected_count"),
                r["result"].get("missing_count"),
                sorted(r["result"].get("partial_unexpected_index_list") or []),
            )
            for r in result["results"]
        }

    assert by_expectation(merged) == by_expectation(whole)
    assert any(not r["success"] for r in whole["results"]), "the demo's broken returns fail some rules"
    assert merged["statistics"] == whole["statistics"] and merged["success"] == whole["success"]


#: argv: reporting run id, then the paths. Settings from the environment (GWP_*), as in a task.
BATCH_TASK = r"""
import json, sys
from pathlib import Path
from gwp_monitor import orchestration
from gwp_monitor.config.settings import Settings, use_settings
settings = Settings.load()
with use_settings(settings):
    print(json.dumps(orchestration.ingest_batch(settings, int(sys.argv[1]), sys.argv[2:])))
"""


@pytest.mark.slow
@pytest.mark.postgres
def test_two_processes_ingesting_the_same_files_at_once_store_each_once(
    demo: DemoFiles, tmp_path: Path, db_rows, request: pytest.FixtureRequest
) -> None:
    """Two workers (or two overlapping DAG runs) given the same files at the same moment: every
    submission is stored once, and each file's submissions are counted once as stored and once as
    skipped between the two."""
    import json
    import subprocess
    import sys

    from conftest import _reporting_database

    databases = _reporting_database("postgres", request, tmp_path)
    url = next(databases)
    try:
        settings = settings_for(demo, url, tmp_path / "report")
        with use_settings(settings):
            opened = orchestration.open_run(settings)
            run_id, files = opened["run_id"], opened["files"]
        env = task_env(settings)
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", BATCH_TASK, str(run_id), *files], env=env, stdout=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        outs = [json.loads(w.communicate(timeout=600)[0].strip().splitlines()[-1]) for w in workers]
        assert all(w.returncode == 0 for w in workers)
        database = open_database(url)
        try:
            stored = db_rows(database, "SELECT COUNT(*) AS n, COUNT(DISTINCT file_sha256) AS d FROM submissions")[0]
            assert stored["n"] == stored["d"], "a submission was stored twice"
            with use_settings(settings):
                assert orchestration.pending_files(settings) == [], "every file is marked read"
            stored_by_both = sum(o.get("accepted", 0) + o.get("rejected", 0) + o.get("superseded", 0) for o in outs)
            assert stored_by_both == stored["n"]
            assert all(o["files_failed"] == 0 for o in outs)
        finally:
            database.engine.dispose()
        # The same files once through a single process give the same number of submissions.
        single = _reporting_database("postgres", request, tmp_path)
        single_url = next(single)
        try:
            one = settings_for(demo, single_url, tmp_path / "one" / "report")
            done = dag_steps(one)
            database = open_database(single_url)
            try:
                assert db_rows(database, "SELECT COUNT(*) AS n FROM submissions")[0]["n"] == stored["n"]
            finally:
                database.engine.dispose()
            assert done["closed"]["waiting"] == 0
        finally:
            next(single, None)
    finally:
        next(databases, None)


def test_heavy_imports_are_warmed_only_in_processes_that_fork_tasks() -> None:
    from gwp_monitor.airflow_preload import forks_tasks, preload

    assert forks_tasks(["/venv/bin/airflow", "scheduler"])
    assert forks_tasks(["airflow", "celery", "worker", "--concurrency", "2", "--celery-hostname", "w1@%h"])
    for argv in (
        ["airflow", "dag-processor"],
        ["airflow", "api-server"],
        ["airflow", "dags", "trigger", "x"],
        ["airflow"],
    ):
        assert not forks_tasks(argv), argv
        assert preload(argv) == [], argv


def test_a_batch_task_validates_once_per_kind_and_stage_not_per_file(
    demo: DemoFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gwp_monitor.validate import expectations

    calls: list[str] = []
    real = expectations._validate

    def counted(frame, rules, name):
        calls.append(name)
        return real(frame, rules, name)

    monkeypatch.setattr(expectations, "_validate", counted)
    settings = settings_for(demo, f"sqlite:///{tmp_path / 'gwp.db'}", tmp_path / "report", ingest_parallelism=1)
    done = dag_steps(settings)
    (batch,) = done["opened"]["batches"]
    assert len(batch) == len(demo.files) > 20
    kinds = {f.kind for f in demo.files}
    # One GX run per kind for the data-quality suite and one per kind for the commitments, whatever the
    # number of files (one batch of bytes here: the demo is far below GWP_BATCH_BYTES).
    assert len(calls) == 2 * len(kinds), calls


def test_a_direct_run_in_many_byte_batches_writes_one_set_of_data_docs(demo: DemoFiles, direct, tmp_path: Path) -> None:
    """`run_pipeline` reads a backlog in batches of GWP_BATCH_BYTES; its Data Docs are still one page
    per kind and stage, with the same expectation counts as one batch gives."""
    import re

    _, direct_report = direct
    report = tmp_path / "report"
    small = Settings.load(batch_bytes=20_000)  # a few files per batch
    calls: list[int] = []
    from gwp_monitor import pipeline

    real = pipeline._store_batch

    def counted(files, *args, **kwargs):
        calls.append(len(files))
        return real(files, *args, **kwargs)

    with use_settings(small), pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "_store_batch", counted)
        run_pipeline(
            demo.register_path, demo.landing, f"sqlite:///{tmp_path / 'gwp.db'}", as_of=AS_OF, data_docs_dir=report
        )
    assert len(calls) > 3, "the demo should need several byte batches at this size"
    assert pages(report) == pages(direct_report)

    def unexpected_counts(folder: Path) -> dict[str, list[str]]:
        out = {}
        for page in (folder / DOCS_FOLDER).glob("run-*.html"):
            html = page.read_text(encoding="utf-8")
            out[page.name.split("-", 2)[2]] = sorted(re.findall(r"(\d+) unexpected values found", html))
        return out

    # The same failures, counted over the whole run (an expectation a first batch did not run comes
    # later in the merged page, so the order may differ).
    merged = unexpected_counts(report)
    assert merged == unexpected_counts(direct_report)
    assert any(merged.values()), "the demo's planted breaches fail some rules"


#: BATCH_TASK, killed with SIGKILL just before the N-th INSERT INTO submissions (argv[1] is N).
KILLED_BATCH_TASK = (
    r"""
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine
nth, seen = int(sys.argv.pop(1)), 0
@event.listens_for(Engine, "before_cursor_execute")
def _kill(_conn, _cursor, statement, *_):
    global seen
    if statement.lstrip().upper().startswith("INSERT INTO SUBMISSIONS"):
        seen += 1
        if seen == nth:
            os.kill(os.getpid(), signal.SIGKILL)
"""
    + BATCH_TASK
)


@pytest.mark.slow
def test_a_batch_task_killed_mid_batch_converges_on_retry(demo: DemoFiles, direct, tmp_path: Path, db_rows) -> None:
    """kill -9 while a batch task stores its files; Airflow's retry runs the same task again: every
    submission is stored once, the run closes succeeded, and the views equal a direct run's."""
    import signal
    import subprocess
    import sys

    direct_db, _ = direct
    url = f"sqlite:///{tmp_path / 'gwp.db'}"
    settings = settings_for(demo, url, tmp_path / "report", ingest_parallelism=1)
    with use_settings(settings):
        opened = orchestration.open_run(settings)
        run_id, files = opened["run_id"], opened["files"]
    env = task_env(settings)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BATCH_TASK, "10", str(run_id), *files], env=env, capture_output=True, timeout=600
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    database = open_database(url)
    try:
        assert db_rows(database, "SELECT COUNT(*) AS n FROM submissions")[0]["n"] == 9, "nine stored before the kill"
        retried = subprocess.run(
            [sys.executable, "-c", BATCH_TASK, str(run_id), *files], env=env, capture_output=True, timeout=600
        )
        assert retried.returncode == 0, retried.stderr.decode()[-2000:]
        with use_settings(settings):
            closed = orchestration.close_run(settings, run_id, files)
        assert closed["waiting"] == 0
        assert db_rows(database, "SELECT status FROM runs") == [{"status": "succeeded"}]
        assert db_rows(database, HISTORY) == db_rows(direct_db, HISTORY)
        counts = "SELECT COUNT(*) AS n, COUNT(DISTINCT file_sha256) AS d FROM submissions"
        assert db_rows(database, counts) == db_rows(direct_db, counts)
    finally:
        database.engine.dispose()
