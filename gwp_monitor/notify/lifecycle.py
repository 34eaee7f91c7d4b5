"""Breach lifecycle and exactly-once delivery of alerts.

A breach opens when a commitment's latest verdict is first found to be a breach, stays open while
later periods breach (or cannot be assessed), and resolves when the latest verdict is compliant. The
`breaches` table remembers that state between runs, so each transition is seen once. The `alert_log`
table makes delivery exactly-once per event and channel: an alert is logged only after its channel
accepted it, and a logged (event_key, channel) is never sent again, across re-runs and retries.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import delete, select, text, update

from gwp_monitor.domain.owed import WAGE_COMMITMENTS, owed_in_open_breaches
from gwp_monitor.notify.delivery import Channel, DeliveryError
from gwp_monitor.notify.events import (
    Alert,
    breach_alert,
    recipients_for,
    resubmission_event_key,
    return_alert,
)
from gwp_monitor.store.database import Database
from gwp_monitor.store.retry import retry_transient
from gwp_monitor.store.upsert import dialect_insert, insert_or_ignore

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    sent: int = 0
    already_sent: int = 0
    failed: list[str] = field(default_factory=list)


def _contracts(db: Database) -> pd.DataFrame:
    with db.engine.connect() as conn:
        return pd.read_sql(
            text(
                "SELECT c.contract_ref, c.title, c.contract_manager, c.supplier_contact, s.name AS supplier_name "
                "FROM contracts c JOIN suppliers s ON s.supplier_id = c.supplier_id"
            ),
            conn,
        ).set_index("contract_ref")


def _day(value) -> date:
    return pd.Timestamp(value).date()


def _now(db: Database) -> datetime:
    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else now


def sync_breaches(db: Database) -> None:
    """Open a tracked breach for each newly open one in v_open_breaches; resolve tracked breaches whose
    commitment's latest verdict is now compliant (a missing return does not resolve a breach)."""
    breaches = db.table("breaches")
    still_open = breaches.c.resolved_at.is_(None)
    with db.engine.connect() as conn:
        open_view = pd.read_sql(text("SELECT contract_ref, commitment, first_period_start FROM v_open_breaches"), conn)
        latest = pd.read_sql(
            text("SELECT contract_ref, commitment, status, period_start FROM v_compliance_latest"), conn
        )
        tracked = pd.read_sql(select(breaches).where(still_open), conn)
    latest = latest.set_index(["contract_ref", "commitment"])
    tracked_keys = {(r.contract_ref, r.commitment): r for r in tracked.itertuples(index=False)}
    now = _now(db)
    opened = [
        {
            "contract_ref": b.contract_ref,
            "commitment": b.commitment,
            "first_period_start": _day(b.first_period_start),
            "opened_at": now,
        }
        for b in open_view.itertuples(index=False)
    ]
    open_keys = {(row["contract_ref"], row["commitment"]) for row in opened}
    with db.engine.begin() as conn:
        # one open breach per contract and commitment (index breaches_one_open): a tracked one stays as it is
        insert_or_ignore(conn, breaches, opened, key=["contract_ref", "commitment"], where=still_open)
        for key, row in tracked_keys.items():
            if key in open_keys or key not in latest.index or latest.loc[key, "status"] != "compliant":
                continue
            conn.execute(
                update(breaches)
                .where(breaches.c.breach_id == row.breach_id)
                .values(resolved_at=now, resolved_period_start=_day(latest.loc[key, "period_start"]))
            )


