"""Start the returns DAG at once after an upload: an asset event for `gwp_landing` through Airflow 3's
REST API (the DAG gwp_returns is scheduled on that asset as well as on its timetable).

Airflow 3's public API: POST /auth/token (simple auth manager, or FAB's JWT) for a bearer token, then
GET /api/v2/assets?name_pattern=gwp_landing for the asset's id and POST /api/v2/assets/events with
{"asset_id": id, "extra": {...}}. Anything failing here is not the supplier's problem: the file is
landed, so the next scheduled run takes it; the answer says which happened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from gwp_monitor.config.settings import Settings

ASSET_NAME = "gwp_landing"
TIMEOUT_SECONDS = 10.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Triggered:
    started: bool
    message: str


SCHEDULED = (
    "The next scheduled run of the returns pipeline takes it (within the hour); this page shows the verdict then."
)


def configured(settings: Settings) -> bool:
    return bool(settings.airflow_api_url and settings.airflow_api_user and settings.airflow_api_password)


def announce_landing(settings: Settings, extra: dict[str, str]) -> Triggered:
    """Post an asset event for gwp_landing when Airflow is configured; never raises."""
    if not configured(settings):
        return Triggered(False, SCHEDULED)
    assert settings.airflow_api_url and settings.airflow_api_password  # configured()
    base = settings.airflow_api_url.rstrip("/")
    try:
        with httpx.Client(base_url=base, timeout=TIMEOUT_SECONDS) as client:
            login = client.post(
                "/auth/token",
                json={
                    "username": settings.airflow_api_user,
                    "password": settings.airflow_api_password.get_secret_value(),
                },
            )
            login.raise_for_status()
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            found = client.get("/api/v2/assets", params={"name_pattern": ASSET_NAME}, headers=headers)
            found.raise_for_status()
            ids = [a["id"] for a in found.json().get("assets", []) if a.get("name") == ASSET_NAME]
            if not ids:
                raise LookupError(f"Airflow has no asset named {ASSET_NAME} (is the gwp_returns DAG deployed?)")
            posted = client.post("/api/v2/assets/events", json={"asset_id": ids[0], "extra": extra}, headers=headers)
            posted.raise_for_status()
    except (httpx.HTTPError, LookupError, KeyError, ValueError, TypeError) as exc:
        log.warning("could not start the returns pipeline through Airflow: %s", _brief(exc))
        return Triggered(False, "The returns pipeline could not be started at once. " + SCHEDULED)
    return Triggered(True, "The returns pipeline has been started: the verdict follows within minutes.")


def _brief(exc: BaseException) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code} from {exc.request.url.path}"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
