"""The thin layer between Airflow tasks and `gwp_monitor.orchestration`.

Kept out of the DAG files so they stay cheap to parse (no pandas, GX or SQLAlchemy import at parse
time): everything heavy is imported when a task runs. A configuration error fails the task at once
(retrying cannot fix a broken register); other operational errors are retried with backoff.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "gwp-monitor",
    "retries": int(os.environ.get("GWP_TASK_RETRIES", "3")),
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}


def call(step: str, *args: Any) -> Any:
    """Run orchestration step `step` with the deployment's settings."""
    from airflow.sdk.exceptions import AirflowFailException

    from . import orchestration
    from .settings import Settings

    try:
        return getattr(orchestration, step)(Settings.from_airflow(), *args)
    except orchestration.ConfigurationError as exc:
        raise AirflowFailException(str(exc)) from exc
