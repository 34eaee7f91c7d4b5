"""PostgreSQL waits are bounded (issue 16, item 4): a server that accepts the TCP connection and then says
nothing fails the connection attempt after GWP_DB_CONNECT_TIMEOUT instead of hanging the run; every
connection carries a statement timeout, an idle-in-transaction timeout and TCP keepalives from the
settings, without losing options the URL already had (the tests' search_path)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from conftest import _reporting_database
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from gwp_monitor.config.settings import Settings, use_settings
from gwp_monitor.store.database import DatabaseError, make_engine, open_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers: a network gone quiet."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_a_server_that_never_answers_fails_the_connection_after_the_connect_timeout(silent_server):
    outcome: list[object] = []
    settings = Settings.load(environ={"GWP_DB_CONNECT_TIMEOUT": "2"})

    def attempt() -> None:
        with use_settings(settings):
            try:
                open_database(f"postgresql://gwp@127.0.0.1:{silent_server}/gwp")
            except DatabaseError as exc:
                outcome.append(exc)

    started = time.monotonic()
    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the connection attempt hung"
    assert time.monotonic() - started < 15
    assert outcome and "cannot reach the reporting database" in str(outcome[0])


@pytest.fixture
def pg_url(request, tmp_path):
    yield from _reporting_database("postgres", request, tmp_path)


def test_every_connection_has_statement_idle_and_keepalive_limits(pg_url):
    reporting_db_url = pg_url
    settings = Settings.load(environ={"GWP_DB_STATEMENT_TIMEOUT": "1", "GWP_DB_IDLE_TIMEOUT": "7"})
    with use_settings(settings):
        engine = make_engine(reporting_db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "1s"
            assert conn.execute(text("SHOW idle_in_transaction_session_timeout")).scalar() == "7s"
            # The server's end: a session whose client went silent is ended too (it may hold the run lock).
            assert conn.execute(text("SHOW tcp_keepalives_idle")).scalar() == "20"
            assert conn.execute(text("SHOW tcp_user_timeout")).scalar() == "60000"
            assert conn.execute(text("SHOW search_path")).scalar().startswith("t_"), "the URL's options are kept"
            parameters = conn.connection.dbapi_connection.info.get_parameters()
            assert parameters["keepalives"] == "1" and parameters["tcp_user_timeout"] == "60000"
            assert parameters["connect_timeout"] == "10"
            with pytest.raises(OperationalError, match="statement timeout"):
                conn.execute(text("SELECT pg_sleep(3)"))
    finally:
        engine.dispose()


def test_the_defaults_are_sane():
    settings = Settings.load(environ={})
    assert (settings.db_connect_timeout, settings.db_statement_timeout, settings.db_idle_timeout) == (10, 900, 60)
    assert settings.db_network_timeout == 60
