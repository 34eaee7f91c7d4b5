"""gwp_public_registers: the UK gender pay gap register -> GX -> snapshots -> contracts checked again.

Runs monthly (GWP_PUBLIC_REGISTERS_SCHEDULE, a cron expression; default the 2nd at 06:00) and imports
the register from GWP_GPG_REGISTER_SOURCE (a path or an http(s):// URL). The same content is imported
once; a malformed file fails the task with its problems and stores nothing. The task imports
gwp_monitor.orchestration in its body, so parsing this file loads no pandas or Great Expectations.
"""

from __future__ import annotations

import os

from airflow.sdk import CronTriggerTimetable, dag, task

from gwp_monitor.airflow_support import DAG_DEFAULTS, call


@dag(
    dag_id="gwp_public_registers",
    schedule=CronTriggerTimetable(
        os.environ.get("GWP_PUBLIC_REGISTERS_SCHEDULE", "0 6 2 * *"), timezone="Europe/London"
    ),
    doc_md=__doc__,
    **DAG_DEFAULTS,
)
def gwp_public_registers():
    @task(multiple_outputs=False)
    def import_gender_pay_gap_register() -> dict:
        from gwp_monitor import orchestration

        return call(orchestration.import_public_registers)

    import_gender_pay_gap_register()


gwp_public_registers()
