"""Writing runs, submissions, verdicts and wage figures to the reporting database.

Each submission is stored in its own transaction with its verdicts and wage figures, so a failure
while storing one leaves no trace of it and the others stand. Rows are written with one executemany
per table (bulk), never row by row. Nothing per worker is written (spec 6).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import CursorResult, and_, delete, insert, select, update

from gwp_monitor.assess.missing import gap_verdicts
from gwp_monitor.assess.timeliness import return_timeliness
from gwp_monitor.config.register import Register
from gwp_monitor.domain.problems import problems_to_json, problems_to_text
from gwp_monitor.ingest.intake import Submission
from gwp_monitor.store.database import Database
from gwp_monitor.store.retry import retry_transient
from gwp_monitor.store.upsert import insert_or_ignore, insert_or_update


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(db: Database, value: datetime) -> datetime:
    """UTC; naive on SQLite (which has no time zones), aware on PostgreSQL."""
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else value


def _records(frame: pd.DataFrame, *, exclude: tuple[str, ...] = (), **extra) -> list[dict]:
    """DataFrame rows as plain Python values, NaN/NA as None, for executemany (`exclude`: columns left out).

    Column by column with `tolist()`: a submission's handful of rows cost microseconds, where
    astype(object) + where + to_dict cost milliseconds per call, once per submission and table.
    """
    if frame.empty:
        return []
    names = [name for name in frame.columns if name not in exclude]
    columns = [[_plain(value) for value in frame[name].tolist()] for name in names]
    return [{**dict(zip(names, row, strict=False)), **extra} for row in zip(*columns, strict=False)]


def _plain(value):
    """A plain Python value; None for NaN, NA and NaT."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    return None if isinstance(value, float) and value != value else value


@retry_transient
def sync_register(db: Database, register: Register) -> None:
    """Suppliers, contracts and commitments mirror the register; contracts no longer listed stay for
    history but drop out of the contract status view."""
    suppliers, contracts, commitments = db.table("suppliers"), db.table("contracts"), db.table("commitments")
    now = _ts(db, utcnow())
    listed = register.contracts.values()
    with db.engine.begin() as conn:
        rows: list[dict[str, Any]] = [{"supplier_id": c.supplier.supplier_id, "name": c.supplier.name} for c in listed]
        insert_or_update(conn, suppliers, rows, key=["supplier_id"])
        conn.execute(update(contracts).values(in_register=0))
        rows = [
            {
                "contract_ref": contract.contract_ref,
                "title": contract.title,
                "supplier_id": contract.supplier.supplier_id,
                "start_date": contract.start_date,
                "end_date": contract.end_date,
                "contract_manager": contract.contacts.get("contract_manager"),
                "supplier_contact": contract.contacts.get("supplier"),
                "in_register": 1,
                "updated_at": now,
            }
            for contract in listed
        ]
        insert_or_update(conn, contracts, rows, key=["contract_ref"])
        conn.execute(delete(commitments).where(commitments.c.contract_ref.in_(list(register.contracts))))
        rows = [
            {
                "contract_ref": c.contract_ref,
                "commitment": m.type,
                "severity": m.spec.severity,
                "params": json.dumps(dict(m.params), sort_keys=True),
            }
            for c in register.contracts.values()
            for m in c.commitments
        ]
        if rows:
            conn.execute(insert(commitments), rows)


@retry_transient
def start_run(db: Database, as_of: date, landing: str) -> int:
    runs = db.table("runs")
    with db.engine.begin() as conn:
        result = conn.execute(
            insert(runs).values(started_at=_ts(db, utcnow()), as_of=as_of, landing=landing, status="running")
        )
        return _inserted_id(result)


def _inserted_id(result: CursorResult[Any]) -> int:
    """The key of the one row an INSERT made; every table written this way has a single-column key."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the database reported no primary key for the inserted row")
    return int(key[0])


@retry_transient
def finish_run(db: Database, run_id: int, status: str, files_read: int, stored: int, skipped: int) -> None:
    runs = db.table("runs")
    with db.engine.begin() as conn:
        conn.execute(
            update(runs)
            .where(runs.c.run_id == run_id)
            .values(
                finished_at=_ts(db, utcnow()),
                status=status,
                files_read=files_read,
                submissions_stored=stored,
                submissions_skipped=skipped,
            )
        )


@retry_transient
def add_to_run(db: Database, run_id: int, files_read: int, stored: int, skipped: int) -> None:
    """Add one batch task's counts to a run that several tasks share (one UPDATE: parallel tasks
    add without losing each other's counts)."""
    runs = db.table("runs")
    with db.engine.begin() as conn:
        conn.execute(
            update(runs)
            .where(runs.c.run_id == run_id)
            .values(
                files_read=runs.c.files_read + files_read,
                submissions_stored=runs.c.submissions_stored + stored,
                submissions_skipped=runs.c.submissions_skipped + skipped,
            )
        )


