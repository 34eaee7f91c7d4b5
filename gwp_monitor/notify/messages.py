"""What an alert says: the ``Alert`` value and the pure functions that turn it into an e-mail or a
webhook body.

This is the functional core of alerting. Nothing here opens a socket, reads the clock or the
environment, so every word a contract manager or supplier will read can be tested without a mail
server, and the sending edge (``channels``) stays small.

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
import html
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from email.message import EmailMessage
from typing import Any, Literal

Event = Literal["breach_opened", "breach_reminder", "breach_resolved", "return_overdue", "return_due_soon"]
ReturnKind = Literal["payroll", "workforce"]
WebhookStyle = Literal["slack", "teams"]

BREACH_EVENTS: tuple[str, ...] = ("breach_opened", "breach_reminder", "breach_resolved")
RETURN_EVENTS: tuple[str, ...] = ("return_overdue", "return_due_soon")
EVENTS: tuple[str, ...] = BREACH_EVENTS + RETURN_EVENTS
RETURN_KINDS: tuple[str, ...] = ("payroll", "workforce")
#: Commitment severities come from spec 4 (critical, high, medium); ``low`` and ``info`` exist for
#: return events, which the spec gives no severity: an overdue return is ``medium`` (it turns the
#: contract amber), a due-soon reminder is ``info``.
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
WEBHOOK_STYLES: tuple[str, ...] = ("slack", "teams")

SUBJECT_PREFIX = "[gwp-monitor]"
WAGE_COMMITMENTS = frozenset({"statutory_minimum_wage", "real_living_wage"})

#: Longest event key accepted: the alert log stores it in an indexed column.
MAX_EVENT_KEY_LENGTH = 255

_EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_WS_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


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

    ``recipients`` are e-mail addresses; ``recipients_for`` gives the rule (contract manager for
    breach events, supplier and contract manager for an overdue return, supplier for due-soon).
    """

    event: Event
    event_key: str
    contract_ref: str
    contract_title: str
    supplier_name: str
    period_start: date
    period_end: date
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
    #: First period of the breach's run of consecutive breaches (breach events), for "open since".
    first_period_start: date | None = None
    #: How many consecutive periods have been in breach (breach events), for reminders.
    periods_in_breach: int | None = None

    def __post_init__(self) -> None:
        # Validation here, not in the renderers: a malformed alert is a programming error in the
        # lifecycle code and should fail where it is built, not later inside an Airflow task that
        # has already sent the same alert on another channel.
        if self.event not in EVENTS:
            raise ValueError(f"unknown alert event {self.event!r}; expected one of {', '.join(EVENTS)}")
        if not isinstance(self.event_key, str) or not self.event_key.strip():
            raise ValueError("event_key must be a non-empty string")
        if len(self.event_key) > MAX_EVENT_KEY_LENGTH or _CONTROL_RE.search(self.event_key):
            raise ValueError(f"event_key must be at most {MAX_EVENT_KEY_LENGTH} printable characters")
        if not self.contract_ref or _CONTROL_RE.search(self.contract_ref):
            raise ValueError("contract_ref must be a non-empty single-line string")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}; expected one of {', '.join(SEVERITIES)}")
        if not isinstance(self.period_start, date) or not isinstance(self.period_end, date):
            raise ValueError("period_start and period_end must be dates")
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        if self.event in BREACH_EVENTS and not self.commitment:
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
        recipients = (self.recipients,) if isinstance(self.recipients, str) else tuple(self.recipients)
        for address in recipients:
            if not isinstance(address, str) or not _EMAIL_RE.match(address):
                raise ValueError(f"recipient {address!r} is not a plain e-mail address")
        # Order kept, duplicates dropped: a supplier who is also the contract manager gets one copy.
        object.__setattr__(self, "recipients", tuple(dict.fromkeys(recipients)))
        if self.dashboard_url is not None:
            if not re.match(r"^https?://[^\s]+$", self.dashboard_url):
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


