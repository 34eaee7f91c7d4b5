"""gwp_returns: supplier returns -> Great Expectations -> verdicts -> alerts -> dashboard.

Runs hourly (GWP_RETURNS_SCHEDULE, a cron expression) and whenever the `gwp_landing` asset is
updated by whatever drops files in the landing folder (the portal, or a sync job posting an asset event).
First one mapped task per landing source (GWP_SOURCES and the register's supplier sources: SFTP,
IMAP, folders) fetches new files into the landing folder; a source that is down fails its own task
and the others carry on. The new files are then split into batches (sized from the backlog and
GWP_INGEST_PARALLELISM / GWP_INGEST_BATCH_MIN_FILES / GWP_INGEST_BATCH_MAX_FILES), one mapped task
per batch; each file is still its own transaction and outcome, and moves to the processed area once
stored. `open_run` lists the new files and opens the run's one `runs` row, the batch tasks attach to
it, `close_run` closes it, renders the run's Data Docs once and refreshes timeliness. Steps are few on
purpose: each task in the chain costs a scheduler round trip. Only paths and counts travel through
XCom. Each task imports gwp_monitor.orchestration in its body, so parsing this file loads no pandas or
Great Expectations.
"""

from __future__ import annotations

import os
from pathlib import Path

from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from gwp_monitor.airflow_support import DAG_DEFAULTS, INGEST_PARALLELISM, call

LANDING_DIR = os.environ.get("GWP_LANDING_DIR", "gwp-demo/landing")
LANDING = Asset(name="gwp_landing", uri=Path(LANDING_DIR).resolve().as_uri())
SCHEDULE = os.environ.get("GWP_RETURNS_SCHEDULE", "0 * * * *")


@dag(
    dag_id="gwp_returns",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable(SCHEDULE, timezone="Europe/London"), assets=[LANDING]),
    doc_md=__doc__,
    **DAG_DEFAULTS,
)
def gwp_returns():
    @task
    def landing_sources() -> list[str]:
        from gwp_monitor import orchestration

        return call(orchestration.landing_sources)

    @task(multiple_outputs=False)
    def fetch_source(source: str) -> dict:
        """One task per source (GWP_SOURCES and the register's): a source that is down fails alone."""
        from gwp_monitor import orchestration

        return call(orchestration.fetch_source, source)

    @task(trigger_rule="all_done")  # files already landed are read even when a source is down
    def open_run() -> list[dict]:
        """List the new files and open the run's `runs` row; one {reporting_run, paths} per batch."""
        from airflow.sdk import get_current_context

        from gwp_monitor import orchestration

        opened = call(orchestration.open_run)
        ti = get_current_context()["ti"]
        ti.xcom_push(key="reporting_run", value=opened["run_id"])
        ti.xcom_push(key="files", value=opened["files"])
        return [{"reporting_run": opened["run_id"], "paths": batch} for batch in opened["batches"]]

    @task(max_active_tis_per_dagrun=INGEST_PARALLELISM, multiple_outputs=False)
    def ingest(reporting_run: int, paths: list[str]) -> dict:
        """One batch of files; `reporting_run` is the id of the run's `runs` row (not Airflow's run_id)."""
        from gwp_monitor import orchestration

        return call(orchestration.ingest_batch, reporting_run, paths)

    @task(trigger_rule="all_done", multiple_outputs=False)
    def close_run() -> dict:
        """Close the run's `runs` row, render its Data Docs, refresh timeliness (whatever the batches did)."""
        from airflow.sdk import get_current_context
        from airflow.sdk.exceptions import AirflowFailException

        from gwp_monitor import orchestration

        ti = get_current_context()["ti"]
        reporting_run = ti.xcom_pull(task_ids="open_run", key="reporting_run")
        if reporting_run is None:
            raise AirflowFailException("open_run did not open a run; see its log")
        return call(orchestration.close_run, reporting_run, ti.xcom_pull(task_ids="open_run", key="files"))

    @task(multiple_outputs=False)
    def send_alerts() -> dict:
        from gwp_monitor import orchestration

        return call(orchestration.send_alerts)

    @task(trigger_rule="all_done")
    def build_report() -> str:
        from gwp_monitor import orchestration

        return call(orchestration.build_report)

    @task(trigger_rule="one_failed", retries=0)
    def watcher() -> None:
        """Fail the run when any task failed. build_report runs whatever happened (all_done) and a
        run's state comes from its last tasks, so without this a failed ingest or an undelivered
        alert would leave the run marked successful."""
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException("a task of this run failed; see that task's log")

    sources = landing_sources()
    fetched = fetch_source.expand(source=sources)
    opened = open_run()
    sources >> fetched >> opened
    ingested = ingest.expand_kwargs(opened)
    closed = close_run()
    alerts = send_alerts()
    report = build_report()
    ingested >> closed >> [alerts, report]  # the dashboard need not wait for the alerts
    [sources, fetched, opened, ingested, closed, alerts, report] >> watcher()


gwp_returns()