@retry_transient
def close_run(db: Database, run_id: int, status: str) -> None:
    """Mark a shared run finished with `status`, keeping the counts its tasks added."""
    runs = db.table("runs")
    with db.engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.run_id == run_id).values(finished_at=_ts(db, utcnow()), status=status))


@retry_transient
def seen_files(db: Database) -> set[str]:
    table = db.table("files_seen")
    with db.engine.connect() as conn:
        return {r[0] for r in conn.execute(select(table.c.file_sha256))}


@retry_transient
def mark_files_seen(db: Database, run_id: int, files: Iterable[tuple[str, str]]) -> None:
    table = db.table("files_seen")
    rows, shas = [], set()
    for sha, name in files:
        if sha not in shas:  # the same file under two names ("returns (1).csv") is one row
            shas.add(sha)
            rows.append({"file_sha256": sha, "file_name": name, "first_run_id": run_id, "seen_at": _ts(db, utcnow())})
    if rows:
        with db.engine.begin() as conn:
            insert_or_ignore(conn, table, rows, key=["file_sha256"])


@retry_transient
def known_contents(db: Database) -> set[str]:
    table = db.table("submissions")
    with db.engine.connect() as conn:
        return {r[0] for r in conn.execute(select(table.c.file_sha256))}


@retry_transient
def store_submission(
    db: Database,
    run_id: int,
    submission: Submission,
    verdicts: pd.DataFrame,
    wages: pd.DataFrame,
    hook=None,
    owed: pd.DataFrame | None = None,
) -> tuple[int, str]:
    """Store one submission with its results in one transaction; returns (submission_id, status).

    An accepted submission supersedes the accepted one for the same contract, kind and period unless
    that one was received later (then the new one is stored as superseded). A rejected submission
    never replaces accepted results. `hook` is called inside the transaction (tests inject failures).

    Files can be stored out of their received order (parallel batch tasks): a submission that arrives
    after a later-received one is put into the supersede chain where its received time belongs, so
    v_resubmission_changes shows what the later one changed whatever order they were stored in.
    """
    subs, verdict_table, wage_table = db.table("submissions"), db.table("verdicts"), db.table("wage_figures")
    now = _ts(db, utcnow())
    received = _ts(db, submission.received_at)
    with db.engine.begin() as conn:
        status = submission.status
        current = None
        if status == "accepted":
            current = conn.execute(
                select(subs.c.submission_id, subs.c.received_at, subs.c.supersedes_submission_id).where(
                    and_(
                        subs.c.contract_ref == submission.contract_ref,
                        subs.c.kind == submission.kind,
                        subs.c.period_start == submission.period_start,
                        subs.c.status == "accepted",
                    )
                )
            ).first()
            if current is not None and _ts(db, _aware(current.received_at)) > received:
                status = "superseded"
        current_id = None if current is None else current.submission_id
        replaced_id = current_id if status == "accepted" else None
        # Stored late (a later-received one is already current): it goes between that one and the one
        # that one superseded, when it was received after that.
        stored_late, previous_id = False, replaced_id
        if status == "superseded" and current is not None and submission.status == "accepted":
            before = current.supersedes_submission_id
            before_received = (
                None
                if before is None
                else conn.execute(select(subs.c.received_at).where(subs.c.submission_id == before)).scalar_one()
            )
            if before_received is None or _ts(db, _aware(before_received)) <= received:
                stored_late, previous_id = True, before
        if (
            replaced_id is not None
        ):  # retire the old one first: at most one accepted per period (submissions_one_accepted)
            conn.execute(update(subs).where(subs.c.submission_id == replaced_id).values(status="superseded"))
        result = conn.execute(
            insert(subs).values(
                run_id=run_id,
                contract_ref=submission.contract_ref,
                kind=submission.kind,
                period_start=submission.period_start,
                period_end=submission.period_end,
                status=status,
                file_name=submission.file_name,
                file_sha256=submission.content_sha256,
                received_at=received,
                row_count=submission.row_count,
                error_count=len(submission.problems),
                errors=problems_to_text(submission.problems) or None,
                errors_json=problems_to_json(submission.problems) if submission.problems else None,
                superseded_by=current_id if status == "superseded" else None,
                warnings=problems_to_text(submission.warnings) or None,
                supersedes_submission_id=previous_id,
                source=submission.source,
                stored_at=now,
            )
        )
        submission_id = _inserted_id(result)
        if replaced_id is not None:
            conn.execute(update(subs).where(subs.c.submission_id == replaced_id).values(superseded_by=submission_id))
        if stored_late:
            conn.execute(
                update(subs).where(subs.c.submission_id == current_id).values(supersedes_submission_id=submission_id)
            )
            if previous_id is not None:
                conn.execute(
                    update(subs).where(subs.c.submission_id == previous_id).values(superseded_by=submission_id)
                )
        if submission.status == "accepted":
            rows = _records(verdicts, exclude=("submission_key",), submission_id=submission_id, assessed_at=now)
            if rows:
                conn.execute(insert(verdict_table), rows)
            if hook:
                hook(conn)
            rows = _records(wages, exclude=("submission_key",), submission_id=submission_id)
            if rows:
                conn.execute(insert(wage_table), rows)
            rows = _records(owed, exclude=("submission_key",), submission_id=submission_id) if owed is not None else []
            if rows:
                conn.execute(insert(db.table("owed_figures")), rows)
    return submission_id, status


