"""The thin layer between Airflow tasks and `gwp_monitor.orchestration`.

Kept out of the DAG files so they stay cheap to parse (no pandas, GX or SQLAlchemy import at parse
time): everything heavy is imported when a task runs. Settings come from ``config.settings`` (light:
pydantic only); Airflow Variables and Connections are read when a task runs, never while parsing.
A configuration error fails the task at once (retrying cannot fix a broken register or a bad
setting); other operational errors are retried with backoff.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from gwp_monitor.config.settings import Settings, SettingsError, use_settings

_PARSE_SETTINGS = Settings.load()  # environment only, at parse time; a bad value fails the DAG import, naming it
#: How many batch tasks of one DAG run may ingest at once (GWP_INGEST_PARALLELISM).
INGEST_PARALLELISM = _PARSE_SETTINGS.ingest_parallelism

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "gwp-monitor",
    "retries": _PARSE_SETTINGS.task_retries,  # GWP_TASK_RETRIES
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}

#: Settings both DAGs share: no catch-up of missed runs (each run works on the whole backlog anyway),
#: one run at a time (runs write the same reporting database).
DAG_DEFAULTS: dict[str, Any] = {
    "start_date": datetime(2025, 1, 1, tzinfo=UTC),
    "catchup": False,
    "max_active_runs": 1,
    "default_args": DEFAULT_ARGS,
    "tags": ["gwp-monitor"],
}


def call(step: Callable[..., Any], *args: Any) -> Any:
    """Run orchestration step `step` (a function of `gwp_monitor.orchestration`) with the deployment's settings."""
    from airflow.sdk.exceptions import AirflowFailException

    from gwp_monitor import orchestration
    from gwp_monitor.notify.delivery import ChannelConfigError, DeliveryError
    from gwp_monitor.validate import quiet_gx_logs

    quiet_gx_logs()  # again: the task runner configures logging after the modules were imported (or preloaded)

    try:
        settings = Settings.from_airflow()
        with use_settings(settings):
            return step(settings, *args)
    except (orchestration.ConfigurationError, ChannelConfigError, SettingsError) as exc:
        raise AirflowFailException(str(exc)) from exc
    except DeliveryError as exc:
        if exc.retryable:
            raise
        raise AirflowFailException(
            f"{exc} (a retry would fail the same way: fix the setting, then clear the task)"
        ) from exc
