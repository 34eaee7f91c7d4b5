"""Airflow plugin: warm gwp-monitor's and Great Expectations' imports in the processes that fork tasks
(the scheduler with LocalExecutor, Celery workers). Needs AIRFLOW__CORE__LAZY_LOAD_PLUGINS=False;
see gwp_monitor/airflow_preload.py."""

from __future__ import annotations

import sys

from airflow.plugins_manager import AirflowPlugin

from gwp_monitor.airflow_preload import preload

preload(sys.argv)


class GwpMonitorPreload(AirflowPlugin):
    name = "gwp_monitor_preload"
