"""Shared fixtures: a small valid contract register, good return rows written as CSV or XLSX, reporting
databases on SQLite and PostgreSQL, and the demo run through the pipeline.

The builders themselves live in factories.py (registers, rows, files); these fixtures hand them out.
Rows are dicts of text, exactly as a supplier would type them, so a test breaks one rule by
overriding one cell: ``returns.payroll_row(hourly_rate="0")``. Files are written by
``returns.csv(path, rows)`` / ``returns.xlsx(path, rows)`` (the header is the first row's keys, which
the builders give in template order; pass ``columns=`` to drop, add, rename or reorder columns), or by
the ``write_return`` fixture into the test's own tmp_path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from factories import REGISTER_YAML, ReturnBuilder

from gwp_monitor.config.register import Register, load_register

#: Marks whose tests are slow by nature: real Airflow (a subprocess that imports it, or dag.test) and
#: headless Chromium. `pytest -m "not slow"` leaves them out; `./dev test` (and CI) runs them.
SLOW_BY_NATURE = ("airflow", "browser")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_BY_NATURE):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def returns() -> ReturnBuilder:
    return ReturnBuilder()


@pytest.fixture(scope="session")
def register_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("register") / "register.yaml"
    path.write_text(REGISTER_YAML, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def register(register_path: Path) -> Register:
    return load_register(register_path)


@pytest.fixture
def write_return(tmp_path: Path, returns: ReturnBuilder):
    """write_return("june.csv", rows, **kw) -> a CSV or XLSX file (by suffix) in the test's tmp_path."""

    def write(name: str, rows: Iterable[Mapping[str, object]], columns: list[str] | None = None, **kw) -> Path:
        path = tmp_path / name
        if path.suffix.lower() == ".xlsx":
            return returns.xlsx(path, rows, columns, **kw)
        return returns.csv(path, rows, columns, **kw)

    return write


@pytest.fixture(scope="session")
def console_script() -> list[str]:
    """The `gwp-monitor` console script next to this interpreter (what `pip install` puts on PATH), for
    the few tests whose subject is the real process; the module it runs where scripts are not installed."""
    import sys

    script = Path(sys.executable).with_name("gwp-monitor")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "gwp_monitor.cli"]


# --- reporting database backends: a SQLite file, or PostgreSQL (spec 5) --------------------------------
#
# PostgreSQL tests are marked `postgres` and use one throwaway database per test session
# (gwp_test_<random>, created and dropped here) on the server at GWP_TEST_PG_URL (default below); each
# test gets its own schema in it (search_path), so tests are isolated and need no clean-up order. An
# unreachable server skips them with the reason, unless GWP_REQUIRE_SERVICES=1 (CI): then they fail.