def breach_alerts(
    db: Database, today: date, reminder_days: int | None = None, resolved_within_days: int = 90
) -> list[Alert]:
    """Alerts for the tracked breaches: opened (and reminders) for open ones, resolved for recently
    resolved ones. Built from state, not from this run's transitions, so an alert whose delivery
    failed is offered again next time; the alert log keeps each one to a single delivery."""
    sync_breaches(db)
    breaches = db.table("breaches")
    with db.engine.connect() as conn:
        open_view = pd.read_sql(text("SELECT * FROM v_open_breaches"), conn)
        latest = pd.read_sql(
            text(
                "SELECT contract_ref, commitment, status, period_start, period_end, observed_value, threshold FROM v_compliance_latest"
            ),
            conn,
        )
        tracked = pd.read_sql(select(breaches), conn)
        owed_rows = pd.read_sql(text("SELECT contract_ref, period_start, owed_gbp FROM v_owed_to_workers"), conn)
    owed = _owed_by_contract(owed_rows, open_view)
    contracts = _contracts(db)
    latest = latest.set_index(["contract_ref", "commitment"])
    open_view = open_view.set_index(["contract_ref", "commitment"])
    alerts: list[Alert] = []
    for row in tracked.itertuples(index=False):
        key = (row.contract_ref, row.commitment)
        first = _day(row.first_period_start)
        if row.resolved_at is None or pd.isna(row.resolved_at):
            if key not in open_view.index:
                continue  # latest period cannot be assessed yet: nothing new to say
            b = open_view.loc[key]
            owed_gbp = owed.get(key[0]) if key[1] in WAGE_COMMITMENTS else None
            alerts.append(_breach(key, b, latest, contracts, "breach_opened", first, owed_gbp=owed_gbp))
            if reminder_days:
                cycles = (today - _day(row.opened_at)).days // reminder_days
                if cycles >= 1:
                    due = _day(row.opened_at) + timedelta(days=cycles * reminder_days)
                    alerts.append(
                        _breach(
                            key, b, latest, contracts, "breach_reminder", first, reminder_for=due, owed_gbp=owed_gbp
                        )
                    )
        elif (today - _day(row.resolved_at)).days <= resolved_within_days and key in latest.index:
            current = latest.loc[key]
            contract = contracts.loc[key[0]]
            alerts.append(
                breach_alert(
                    "breach_resolved",
                    contract_ref=key[0],
                    contract_title=contract["title"],
                    supplier_name=contract["supplier_name"],
                    commitment=key[1],
                    severity=_severity(key[1]),
                    period_start=_day(current["period_start"]),
                    period_end=_day(current["period_end"]),
                    first_period_start=first,
                    contract_manager=contract["contract_manager"],
                    supplier_contact=contract["supplier_contact"],
                )
            )
    return alerts


def _severity(commitment: str) -> str:
    from gwp_monitor.domain.catalogue import CATALOGUE

    return CATALOGUE[commitment].severity if commitment in CATALOGUE else "medium"


def _owed_by_contract(owed_rows: pd.DataFrame, open_view: pd.DataFrame) -> dict[str, Decimal]:
    """Owed to workers per contract over its open wage breaches (domain.owed), as the dashboard shows it."""
    breaches = open_view.reset_index() if "contract_ref" not in open_view.columns else open_view
    by_ref: dict[str, list[dict]] = {}
    for r in breaches.to_dict(orient="records"):
        by_ref.setdefault(r["contract_ref"], []).append(r)
    owed_by_ref: dict[str, list[dict]] = {}
    for r in owed_rows.to_dict(orient="records"):
        owed_by_ref.setdefault(r["contract_ref"], []).append(r)
    return {
        ref: Decimal(str(owed_in_open_breaches(owed_by_ref.get(ref, []), rows)))
        for ref, rows in by_ref.items()
        if any(r["commitment"] in WAGE_COMMITMENTS for r in rows)
    }


