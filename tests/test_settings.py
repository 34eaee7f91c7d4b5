"""Settings: flags > GWP_* environment > defaults; in Airflow, Connections and Variables on top."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from gwp_monitor.config.settings import Settings


def test_environment_variables_override_defaults_and_empty_means_unset():
    settings = Settings.from_env(
        {"GWP_DATABASE_URL": "sqlite:///x.db", "GWP_LANDING_DIR": "/srv/landing", "GWP_AS_OF": "2026-03-31",
         "GWP_REMINDER_DAYS_BEFORE": "5", "GWP_REPORT_DIR": "", "GWP_SMTP_HOST": "mail.example", "UNRELATED": "1"}
    )
    assert settings.database_url == "sqlite:///x.db"
    assert settings.landing_dir == Path("/srv/landing")
    assert settings.today == date(2026, 3, 31)
    assert settings.reminder_days_before == 5
    assert settings.report_dir == Settings().report_dir  # empty is unset
    assert settings.alert_env == {"GWP_SMTP_HOST": "mail.example"}


@pytest.mark.airflow
def test_airflow_connections_and_variables_override_the_environment(tmp_path):
    """Run in a subprocess: Airflow reads its environment once, at import."""
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path),
        "GWP_DATABASE_URL": "sqlite:///ignored.db",
        "GWP_LANDING_DIR": "/from/env",
        "AIRFLOW_CONN_GWP_REPORTING_DB": "postgres://gwp:pw-123456@db.example:5432/gwp",
        "AIRFLOW_CONN_GWP_SMTP": "smtp://mailer:secret-123456@mail.example:2525",
        "AIRFLOW_VAR_GWP_LANDING_DIR": "/from/variable",
        "AIRFLOW_VAR_GWP_WEBHOOK_URL": "http://127.0.0.1:9/hook",
    }
    code = (
        "import json; from gwp_monitor.config.settings import Settings; s = Settings.from_airflow(); "
        "print(json.dumps({'db': s.database_url, 'landing': str(s.landing_dir), 'alerts': s.alert_env}))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=120)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["db"] == "postgresql://gwp:pw-123456@db.example:5432/gwp"
    assert got["landing"] == "/from/variable"
    assert got["alerts"] == {
        "GWP_WEBHOOK_URL": "http://127.0.0.1:9/hook", "GWP_SMTP_HOST": "mail.example", "GWP_SMTP_PORT": "2525",
        "GWP_SMTP_USER": "mailer", "GWP_SMTP_PASSWORD": "secret-123456",
    }
