"""Settings: flags > GWP_* environment > (inside Airflow) Variables and Connections > defaults."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from gwp_monitor import resources
from gwp_monitor.cli import main
from gwp_monitor.config.settings import Settings, SettingsError, current_settings, use_settings
from gwp_monitor.domain.rates import default_rates_dir
from gwp_monitor.ingest.reading import ReadLimits
from gwp_monitor.store.database import database_url, sql_dir
from gwp_monitor.validate.expectations import expectations_dir

PACKAGE = Path(__file__).resolve().parent.parent / "gwp_monitor"


def test_environment_variables_override_defaults_and_empty_means_unset():
    settings = Settings.from_env(
        {
            "GWP_DATABASE_URL": "sqlite:///x.db",
            "GWP_LANDING_DIR": "/srv/landing",
            "GWP_AS_OF": "2026-03-31",
            "GWP_REMINDER_DAYS_BEFORE": "5",
            "GWP_REPORT_DIR": "",
            "GWP_SMTP_HOST": " mail.example ",
            "GWP_SMTP_PORT": " ",
            "GWP_REGISTER": "reg.yaml",
            "UNRELATED": "1",
        }
    )
    assert settings.database_url == "sqlite:///x.db"
    assert settings.landing_dir == Path("/srv/landing")
    assert settings.contract_register == Path("reg.yaml")
    assert settings.today == date(2026, 3, 31)
    assert settings.reminder_days_before == 5
    assert settings.report_dir == Settings.from_env({}).report_dir  # empty is unset
    assert settings.smtp_host == "mail.example" and settings.smtp_port is None  # blank is unset too
    assert settings.given("report_dir") is None and settings.given("landing_dir") == Path("/srv/landing")


def test_flags_win_over_the_environment_and_none_flags_are_ignored():
    env = {"GWP_LANDING_DIR": "/from/env", "GWP_DATABASE_URL": "sqlite:///env.db", "GWP_AS_OF": "2026-01-31"}
    settings = Settings.load(environ=env, landing_dir=Path("/from/flag"), database_url=None, as_of=date(2026, 2, 28))
    assert settings.landing_dir == Path("/from/flag")
    assert settings.database_url == "sqlite:///env.db"
    assert settings.as_of == date(2026, 2, 28)


def test_every_deployment_setting_is_a_field_with_its_variable():
    settings = Settings.from_env(
        {
            "GWP_MAX_FILE_BYTES": "1000",
            "GWP_MAX_LINE_BYTES": "99",
            "GWP_EXPECTATIONS_DIR": "/suites",
            "GWP_SQL_DIR": "/sql",
            "GWP_RATES_DIR": "/rates",
            "GWP_TASK_RETRIES": "0",
            "GWP_DEBUG": "1",
            "GWP_SMTP_STARTTLS": "Yes",
            "GWP_SMTP_PASSWORD": " secret-123456 ",
            "GWP_WEBHOOK_URL": "https://h.example/T/xyzzy",
            "GWP_WEBHOOK_EVENTS": "breach_opened, breach_resolved,",
            "GWP_WEBHOOK_STYLE": "teams",
            "GWP_BREACH_REMINDER_DAYS": "7",
        }
    )
    assert (settings.max_file_bytes, settings.max_line_bytes) == (1000, 99)
    directories = (settings.expectations_dir, settings.sql_dir, settings.rates_dir)
    assert directories == (Path("/suites"), Path("/sql"), Path("/rates"))
    assert (settings.task_retries, settings.debug, settings.smtp_starttls) == (0, True, True)
    assert settings.smtp_password.get_secret_value() == " secret-123456 "  # a password keeps its spaces
    assert settings.webhook_events == ("breach_opened", "breach_resolved")
    assert (settings.webhook_style, settings.breach_reminder_days) == ("teams", 7)
    assert "secret-123456" not in repr(settings) and "xyzzy" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"GWP_MAX_FILE_BYTES": "abc"}, "GWP_MAX_FILE_BYTES='abc' is not valid: input should be a valid integer"),
        ({"GWP_MAX_LINE_BYTES": "0"}, "GWP_MAX_LINE_BYTES='0' is not valid: input should be greater than 0"),
        ({"GWP_AS_OF": "31/03/2026"}, "GWP_AS_OF='31/03/2026' is not valid: input should be a valid date"),
        ({"GWP_SMTP_STARTTLS": "maybe"}, "GWP_SMTP_STARTTLS='maybe' is not valid: input should be a valid boolean"),
        ({"GWP_TASK_RETRIES": "-1"}, "GWP_TASK_RETRIES='-1' is not valid: input should be greater than or equal to 0"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(env, expected):
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    assert str(info.value).startswith(expected) and "\n" not in str(info.value)


def test_secrets_are_not_quoted_in_errors():
    with pytest.raises(SettingsError) as info:
        Settings.load(environ={"GWP_SMTP_PORT": "x"}, database_url=123)
    message = str(info.value)
    assert "setting database_url is not valid" in message and "123" not in message
    assert "GWP_SMTP_PORT='x' is not valid" in message


def test_the_cli_refuses_a_bad_setting_with_exit_2_and_one_line(monkeypatch, capsys):
    monkeypatch.setenv("GWP_MAX_FILE_BYTES", "10MB")
    assert main(["status"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gwp-monitor: error: GWP_MAX_FILE_BYTES='10MB' is not valid") and "\n" not in err


def test_the_pipeline_reads_the_settings_in_force(monkeypatch, tmp_path):
    for name in ("GWP_EXPECTATIONS_DIR", "GWP_SQL_DIR", "GWP_RATES_DIR", "GWP_DATABASE_URL", "GWP_MAX_FILE_BYTES"):
        monkeypatch.delenv(name, raising=False)
    assert expectations_dir() == resources.suites_dir() and sql_dir() == resources.sql_dir()
    assert default_rates_dir() == resources.rates_dir()
    monkeypatch.setenv("GWP_RATES_DIR", str(tmp_path))  # outside a command: the environment, read afresh
    assert default_rates_dir() == tmp_path
    for name in ("q/migrations/0001_initial.py", "q/views/10_v.sql"):  # sql_dir() refuses a folder without them
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    installed = Settings.load(
        environ={},
        expectations_dir=tmp_path / "s",
        sql_dir=tmp_path / "q",
        max_file_bytes=5,
        database_url="sqlite:///in-force.db",
    )
    with use_settings(installed):
        assert current_settings() is installed
        assert (expectations_dir(), sql_dir()) == (tmp_path / "s", tmp_path / "q")
        assert default_rates_dir() == resources.rates_dir()
        assert ReadLimits.from_settings().max_bytes == 5
        assert database_url() == "sqlite:///in-force.db" and database_url("sqlite:///given.db") == "sqlite:///given.db"
    assert default_rates_dir() == tmp_path


def test_the_package_reads_no_environment_variable_itself():
    """Every setting goes through Settings (config/settings.py reads the environment via pydantic-settings)."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{n}"
        for path in PACKAGE.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"os\.environ|getenv", line)
    ]
    assert offenders == []


