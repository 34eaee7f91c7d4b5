"""What happened and who is told: the ``Alert`` value, its event keys and its recipients.

With ``content`` (the words) and ``render`` (e-mail and webhook bodies) this is the functional core
of alerting. Nothing here opens a socket, reads the clock or the environment, so every alert can be
tested without a mail server, and the sending edge (``channels``) stays small.

Privacy (spec 6) is enforced by construction rather than by filtering: ``Alert`` has no field that
could carry a worker_ref, a worker's name or an individual pay figure. It only holds per-contract,
per-period aggregates (workers below a floor, arrears summed over workers, a share, a count), so no
renderer can leak what it was never given.

Exactly-once delivery is the alert log's job (it lives with the reporting database). It needs two
stable strings: ``Alert.event_key`` (what happened, here) and ``Channel.name`` (where it was sent,
in ``channels``). ``breach_event_key`` and ``return_event_key`` build the keys so that re-running a
pipeline over the same data yields the same key, and a genuinely new event yields a new one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from gwp_monitor.domain.problems import Problem

Event = Literal[
    "breach_opened",
    "breach_reminder",
    "breach_resolved",
    "return_overdue",
    "return_due_soon",
    "verdict_changed_by_resubmission",
    "submission_accepted",
    "submission_rejected",
    "channel_test",
]
ReturnKind = Literal["payroll", "workforce"]

BREACH_EVENTS: tuple[str, ...] = ("breach_opened", "breach_reminder", "breach_resolved")
RETURN_EVENTS: tuple[str, ...] = ("return_overdue", "return_due_soon")
#: A resubmission turned a breach into compliance or lowered arrears (spec 2.4): the contract manager is told.
RESUBMISSION_EVENTS: tuple[str, ...] = ("verdict_changed_by_resubmission",)
#: What happened to a submission (spec 9): a receipt when it is accepted, every problem when it is rejected.
SUBMISSION_EVENTS: tuple[str, ...] = ("submission_accepted", "submission_rejected")
#: ``gwp-monitor alerts test``: sent straight to a channel, never through the alert log.
TEST_EVENTS: tuple[str, ...] = ("channel_test",)
EVENTS: tuple[str, ...] = BREACH_EVENTS + RETURN_EVENTS + RESUBMISSION_EVENTS + SUBMISSION_EVENTS + TEST_EVENTS

Audience = Literal["supplier", "contract_manager"]
#: Who is e-mailed about each event, in the order they are addressed (spec 9). Breaches and
#: resubmission changes go to the contract manager only: whether and how to raise a breach with the
#: supplier is the council's decision. What happened to a submission, and a return about to fall due,
#: is the supplier's to act on. An overdue return goes to both: the supplier can act and the contract
#: manager knows to chase. ``channel_test`` goes to the address the command is given.
AUDIENCE: dict[str, tuple[Audience, ...]] = {
    "breach_opened": ("contract_manager",),
    "breach_reminder": ("contract_manager",),
    "breach_resolved": ("contract_manager",),
    "return_overdue": ("supplier", "contract_manager"),
    "return_due_soon": ("supplier",),
    "verdict_changed_by_resubmission": ("contract_manager",),
    "submission_accepted": ("supplier",),
    "submission_rejected": ("supplier",),
    "channel_test": (),
}
#: The webhook is the council's team channel: by default it gets what the contract manager is told.
COUNCIL_EVENTS: tuple[str, ...] = tuple(e for e in EVENTS if "contract_manager" in AUDIENCE[e])
RETURN_KINDS: tuple[str, ...] = ("payroll", "workforce")
#: Commitment severities come from spec 4 (critical, high, medium); ``low`` and ``info`` exist for
#: return events, which the spec gives no severity: an overdue return is ``medium`` (it turns the
#: contract amber), a due-soon reminder is ``info``.
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")

#: Longest event key accepted: the alert log stores it in an indexed column.
MAX_EVENT_KEY_LENGTH = 255

_EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
#: Characters that must never reach a key, a header or a one-line field.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


# --------------------------------------------------------------------------------------------
# The alert value
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Alert:
    """One thing somebody must be told, with everything needed to say it and nothing personal.

    ``period_start``/``period_end`` are the period the event is about: the breaching period for
    ``breach_opened``, the latest breaching period for ``breach_reminder``, the compliant period
    that closed the breach for ``breach_resolved``, and the return's period for return events.

    ``workers_affected`` and ``arrears_gbp`` are aggregates over workers (spec 4): the latest
    period's workers below their floor and the arrears summed over the breach's run. They are None
    for commitments that are not about pay. ``observed_value``/``threshold`` follow spec 4 too.

    ``recipients`` are e-mail addresses; ``recipients_for`` gives the rule (``AUDIENCE``: contract
    manager for breach and resubmission events, supplier and contract manager for an overdue return,
    supplier for due-soon, receipts and rejections).
    """

    event: Event
    event_key: str
    contract_ref: str
    contract_title: str
    supplier_name: str
    #: None only for a rejected submission whose period could not be read (and ``channel_test``).
    period_start: date | None
    period_end: date | None
    severity: str
    commitment: str | None = None
    kind: ReturnKind | None = None
    workers_affected: int | None = None
    arrears_gbp: Decimal | None = None
    observed_value: Decimal | float | int | None = None
    threshold: Decimal | float | int | None = None
    due_date: date | None = None
    recipients: tuple[str, ...] = ()
    dashboard_url: str | None = None
    #: What the superseded return said (verdict_changed_by_resubmission): its verdict and arrears.
    previous_status: str | None = None
    new_status: str | None = None
    previous_arrears_gbp: Decimal | None = None
    #: First period of the breach's run of consecutive breaches (breach events), for "open since".
    first_period_start: date | None = None
    #: How many consecutive periods have been in breach (breach events), for reminders.
    periods_in_breach: int | None = None
    #: The submission a receipt or rejection is about (submission events): the file's name as the
    #: supplier gave it, when it was received, how many rows it held.
    submission_id: int | None = None
    file_name: str | None = None
    received_at: datetime | None = None
    row_count: int | None = None
    #: Every problem that rejected the submission, as ``gwp-monitor check`` words them: column, rule,
    #: how many rows and the first row numbers; a Problem has no field for a cell's value.
    problems: tuple[Problem, ...] = ()
    #: Notes that did not reject it (columns ignored, values read from a UK payroll form): counts and
    #: header names only.
    notes: tuple[str, ...] = ()
    #: Owed to workers on the contract over its open wage breaches (spec 4, domain.owed): one figure,
    #: each worker once at the larger shortfall, unlike the per-commitment arrears. Wage breach events only.
    owed_gbp: Decimal | None = None

    def __post_init__(self) -> None:
        # Validation here, not in the renderers: a malformed alert is a programming error in the
        # lifecycle code and should fail where it is built, not later inside an Airflow task that
        # has already sent the same alert on another channel.
        if self.event not in EVENTS:
            raise ValueError(f"unknown alert event {self.event!r}; expected one of {', '.join(EVENTS)}")
        if not isinstance(self.event_key, str) or not self.event_key.strip():
            raise ValueError("event_key must be a non-empty string")
        if len(self.event_key) > MAX_EVENT_KEY_LENGTH or CONTROL_RE.search(self.event_key):
            raise ValueError(f"event_key must be at most {MAX_EVENT_KEY_LENGTH} printable characters")
        if not self.contract_ref or CONTROL_RE.search(self.contract_ref):
            raise ValueError("contract_ref must be a non-empty single-line string")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}; expected one of {', '.join(SEVERITIES)}")
        optional_period = self.event in SUBMISSION_EVENTS + TEST_EVENTS and self.period_start is None
        if optional_period and self.period_end is not None:
            raise ValueError("period_end without period_start")
        if not optional_period:
            if not isinstance(self.period_start, date) or not isinstance(self.period_end, date):
                raise ValueError("period_start and period_end must be dates")
            if self.period_end < self.period_start:
                raise ValueError("period_end is before period_start")
        if self.event in SUBMISSION_EVENTS:
            if not isinstance(self.submission_id, int) or isinstance(self.submission_id, bool):
                raise ValueError(f"a {self.event} alert needs the submission_id")
            if self.event == "submission_rejected" and not self.problems:
                raise ValueError("a submission_rejected alert needs the problems that rejected it")
        if self.kind is not None and self.kind not in RETURN_KINDS:
            raise ValueError(f"kind must be 'payroll' or 'workforce', not {self.kind!r}")
        if not all(isinstance(p, Problem) for p in self.problems):
            raise ValueError("problems must be Problem values")
        object.__setattr__(self, "problems", tuple(self.problems))
        object.__setattr__(self, "notes", tuple(str(n) for n in self.notes))
        if self.event in BREACH_EVENTS + RESUBMISSION_EVENTS and not self.commitment:
            raise ValueError(f"a {self.event} alert needs the commitment")
        if self.event in RETURN_EVENTS:
            if self.kind not in RETURN_KINDS:
                raise ValueError(f"a {self.event} alert needs kind 'payroll' or 'workforce'")
            if not isinstance(self.due_date, date):
                raise ValueError(f"a {self.event} alert needs the due_date")
        if self.workers_affected is not None:
            if isinstance(self.workers_affected, bool) or not isinstance(self.workers_affected, int):
                raise ValueError("workers_affected must be an int or None")
            if self.workers_affected < 0:
                raise ValueError("workers_affected must not be negative")
        if self.periods_in_breach is not None and (
            isinstance(self.periods_in_breach, bool)
            or not isinstance(self.periods_in_breach, int)
            or self.periods_in_breach < 1
        ):
            raise ValueError("periods_in_breach must be a positive int or None")
        object.__setattr__(self, "arrears_gbp", _to_decimal(self.arrears_gbp, "arrears_gbp"))
        object.__setattr__(self, "previous_arrears_gbp", _to_decimal(self.previous_arrears_gbp, "previous_arrears_gbp"))
        object.__setattr__(self, "owed_gbp", _to_decimal(self.owed_gbp, "owed_gbp"))
        recipients = (self.recipients,) if isinstance(self.recipients, str) else tuple(self.recipients)
        for address in recipients:
            if not isinstance(address, str) or not _EMAIL_RE.match(address):
                raise ValueError(f"recipient {address!r} is not a plain e-mail address")
        # Order kept, duplicates dropped: a supplier who is also the contract manager gets one copy.
        object.__setattr__(self, "recipients", tuple(dict.fromkeys(recipients)))
        if self.dashboard_url is not None and not re.match(r"^https?://[^\s]+$", self.dashboard_url):
            raise ValueError("dashboard_url must be an http(s) URL without spaces")

    @property
    def delivery_id(self) -> str:
        """A short, header-safe digest of ``event_key``.

        Used as the e-mail Message-ID and the webhook Idempotency-Key so that a resend of the same
        event (a retry after an ambiguous failure) can be recognised by the receiving side.
        """
        return hashlib.sha256(self.event_key.encode("utf-8")).hexdigest()[:32]


def _to_decimal(value: Any, name: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    try:
        # str() first so that 0.1 (float) becomes Decimal('0.1'), not its binary expansion.
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{name} must be a number, got {value!r}") from exc


# --------------------------------------------------------------------------------------------
# Event keys and recipients: the rules the lifecycle code should not have to re-invent
# --------------------------------------------------------------------------------------------


def breach_event_key(
    event: str,
    contract_ref: str,
    commitment: str,
    first_period_start: date,
    *,
    reminder_for: date | str | None = None,
) -> str:
    """The event key of a breach alert.

    A breach is identified by contract, commitment and the first period of its run of consecutive
    breaches (spec 4). So ``breach_opened`` and ``breach_resolved`` are each sent once per breach,
    however many pipeline runs see it, and a breach that resolves and later reopens is a new breach
    with a new key. Reminders also carry ``reminder_for`` (the caller's cadence: the latest
    breaching period's start for "one reminder per further period in breach", or an ISO week such as
    "2026-W46" for weekly reminders), because each reminder is its own event.
    """
    if event not in BREACH_EVENTS:
        raise ValueError(f"{event!r} is not a breach event")
    key = f"{event}:{contract_ref}:{commitment}:{first_period_start.isoformat()}"
    if event == "breach_reminder":
        if reminder_for is None:
            raise ValueError("a breach_reminder key needs reminder_for (which reminder this is)")
        tag = reminder_for.isoformat() if isinstance(reminder_for, date) else str(reminder_for)
        key += f":{tag}"
    return key


def return_event_key(
    event: str,
    contract_ref: str,
    kind: str,
    period_start: date,
    period_end: date,
    *,
    days_before: int | None = None,
) -> str:
    """The event key of a return alert: one per contract, kind and period.

    ``days_before`` distinguishes several due-soon reminders for the same return (e.g. 7 and 1
    days before); leave it out to send at most one reminder per return whatever the setting.
    """
    if event not in RETURN_EVENTS:
        raise ValueError(f"{event!r} is not a return event")
    key = f"{event}:{contract_ref}:{kind}:{period_start.isoformat()}:{period_end.isoformat()}"
    if days_before is not None:
        if event != "return_due_soon":
            raise ValueError("days_before only applies to return_due_soon")
        key += f":d{int(days_before)}"
    return key


def submission_event_key(event: str, submission_id: int) -> str:
    """One receipt or rejection per stored submission: the submission is the event."""
    if event not in SUBMISSION_EVENTS:
        raise ValueError(f"{event!r} is not a submission event")
    return f"{event}:{int(submission_id)}"


def resubmission_event_key(contract_ref: str, commitment: str, new_submission_id: int) -> str:
    """One alert per commitment a resubmission changed: the new submission is the event."""
    return f"verdict_changed_by_resubmission:{contract_ref}:{commitment}:{int(new_submission_id)}"


def recipients_for(event: str, *, contract_manager: str | None, supplier: str | None) -> tuple[str, ...]:
    """Who is e-mailed about an event: the register's contacts named by ``AUDIENCE``."""
    if event not in AUDIENCE:
        raise ValueError(f"unknown alert event {event!r}")
    contacts = {"supplier": supplier, "contract_manager": contract_manager}
    return tuple(dict.fromkeys(a for a in (contacts[who] for who in AUDIENCE[event]) if a))