PG_TEST_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _services_required() -> bool:
    import os

    return os.environ.get("GWP_REQUIRE_SERVICES", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def pg_database_url():
    """URL (postgresql://...) of a database created for this test session and dropped after it."""
    import os
    import secrets

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    server = make_url(os.environ.get("GWP_TEST_PG_URL") or PG_TEST_SERVER_URL)
    admin = create_engine(
        server.set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"connect_timeout": 5},
    )
    shown = server.render_as_string(hide_password=True)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server"
        reason = f"PostgreSQL at {shown} is unreachable ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        if _services_required():
            pytest.fail(f"GWP_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    name = f"gwp_test_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    finally:
        import gc

        gc.collect()  # engines the tests left unreferenced close their connections
        with admin.connect() as conn:
            conn.execute(  # DROP DATABASE ... WITH (FORCE) needs PostgreSQL 13; this works on any
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


#: Backends of the reporting database; PostgreSQL cases carry the `postgres` mark.
REPORTING_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _reporting_database(backend: str, request: pytest.FixtureRequest, folder: Path):
    """Yield an empty reporting database URL: a SQLite file in `folder`, or a fresh schema of the
    session's PostgreSQL database (the URL sets search_path, so the code under test sees only it)."""
    if backend == "sqlite":
        yield f"sqlite:///{(folder / 'reporting.db').as_posix()}"
        return
    import secrets

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    base = make_url(request.getfixturevalue("pg_database_url"))
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(base.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def proxied_url(request: pytest.FixtureRequest, tmp_path: Path):
    """(URL of a fresh PostgreSQL schema reached through a TCP proxy the test controls, the proxy):
    outages and silent networks (tests/tcp_proxy.py)."""
    from sqlalchemy.engine import make_url
    from tcp_proxy import TcpProxy

    gen = _reporting_database("postgres", request, tmp_path)
    url = make_url(next(gen))
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    yield url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy
    proxy.close()
    gen.close()


@pytest.fixture(params=REPORTING_BACKENDS)
def reporting_db_url(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty reporting database for one test, on SQLite and on PostgreSQL."""
    yield from _reporting_database(request.param, request, tmp_path)


@pytest.fixture(scope="module", params=REPORTING_BACKENDS)
def module_reporting_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """An empty reporting database shared by one module's tests (for a scenario run once per backend
    and read by several tests), on SQLite and on PostgreSQL."""
    yield from _reporting_database(request.param, request, tmp_path_factory.mktemp("reporting"))


@pytest.fixture(scope="session")
def new_landing(returns: ReturnBuilder):
    """new_landing(folder) -> write: a landing folder (created) and its writer.

    write(name, rows, received) puts a file in the folder (CSV from row dicts, or bytes as given) whose
    last-modified time, the submission's received_at (spec 2.4), is `received` (ISO date-time, UTC).
    `write.folder` is the folder."""
    import os

    def make(folder: Path):
        folder.mkdir(parents=True, exist_ok=True)

        def write(
            name: str, rows: Iterable[Mapping[str, object]] | bytes, received: str, columns: list[str] | None = None
        ) -> Path:
            path = folder / name
            if isinstance(rows, bytes):
                path.write_bytes(rows)
            else:
                returns.csv(path, rows, columns)
            when = datetime.fromisoformat(received)
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            os.utime(path, (when.timestamp(), when.timestamp()))
            return path

        write.folder = folder
        return write

    return make


@pytest.fixture
def landing_writer(tmp_path: Path, new_landing):
    """new_landing(tmp_path / "landing"): write(name, rows, received) into the test's landing folder."""
    return new_landing(tmp_path / "landing")


@pytest.fixture(scope="session")
def db_rows():
    """db_rows(database, sql, **params) -> list of dicts, comparable across SQLite and PostgreSQL:
    dates as ISO text, non-integer numbers as Decimal exactly as stored (a float that is not to the
    penny stays visibly so), datetimes as aware UTC. Timestamps read through a view come back from
    SQLite as naive UTC text: parse those in the test."""
    from datetime import date as _date
    from decimal import Decimal

    from sqlalchemy import text

    def plain(value):
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if isinstance(value, _date):
            return value.isoformat()
        if isinstance(value, float):
            return Decimal(repr(value))
        return value

    def rows(database, sql: str, **params) -> list[dict]:
        engine = getattr(database, "engine", database)
        with engine.connect() as conn:
            return [{k: plain(v) for k, v in row._mapping.items()} for row in conn.execute(text(sql), params)]

    return rows


@pytest.fixture
def fresh_suites(monkeypatch):
    """No cached GX suite before or after the test (load_suite caches per process), and no
    GWP_EXPECTATIONS_DIR unless the test sets one: for tests that load a changed suite."""
    from gwp_monitor.validate.expectations import load_suite

    monkeypatch.delenv("GWP_EXPECTATIONS_DIR", raising=False)
    load_suite.cache_clear()
    yield
    load_suite.cache_clear()


# --- the demo, run for real and rendered: dashboard end-to-end and privacy tests --------------------
#
# write_demo_landing (fixed seed and as-of date) -> run_pipeline into a fresh reporting database, with
# the run's Data Docs written into the report folder -> build_report into the same folder. Built at
# most once per backend per test session, because several test files read the same site.

DEMO_SEED = 42
DEMO_AS_OF = date(2026, 3, 15)


@pytest.fixture(scope="session")
def demo_dashboard(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """demo_dashboard(backend="sqlite") -> SimpleNamespace(backend, db_url, database, demo, summary,
    report_dir, index): the demo's supplier files run through the real pipeline into a SQLite file
    (or a fresh schema of the PostgreSQL test database, for "postgres": skipped when the server is
    unreachable), and the dashboard plus the run's Data Docs rendered under report_dir."""
    from types import SimpleNamespace

    from gwp_monitor.demo.landing import write_demo_landing
    from gwp_monitor.pipeline import run_pipeline
    from gwp_monitor.report.build import build_report
    from gwp_monitor.store.database import open_database

    built: dict[str, SimpleNamespace] = {}

    def build(backend: str = "sqlite") -> SimpleNamespace:
        if backend not in built:
            folder = tmp_path_factory.mktemp(f"demo-{backend}")
            databases = _reporting_database(backend, request, folder)
            url = next(databases)
            database = open_database(url)

            def clean_up() -> None:
                database.engine.dispose()  # before its schema is dropped
                next(databases, None)  # runs _reporting_database's clean-up

            # On the session node, registered after pg_database_url set itself up (lazily, for the
            # first PostgreSQL case), so it runs before that fixture drops the whole database.
            request.node.addfinalizer(clean_up)
            demo = write_demo_landing(folder, seed=DEMO_SEED, as_of=DEMO_AS_OF, overwrite=True)
            report_dir = folder / "report"
            summary = run_pipeline(
                demo.register_path, demo.landing, database, as_of=DEMO_AS_OF, data_docs_dir=report_dir
            )
            index = build_report(database, report_dir, DEMO_AS_OF)
            built[backend] = SimpleNamespace(
                backend=backend,
                db_url=url,
                database=database,
                demo=demo,
                summary=summary,
                report_dir=report_dir,
                index=index,
            )
        return built[backend]

    return build