def recipients_for(event: str, *, contract_manager: str | None, supplier: str | None) -> tuple[str, ...]:
    """Who is e-mailed about an event (the issue's rule).

    Breaches go to the contract manager only: whether and how to raise a breach with the supplier
    is the council's decision. An overdue return goes to both, so the supplier can act and the
    contract manager knows to chase. A due-soon reminder goes to the supplier only.
    """
    if event in BREACH_EVENTS:
        wanted = (contract_manager,)
    elif event == "return_overdue":
        wanted = (supplier, contract_manager)
    elif event == "return_due_soon":
        wanted = (supplier,)
    else:
        raise ValueError(f"unknown alert event {event!r}")
    return tuple(dict.fromkeys(a for a in wanted if a))


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
) -> Alert:
    """Build a breach alert with its key and recipients worked out (see ``breach_event_key``)."""
    return Alert(
        event=event,  # type: ignore[arg-type]
        event_key=breach_event_key(
            event, contract_ref, commitment, first_period_start, reminder_for=reminder_for
        ),
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
        event_key=return_event_key(
            event, contract_ref, kind, period_start, period_end, days_before=days_before
        ),
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


# --------------------------------------------------------------------------------------------
# Formatting helpers (public: dashboards and reports can say things the same way)
# --------------------------------------------------------------------------------------------


def format_gbp(amount: Decimal | float | int) -> str:
    """£1,234.56: the penny, half up, thousands separated, minus sign before the pound sign."""
    value = _to_decimal(amount, "amount")
    assert value is not None
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


def format_date(day: date) -> str:
    """15 Nov 2026: unambiguous for UK readers (no 11/15 vs 15/11 confusion)."""
    return f"{day.day} {day:%b %Y}"


def period_label(start: date, end: date) -> str:
    """Oct 2026 for a calendar month, Jul-Sep 2026 for a calendar quarter, else the two dates."""
    if start.day == 1 and _is_month_end(end):
        if start.year == end.year and start.month == end.month:
            return f"{start:%b %Y}"
        if start.year == end.year and end.month - start.month == 2 and start.month in (1, 4, 7, 10):
            return f"{start:%b}-{end:%b %Y}"
    return f"{format_date(start)} to {format_date(end)}"


def _is_month_end(day: date) -> bool:
    return date.fromordinal(day.toordinal() + 1).day == 1


def _pct(value: Decimal) -> str:
    """A fraction 0..1 as a percentage, at most one decimal place: 0.05 -> 5%, 0.0833 -> 8.3%."""
    return _trim(value * 100, 1) + "%"


def _trim(value: Decimal, places: int) -> str:
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


# How each commitment type is spoken about: (measure, formatter, relation). The relation is read
# as "commitment: <relation> <threshold>".
_FMT_PCT = "pct"
_FMT_COUNT = "count"
_FMT_POINTS = "points"
_FMT_NUMBER = "number"
_FMT_YESNO = "yesno"

_MEASURES: dict[str, tuple[str, str, str]] = {
    "max_zero_hours_share": ("share of workers on zero-hours contracts", _FMT_PCT, "at most"),
    "max_agency_share": ("share of agency workers", _FMT_PCT, "at most"),
    "min_apprentices": ("number of apprentices", _FMT_COUNT, "at least"),
    "min_local_resident_share": ("share of workers who are local residents", _FMT_PCT, "at least"),
    "max_gender_pay_gap": ("median gender pay gap", _FMT_POINTS, "at most"),
    "min_training_hours_per_fte": ("training hours per FTE", _FMT_NUMBER, "at least"),
    "worker_voice": ("recognised trade union or elected staff forum", _FMT_YESNO, ""),
    "flexible_working": ("flexible working offered from day one", _FMT_YESNO, ""),
    "gender_pay_gap_reported": ("median and mean gender pay gap reported", _FMT_YESNO, ""),
}


def _fmt_value(value: Any, how: str) -> str:
    d = _to_decimal(value, "value")
    assert d is not None
    if how == _FMT_PCT:
        return _pct(d)
    if how == _FMT_COUNT:
        return f"{int(d):,}"
    if how == _FMT_POINTS:
        return _trim(d, 1) + "%"
    if how == _FMT_YESNO:
        return "yes" if d >= 1 else "no"
    return _trim(d, 1)


def commitment_label(commitment: str, threshold: Decimal | float | int | None = None) -> str:
    """A commitment in the words of a contract manager, with its limit when the type has one.

    ``threshold`` is the verdict's threshold (spec 4), which for parameterised types is the
    register's parameter, so "zero-hours share at most 5%" needs no access to the register.
    """
    t = _to_decimal(threshold, "threshold") if threshold is not None else None
    fixed = {
        "real_living_wage": "Real Living Wage",
        "statutory_minimum_wage": "statutory minimum wage",
        "worker_voice": "worker voice (a recognised trade union or an elected staff forum)",
        "flexible_working": "flexible working from day one",
        "gender_pay_gap_reported": "gender pay gap reported",
    }
    if commitment in fixed:
        return fixed[commitment]
    with_limit = {
        "max_zero_hours_share": ("zero-hours share at most {}", _FMT_PCT, "zero-hours share within the agreed limit"),
        "max_agency_share": ("agency worker share at most {}", _FMT_PCT, "agency worker share within the agreed limit"),
        "min_apprentices": ("at least {} apprentices", _FMT_COUNT, "the agreed number of apprentices"),
        "min_local_resident_share": (
            "local residents at least {} of the workforce",
            _FMT_PCT,
            "the agreed share of local residents",
        ),
        "max_gender_pay_gap": ("median gender pay gap at most {}", _FMT_POINTS, "gender pay gap within the agreed limit"),
        "min_training_hours_per_fte": (
            "at least {} training hours per FTE",
            _FMT_NUMBER,
            "the agreed training hours per FTE",
        ),
    }
    if commitment in with_limit:
        template, how, fallback = with_limit[commitment]
        if commitment == "min_apprentices" and t is not None and t == 1:
            return "at least 1 apprentice"
        return template.format(_fmt_value(t, how)) if t is not None else fallback
    return commitment.replace("_", " ")


# --------------------------------------------------------------------------------------------
# Composition: the words, once, for every format
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertContent:
    """An alert's words, independent of format: each renderer lays these out its own way."""

    subject: str
    title: str
    summary: str
    facts: tuple[tuple[str, str], ...]
    next_steps: tuple[str, ...]
    footer: str
    dashboard_url: str | None = None
    tone: str = field(default="warning")  # 'critical' | 'warning' | 'good' | 'info': colour only


def _one_line(text: str) -> str:
    """Collapse whitespace and drop control characters: register text ends up in mail headers,
    where a newline would be a header-injection hole and smtplib refuses it anyway."""
    return _WS_RE.sub(" ", _CONTROL_RE.sub(" ", str(text))).strip()


def compose(alert: Alert) -> AlertContent:
    """Work out what the alert says. Pure: same alert, same words, in every channel."""
    ref = _one_line(alert.contract_ref)
    title_text = _one_line(alert.contract_title)
    supplier = _one_line(alert.supplier_name)
    period = period_label(alert.period_start, alert.period_end)
    contract_words = f"{ref} ({title_text})" if title_text else ref

    facts: list[tuple[str, str]] = [("Contract", f"{ref} - {title_text}" if title_text else ref), ("Supplier", supplier)]
    steps: list[str] = []

    if alert.event in BREACH_EVENTS:
        commitment = alert.commitment or ""
        label = commitment_label(commitment, alert.threshold)
        wage = commitment in WAGE_COMMITMENTS
        facts.append(("Commitment", label))
        facts.append(("Period", period))
        if alert.first_period_start and alert.event != "breach_opened":
            facts.append(("In breach since", f"{alert.first_period_start:%b %Y}"))
        if alert.periods_in_breach is not None and alert.event != "breach_opened":
            facts.append(("Periods in breach", str(alert.periods_in_breach)))
        facts.append(("Severity", alert.severity))
        if alert.workers_affected is not None:
            facts.append(("Workers affected", f"{alert.workers_affected:,}"))
        if alert.arrears_gbp is not None:
            facts.append(("Arrears", format_gbp(alert.arrears_gbp)))
        observation = None if wage else _observation(commitment, alert.observed_value, alert.threshold)
        if observation:
            facts.append(("Observed", observation))

        if alert.event == "breach_opened":
            verb = "BREACH opened"
            title = f"Breach: {label} on {ref}"
            summary = _breach_sentence(alert, supplier, label, period, contract_words, wage, observation)
            steps = _breach_steps(alert, supplier, label, reminder=False)
            tone = "critical" if alert.severity == "critical" else "warning"
        elif alert.event == "breach_reminder":
            verb = "BREACH still open"
            title = f"Breach still open: {label} on {ref}"
            since = (
                f" since {alert.first_period_start:%b %Y}" if alert.first_period_start else ""
            )
            runs = (
                f" ({_plural(alert.periods_in_breach, 'period')} in a row)"
                if alert.periods_in_breach
                else ""
            )
            summary = (
                f"The breach of the {label} commitment on contract {contract_words} has been open"
                f"{since}{runs}. "
                + _breach_sentence(alert, supplier, label, period, None, wage, observation, latest=True)
            )
            steps = _breach_steps(alert, supplier, label, reminder=True)
            tone = "critical" if alert.severity == "critical" else "warning"
        else:
            verb = "BREACH resolved"
            title = f"Resolved: {label} on {ref}"
            since = f", in breach since {alert.first_period_start:%b %Y}," if alert.first_period_start else ""
            summary = (
                f"The breach of the {label} commitment on contract {contract_words}{since} is resolved: "
                f"{supplier} kept the commitment in {period}."
            )
            steps = ["No action is needed on this commitment."]
            if wage and alert.arrears_gbp is not None and alert.arrears_gbp > 0:
                steps.append(
                    f"If you have not already, confirm that {supplier} has paid the "
                    f"{format_gbp(alert.arrears_gbp)} arrears owed for the period of the breach."
                )
            tone = "good"
        sev = "" if alert.event == "breach_resolved" else f" ({alert.severity})"
        subject = f"{SUBJECT_PREFIX} {verb}: {ref} {commitment}{sev}"
    else:
        assert alert.kind is not None and alert.due_date is not None
        kind = alert.kind
        due = format_date(alert.due_date)
        facts.append(("Return", f"{kind} return"))
        facts.append(("Period", period))
        facts.append(("Due date", due))
        facts.append(("Severity", alert.severity))
        if alert.event == "return_overdue":
            verb = "RETURN overdue"
            title = f"Overdue: {kind} return for {period} on {ref}"
            summary = (
                f"The {kind} return for {period} on contract {contract_words} was due on {due} and no "
                f"accepted return has been received from {supplier}. A return that was rejected does "
                f"not count as received."
            )
            steps = [
                f"Supplier ({supplier}): submit the {kind} return for {period}, due {due}, as soon as "
                f"possible. If you sent one and it was rejected, correct every problem listed in the "
                f"rejection and submit it again.",
                f"Contract manager: chase the supplier. Until the return arrives, the commitments "
                f"checked from the {kind} return cannot be assessed for {period}"
                + (" (including the Real Living Wage and the statutory minimum wage)." if kind == "payroll" else "."),
            ]
            tone = "warning"
        else:
            verb = "RETURN due soon"
            title = f"Reminder: {kind} return for {period} on {ref} due {due}"
            summary = (
                f"Reminder for {supplier}: the {kind} return for {period} on contract {contract_words} "
                f"is due on {due}."
            )
            steps = [
                f"Submit the {kind} return for {period} by {due}, using the {kind} return template.",
                "Identify workers only by your pseudonymous worker id: never a name, National "
                "Insurance number or e-mail address.",
            ]
            tone = "info"
        subject = f"{SUBJECT_PREFIX} {verb}: {ref} {kind} {period} (due {due})"

    if alert.dashboard_url:
        steps.append("See the contract's dashboard for the history and details.")
    audience = {
        "breach_opened": "the contract manager",
        "breach_reminder": "the contract manager",
        "breach_resolved": "the contract manager",
        "return_overdue": "the supplier's returns contact and the contract manager",
        "return_due_soon": "the supplier's returns contact",
    }[alert.event]
    figures = (
        " Figures are totals for the contract and period; no worker is identified."
        if alert.event in BREACH_EVENTS
        else ""
    )
    footer = f"Sent by gwp-monitor to {audience} for contract {ref}.{figures} Event {alert.event_key}."
    return AlertContent(
        subject=_one_line(subject),
        title=_one_line(title),
        summary=summary,
        facts=tuple((k, _one_line(v)) for k, v in facts),
        next_steps=tuple(steps),
        footer=footer,
        dashboard_url=alert.dashboard_url,
        tone=tone,
    )


def _observation(commitment: str, observed: Any, threshold: Any) -> str | None:
    """'share of workers on zero-hours contracts 8.3% (commitment: at most 5%)', or None."""
    if observed is None or commitment not in _MEASURES:
        return None
    measure, how, relation = _MEASURES[commitment]
    if how == _FMT_YESNO:
        return f"{measure}: {_fmt_value(observed, how)}"
    limit = f" (commitment: {relation} {_fmt_value(threshold, how)})" if threshold is not None else ""
    return f"{measure} {_fmt_value(observed, how)}{limit}"


def _breach_sentence(
    alert: Alert,
    supplier: str,
    label: str,
    period: str,
    contract_words: str | None,
    wage: bool,
    observation: str | None,
    *,
    latest: bool = False,
) -> str:
    when = f"In the latest period, {period}" if latest else f"In {period}"
    on = f" on contract {contract_words}" if contract_words else ""
    if wage and alert.workers_affected is not None:
        floor = "the Real Living Wage" if alert.commitment == "real_living_wage" else "the statutory minimum wage"
        text = (
            f"{when}, {supplier} paid {_plural(alert.workers_affected, 'worker')}{on} below {floor}."
        )
        if alert.arrears_gbp is not None:
            over = (
                f" over the {_plural(alert.periods_in_breach, 'period')} in breach"
                if alert.periods_in_breach and alert.periods_in_breach > 1
                else ""
            )
            text += f" Arrears owed{over}: {format_gbp(alert.arrears_gbp)}."
        if alert.commitment == "statutory_minimum_wage":
            text += " Paying below the statutory minimum wage is unlawful."
        return text
    text = f"{when}, {supplier} did not keep the commitment '{label}'{on}"
    return text + (f": {observation}." if observation else ".")


def _breach_steps(alert: Alert, supplier: str, label: str, *, reminder: bool) -> list[str]:
    """What a contract manager should do next, per commitment type."""
    c = alert.commitment or ""
    n = alert.workers_affected
    workers = _plural(n, "worker") if n is not None else "the workers affected"
    backpay = (
        f"back-pay of {format_gbp(alert.arrears_gbp)} arrears"
        if alert.arrears_gbp is not None
        else "back-pay of any arrears"
    )
    steps: list[str]
    if c == "statutory_minimum_wage":
        steps = [
            f"Contact {supplier} now: underpaying the statutory minimum wage is unlawful. Require them to "
            f"correct the pay of {workers} and to pay the "
            + (f"{format_gbp(alert.arrears_gbp)} arrears" if alert.arrears_gbp is not None else "arrears")
            + " without delay, and to confirm both in writing.",
            "Consider escalating under the contract's terms; HM Revenue & Customs enforces the "
            "minimum wage.",
        ]
    elif c == "real_living_wage":
        steps = [
            f"Ask {supplier} for an uplift plan, with dates, that brings {workers} up to the Real "
            f"Living Wage, and for {backpay}.",
            "Check the plan covers subcontractor and agency staff on the contract as well as direct employees.",
        ]
    else:
        specific = {
            "max_zero_hours_share": "Ask the supplier why the share of zero-hours contracts rose and for a plan "
            "to offer guaranteed-hours contracts to bring it back within the limit.",
            "max_agency_share": "Ask the supplier for a plan to reduce reliance on agency workers, such as "
            "moving long-standing agency staff onto direct contracts.",
            "min_apprentices": "Ask the supplier for an apprentice recruitment plan, with start dates, to "
            "meet the committed number.",
            "min_local_resident_share": "Ask the supplier for a local recruitment plan (for example with the "
            "council's employment and skills service) to reach the committed share.",
            "worker_voice": "Ask the supplier how it will give workers a voice: recognising a trade union "
            "or setting up an elected staff forum, with a date.",
            "flexible_working": "Ask the supplier to offer flexible working from day one and to send its "
            "updated policy.",
            "gender_pay_gap_reported": "Ask the supplier to include the median and mean gender pay gap in its "
            "next workforce return.",
            "max_gender_pay_gap": "Ask the supplier for a gender pay gap action plan with measurable steps "
            "and dates.",
            "min_training_hours_per_fte": "Ask the supplier for a training plan that brings training back to "
            "the committed hours per FTE.",
        }
        steps = [specific.get(c, f"Raise the breach of '{label}' with the supplier and agree a remedy under the contract.")]
    if reminder:
        steps.append(
            "If the supplier has not responded to earlier requests or the plan is not working, "
            "escalate under the contract's terms."
        )
    steps.append("Record what was agreed in the contract file.")
    return steps


# --------------------------------------------------------------------------------------------
# Renderers
# --------------------------------------------------------------------------------------------


def render_text(alert: Alert) -> str:
    """The plain-text body: what happened, the figures, what to do next."""
    content = compose(alert)
    width = max(len(k) for k, _ in content.facts) + 1
    lines = [content.title, "", content.summary, ""]
    lines += [f"{(k + ':').ljust(width)} {v}" for k, v in content.facts]
    lines += ["", "What to do next:"]
    lines += [f"- {s}" for s in content.next_steps]
    if content.dashboard_url:
        lines += ["", f"Dashboard: {content.dashboard_url}"]
    lines += ["", "--", content.footer, ""]
    return "\n".join(lines)


_TONE_COLOURS = {"critical": "#b00020", "warning": "#b35c00", "good": "#1b7a3a", "info": "#1d4f91"}


def render_html(alert: Alert) -> str:
    """The HTML alternative. Every value is escaped: supplier names and titles come from the
    register, and an unescaped ``<`` in an e-mail would at best garble it."""
    content = compose(alert)
    e = html.escape
    colour = _TONE_COLOURS.get(content.tone, "#333333")
    rows = "\n".join(
        f'<tr><th style="text-align:left;padding:2px 12px 2px 0;vertical-align:top">{e(k)}</th>'
        f'<td style="padding:2px 0">{e(v)}</td></tr>'
        for k, v in content.facts
    )
    steps = "\n".join(f"<li>{e(s)}</li>" for s in content.next_steps)
    link = (
        f'<p><a href="{e(content.dashboard_url, quote=True)}">Open the contract dashboard</a></p>\n'
        if content.dashboard_url
        else ""
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n"
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">\n'
        f'<h2 style="color:{colour};margin:0 0 8px">{e(content.title)}</h2>\n'
        f"<p>{e(content.summary)}</p>\n"
        f'<table style="border-collapse:collapse">\n{rows}\n</table>\n'
        f"<h3>What to do next</h3>\n<ul>\n{steps}\n</ul>\n"
        f"{link}"
        f'<p style="color:#666;font-size:12px">{e(content.footer)}</p>\n'
        "</body></html>\n"
    )


def render_email(alert: Alert, sender: str | None = None) -> EmailMessage:
    """The alert as an e-mail: plain text with an HTML alternative.

    From and Date are left to the channel (they depend on configuration and the clock) unless
    ``sender`` is given. Message-ID is derived from the event key, so a resend after an ambiguous
    failure carries the same Message-ID and mail clients can fold the duplicate.
    """
    content = compose(alert)
    msg = EmailMessage()
    msg["Subject"] = content.subject
    if sender:
        msg["From"] = sender
    if alert.recipients:
        msg["To"] = ", ".join(alert.recipients)
    msg["Message-ID"] = f"<{alert.delivery_id}@gwp-monitor>"
    msg["X-GWP-Event"] = alert.event
    msg["X-GWP-Event-Key"] = _one_line(alert.event_key)
    msg["X-GWP-Severity"] = alert.severity
    msg.set_content(render_text(alert))
    msg.add_alternative(render_html(alert), subtype="html")
    return msg


def _slack_escape(text: str) -> str:
    """Slack mrkdwn treats & < > as control characters (links, mentions); escape exactly those."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_webhook(alert: Alert, style: str = "slack") -> dict[str, Any]:
    """The alert as a webhook JSON body.

    ``slack``: an incoming-webhook payload with ``text`` (the notification fallback) and Block Kit
    ``blocks``. ``teams``: a Microsoft Teams message carrying an Adaptive Card, the format Teams
    Workflows webhooks accept (the older Office 365 connector MessageCard is being retired).
    Lengths are clipped to the platforms' documented limits so a long supplier name cannot turn an
    alert into a 400.
    """
    if style not in WEBHOOK_STYLES:
        raise ValueError(f"unknown webhook style {style!r}; expected one of {', '.join(WEBHOOK_STYLES)}")
    content = compose(alert)
    if style == "slack":
        return _render_slack(alert, content)
    return _render_teams(alert, content)


def _render_slack(alert: Alert, content: AlertContent) -> dict[str, Any]:
    s = _slack_escape
    fields = [{"type": "mrkdwn", "text": _clip(f"*{s(k)}*\n{s(v)}", 2000)} for k, v in content.facts]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(content.title, 150), "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(s(content.summary), 3000)}},
    ]
    for i in range(0, len(fields), 10):  # Slack allows at most 10 fields per section
        blocks.append({"type": "section", "fields": fields[i : i + 10]})
    steps = "\n".join(f"• {s(step)}" for step in content.next_steps)
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(f"*What to do next*\n{steps}", 3000)}})
    if content.dashboard_url:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open dashboard"},
                        "url": content.dashboard_url,
                    }
                ],
            }
        )
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(s(content.footer), 3000)}]})
    return {"text": _clip(s(f"{content.subject}\n{content.summary}"), 3000), "blocks": blocks}


def _render_teams(alert: Alert, content: AlertContent) -> dict[str, Any]:
    colour = {"critical": "Attention", "warning": "Warning", "good": "Good", "info": "Accent"}[content.tone]
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": content.title, "weight": "Bolder", "size": "Medium", "wrap": True, "color": colour},
        {"type": "TextBlock", "text": content.summary, "wrap": True},
        {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in content.facts]},
        {"type": "TextBlock", "text": "What to do next", "weight": "Bolder", "wrap": True, "spacing": "Medium"},
    ]
    body += [{"type": "TextBlock", "text": f"- {step}", "wrap": True, "spacing": "Small"} for step in content.next_steps]
    body.append({"type": "TextBlock", "text": content.footer, "wrap": True, "isSubtle": True, "size": "Small"})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "msteams": {"width": "Full"},
        "body": body,
    }
    if content.dashboard_url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open dashboard", "url": content.dashboard_url}]
    return {
        "type": "message",
        "summary": content.subject,
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }
