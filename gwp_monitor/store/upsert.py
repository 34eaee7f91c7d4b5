"""INSERT ... ON CONFLICT in the connection's dialect: insert rows, and where a row with the same key is
already there, update it or leave it. One statement per batch, where selecting the keys first and then
inserting the missing rows took two and raced with a parallel writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

_INSERTS: dict[str, Callable[[Table], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def dialect_insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's own INSERT construct for `table`, the one with on_conflict_do_update/do_nothing."""
    return _INSERTS[conn.dialect.name](table)


def insert_or_update(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]], key: Sequence[str]) -> None:
    """Insert `rows`; a row whose `key` exists overwrites the other columns it names.

    Rows with the same key collapse to the last one first: PostgreSQL refuses to update a row twice in
    one statement.
    """
    unique = list({tuple(row[name] for name in key): row for row in rows}.values())
    if not unique:
        return
    statement = dialect_insert(conn, table)
    updated = {name: statement.excluded[name] for name in unique[0] if name not in key}
    conn.execute(statement.on_conflict_do_update(index_elements=list(key), set_=updated), unique)


def insert_or_ignore(
    conn: Connection,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    key: Sequence[str],
    where: ColumnElement[bool] | None = None,
) -> None:
    """Insert `rows`, skipping those whose `key` exists (`where`: the condition of a partial unique index
    on `key`)."""
    rows = list(rows)
    if rows:
        statement = dialect_insert(conn, table).on_conflict_do_nothing(index_elements=list(key), index_where=where)
        conn.execute(statement, rows)
