"""The database itself guards the invariants parallel writers could break (index submissions_one_accepted)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from gwp_monitor.store.database import open_database


def _submission(run_id: int, sha: str, status: str) -> dict:
    return dict(
        run_id=run_id,
        contract_ref="TST-001",
        kind="payroll",
        period_start=date(2025, 6, 1),
        period_end=date(2025, 6, 30),
        status=status,
        file_name=f"{sha}.csv",
        file_sha256=sha * 64,
        received_at=datetime(2025, 7, 1, 9),
        row_count=1,
        error_count=0,
        stored_at=datetime(2025, 7, 1, 9),
    )


def test_at_most_one_accepted_submission_per_contract_kind_and_period(reporting_db_url):
    db = open_database(reporting_db_url)
    runs, subs = db.table("runs"), db.table("submissions")
    with db.engine.begin() as conn:
        run_id = conn.execute(
            insert(runs).values(started_at=datetime(2025, 7, 1), as_of=date(2025, 7, 1), status="running")
        ).inserted_primary_key[0]
        conn.execute(insert(subs).values(**_submission(run_id, "a", "accepted")))
        conn.execute(insert(subs).values(**_submission(run_id, "b", "superseded")))  # other statuses may repeat
        conn.execute(insert(subs).values(**_submission(run_id, "c", "rejected")))
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(insert(subs).values(**_submission(run_id, "d", "accepted")))
