"""One run at a time per reporting database, and what a killed run leaves behind.

Two runs on one database at once race each other (both read the landing folder, both try to store the
same submissions) and end "partial" with hundreds of warnings. So a run holds a lock for its whole
length: on PostgreSQL a session advisory lock keyed on the schema, on SQLite an exclusive ``flock`` on a
file beside the database. Both are released by the operating system or the server when the process
dies, even by ``kill -9``, so a crash never leaves the lock behind. A second run says "another run is
in progress; waiting" and polls until the first finishes or GWP_RUN_LOCK_WAIT seconds pass.

Holding the lock also means no other run is alive: any run still marked ``running`` was killed, and
is marked ``abandoned`` (with the time it was found) so the run log and the dashboard say so.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, text, update
from sqlalchemy.exc import SQLAlchemyError

from gwp_monitor.config.settings import current_settings
from gwp_monitor.store.database import Database, DatabaseError, open_database, safe_url

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
#: How often a waiting run asks again, in seconds.
POLL_SECONDS = 1.0
_PG_KEY = "hashtext('gwp-monitor run ' || current_schema())"


class RunInProgress(DatabaseError):
    """Another run held the lock for longer than this run would wait."""


def waiting_message(db: Database) -> str:
    return f"another run is in progress on {safe_url(db.engine)}; waiting for it to finish"


@contextmanager
def run_lock(db: Database, on_wait: Callable[[str], None] | None = None, wait: float | None = None) -> Iterator[None]:
    """Hold the database's run lock for the block; `on_wait` is told once if another run holds it."""
    wait = current_settings().run_lock_wait if wait is None else wait
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            _acquire(db, lambda: _pg_try(conn), on_wait, wait)
            try:
                yield
            finally:
                try:
                    conn.execute(text(f"SELECT pg_advisory_unlock({_PG_KEY})"))
                    conn.commit()
                except SQLAlchemyError:  # the session is gone (an outage): the server released its lock
                    conn.invalidate()
        return
    database = db.engine.url.database
    if not database or database == ":memory:":
        yield  # a private in-memory database has no other runs
        return
    with _sqlite_lock_file(Path(database)) as try_lock:
        _acquire(db, try_lock, on_wait, wait)
        yield


def _pg_try(conn: Connection) -> bool:
    got = bool(conn.execute(text(f"SELECT pg_try_advisory_lock({_PG_KEY})")).scalar())
    conn.commit()  # hold no transaction open while the run works: the lock belongs to the session
    return got


@contextmanager
def _sqlite_lock_file(database: Path) -> Iterator[Callable[[], bool]]:
    try:
        import fcntl
    except ImportError:  # Windows: SQLite's own locking only
        yield lambda: True
        return
    with open(database.with_name(database.name + ".run-lock"), "a+b") as handle:

        def try_lock() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        try:
            yield try_lock
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _acquire(db: Database, try_lock: Callable[[], bool], on_wait: Callable[[str], None] | None, wait: float) -> None:
    if try_lock():
        return
    message = waiting_message(db)
    (on_wait or log.warning)(message)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        if try_lock():
            return
    raise RunInProgress(
        f"another run is in progress on {safe_url(db.engine)} and did not finish within {wait:g} s "
        "(GWP_RUN_LOCK_WAIT): nothing was done; try again later"
    )


def abandon_unfinished_runs(db: Database) -> int:
    """Mark every run still ``running`` as ``abandoned``: called with the run lock held, when none can
    be alive. Returns how many there were."""
    from gwp_monitor.store.writes import _ts, utcnow

    runs = db.table("runs")
    with db.engine.begin() as conn:
        result = conn.execute(
            update(runs).where(runs.c.status == "running").values(status="abandoned", finished_at=_ts(db, utcnow()))
        )
    return int(result.rowcount or 0)


def serialised(run: F) -> F:
    """Run `run(register, landing, db, ...)` holding the run lock, after marking killed runs abandoned.
    Its keyword `on_wait` (a callable) is told when another run is in progress."""

    @functools.wraps(run)
    def locked(register: Any, landing: Any, db: Any = None, *args: Any, **kwargs: Any) -> Any:
        database = db if isinstance(db, Database) else open_database(db)
        with run_lock(database, kwargs.get("on_wait")):
            abandoned = abandon_unfinished_runs(database)
            summary = run(register, landing, database, *args, **kwargs)
        if abandoned:
            summary.warnings.append(f"{abandoned} earlier run(s) had been interrupted and are now marked abandoned")
        return summary

    return locked  # type: ignore[return-value]
