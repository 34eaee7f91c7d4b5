"""Supplier notices about their submissions (spec 9): a receipt when one is accepted, every problem
when one is rejected.

Built from what the reporting database already holds, not from one run's results: a submission's row
keeps its status, file name, received time and, for a rejection, its problems (``errors_json``, the
structured form of ``v_submissions.errors``). So a notice whose delivery failed is built again, word for
word, by the next run, and the alert log keeps it to one delivery per channel. The event is the
submission itself (``submission_event_key``).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import select

from gwp_monitor.domain.problems import Problem
from gwp_monitor.notify.events import Alert, Event, recipients_for, submission_event_key
from gwp_monitor.store.database import Database

log = logging.getLogger(__name__)

#: Submissions stored longer ago than this get no notice: a database that predates notices (or one
#: restored from a backup) must not e-mail suppliers about returns they sent weeks ago.
NOTICE_WINDOW = timedelta(days=7)

_STATUS_EVENT: dict[str, Event] = {
    "accepted": "submission_accepted",
    "superseded": "submission_accepted",
    "rejected": "submission_rejected",
}


def stored_problems(errors_json: str | None, errors: str | None) -> tuple[Problem, ...]:
    """A rejected submission's problems as stored: the structured list, or (a row written before the
    structured column was filled) one problem per line of ``errors``, which reads back word for word."""
    if errors_json:
        return tuple(
            Problem(
                column=str(p["column"]),
                rule=str(p["rule"]),
                rows=int(p.get("rows") or 0),
                first_rows=tuple(int(r) for r in p.get("first_rows") or ()),
            )
            for p in json.loads(errors_json)
        )
    lines = [line.partition(": ") for line in (errors or "").splitlines() if line.strip()]
    return tuple(Problem(column=column, rule=rule) if rule else Problem("(file)", column) for column, _, rule in lines)


def _cutoff(db: Database, now: datetime, window: timedelta) -> datetime:
    since = now - window
    return since.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else since


def _date(value: object) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _moment(value: object) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    return (stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)).to_pydatetime()


def submission_notices(db: Database, now: datetime | None = None, window: timedelta = NOTICE_WINDOW) -> list[Alert]:
    """A receipt for every accepted (or since superseded) submission and a rejection notice for every
    rejected one stored within ``window`` of ``now``, to the register's supplier contact.

    A submission that names no contract in the register (or none at all: a file that could not be
    read) has no supplier contact to write to; it is counted in the log, and shows on the dashboard's
    submissions page for the contract managers.
    """
    now = now or datetime.now(UTC)
    subs, contracts, suppliers = db.table("submissions"), db.table("contracts"), db.table("suppliers")
    query = (
        select(
            subs.c.submission_id,
            subs.c.contract_ref,
            subs.c.kind,
            subs.c.period_start,
            subs.c.period_end,
            subs.c.status,
            subs.c.file_name,
            subs.c.received_at,
            subs.c.row_count,
            subs.c.errors,
            subs.c.errors_json,
            subs.c.warnings,
            contracts.c.title,
            contracts.c.supplier_contact,
            contracts.c.contract_manager,
            suppliers.c.name.label("supplier_name"),
        )
        .select_from(subs)
        .outerjoin(contracts, contracts.c.contract_ref == subs.c.contract_ref)
        .outerjoin(suppliers, suppliers.c.supplier_id == contracts.c.supplier_id)
        .where(subs.c.stored_at >= _cutoff(db, now, window))
        .order_by(subs.c.submission_id)
    )
    with db.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    alerts: list[Alert] = []
    unaddressed = 0
    for row in rows:
        event = _STATUS_EVENT.get(row["status"])
        if event is None:
            continue
        recipients = recipients_for(event, contract_manager=row["contract_manager"], supplier=row["supplier_contact"])
        if row["title"] is None or not recipients:
            unaddressed += 1
            continue
        kind = row["kind"] if row["kind"] in ("payroll", "workforce") else None
        start, end = _date(row["period_start"]), _date(row["period_end"])
        if start is None or end is None or end < start:
            start = end = None
        alerts.append(
            Alert(
                event=event,
                event_key=submission_event_key(event, int(row["submission_id"])),
                contract_ref=row["contract_ref"],
                contract_title=row["title"],
                supplier_name=row["supplier_name"],
                period_start=start,
                period_end=end,
                severity="info" if event == "submission_accepted" else "low",
                kind=kind,
                submission_id=int(row["submission_id"]),
                file_name=row["file_name"],
                received_at=_moment(row["received_at"]),
                row_count=int(row["row_count"]),
                problems=stored_problems(row["errors_json"], row["errors"]) if event == "submission_rejected" else (),
                notes=tuple((row["warnings"] or "").splitlines()) if event == "submission_accepted" else (),
                recipients=recipients,
            )
        )
    if unaddressed:
        log.info("%d submission(s) name no contract with a supplier contact in the register: no notice", unaddressed)
    return alerts
