"""The reporting database: connecting, upgrading the schema and the views, and the tables.

The tables are defined once, in store/schema.py; Alembic migrates a database to them with the revisions
under sql/migrations/ (store/migrate.py). The published views are SQL files under sql/views/, recreated
after the migrations, in the same transaction, when their SQL changed. SQLite (the default, one file)
and PostgreSQL (production) run the same revisions and views.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    URL,
    Connection,
    Engine,
    MetaData,
    Table,
    create_engine,
    delete,
    event,
    insert,
    inspect,
    make_url,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from gwp_monitor import resources
from gwp_monitor.config.settings import DEFAULT_DATABASE_URL, Settings, current_settings
from gwp_monitor.store.schema import metadata, schema_views
from gwp_monitor.store.silence import answer_limit, bounded_connection

DEFAULT_URL = DEFAULT_DATABASE_URL
VIEWS = (
    "v_compliance_history",
    "v_compliance_latest",
    "v_wage_compliance",
    "v_open_breaches",
    "v_submissions",
    "v_return_timeliness",
    "v_contract_status",
    "v_public_register_checks",
    "v_resubmission_changes",
    "v_owed_to_workers",
)
SUPPORTED = ("sqlite", "postgresql")


class DatabaseError(RuntimeError):
    """The reporting database cannot be reached or upgraded: an operational failure."""


def sql_dir(settings: Settings | None = None) -> Path:
    """GWP_SQL_DIR, else the migrations and views shipped with the package. A given folder without
    them is refused by name: upgrading from it would make an empty schema and fail later, obscurely."""
    given = (settings or current_settings()).sql_dir
    if given is None:
        return resources.sql_dir()
    if not list(given.glob("migrations/0001_*.py")) or not list(given.glob("views/*.sql")):
        raise DatabaseError(
            f"GWP_SQL_DIR={given} is not a gwp-monitor SQL folder (it needs migrations/0001_*.py and views/*.sql): "
            "unset it to use the SQL shipped with the package"
        )
    return given


def database_url(url: str | None = None) -> str:
    """``url``, else GWP_DATABASE_URL (the settings in force), else the demo's SQLite file."""
    return url or current_settings().database_url


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url`; SQLite gets WAL and foreign keys, and its folder is created; PostgreSQL gets
    the time limits of the settings, on the server and on the client (store.silence)."""
    url = database_url(url)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///") :]).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args = postgresql_limits(make_url(url)) if url.startswith("postgresql") else {}
    engine = create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args)
    if engine.dialect.name == "postgresql" and (limit := answer_limit()):
        connection_class = bounded_connection(limit)

        @event.listens_for(engine, "do_connect")
        def _bounded(_dialect, _record, cargs, cparams):  # noqa: ANN001, ANN202
            return connection_class.connect(*cargs, **cparams)

    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.close()

    return engine


def postgresql_limits(url: URL, settings: Settings | None = None) -> dict[str, object]:
    """libpq connection parameters bounding every wait on PostgreSQL (GWP_DB_*_TIMEOUT): the connection
    attempt, each statement, a transaction left idle, and a connection whose network went silent
    (keepalive probes from a third of the network timeout, TCP_USER_TIMEOUT for unacknowledged data,
    on the client and on the server's end of the connection). Server options the URL already has (``options=-csearch_path=...``) are kept."""
    s = settings or current_settings()
    args: dict[str, object] = {}
    if s.db_connect_timeout:
        args["connect_timeout"] = s.db_connect_timeout
    idle = max(1, s.db_network_timeout // 3)
    if s.db_network_timeout:
        args.update(
            keepalives=1,
            keepalives_idle=idle,
            keepalives_interval=max(1, idle // 3),
            keepalives_count=3,
            tcp_user_timeout=s.db_network_timeout * 1000,
        )
    options = [str(url.query["options"])] if "options" in url.query else []
    options += [f"-c statement_timeout={s.db_statement_timeout * 1000}"] if s.db_statement_timeout else []
    if s.db_network_timeout:  # the server's side too: a session whose client went silent (holding the run
        # lock) ends after about the network timeout, not the operating system's two hours
        options += [f"-c tcp_keepalives_idle={idle} -c tcp_keepalives_interval={max(1, idle // 3)}"]
        options += [f"-c tcp_keepalives_count=3 -c tcp_user_timeout={s.db_network_timeout * 1000}"]
    if s.db_idle_timeout:
        options.append(f"-c idle_in_transaction_session_timeout={s.db_idle_timeout * 1000}")
    if options:
        args["options"] = " ".join(options)
    return args


#: ``UTC_ISO(column)`` in a view's SQL: the timestamp as ISO 8601 text in UTC with a ``Z``
#: (``2025-10-03T09:00:00.000Z``), the same on both databases. SQLite keeps naive UTC text with a space
#: and PostgreSQL a timestamptz that psql and BI tools show in the session's zone; neither says UTC.
_UTC_ISO = re.compile(r"UTC_ISO\(([A-Za-z_][A-Za-z0-9_.]*)\)")
_UTC_ISO_SQL = {
    "sqlite": "strftime('%Y-%m-%dT%H:%M:%fZ', {})",
    "postgresql": "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
}


def view_statements(sql: str, dialect: str) -> list[str]:
    """A view file's statements for ``dialect``, comments dropped and ``UTC_ISO(col)`` expanded."""
    sql = re.sub(r"--[^\n]*", "", sql)
    sql = _UTC_ISO.sub(lambda m: _UTC_ISO_SQL[dialect].format(m.group(1)), sql)
    return [s.strip() for s in sql.split(";") if s.strip()]


def upgrade(engine: Engine) -> list[int]:
    """Migrate the schema to the latest revision and recreate the views if they changed, all in one
    transaction. Returns the revisions applied, as numbers. Safe to run on every start: nothing
    happens when up to date.
    """
    # Alembic (which brings Mako and Pygments) is loaded to upgrade only: readers such as `status` skip it.
    from alembic.util import CommandError

    from gwp_monitor.store.migrate import MigrationError, migrate, migration_transaction

    if engine.dialect.name not in SUPPORTED:
        raise DatabaseError(f"unsupported database '{engine.dialect.name}': use SQLite or PostgreSQL")
    try:
        with migration_transaction(engine) as conn:
            applied = migrate(conn, sql_dir() / "migrations")
            create_views(conn)
    except (SQLAlchemyError, CommandError, MigrationError) as exc:
        raise DatabaseError(
            f"cannot upgrade the reporting database {safe_url(engine)}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
        ) from exc
    return [int(revision) for revision in applied]


def views_checksum() -> str:
    digest = hashlib.sha256()
    for path in sorted((sql_dir() / "views").glob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def create_views(conn: Connection) -> None:
    """(Re)create the published views, but only when their SQL changed since the last upgrade:
    dropping a view would drop the GRANTs a DBA gave BI roles on it."""
    files = sorted((sql_dir() / "views").glob("*.sql"))
    checksum = views_checksum()
    current = conn.execute(select(schema_views.c.checksum)).scalar()
    present = set(inspect(conn).get_view_names())
    if current == checksum and present.issuperset(VIEWS):
        return
    for path in reversed(files):
        name = re.sub(r"^\d+_", "", path.stem)
        conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
    for path in files:
        for statement in view_statements(path.read_text(encoding="utf-8"), conn.dialect.name):
            conn.execute(text(statement))
    conn.execute(delete(schema_views))
    created = datetime.now(UTC).replace(tzinfo=None)
    conn.execute(insert(schema_views).values(checksum=checksum, created_at=created))


def brief_error(exc: BaseException) -> str:
    """``Type: first line`` of an error, for warnings and logs: a SQLAlchemy error's text would carry
    the SQL and its parameters (``[SQL: ...] [parameters: ...]``), which belong in no message."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).splitlines()
    first = next((line for line in lines if line.strip() and not line.lstrip().startswith("[")), "")
    return f"{type(cause).__name__}: {first}".rstrip(": ")


def safe_url(engine_or_url) -> str:
    """The URL without its password, for messages and logs."""
    url = getattr(engine_or_url, "url", engine_or_url)
    return (
        url.render_as_string(hide_password=True)
        if hasattr(url, "render_as_string")
        else re.sub(r":[^:@/]+@", ":***@", str(url))
    )


@dataclass
class Database:
    """An upgraded reporting database and its tables (schema.py's definitions)."""

    engine: Engine
    tables: MetaData = metadata

    def table(self, name: str) -> Table:
        return self.tables.tables[name]


def open_database(url: str | None = None, upgrade_schema: bool = True) -> Database:
    """Connect and upgrade (by default); any failure is one DatabaseError line.

    Readers (status, report) pass upgrade_schema=False so they can run as a read-only role.
    """
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"cannot reach the reporting database {safe_url(engine)}: {str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0]}"
        ) from exc
    if upgrade_schema:
        upgrade(engine)
    else:
        missing = set(VIEWS) - set(inspect(engine).get_view_names())
        if missing:
            raise DatabaseError(
                f"the reporting database {safe_url(engine)} has no gwp-monitor schema yet (missing {', '.join(sorted(missing))}): "
                "run `gwp-monitor db upgrade` or `gwp-monitor run` first"
            )
    return Database(engine)


def view_columns() -> dict[str, tuple[str, ...]]:
    """Each published view's columns, in order, read from the views themselves: made once per SQL folder
    in a private in-memory SQLite database, from the tables of store/schema.py and the view SQL that
    would be deployed (``view_statements``, so ``UTC_ISO(col)`` expands as it does on deploy). A view's
    columns are thus written in one place, its SQL file; readers such as the dashboard check their
    input against this instead of keeping copies of the lists."""
    return dict(_view_columns(sql_dir()))


@functools.cache
def _view_columns(sql: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    engine = create_engine("sqlite://")  # private and in memory: nothing is written or shared
    try:
        with engine.connect() as conn:
            metadata.create_all(conn)
            for path in sorted((sql / "views").glob("*.sql")):
                for statement in view_statements(path.read_text(encoding="utf-8"), "sqlite"):
                    conn.execute(text(statement))
            inspector = inspect(conn)
            return tuple((view, tuple(c["name"] for c in inspector.get_columns(view))) for view in VIEWS)
    finally:
        engine.dispose()