def _breach(
    key,
    b: pd.Series,
    latest: pd.DataFrame,
    contracts: pd.DataFrame,
    event: str,
    first: date,
    reminder_for=None,
    owed_gbp: Decimal | None = None,
) -> Alert:
    contract = contracts.loc[key[0]]
    current = latest.loc[key]
    return breach_alert(
        event,
        contract_ref=key[0],
        contract_title=contract["title"],
        supplier_name=contract["supplier_name"],
        commitment=key[1],
        severity=b["severity"],
        period_start=_day(current["period_start"]),
        period_end=_day(b["latest_period_end"]),
        first_period_start=first,
        periods_in_breach=int(b["periods_in_breach"]),
        workers_affected=None if pd.isna(b["workers_affected"]) else int(b["workers_affected"]),
        arrears_gbp=None if pd.isna(b["arrears_gbp"]) else Decimal(str(round(float(b["arrears_gbp"]), 2))),
        observed_value=None if pd.isna(current["observed_value"]) else float(current["observed_value"]),
        threshold=None if pd.isna(current["threshold"]) else float(current["threshold"]),
        contract_manager=contract["contract_manager"],
        supplier_contact=contract["supplier_contact"],
        reminder_for=reminder_for,
        owed_gbp=owed_gbp,
    )


def resubmission_alerts(db: Database) -> list[Alert]:
    """A resubmission that changed a verdict (spec 9), or lowered arrears (spec 2.4), to the contract
    manager, once per commitment and resubmission (the alert log keeps it to one delivery). A breach
    turned into compliance and lowered arrears are the changes to check; a verdict made worse is told
    too (the breach alerts follow from the verdict itself)."""
    with db.engine.connect() as conn:
        changes = pd.read_sql(
            text(
                "SELECT * FROM v_resubmission_changes WHERE previous_status <> new_status"
                " OR COALESCE(new_arrears_gbp, 0) < COALESCE(previous_arrears_gbp, 0)"
            ),
            conn,
        )
    if changes.empty:
        return []
    contracts = _contracts(db)
    alerts = []
    for c in changes.itertuples(index=False):
        if c.contract_ref not in contracts.index:
            continue
        contract = contracts.loc[c.contract_ref]
        manager = contract["contract_manager"] if isinstance(contract["contract_manager"], str) else None
        alerts.append(
            Alert(
                event="verdict_changed_by_resubmission",
                event_key=resubmission_event_key(c.contract_ref, c.commitment, int(c.new_submission_id)),
                contract_ref=c.contract_ref,
                contract_title=contract["title"],
                supplier_name=contract["supplier_name"],
                commitment=c.commitment,
                severity=_severity(c.commitment),
                period_start=_day(c.period_start),
                period_end=_day(c.period_end),
                previous_status=c.previous_status,
                new_status=c.new_status,
                previous_arrears_gbp=None
                if pd.isna(c.previous_arrears_gbp)
                else Decimal(f"{float(c.previous_arrears_gbp):.2f}"),
                arrears_gbp=None if pd.isna(c.new_arrears_gbp) else Decimal(f"{float(c.new_arrears_gbp):.2f}"),
                recipients=recipients_for("verdict_changed_by_resubmission", contract_manager=manager, supplier=None),
            )
        )
    return alerts


def return_alerts(db: Database, as_of: date, days_before: int = 3) -> list[Alert]:
    """Overdue notices for every overdue return, and reminders for returns due within `days_before`."""
    with db.engine.connect() as conn:
        timeliness = pd.read_sql(
            text("SELECT * FROM v_return_timeliness WHERE status IN ('overdue', 'awaiting')"), conn
        )
    contracts = _contracts(db)
    alerts = []
    for r in timeliness.itertuples(index=False):
        due = _day(r.due_date)
        if r.status == "awaiting" and not (0 <= (due - as_of).days <= days_before):
            continue
        event = "return_overdue" if r.status == "overdue" else "return_due_soon"
        contract = contracts.loc[r.contract_ref]
        alerts.append(
            return_alert(
                event,
                contract_ref=r.contract_ref,
                contract_title=contract["title"],
                supplier_name=contract["supplier_name"],
                kind=r.kind,
                period_start=_day(r.period_start),
                period_end=_day(r.period_end),
                due_date=due,
                contract_manager=contract["contract_manager"],
                supplier_contact=contract["supplier_contact"],
                days_before=days_before if event == "return_due_soon" else None,
            )
        )
    return alerts