def store_submission_once(
    db: Database,
    run_id: int,
    submission: Submission,
    verdicts: pd.DataFrame,
    wages: pd.DataFrame,
    hook=None,
    owed: pd.DataFrame | None = None,
) -> tuple[int | None, str]:
    """`store_submission`, safe against another writer (a parallel batch task, an overlapping run)
    storing the same content or the same period at the same moment.

    The database decides: the unique index on the content hash (submissions_content) lets only one
    writer store a content; the loser's transaction leaves nothing and it reports (None, "skipped").
    A loser on the one-accepted-per-period index tries once more, now seeing the winner's row, so the
    usual rule (the later received is accepted, the other superseded) applies.
    """
    from sqlalchemy.exc import IntegrityError

    try:
        return store_submission(db, run_id, submission, verdicts, wages, hook=hook, owed=owed)
    except IntegrityError:
        if content_stored(db, submission.content_sha256):
            return None, "skipped"
    return store_submission(db, run_id, submission, verdicts, wages, hook=hook, owed=owed)


@retry_transient
def content_stored(db: Database, content_sha256: str) -> bool:
    """Whether a submission with this content is in the database."""
    subs = db.table("submissions")
    with db.engine.connect() as conn:
        found = conn.execute(select(subs.c.submission_id).where(subs.c.file_sha256 == content_sha256)).first()
    return found is not None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def submission_frame(db: Database) -> pd.DataFrame:
    """Every stored submission's key facts (no content), for timeliness and gaps."""
    subs = db.table("submissions")
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(
                subs.c.contract_ref,
                subs.c.kind,
                subs.c.period_start,
                subs.c.period_end,
                subs.c.status,
                subs.c.received_at,
            ).where(subs.c.contract_ref.is_not(None))
        ).all()
    frame = pd.DataFrame(rows, columns=["contract_ref", "kind", "period_start", "period_end", "status", "received_at"])
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True)
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


@retry_transient
def refresh_as_of(db: Database, register: Register, as_of: date) -> pd.DataFrame:
    """Timeliness of every expected return and not_assessable verdicts for periods with no accepted
    return whose due date has passed, both for `as_of`, replaced in one transaction."""
    expected = register.expected_returns(as_of)
    stored = submission_frame(db)
    ever_accepted = stored[stored["status"].isin(["accepted", "superseded"])]
    timeliness = return_timeliness(
        expected, ever_accepted[["contract_ref", "kind", "period_start", "period_end", "received_at"]], as_of
    )
    key = ["contract_ref", "kind", "period_start"]
    due = expected[expected["due_date"] < pd.Timestamp(as_of)]
    accepted_keys = ever_accepted[key].drop_duplicates()
    rejected_keys = stored.loc[stored["status"] == "rejected", key].drop_duplicates().assign(rejected=True)
    gaps = due.merge(accepted_keys, on=key, how="left", indicator=True)
    gaps = gaps[gaps["_merge"] == "left_only"].drop(columns="_merge").merge(rejected_keys, on=key, how="left")
    gaps["reason"] = np.where(gaps["rejected"].eq(True), "rejected", "missing")
    verdicts = gap_verdicts(gaps, register)
    now = _ts(db, utcnow())
    timeliness_rows = _records(
        timeliness.assign(
            period_start=timeliness["period_start"].dt.date,
            period_end=timeliness["period_end"].dt.date,
            due_date=timeliness["due_date"].dt.date,
        ),
        as_of=as_of,
    )
    verdict_table, timeliness_table = db.table("verdicts"), db.table("return_timeliness")
    with db.engine.begin() as conn:
        conn.execute(delete(verdict_table).where(verdict_table.c.submission_id.is_(None)))
        rows = _records(verdicts, exclude=("submission_key",), assessed_at=now)
        if rows:
            conn.execute(insert(verdict_table), rows)
        conn.execute(delete(timeliness_table))
        if timeliness_rows:
            conn.execute(insert(timeliness_table), timeliness_rows)
    return timeliness
