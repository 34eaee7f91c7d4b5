"""gwp_return_deadlines: daily reminders before returns fall due and notices when they are overdue.

Reminders go to suppliers GWP_REMINDER_DAYS_BEFORE days (default 3) before a due date; overdue
notices go to the supplier and the contract manager. Each notice is sent once per channel. Also
deletes processed return files older than GWP_RETENTION_DAYS (default 90): raw returns hold personal data. The task
imports gwp_monitor.orchestration in its body, so parsing this file loads no pandas or Great Expectations.
"""

from __future__ import annotations

import os

from airflow.sdk import CronTriggerTimetable, dag, task

from gwp_monitor.airflow_support import DAG_DEFAULTS, call


@dag(
    dag_id="gwp_return_deadlines",
    schedule=CronTriggerTimetable(os.environ.get("GWP_DEADLINES_SCHEDULE", "0 7 * * *"), timezone="Europe/London"),
    doc_md=__doc__,
    **DAG_DEFAULTS,
)
def gwp_return_deadlines():
    @task(multiple_outputs=False)
    def send_return_alerts() -> dict:
        from gwp_monitor import orchestration

        return call(orchestration.send_return_alerts)

    @task(multiple_outputs=False)
    def purge_processed() -> dict:
        """Retention (data protection): processed files older than GWP_RETENTION_DAYS are deleted."""
        from gwp_monitor import orchestration

        return call(orchestration.purge_processed)

    send_return_alerts()
    purge_processed()


gwp_return_deadlines()
