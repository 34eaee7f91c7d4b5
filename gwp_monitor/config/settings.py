"""Deployment settings in one place: flags win, then GWP_* environment variables, then defaults.

Airflow deployments may instead set Airflow Variables named like the environment variables in lower
case without the prefix (e.g. `gwp_database_url`); `Settings.from_airflow` reads those first.
Secrets (database passwords, SMTP passwords, webhook URLs) come from the environment or Airflow,
never from files in the repository.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Mapping

from gwp_monitor.store.database import DEFAULT_URL


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    register: Path = Path("gwp-demo/register.yaml")
    landing_dir: Path = Path("gwp-demo/landing")
    report_dir: Path = Path("gwp-demo/report")
    as_of: date | None = None  # None: today
    reminder_days_before: int = 3
    breach_reminder_days: int = 0  # 0: no reminders while a breach stays open
    returns_schedule: str = "@hourly"

    @property
    def today(self) -> date:
        return self.as_of or date.today()

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Settings":
        values = {}
        for f in fields(cls):
            if f.name == "alert_env":
                continue
            raw = env.get(f"GWP_{f.name.upper()}")
            if raw in (None, ""):
                continue
            values[f.name] = _convert(f.name, raw)
        return cls(**values, alert_env={k: env[k] for k in ALERT_SETTINGS if env.get(k)})

    #: Alert channel settings (GWP_SMTP_*, GWP_ALERT_FROM, GWP_WEBHOOK_*), as channels_from_env reads them.
    alert_env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_airflow(cls) -> "Settings":
        """Settings inside an Airflow task: Airflow Connections and Variables over GWP_* environment
        variables. Connection `gwp_reporting_db` gives the database URL; `gwp_smtp` the SMTP host,
        port, login and password; Variables `gwp_<setting>` (e.g. gwp_landing_dir, gwp_smtp_host,
        gwp_webhook_url) override the rest."""
        from airflow.sdk import Variable

        settings = cls.from_env()
        overrides: dict = {}
        for f in fields(cls):
            if f.name == "alert_env":
                continue
            raw = Variable.get(f"gwp_{f.name}", default=None)
            if raw not in (None, ""):
                overrides[f.name] = _convert(f.name, raw)
        alert_env = dict(settings.alert_env)
        for name in ALERT_SETTINGS:
            raw = Variable.get(name.lower(), default=None)
            if raw not in (None, ""):
                alert_env[name] = raw
        database = _connection("gwp_reporting_db")
        if database is not None and "database_url" not in overrides:
            overrides["database_url"] = _sqlalchemy_url(database.get_uri())
        smtp = _connection("gwp_smtp")
        if smtp is not None:
            alert_env.update({k: v for k, v in {
                "GWP_SMTP_HOST": smtp.host, "GWP_SMTP_PORT": str(smtp.port) if smtp.port else None,
                "GWP_SMTP_USER": smtp.login, "GWP_SMTP_PASSWORD": smtp.password,
            }.items() if v})
        return replace(settings, alert_env=alert_env, **overrides)


ALERT_SETTINGS = (
    "GWP_SMTP_HOST", "GWP_SMTP_PORT", "GWP_SMTP_USER", "GWP_SMTP_PASSWORD", "GWP_SMTP_STARTTLS",
    "GWP_ALERT_FROM", "GWP_WEBHOOK_URL", "GWP_WEBHOOK_STYLE", "GWP_WEBHOOK_EVENTS",
)


def _connection(conn_id: str):
    """An Airflow connection, or None when it is not defined."""
    from airflow.sdk import BaseHook

    try:
        return BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - AirflowNotFoundException's home moved between versions
        return None


def _sqlalchemy_url(uri: str) -> str:
    """Airflow writes postgres://; SQLAlchemy wants postgresql://."""
    return "postgresql://" + uri[len("postgres://"):] if uri.startswith("postgres://") else uri


def _convert(name: str, raw: str):
    if name in ("register", "landing_dir", "report_dir"):
        return Path(raw)
    if name == "as_of":
        return date.fromisoformat(raw)
    if name in ("reminder_days_before", "breach_reminder_days"):
        return int(raw)
    return raw