@pytest.mark.airflow
def test_airflow_variables_and_connections_sit_under_the_environment(tmp_path):
    """Run in a subprocess: Airflow reads its own configuration once, at import."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GWP_", "AIRFLOW"))},
        "AIRFLOW_HOME": str(tmp_path),
        "GWP_DATABASE_URL": "sqlite:///from-env.db",
        "GWP_REPORT_DIR": "/from/env",
        "AIRFLOW_CONN_GWP_REPORTING_DB": "postgres://gwp:pw-123456@db.example:5432/gwp",
        "AIRFLOW_CONN_GWP_SMTP": "smtp://mailer:secret-123456@mail.example:2525",
        "AIRFLOW_VAR_GWP_LANDING_DIR": "/from/variable",
        "AIRFLOW_VAR_GWP_REPORT_DIR": "/from/variable",
        "AIRFLOW_VAR_GWP_REGISTER": "/from/variable/register.yaml",
        "AIRFLOW_VAR_GWP_SMTP_PORT": "2626",
        "AIRFLOW_VAR_GWP_AS_OF": "2026-01-31",
        "AIRFLOW_VAR_GWP_WEBHOOK_URL": "http://127.0.0.1:9/hook",
    }
    code = """if True:
        import json, os
        from datetime import date
        from gwp_monitor.config.settings import Settings, SettingsError
        s = Settings.from_airflow(as_of=date(2026, 2, 28))
        out = {"db": s.database_url, "landing": str(s.landing_dir), "report": str(s.report_dir),
               "register": str(s.contract_register), "as_of": str(s.as_of), "webhook": s.webhook_url.get_secret_value(),
               "smtp": [s.smtp_host, s.smtp_port, s.smtp_user, s.smtp_password.get_secret_value()]}
        del os.environ["GWP_DATABASE_URL"]
        out["db_from_connection"] = Settings.from_airflow().database_url
        out["outside_airflow"] = str(Settings.load().landing_dir)
        os.environ["AIRFLOW_VAR_GWP_MAX_FILE_BYTES"] = "lots"
        try:
            Settings.from_airflow()
        except SettingsError as exc:
            out["error"] = str(exc)
        print(json.dumps(out))
    """
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["db"] == "sqlite:///from-env.db"  # the environment wins over the Connection
    assert got["report"] == "/from/env"  # ... and over a Variable
    assert got["landing"] == "/from/variable" and got["register"] == "/from/variable/register.yaml"
    assert got["as_of"] == "2026-02-28"  # a flag wins over everything
    assert got["smtp"] == ["mail.example", 2626, "mailer", "secret-123456"]  # a Variable wins over the Connection
    assert got["webhook"] == "http://127.0.0.1:9/hook"
    assert got["db_from_connection"] == "postgresql://gwp:pw-123456@db.example:5432/gwp"
    assert got["outside_airflow"] == "gwp-demo/landing"
    assert got["error"].startswith("Airflow Variable gwp_max_file_bytes='lots' is not valid")
