"""Deployment settings in one place: flags win, then GWP_* environment variables, then defaults.

Airflow deployments may instead set Airflow Variables named like the environment variables in lower
case without the prefix (e.g. `gwp_database_url`); `Settings.from_airflow` reads those first.
Secrets (database passwords, SMTP passwords, webhook URLs) come from the environment or Airflow,
never from files in the repository.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Mapping

from .db import DEFAULT_URL


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
            raw = env.get(f"GWP_{f.name.upper()}")
            if raw in (None, ""):
                continue
            values[f.name] = _convert(f.name, raw)
        return cls(**values)

    @classmethod
    def from_airflow(cls) -> "Settings":
        """Airflow Variables (gwp_database_url, ...) over GWP_* environment variables; call inside a task."""
        from airflow.sdk import Variable

        settings = cls.from_env()
        overrides = {}
        for f in fields(cls):
            raw = Variable.get(f"gwp_{f.name}", default=None)
            if raw not in (None, ""):
                overrides[f.name] = _convert(f.name, raw)
        return replace(settings, **overrides)


def _convert(name: str, raw: str):
    if name in ("register", "landing_dir", "report_dir"):
        return Path(raw)
    if name == "as_of":
        return date.fromisoformat(raw)
    if name in ("reminder_days_before", "breach_reminder_days"):
        return int(raw)
    return raw
