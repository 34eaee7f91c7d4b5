"""gwp_returns: supplier returns -> Great Expectations -> verdicts -> alerts -> dashboard.

Runs hourly (GWP_RETURNS_SCHEDULE, a cron expression) and whenever the `gwp_landing` asset is
updated by whatever drops files in the landing folder (the portal, or a sync job posting an asset event).
First one mapped task per landing source (GWP_SOURCES and the register's supplier sources: SFTP,
IMAP, folders) fetches new files into the landing folder; a source that is down fails its own task
and the others carry on. Then one mapped task per new file; only paths and counts travel through XCom. Each task imports
gwp_monitor.orchestration in its body, so parsing this file loads no pandas or Great Expectations.
"""

from __future__ import annotations

import os
from pathlib import Path

from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from gwp_monitor.airflow_support import DAG_DEFAULTS, call

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
    def list_new_files() -> list[str]:
        from gwp_monitor import orchestration

        return call(orchestration.pending_files)

    @task(max_active_tis_per_dagrun=2, multiple_outputs=False)
    def ingest(path: str) -> dict:
        from gwp_monitor import orchestration

        return call(orchestration.ingest_file, path)

    @task(trigger_rule="all_done", multiple_outputs=False)
    def refresh_status() -> dict:
        from gwp_monitor import orchestration

        return call(orchestration.refresh_status)

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
    files = list_new_files()
    sources >> fetched >> files
    ingested = ingest.expand(path=files)
    refreshed = refresh_status()
    alerts = send_alerts()
    report = build_report()
    ingested >> refreshed >> alerts >> report
    [sources, fetched, files, ingested, refreshed, alerts, report] >> watcher()


gwp_returns()
