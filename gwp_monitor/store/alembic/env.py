"""Alembic's environment for the reporting database, run by gwp_monitor.store.migrate.

Online only, on the connection the caller put in ``config.attributes["connection"]``, inside the
caller's transaction: the caller decides what is atomic (on SQLite too, where it emits the BEGIN
itself), so this file starts no transaction and commits nothing.
"""

from __future__ import annotations

from alembic import context

from gwp_monitor.store.migrate import compare_options
from gwp_monitor.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through gwp_monitor.store.migrate, which passes the connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    transactional_ddl=True,  # SQLite's DDL is transactional once BEGIN is really emitted (migrate.py)
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    **compare_options(connection.dialect),
    on_version_apply=context.config.attributes.get("on_version_apply", ()),
)
with context.begin_transaction():
    context.run_migrations()
