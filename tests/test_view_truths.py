"""The published views say what spec 5 promises, on both databases (issue 12 item 6):

- every timestamp a view publishes is ISO 8601 text in UTC with a ``Z``, identical in form on SQLite and
  PostgreSQL (psql and BI tools would otherwise show PostgreSQL's in the session's zone, and SQLite's
  naive text says no zone at all);
- ``lowest_rate`` in v_wage_compliance is null where fewer than 5 workers were assessed (spec 5, 6),
  and the dashboard hides it on the same rows;
- ``gwp-monitor status`` prints "never" for a contract with no submission, on both databases.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from conftest import DEMO_AS_OF, REPORTING_BACKENDS
from factories import AS_OF

from gwp_monitor.cli import main
from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.store.database import open_database, view_statements

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

TIMESTAMPS = [
    ("v_compliance_history", "assessed_at"),
    ("v_compliance_latest", "assessed_at"),
    ("v_submissions", "received_at"),
    ("v_contract_status", "last_submission_at"),
    ("v_resubmission_changes", "changed_at"),
]


@pytest.fixture(scope="module", params=REPORTING_BACKENDS)
def demo(request, demo_dashboard):
    return demo_dashboard(request.param)


@pytest.mark.parametrize(("view", "column"), TIMESTAMPS)
def test_view_timestamps_are_iso_8601_utc(demo, db_rows, view: str, column: str) -> None:
    values = [r[column] for r in db_rows(demo.database, f"SELECT {column} FROM {view}") if r[column] is not None]
    assert values, f"the demo gives {view}.{column} at least one value"
    bad = [v for v in values if not (isinstance(v, str) and ISO_UTC.match(v))]
    assert not bad, f"{view}.{column} not ISO 8601 UTC text: {bad[:3]}"
    parsed = [datetime.fromisoformat(v) for v in values]
    assert all(p.tzinfo == UTC for p in parsed)
    assert all(datetime(2025, 1, 1, tzinfo=UTC) < p < datetime(2100, 1, 1, tzinfo=UTC) for p in parsed)


def test_received_at_in_the_view_is_the_stored_instant(demo, db_rows) -> None:
    """The text is the same instant the table holds, not shifted by a session time zone."""
    rows = db_rows(
        demo.database,
        "SELECT v.received_at AS shown, s.received_at AS stored FROM v_submissions v "
        "JOIN submissions s ON s.submission_id = v.submission_id",
    )
    for r in rows:
        stored = r["stored"]
        stored = datetime.fromisoformat(stored).replace(tzinfo=UTC) if isinstance(stored, str) else stored
        assert abs((datetime.fromisoformat(r["shown"]) - stored).total_seconds()) < 0.001


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        ("sqlite", "strftime('%Y-%m-%dT%H:%M:%fZ', s.received_at)"),
        ("postgresql", "to_char(s.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"),
    ],
)
def test_utc_iso_token_expands_per_dialect(dialect: str, expected: str) -> None:
    (statement,) = view_statements("-- a comment\nSELECT UTC_ISO(s.received_at) AS at FROM s;", dialect)
    assert statement == f"SELECT {expected} AS at FROM s"


def test_lowest_rate_is_null_under_five_workers(demo, db_rows) -> None:
    rows = db_rows(demo.database, "SELECT workers_assessed, lowest_rate FROM v_wage_compliance")
    small = [r for r in rows if r["workers_assessed"] < 5]
    large = [r for r in rows if r["workers_assessed"] >= 5]
    assert small and large, "the demo has bands on both sides of the boundary"
    assert all(r["lowest_rate"] is None for r in small)
    assert all(r["lowest_rate"] is not None for r in large)


@pytest.mark.parametrize(("assessed", "shown"), [(4, "hidden"), (5, "£")])
def test_dashboard_agrees_with_the_view_at_the_boundary(assessed: int, shown: str) -> None:
    from gwp_monitor.report.wages import Figure, _wage_table

    start, end = DEMO_AS_OF.replace(day=1), DEMO_AS_OF.replace(day=31)
    row = {"workers_assessed": assessed, "workers_below": 0, "lowest_rate": None if assessed < 5 else 12.75}
    figure = Figure(start, end, "real_living_wage", "uk", row)
    (shown_row,) = _wage_table([figure])
    assert shown_row.lowest.startswith(shown)


@pytest.mark.parametrize("backend", REPORTING_BACKENDS)
def test_status_says_never_on_both_databases(backend, request, tmp_path, register, capsys) -> None:
    from conftest import _reporting_database

    databases = _reporting_database(backend, request, tmp_path)
    url = next(databases)
    try:
        (tmp_path / "landing").mkdir()
        db = open_database(url)
        run_pipeline(register, tmp_path / "landing", db, as_of=AS_OF)
        db.engine.dispose()
        capsys.readouterr()
        assert main(["status", "--db", url]) == 0
        out = capsys.readouterr().out
        assert "never" in out and not re.search(r"\bnan\b", out, flags=re.I)
    finally:
        next(databases, None)
