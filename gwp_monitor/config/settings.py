"""Deployment settings in one place, read by the command line, the Airflow tasks and the library.

Precedence (highest first): command-line flags, then ``GWP_*`` environment variables, then, inside
an Airflow task only, Airflow Variables ``gwp_<setting>`` and the Connections ``gwp_reporting_db``
(database URL) and ``gwp_smtp`` (SMTP host, port, login, password), then the defaults below. An empty
variable counts as unset. Secrets (database passwords, SMTP password, webhook URL) come from the
environment or Airflow, never from files in the repository, and are never shown in messages.

A value that cannot be used fails at once with one line naming the variable (``SettingsError``),
instead of a traceback in the middle of a run. This module imports nothing heavy and not Airflow:
the DAG files read ``task_retries`` from it while Airflow parses them.

The command line and the Airflow tasks install the settings they built with ``use_settings`` for the
duration of a command; code deep in the pipeline (where the suites or the wage tables are, how large
a file may be) asks ``current_settings()``, which outside such a block reads the environment afresh.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, PrivateAttr, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticUseDefault
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings import SettingsError as _SourceError
from pydantic_settings.sources.utils import parse_env_vars

DEFAULT_DATABASE_URL = "sqlite:///gwp-demo/gwp.db"
DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_LINE_BYTES = 64 * 1024
ENV_PREFIX = "GWP_"
#: Kept exactly as given: spaces may be part of a password.
_UNSTRIPPED = frozenset({"smtp_password", "airflow_api_password", "portal_secret_key"})
_SOURCE_SECRET_PREFIXES = ("gwp_source_password_", "gwp_source_key_")


class SettingsError(ValueError):
    """A setting's value cannot be used; the one-line message names the variable to fix."""