#: A claim older than this belongs to a sender that died mid-delivery; another sender may take it over.
CLAIM_LEASE = timedelta(minutes=15)


def dispatch(db: Database, alerts: Sequence[Alert], channels: Iterable[Channel]) -> DispatchReport:
    """Send each alert on each channel that handles it, unless the log says it already went.

    Through an outbox: a delivery is claimed (alert_outbox, keyed like alert_log) before it is sent, and
    logged as sent after, retried through a brief database outage; a failed send gives up its claim. So
    two senders at once never both send it, and a sent alert is not offered again because the database
    failed for a moment after the server accepted it. The one window left is at-least-once: the database
    stays down (or the process dies) between the server's acceptance and that record; the claim then
    outlives CLAIM_LEASE and the alert is sent again, with the same Message-ID (``Alert.delivery_id``)
    so mail clients fold the copy.

    Every alert is tried; failures are collected and raised together at the end as a DeliveryError
    (retryable when any was), so a retry resends only what did not go.
    """
    channels = list(channels)
    alert_log = db.table("alert_log")
    report = DispatchReport()
    retryable = False
    with db.engine.connect() as conn:
        done = {(r[0], r[1]) for r in conn.execute(select(alert_log.c.event_key, alert_log.c.channel))}
    for alert in alerts:
        for channel in channels:
            if not channel.handles(alert):
                continue
            if (alert.event_key, channel.name) in done or not _claim(db, alert, channel.name):
                report.already_sent += 1
                continue
            try:
                channel.send(alert)
            except DeliveryError as exc:
                _release(db, alert, channel.name)
                retryable = retryable or exc.retryable
                report.failed.append(f"{alert.event_key} via {channel.name}: {exc}")
                continue
            _record_sent(db, alert, channel.name)
            done.add((alert.event_key, channel.name))
            report.sent += 1
    if report.failed:
        raise DeliveryError(
            f"{len(report.failed)} alert deliveries failed ({report.sent} sent); first: {report.failed[0]}",
            channel="several",
            retryable=retryable,
            failures=tuple(report.failed),
        )
    return report


@retry_transient
def _claim(db: Database, alert: Alert, channel: str) -> bool:
    """Claim one delivery; False when it was sent meanwhile or another sender holds a live claim."""
    outbox, alert_log = db.table("alert_outbox"), db.table("alert_log")
    key = (outbox.c.event_key == alert.event_key) & (outbox.c.channel == channel)
    now = _now(db)
    with db.engine.begin() as conn:
        logged = (alert_log.c.event_key == alert.event_key) & (alert_log.c.channel == channel)
        if conn.execute(select(alert_log.c.event_key).where(logged)).first() is not None:
            return False
        conn.execute(delete(outbox).where(key & (outbox.c.claimed_at < now - CLAIM_LEASE)))  # a dead sender's
        row = {"event_key": alert.event_key, "channel": channel, "message_id": alert.delivery_id, "claimed_at": now}
        claim = dialect_insert(conn, outbox).on_conflict_do_nothing(index_elements=["event_key", "channel"])
        return conn.execute(claim.returning(outbox.c.event_key), row).first() is not None


@retry_transient
def _release(db: Database, alert: Alert, channel: str) -> None:
    outbox = db.table("alert_outbox")
    with db.engine.begin() as conn:
        conn.execute(delete(outbox).where((outbox.c.event_key == alert.event_key) & (outbox.c.channel == channel)))


@retry_transient
def _record_sent(db: Database, alert: Alert, channel: str) -> None:
    alert_log = db.table("alert_log")
    row = {
        "event_key": alert.event_key,
        "channel": channel,
        "event": alert.event,
        "contract_ref": alert.contract_ref,
        "sent_at": _now(db),
    }
    with db.engine.begin() as conn:  # the claim stays: deleting it would let a sender that read the log
        insert_or_ignore(conn, alert_log, [row], key=["event_key", "channel"])  # just before claim again
