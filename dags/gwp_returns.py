"""gwp_returns: supplier returns -> Great Expectations -> verdicts -> alerts -> dashboard.

Runs hourly (GWP_RETURNS_SCHEDULE, a cron expression) and whenever the `gwp_landing` asset is
updated by whatever drops files in the landing folder (e.g. an SFTP sync job posting an asset event).
One mapped task per new file; only paths and counts travel through XCom.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from gwp_monitor.airflow_support import DEFAULT_ARGS, call

LANDING_DIR = os.environ.get("GWP_LANDING_DIR", "gwp-demo/landing")
LANDING = Asset(name="gwp_landing", uri="file://" + os.path.abspath(LANDING_DIR))
SCHEDULE = os.environ.get("GWP_RETURNS_SCHEDULE", "0 * * * *")


@dag(
    dag_id="gwp_returns",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable(SCHEDULE, timezone="Europe/London"), assets=[LANDING]),
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/London"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["gwp-monitor"],
    doc_md=__doc__,
)
def gwp_returns():
    @task
    def list_new_files() -> list[str]:
        return call("pending_files")

    @task(max_active_tis_per_dagrun=2)
    def ingest(path: str) -> dict:
        return call("ingest_file", path)

    @task(trigger_rule="all_done")
    def refresh_status() -> dict:
        return call("refresh_status")

    @task
    def send_breach_alerts() -> dict:
        return call("send_breach_alerts")

    @task(trigger_rule="all_done")
    def build_report() -> str:
        return call("build_report")

    ingested = ingest.expand(path=list_new_files())
    refreshed = refresh_status()
    alerts = send_breach_alerts()
    ingested >> refreshed >> alerts >> build_report()


gwp_returns()
