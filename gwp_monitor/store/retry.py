"""Retrying what a brief database outage interrupts, inside the run.

A restart of PostgreSQL, a failover or a dropped connection lasts seconds; failing a whole run for it
(or ending it "partial" with submissions missing until the next run) is worse than waiting. Each
decorated write is one transaction, so trying it again is safe: it either committed or left nothing.
Only errors that mean "the connection or the server is unavailable" are retried; a constraint
violation or a bug fails at once.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import OperationalError as SAOperationalError

from gwp_monitor.config.settings import current_settings

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
#: SQLSTATE classes of a server going away or refusing for now: connection exceptions, insufficient
#: resources, operator intervention (admin shutdown, crash shutdown, cannot connect now).
_TRANSIENT_SQLSTATE = ("08", "53", "57P")
_SQLITE_BUSY = ("database is locked", "database table is locked")


def is_transient(exc: BaseException) -> bool:
    """Whether `exc` is an outage worth waiting out rather than a failure of the work itself."""
    if isinstance(exc, DisconnectionError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate:
        return str(sqlstate).startswith(_TRANSIENT_SQLSTATE)
    return isinstance(exc, SAOperationalError) and (
        any(text in str(exc.orig) for text in _SQLITE_BUSY) or "connection" in str(exc.orig).lower()
    )


def retry_transient(fn: F) -> F:
    """Call `fn` again after a transient database error, with exponential backoff (GWP_DB_RETRIES tries
    more, waiting 0.5 s, 1 s, 2 s ... GWP_DB_RETRY_DELAY doubles)."""

    @functools.wraps(fn)
    def retried(*args: Any, **kwargs: Any) -> Any:
        settings = current_settings()
        delay = settings.db_retry_delay
        for attempt in range(settings.db_retries + 1):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if attempt == settings.db_retries or not is_transient(exc):
                    raise
                log.warning(
                    "%s: the database is unavailable (%s); trying again in %.1f s",
                    fn.__name__,
                    type(getattr(exc, "orig", exc)).__name__,
                    delay,
                )
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    return retried  # type: ignore[return-value]