def breach_alert(
    event: str,
    *,
    contract_ref: str,
    contract_title: str,
    supplier_name: str,
    commitment: str,
    severity: str,
    period_start: date,
    period_end: date,
    first_period_start: date,
    periods_in_breach: int | None = None,
    workers_affected: int | None = None,
    arrears_gbp: Decimal | None = None,
    observed_value: Decimal | float | int | None = None,
    threshold: Decimal | float | int | None = None,
    contract_manager: str | None = None,
    supplier_contact: str | None = None,
    dashboard_url: str | None = None,
    reminder_for: date | str | None = None,
    owed_gbp: Decimal | None = None,
) -> Alert:
    """Build a breach alert with its key and recipients worked out (see ``breach_event_key``)."""
    return Alert(
        event=event,  # type: ignore[arg-type]
        event_key=breach_event_key(event, contract_ref, commitment, first_period_start, reminder_for=reminder_for),
        contract_ref=contract_ref,
        contract_title=contract_title,
        supplier_name=supplier_name,
        commitment=commitment,
        period_start=period_start,
        period_end=period_end,
        severity=severity,
        workers_affected=workers_affected,
        arrears_gbp=arrears_gbp,
        observed_value=observed_value,
        threshold=threshold,
        recipients=recipients_for(event, contract_manager=contract_manager, supplier=supplier_contact),
        dashboard_url=dashboard_url,
        first_period_start=first_period_start,
        periods_in_breach=periods_in_breach,
        owed_gbp=owed_gbp,
    )


def return_alert(
    event: str,
    *,
    contract_ref: str,
    contract_title: str,
    supplier_name: str,
    kind: str,
    period_start: date,
    period_end: date,
    due_date: date,
    contract_manager: str | None = None,
    supplier_contact: str | None = None,
    severity: str | None = None,
    days_before: int | None = None,
    dashboard_url: str | None = None,
) -> Alert:
    """Build an overdue / due-soon alert with its key, recipients and default severity."""
    if severity is None:
        severity = "medium" if event == "return_overdue" else "info"
    return Alert(
        event=event,  # type: ignore[arg-type]
        event_key=return_event_key(event, contract_ref, kind, period_start, period_end, days_before=days_before),
        contract_ref=contract_ref,
        contract_title=contract_title,
        supplier_name=supplier_name,
        kind=kind,  # type: ignore[arg-type]
        period_start=period_start,
        period_end=period_end,
        due_date=due_date,
        severity=severity,
        recipients=recipients_for(event, contract_manager=contract_manager, supplier=supplier_contact),
        dashboard_url=dashboard_url,
    )
