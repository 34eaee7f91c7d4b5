"""A bound on how long a run waits for PostgreSQL's answer, on the client.

TCP keepalives and TCP_USER_TIMEOUT (store.database.postgresql_limits) end a connection whose peer has
stopped acknowledging. They cannot help when something on the way keeps acknowledging but forwards
nothing (a proxy or pooler that hung, a stateful firewall or load balancer after a failover): libpq
then waits for the answer for as long as the silence lasts, hours if need be. But the server ends every
statement after GWP_DB_STATEMENT_TIMEOUT and sends the error at once, so no answer at all by statement
timeout + GWP_DB_NETWORK_TIMEOUT means the answer is not coming. The connection is then closed and the
wait fails as a lost connection would, which store.retry tries again on a new connection and, if the
silence lasts, ends the run with one line (exit 2).
"""

from __future__ import annotations

from typing import Any

from gwp_monitor.config.settings import Settings, current_settings


def answer_limit(settings: Settings | None = None) -> float | None:
    """Seconds to wait for any answer from the server; None when either limit is turned off (0): a
    statement allowed to run for ever may keep the client waiting for ever."""
    s = settings or current_settings()
    if not s.db_statement_timeout or not s.db_network_timeout:
        return None
    return float(s.db_statement_timeout + s.db_network_timeout)


def bounded_connection(limit: float) -> Any:
    """A psycopg Connection class whose every wait for the server (a statement, a fetch, a commit) gives
    up after `limit` seconds, closing the connection."""
    import psycopg
    from psycopg import errors

    # psycopg raises this private OperationalError when a wait's timeout expires (psycopg >= 3.2).
    wait_timeout: type[BaseException] = getattr(errors, "_WaitTimeout", errors.OperationalError)

    class BoundedConnection(psycopg.Connection):
        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
            try:
                return super().wait(gen, interval=interval, timeout=limit if timeout is None else timeout)
            except wait_timeout:
                if timeout is not None:  # the caller's own timeout (psycopg's notifies), not ours
                    raise
                self.close()  # the connection is in an unknown state: a lost connection, for SQLAlchemy too
                raise psycopg.OperationalError(
                    f"no answer from the database server for {limit:.0f} s (GWP_DB_STATEMENT_TIMEOUT + "
                    "GWP_DB_NETWORK_TIMEOUT): the network or something on it went silent; the connection was closed"
                ) from None

    return BoundedConnection
