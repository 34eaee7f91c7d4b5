"""Schema migrations with Alembic, run from code: no alembic.ini, the connection handed over.

The revisions live in sql/migrations/ (the published folder a DBA reads), the environment ships in this
package (store/alembic/). One upgrade is one transaction on one connection: adopting a database made
by the old raw-SQL runner, every pending revision and the caller's follow-up work (the views) commit
together or not at all, so a kill mid-upgrade leaves nothing half-made. PostgreSQL's DDL is
transactional as is; SQLite's is too, but Python's sqlite3 driver only emits BEGIN before DML, so here
SQLAlchemy emits it (the "transactional DDL" recipe of SQLAlchemy's SQLite docs), for this connection
only: the rest of the code keeps the driver's default, friendlier to concurrent writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Dialect, Engine, Identity, event, inspect, text

from gwp_monitor.store.schema import metadata

#: Where env.py and script.py.mako are, as a package resource.
ENVIRONMENT = "gwp_monitor.store:alembic"
#: The revision equal to the schema the raw-SQL runner built with all its migrations.
BASELINE = "0001"
#: The raw-SQL runner's own version table and every migration it ever had, by version.
LEGACY_TABLE = "schema_migrations"
LEGACY_MIGRATIONS = {1: "0001_initial.sql", 2: "0002_one_accepted_per_period.sql"}


class MigrationError(RuntimeError):
    """The database's schema is in a state this release cannot upgrade from."""


def alembic_config(versions: Path, connection: Connection | None = None, **attributes: Any) -> Config:
    """An Alembic configuration without an ini file; env.py migrates `connection`.

    Also the way to use Alembic's commands by hand, e.g. writing the next revision:
    ``command.revision(alembic_config(dir, conn), message="...", autogenerate=True, rev_id="0002")``.
    """
    config = Config(attributes={"connection": connection, **attributes})
    config.set_main_option("script_location", ENVIRONMENT)
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(versions).replace("%", "%%"))
    return config


@contextmanager
def migration_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction that DDL takes part in, on SQLite as on PostgreSQL, which only
    one upgrade of a database holds at a time (a second one waits, then finds nothing to do)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(isolation_level="AUTOCOMMIT")  # the driver emits no BEGIN of its own
            event.listen(conn, "begin", _begin_immediate)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('gwp-monitor upgrade ' || current_schema()))"))
            yield conn


def _begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock now, not halfway through


def migrate(conn: Connection, versions: Path) -> list[str]:
    """Bring the schema to the latest revision inside the caller's transaction; the revisions applied,
    oldest first (none when up to date, and none when a legacy database is adopted as it is)."""
    applied: list[str] = []
    config = alembic_config(versions, conn, on_version_apply=lambda *, step, **_: applied.append(step.up_revision_id))
    adopt_legacy(conn, ScriptDirectory.from_config(config))
    command.upgrade(config, "head")
    return applied


def adopt_legacy(conn: Connection, script: ScriptDirectory) -> bool:
    """Stamp a database made by the raw-SQL runner at the baseline and drop the runner's version table.

    The runner's schema after its last migration is exactly revision 0001, so nothing else changes and
    no row moves. A `schema_migrations` table that is not the runner's (another tool's, sharing the
    schema) is left alone. Returns whether the database was adopted.
    """
    if LEGACY_TABLE not in inspect(conn).get_table_names():
        return False
    columns = {column["name"] for column in inspect(conn).get_columns(LEGACY_TABLE)}
    if not {"version", "name"} <= columns:
        return False
    found: dict[int, str] = dict(conn.execute(text(f"SELECT version, name FROM {LEGACY_TABLE}")).tuples().all())
    if not any(str(name).endswith(".sql") for name in found.values()):
        return False
    if found != LEGACY_MIGRATIONS:
        raise MigrationError(
            f"the database's old migration table {LEGACY_TABLE} lists {_listing(found)}, but this release can "
            f"only take over a database at {_listing(LEGACY_MIGRATIONS)}: upgrade it with the previous release first"
        )
    context = MigrationContext.configure(conn)
    if context.get_current_heads():
        raise MigrationError(f"the database has both Alembic's version table and the old {LEGACY_TABLE}: check by hand")
    context.stamp(script, BASELINE)
    conn.execute(text(f"DROP TABLE {LEGACY_TABLE}"))
    # The runner made this table in the views step after its migrations; make it if that never finished.
    conn.execute(
        text("CREATE TABLE IF NOT EXISTS schema_views (checksum CHAR(64) NOT NULL, created_at TIMESTAMP NOT NULL)")
    )
    return True


def _listing(migrations: dict[int, str]) -> str:
    return ", ".join(f"{version} ({name})" for version, name in sorted(migrations.items())) or "nothing"


def differences(conn: Connection) -> list[Any]:
    """What Alembic's autogenerate would change to make the database match schema.py ([] when equal):
    the check that the revisions and the table definitions have not drifted apart."""
    return compare_metadata(MigrationContext.configure(conn, opts=compare_options(conn.dialect)), metadata)


def compare_options(dialect: Dialect) -> dict[str, Any]:
    """Autogenerate's comparison settings: types and server defaults, except that an identity means
    nothing where the database has none (SQLite, whose INTEGER PRIMARY KEY AUTOINCREMENT numbers the
    rows instead). Alembic fails on a custom comparison of real identities, hence per dialect."""
    if dialect.supports_identity_columns:
        return {"compare_type": True, "compare_server_default": True}
    return {"compare_type": True, "compare_server_default": _ignore_identity}


def _ignore_identity(_ctx: Any, _column: Any, _meta: Any, _found: Any, meta_default: Any, _text: Any) -> bool | None:
    return False if isinstance(meta_default, Identity) else None  # None: compare as usual
