"""A file is never half-taken for a contract and kind (spec 2.4), table-driven.

A row that cannot be placed in a valid period of its contract rejects every submission of that file
for that contract and kind; a row naming a contract not in the register rejects the whole file. A half
bad file accepts nothing for that contract and kind: nothing reaches the reporting database.
"""

from __future__ import annotations

from datetime import date

import pytest
from factories import AS_OF, CONTRACT_REF, PAYROLL_ONLY_REF
from sqlalchemy import text

from gwp_monitor.ingest.intake import take_in
from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.store.database import open_database

JULY = ("2025-07-01", "2025-07-31")
AUGUST = ("2025-08-01", "2025-08-31")
A_WEEK = ("2025-07-07", "2025-07-13")


def rows_of(returns, spec: list[tuple[str, tuple[str, str], int]]) -> list[dict[str, str]]:
    return [returns.payroll_row(period, worker, contract_ref=ref) for ref, period, worker in spec]


CASES = [
    # (id, rows as (contract, period, worker), expected status per (contract, period_start))
    (
        "all_good",
        [(CONTRACT_REF, JULY, 1), (CONTRACT_REF, JULY, 2), (CONTRACT_REF, AUGUST, 1)],
        {(CONTRACT_REF, "2025-07-01"): "accepted", (CONTRACT_REF, "2025-08-01"): "accepted"},
    ),
    (
        "a_week_as_the_period_rejects_the_contracts_whole_file",
        [(CONTRACT_REF, JULY, 1), (CONTRACT_REF, JULY, 2), (CONTRACT_REF, A_WEEK, 3), (CONTRACT_REF, AUGUST, 1)],
        {
            (CONTRACT_REF, "2025-07-01"): "rejected",
            (CONTRACT_REF, "2025-07-07"): "rejected",
            (CONTRACT_REF, "2025-08-01"): "rejected",
        },
    ),
    (
        "another_contract_in_the_file_is_unaffected",
        [(CONTRACT_REF, JULY, 1), (CONTRACT_REF, A_WEEK, 2), (PAYROLL_ONLY_REF, JULY, 1)],
        {
            (CONTRACT_REF, "2025-07-01"): "rejected",
            (CONTRACT_REF, "2025-07-07"): "rejected",
            (PAYROLL_ONLY_REF, "2025-07-01"): "accepted",
        },
    ),
    (
        "a_period_before_the_contract_starts",
        [(CONTRACT_REF, JULY, 1), (CONTRACT_REF, ("2009-12-01", "2009-12-31"), 1)],
        {(CONTRACT_REF, "2025-07-01"): "rejected", (CONTRACT_REF, "2009-12-01"): "rejected"},
    ),
    (
        "an_unknown_contract_rejects_the_whole_file",
        [(CONTRACT_REF, JULY, 1), (PAYROLL_ONLY_REF, JULY, 1), ("NOPE-999", JULY, 1)],
        {
            (CONTRACT_REF, "2025-07-01"): "rejected",
            (PAYROLL_ONLY_REF, "2025-07-01"): "rejected",
            ("NOPE-999", "2025-07-01"): "rejected",
        },
    ),
]


@pytest.mark.parametrize(("id", "spec", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_file_is_never_half_taken(tmp_path, returns, register, id, spec, expected):
    path = returns.csv(tmp_path / "p.csv", rows_of(returns, spec))
    subs = take_in([path], register, as_of=AS_OF).submissions
    got = {(s.contract_ref, s.period_start.isoformat()): s.status for s in subs}
    assert got == expected
    for s in subs:  # a submission rejected for the rest of the file says which rows to fix
        if s.status == "rejected" and all(p.column == "(file)" for p in s.problems):
            (problem,) = s.problems
            assert "nothing" in problem.rule and "Row" in problem.rule


def test_a_half_bad_file_accepts_nothing_for_that_contract_and_kind(tmp_path, returns, register, db_rows):
    """The issue's weekly-paid worker: the week's row made its own rejected submission while the month
    was accepted without that worker. Now nothing of the file is stored as accepted for TST-001."""
    landing = tmp_path / "landing"
    landing.mkdir()
    spec = [(CONTRACT_REF, JULY, w) for w in (1, 2, 3, 4)] + [(CONTRACT_REF, A_WEEK, 5)]
    returns.csv(landing / "half-bad.csv", rows_of(returns, spec))
    url = f"sqlite:///{(tmp_path / 'reporting.db').as_posix()}"
    db = open_database(url)
    summary = run_pipeline(register, landing, db, as_of=date(2025, 9, 30))
    assert summary.outcomes.get("accepted", 0) == 0
    statuses = db_rows(db.engine, "SELECT status FROM v_submissions")
    assert {r["status"] for r in statuses} == {"rejected"}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM v_wage_compliance")).scalar_one() == 0
        compliant = conn.execute(text("SELECT COUNT(*) FROM v_compliance_history WHERE status = 'compliant'"))
        assert compliant.scalar_one() == 0
    db.engine.dispose()