class Settings(BaseSettings):
    """Every setting of a deployment; the field ``x`` is the environment variable ``GWP_X``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_prefix_target="all",
        env_ignore_empty=True,
        validate_by_name=True,
        extra="ignore",
        frozen=True,
    )

    database_url: str = Field(DEFAULT_DATABASE_URL, repr=False)  # may embed a password
    #: GWP_REGISTER (a field named ``register`` would shadow pydantic's ABC machinery).
    contract_register: Path = Field(Path("gwp-demo/register.yaml"), alias="register")
    landing_dir: Path = Path("gwp-demo/landing")
    report_dir: Path = Path("gwp-demo/report")
    as_of: date | None = None  # None: today
    reminder_days_before: int = Field(3, ge=0)
    breach_reminder_days: int = Field(0, ge=0)  # 0: no reminders while a breach stays open
    #: Reading limits for supplier files (ingest.reading.ReadLimits).
    max_file_bytes: int = Field(DEFAULT_MAX_FILE_BYTES, gt=0)
    max_line_bytes: int = Field(DEFAULT_MAX_LINE_BYTES, gt=0)
    #: A run reads, assesses and stores the landing backlog in batches of files of at most this many
    #: bytes (a larger file is a batch alone), so memory is bounded by the largest file (pipeline.batches).
    batch_bytes: int = Field(64 * 1024 * 1024, gt=0)
    #: The Airflow DAG splits a backlog into batch tasks (pipeline.plan_batches): at most
    #: ingest_parallelism of them run at once (one GX import and one database connection each), each
    #: takes at least ingest_batch_min_files files (a task costs seconds to start; a few files are not
    #: worth a task of their own) and at most ingest_batch_max_files (a retry redoes a bounded task).
    #: Size ingest_parallelism to the database: 1-2 for SQLite (one writer at a time), up to the cores
    #: of the workers for PostgreSQL; docs/deployment.md.
    ingest_parallelism: int = Field(2, ge=1)
    ingest_batch_min_files: int = Field(20, ge=1)
    ingest_batch_max_files: int = Field(500, ge=1)
    #: None: the files shipped in the package (gwp_monitor.resources).
    expectations_dir: Path | None = None
    sql_dir: Path | None = None
    rates_dir: Path | None = None
    #: The UK gender pay gap register the monthly gwp_public_registers DAG imports: a path or an
    #: http(s):// URL of the CSV (None: the DAG has nothing to import and says so).
    gpg_register_source: str | None = None
    task_retries: int = Field(3, ge=0)
    #: PostgreSQL time limits in seconds (store.database.make_engine); 0 turns one off. A silent network
    #: fails a connection attempt after db_connect_timeout and an open connection after about
    #: db_network_timeout (TCP keepalives and TCP_USER_TIMEOUT), instead of hanging the run.
    db_connect_timeout: int = Field(10, ge=0)
    db_statement_timeout: int = Field(900, ge=0)
    db_idle_timeout: int = Field(60, ge=0)  # idle inside a transaction (a cut session holding locks)
    db_network_timeout: int = Field(60, ge=0)
    #: Transient database errors (an outage, a dropped connection) are retried this many times with
    #: exponential backoff from db_retry_delay seconds (store.retry).
    db_retries: int = Field(5, ge=0)
    db_retry_delay: float = Field(0.5, ge=0)
    #: Seconds a run waits for another run on the same database to finish (store.runs).
    run_lock_wait: float = Field(3600, ge=0)
    debug: bool = False
    #: Alert channels (notify.channels.channels_from_settings): e-mail is on when smtp_host is set,
    #: the webhook when webhook_url is.
    smtp_host: str | None = None
    smtp_port: int | None = Field(None, gt=0, lt=65536)  # None: 587 with STARTTLS, else 25
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    alert_from: str | None = None
    webhook_url: SecretStr | None = None  # Slack and Teams webhook URLs embed their token
    webhook_style: str = "slack"
    webhook_events: Annotated[tuple[str, ...] | None, NoDecode] = None  # comma-separated
    #: Landing sources fetched before each run (gwp_monitor.sources), comma-separated URLs:
    #: file:///folder, sftp://user@host[:port]/folder, imaps://user@host[:port]/Mailbox, portal.
    #: Passwords and keys never go here: GWP_SOURCE_PASSWORD_<HOST> / GWP_SOURCE_KEY_<HOST> or Airflow.
    sources: Annotated[tuple[str, ...], NoDecode] = ()
    #: SSH known_hosts file the SFTP sources' host keys are checked against (besides ~/.ssh/known_hosts);
    #: an unknown host key is refused.
    source_known_hosts: Path | None = None
    #: CA certificates (PEM) an IMAP server's certificate is checked against (default: the system's).
    source_ca_file: Path | None = None
    #: Seconds a source may stay silent (connecting, listing, downloading) before it counts as down.
    source_timeout: float = Field(30, gt=0)
    #: A file on a folder or SFTP source is fetched once it has not changed for this many seconds, so a
    #: supplier's upload still in progress is not taken half-written.
    source_settle_seconds: int = Field(60, ge=0)
    #: Where processed files (and their delivery records) go; None: the folder "processed" beside the
    #: landing folder. Never inside the landing folder (the landing scan would read them again).
    processed_dir: Path | None = None
    #: Processed files are deleted this many days after they were processed (data protection, spec 9).
    retention_days: int = Field(90, ge=1)

    #: GWP_SOURCE_PASSWORD_<HOST> and GWP_SOURCE_KEY_<HOST> (sources.credentials): variables named at
    #: run time by a source's host, so not fields; kept private (never in repr or messages).
    _source_secrets: dict[str, str] = PrivateAttr(default_factory=dict)

    def source_secret(self, name: str) -> str | None:
        """The environment's GWP_SOURCE_PASSWORD_<HOST> / GWP_SOURCE_KEY_<HOST> value, if set."""
        return self._source_secrets.get(name.upper())

    #: The supplier portal (gwp_monitor.portal). Sessions are signed with portal_secret_key (None: a
    #: random key per process, so sessions end when the portal restarts); portal_https makes cookies
    #: Secure (set it wherever the portal is reached over HTTPS, i.e. in production).
    portal_secret_key: SecretStr | None = None
    portal_https: bool = False
    portal_base_url: str = "http://127.0.0.1:8600"  # where sign-in links point
    portal_max_upload_bytes: int = Field(20 * 1024 * 1024, gt=0)
    portal_session_minutes: int = Field(480, gt=0)
    #: Sign-in throttle: at most this many failed attempts per account or client address per window.
    portal_sign_in_attempts: int = Field(5, gt=0)
    portal_sign_in_window_minutes: int = Field(15, gt=0)
    #: Airflow's REST API (e.g. http://airflow-apiserver:8080) and an account allowed to post asset
    #: events: when all three are set, a landed upload starts the returns DAG at once (gwp_landing).
    airflow_api_url: str | None = None
    airflow_api_user: str | None = None
    airflow_api_password: SecretStr | None = None

    @property
    def today(self) -> date:
        return self.as_of or date.today()

    def given(self, name: str) -> Any:
        """The setting when somebody set it (flag, environment, Airflow), else None, for commands
        whose default is "not at all" rather than the deployment default (e.g. Data Docs)."""
        return getattr(self, name) if name in self.model_fields_set else None

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            if not value.strip():
                raise PydanticUseDefault()
            return value if info.field_name in _UNSTRIPPED else value.strip()
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        """Only SQLite and PostgreSQL: say so before SQLAlchemy looks for a MySQL driver, and point the
        ``postgres://`` that Heroku and Airflow write at the scheme SQLAlchemy knows."""
        scheme = value.split("://", 1)[0].lower() if "://" in value else ""
        if scheme == "postgres":
            raise ValueError("write postgresql:// instead of postgres://")
        if scheme.split("+", 1)[0] not in ("sqlite", "postgresql"):
            shown = f"'{scheme}'" if scheme else "no scheme"
            raise ValueError(
                f"the reporting database URL has {shown}: use sqlite:///FILE or postgresql://USER@HOST/DATABASE"
            )
        return value

    @field_validator("sources", mode="before")
    @classmethod
    def _source_urls(cls, value: Any) -> Any:
        texts = [t for t in (value.split(",") if isinstance(value, str) else list(value or ())) if str(t).strip()]
        if not texts:
            return ()
        from gwp_monitor.sources.urls import SourceUrlError, parse_sources  # only when there is a URL to read

        try:
            return tuple(s.url for s in parse_sources(texts))
        except SourceUrlError as exc:
            raise ValueError(str(exc)) from None

    @property
    def processed_folder(self) -> Path:
        """The processed area: GWP_PROCESSED_DIR, else "processed" beside the landing folder."""
        return self.processed_dir or self.landing_dir.absolute().parent / "processed"

    @field_validator("webhook_events", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(e.strip() for e in value.split(",") if e.strip()) or None
        return value

    @classmethod
    def load(cls, *, environ: Mapping[str, str] | None = None, airflow: bool = False, **flags: Any) -> Settings:
        """The settings from ``flags`` (None values ignored), then the environment (``environ`` or
        the process's), then Airflow when ``airflow``; SettingsError names any unusable value."""
        given = {name: value for name, value in flags.items() if value is not None}
        build = _Build(environ, airflow)
        token = _BUILD.set(build)
        try:
            settings = cls(**given)
        except ValidationError as exc:
            raise SettingsError(_one_line(exc, given, build)) from None
        except _SourceError as exc:
            raise SettingsError(str(exc).splitlines()[0]) from None
        finally:
            _BUILD.reset(token)
        env = getattr(build.env, "env_vars", None) or {}
        settings._source_secrets.update(
            {k.upper(): str(v) for k, v in env.items() if v and k.lower().startswith(_SOURCE_SECRET_PREFIXES)}
        )
        return settings

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Defaults and the ``GWP_*`` variables of ``env`` (default: the process's environment)."""
        return cls.load(environ=env)

    @classmethod
    def from_airflow(cls, **flags: Any) -> Settings:
        """Settings inside an Airflow task: flags, environment, then Airflow Variables and Connections."""
        return cls.load(airflow=True, **flags)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags (init), environment, then Airflow; no .env or secrets files (deployments put
        secrets in the environment or in Airflow)."""
        build = _BUILD.get() or _Build()
        env = _MappingEnvSource(settings_cls, build.environ) if build.environ is not None else env_settings
        build.env = env
        if build.airflow:
            build.airflow_source = AirflowSettingsSource(settings_cls)
            return init_settings, env, build.airflow_source
        return init_settings, env


@dataclass
class _Build:
    """What one ``Settings.load`` asked for, and the sources it used (to say where a bad value came from)."""

    environ: Mapping[str, str] | None = None
    airflow: bool = False
    env: PydanticBaseSettingsSource | None = field(default=None, repr=False)
    airflow_source: AirflowSettingsSource | None = field(default=None, repr=False)


_BUILD: ContextVar[_Build | None] = ContextVar("gwp_settings_build", default=None)
_ACTIVE: ContextVar[Settings | None] = ContextVar("gwp_settings", default=None)


class _MappingEnvSource(EnvSettingsSource):
    """The environment source reading a given mapping instead of the process's environment."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


class AirflowSettingsSource(PydanticBaseSettingsSource):
    """Airflow Variables ``gwp_<setting>`` and Connections ``gwp_reporting_db`` and ``gwp_smtp``.

    Airflow is imported only when this source is read, i.e. inside an Airflow task. A Variable wins
    over the value a Connection gives for the same setting.
    """

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # noqa: ARG002
        return None, field_name, False  # unused: __call__ reads everything at once

    def __call__(self) -> dict[str, Any]:
        from airflow.sdk import Variable

        values: dict[str, Any] = {}
        database = _connection("gwp_reporting_db")
        if database is not None:
            values["database_url"] = _sqlalchemy_url(database.get_uri())
        smtp = _connection("gwp_smtp")
        if smtp is not None:
            given = {"smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_user": smtp.login}
            values.update({k: v for k, v in {**given, "smtp_password": smtp.password}.items() if v})
        self.from_connections = set(values)
        for name, info in self.settings_cls.model_fields.items():
            raw = Variable.get(f"gwp_{info.alias or name}", default=None)
            if raw not in (None, ""):
                values[name] = raw
                self.from_connections.discard(name)
        return values


def _connection(conn_id: str) -> Any:
    """An Airflow connection, or None when it is not defined."""
    from airflow.sdk import BaseHook

    try:
        return BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - AirflowNotFoundException's home moved between versions
        return None


def _sqlalchemy_url(uri: str) -> str:
    """Airflow writes postgres://; SQLAlchemy wants postgresql://."""
    return "postgresql://" + uri[len("postgres://") :] if uri.startswith("postgres://") else uri


def _one_line(exc: ValidationError, flags: Mapping[str, Any], build: _Build) -> str:
    """``GWP_MAX_FILE_BYTES='10MB' is not valid: ...``: where each bad value came from, never a secret."""
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "?"
        shown = "" if any(w in name for w in ("password", "url", "secret", "sources")) else f"={error.get('input')!r}"
        message = error["msg"].removeprefix("Value error, ")
        reason = message[:1].lower() + message[1:]
        parts.append(f"{_origin(name, flags, build)}{shown} is not valid: {reason}")
    return "; ".join(parts)


def _origin(name: str, flags: Mapping[str, Any], build: _Build) -> str:
    if name in flags:
        return f"setting {name}"
    env = getattr(build.env, "env_vars", None) or {}
    if (ENV_PREFIX + name).lower() in env:
        return ENV_PREFIX + name.upper()
    if build.airflow_source is not None and name in getattr(build.airflow_source, "from_connections", ()):
        return f"Airflow Connection for {name}"
    if build.airflow_source is not None:
        return f"Airflow Variable gwp_{name}"
    return name


def current_settings() -> Settings:
    """The settings in force: those a command installed with ``use_settings``, else the environment's."""
    return _ACTIVE.get() or Settings.load()


@contextmanager
def use_settings(settings: Settings) -> Iterator[Settings]:
    """Make ``settings`` the ones ``current_settings()`` returns until the block ends."""
    token = _ACTIVE.set(settings)
    try:
        yield settings
    finally:
        _ACTIVE.reset(token)
