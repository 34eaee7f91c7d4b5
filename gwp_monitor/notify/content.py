"""What an alert says: its subject, title, summary, facts and next steps, once for every format.

The words about each commitment type (its label, what was observed, what to do next) are the
catalogue's (``gwp_monitor.domain.catalogue``); numbers, money and periods read as on the
dashboard (``gwp_monitor.domain.formatting``, ``periods``). This module only puts them into
sentences, so a new commitment type gets its alerts without a change here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gwp_monitor.domain import periods
from gwp_monitor.domain.catalogue import CATALOGUE, CommitmentSpec
from gwp_monitor.domain.formatting import as_decimal, format_date, format_datetime, format_gbp, plural
from gwp_monitor.notify.events import (
    AUDIENCE,
    BREACH_EVENTS,
    CONTROL_RE,
    RESUBMISSION_EVENTS,
    SUBMISSION_EVENTS,
    TEST_EVENTS,
    Alert,
)

__all__ = ["AlertContent", "SUBJECT_PREFIX", "commitment_label", "compose", "format_date", "format_gbp", "period_label"]

SUBJECT_PREFIX = "[gwp-monitor]"

_WS_RE = re.compile(r"\s+")

#: How the footer names each audience (events.AUDIENCE says who gets what).
_WHO = {"supplier": "the supplier's returns contact", "contract_manager": "the contract manager"}


def audience_words(event: str) -> str:
    """'the supplier's returns contact and the contract manager': who an event is written to."""
    return " and ".join(_WHO[who] for who in AUDIENCE[event]) or "the address it was sent to"


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
    #: A list under its own heading: a rejection's problems, a receipt's notes.
    details_title: str = ""
    details: tuple[str, ...] = ()


def period_label(start: Any, end: Any) -> str:
    """A period as alerts name it, in plain ASCII: ``Oct 2026``, ``Jul-Sep 2026`` (see periods)."""
    return periods.period_label(start, end, plain=True)


def commitment_label(commitment: str, threshold: Decimal | float | int | None = None) -> str:
    """A commitment in the words of a contract manager, with its limit when the type has one.

    ``threshold`` is the verdict's threshold (spec 4), which for parameterised types is the
    register's parameter, so "zero-hours share at most 5%" needs no access to the register.
    """
    spec = CATALOGUE.get(commitment)
    if spec is None:
        return commitment.replace("_", " ")
    if "{limit}" not in spec.label:
        return spec.label
    limit = as_decimal(threshold)
    if limit is None:
        return spec.label_unset
    return spec.label.format(limit=f"{spec.relation} {spec.unit.say(limit)}", s="" if limit == 1 else "s")


def _observation(spec: CommitmentSpec | None, observed: Any, threshold: Any) -> str | None:
    """'share of workers on zero-hours contracts 8.3% (commitment: at most 5%)', or None."""
    value = as_decimal(observed)
    if spec is None or not spec.measure or value is None:
        return None
    if spec.unit.requirement:  # the unit implies the limit (yes/no): no "(commitment: ...)"
        return f"{spec.measure}: {spec.unit.say(value)}"
    limit = as_decimal(threshold)
    relation = f" (commitment: {spec.relation} {spec.unit.say(limit)})" if limit is not None else ""
    return f"{spec.measure} {spec.unit.say(value)}{relation}"


def one_line(text: str) -> str:
    """Collapse whitespace and drop control characters: register text ends up in mail headers,
    where a newline would be a header-injection hole and smtplib refuses it anyway."""
    return _WS_RE.sub(" ", CONTROL_RE.sub(" ", str(text))).strip()


def _is_wage(spec: CommitmentSpec | None) -> bool:
    """Pay commitments speak of workers and arrears rather than an observed figure."""
    return spec is not None and spec.source_kind == "payroll"


def _payroll_floors() -> str:
    """'the Real Living Wage and the statutory minimum wage': the floors a payroll return is checked
    against, the contracted ones first and the always-on statutory one last."""
    wage = sorted((s for s in CATALOGUE.values() if _is_wage(s)), key=lambda s: s.implicit)
    names = [f"the {s.rule.label}" for s in wage]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


@dataclass(frozen=True)
class _Context:
    """What every sentence of one alert needs, worked out once."""

    alert: Alert
    spec: CommitmentSpec | None
    ref: str
    supplier: str
    period: str
    contract_words: str
    label: str = ""


def compose(alert: Alert) -> AlertContent:
    """Work out what the alert says. Pure: same alert, same words, in every channel."""
    ref = one_line(alert.contract_ref)
    title_text = one_line(alert.contract_title)
    spec = CATALOGUE.get(alert.commitment or "")
    ctx = _Context(
        alert=alert,
        spec=spec,
        ref=ref,
        supplier=one_line(alert.supplier_name),
        period=period_label(alert.period_start, alert.period_end),
        contract_words=f"{ref} ({title_text})" if title_text else ref,
        label=commitment_label(alert.commitment, alert.threshold) if alert.commitment else "",
    )
    facts: list[tuple[str, str]] = [
        ("Contract", f"{ref} - {title_text}" if title_text else ref),
        ("Supplier", ctx.supplier),
    ]
    details: tuple[str, tuple[str, ...]] = ("", ())
    if alert.event in BREACH_EVENTS:
        subject, title, summary, steps, tone = _breach(ctx, facts)
    elif alert.event in RESUBMISSION_EVENTS:
        subject, title, summary, steps, tone = _resubmission(ctx, facts)
    elif alert.event in SUBMISSION_EVENTS:
        (subject, title, summary, steps, tone), details = _submission(ctx, facts)
    elif alert.event in TEST_EVENTS:
        subject, title, summary, steps, tone = _channel_test(ctx, facts)
    else:
        subject, title, summary, steps, tone = _return(ctx, facts)
    if alert.dashboard_url:
        steps.append("See the contract's dashboard for the history and details.")
    figures = (
        " Figures are totals for the contract and period; no worker is identified."
        if alert.event in BREACH_EVENTS + RESUBMISSION_EVENTS
        else ""
    )
    about = "" if alert.event in TEST_EVENTS else f" for contract {ref}"
    footer = f"Sent by gwp-monitor to {audience_words(alert.event)}{about}.{figures} Event {alert.event_key}."
    return AlertContent(
        subject=one_line(subject),
        title=one_line(title),
        summary=summary,
        facts=tuple((k, one_line(v)) for k, v in facts),
        next_steps=tuple(steps),
        footer=footer,
        dashboard_url=alert.dashboard_url,
        tone=tone,
        details_title=details[0],
        details=tuple(one_line(d) for d in details[1]),
    )


_Words = tuple[str, str, str, list[str], str]  # subject, title, summary, next steps, tone


def _breach(ctx: _Context, facts: list[tuple[str, str]]) -> _Words:
    alert, label, ref = ctx.alert, ctx.label, ctx.ref
    wage = _is_wage(ctx.spec)
    facts.append(("Commitment", label))
    facts.append(("Period", ctx.period))
    if alert.first_period_start and alert.event != "breach_opened":
        facts.append(("In breach since", f"{alert.first_period_start:%b %Y}"))
    if alert.periods_in_breach is not None and alert.event != "breach_opened":
        facts.append(("Periods in breach", str(alert.periods_in_breach)))
    facts.append(("Severity", alert.severity))
    if alert.workers_affected is not None:
        facts.append(("Workers affected", f"{alert.workers_affected:,}"))
    if alert.arrears_gbp is not None:
        facts.append(("Arrears", format_gbp(alert.arrears_gbp)))
    if alert.owed_gbp is not None and alert.event != "breach_resolved":
        facts.append(("Owed to workers", f"{format_gbp(alert.owed_gbp)} on this contract (each worker once)"))
    observation = None if wage else _observation(ctx.spec, alert.observed_value, alert.threshold)
    if observation:
        facts.append(("Observed", observation))

    tone = "critical" if alert.severity == "critical" else "warning"
    if alert.event == "breach_opened":
        verb, title = "BREACH opened", f"Breach: {label} on {ref}"
        summary = _breach_sentence(ctx, observation, on=ctx.contract_words)
        steps = _breach_steps(ctx, reminder=False)
    elif alert.event == "breach_reminder":
        verb, title = "BREACH still open", f"Breach still open: {label} on {ref}"
        since = f" since {alert.first_period_start:%b %Y}" if alert.first_period_start else ""
        runs = f" ({plural(alert.periods_in_breach, 'period')} in a row)" if alert.periods_in_breach else ""
        summary = (
            f"The breach of the {label} commitment on contract {ctx.contract_words} has been open{since}{runs}. "
            + _breach_sentence(ctx, observation, on=None, latest=True)
        )
        steps = _breach_steps(ctx, reminder=True)
    else:
        verb, title, tone = "BREACH resolved", f"Resolved: {label} on {ref}", "good"
        since = f", in breach since {alert.first_period_start:%b %Y}," if alert.first_period_start else ""
        summary = (
            f"The breach of the {label} commitment on contract {ctx.contract_words}{since} is resolved: "
            f"{ctx.supplier} kept the commitment in {ctx.period}."
        )
        steps = ["No action is needed on this commitment."]
        if wage and alert.arrears_gbp is not None and alert.arrears_gbp > 0:
            steps.append(
                f"If you have not already, confirm that {ctx.supplier} has paid the "
                f"{format_gbp(alert.arrears_gbp)} arrears owed for the period of the breach."
            )
    sev = "" if alert.event == "breach_resolved" else f" ({alert.severity})"
    return f"{SUBJECT_PREFIX} {verb}: {ref} {alert.commitment}{sev}", title, summary, steps, tone


def _breach_sentence(ctx: _Context, observation: str | None, *, on: str | None, latest: bool = False) -> str:
    alert, spec = ctx.alert, ctx.spec
    when = f"In the latest period, {ctx.period}" if latest else f"In {ctx.period}"
    on_words = f" on contract {on}" if on else ""
    if spec is not None and _is_wage(spec) and alert.workers_affected is not None:
        text = (
            f"{when}, {ctx.supplier} paid {plural(alert.workers_affected, 'worker')}{on_words} "
            f"below the {spec.rule.label}."
        )
        if alert.arrears_gbp is not None:
            over = (
                f" over the {plural(alert.periods_in_breach, 'period')} in breach"
                if alert.periods_in_breach and alert.periods_in_breach > 1
                else ""
            )
            text += f" Arrears owed{over}: {format_gbp(alert.arrears_gbp)}."
        if alert.owed_gbp is not None:
            text += (
                f" In all, workers on this contract are owed {format_gbp(alert.owed_gbp)} over its open wage "
                "breaches, each worker counted once at the larger shortfall where they are below both the "
                "statutory minimum and the Real Living Wage."
            )
        return text + (f" {spec.breach_note}" if spec.breach_note else "")
    text = f"{when}, {ctx.supplier} did not keep the commitment '{ctx.label}'{on_words}"
    return text + (f": {observation}." if observation else ".")


def _breach_steps(ctx: _Context, *, reminder: bool) -> list[str]:
    """What a contract manager should do next: the catalogue's advice for the type, then escalation."""
    alert = ctx.alert
    arrears = f"{format_gbp(alert.arrears_gbp)} arrears" if alert.arrears_gbp is not None else None
    words = {
        "supplier": ctx.supplier,
        "workers": plural(alert.workers_affected, "worker")
        if alert.workers_affected is not None
        else "the workers affected",
        "arrears": arrears or "arrears",
        "any_arrears": arrears or "any arrears",
    }
    if ctx.spec is not None:
        steps = [step.format(**words) for step in ctx.spec.next_steps]
    else:
        steps = [f"Raise the breach of '{ctx.label}' with the supplier and agree a remedy under the contract."]
    if reminder:
        steps.append(
            "If the supplier has not responded to earlier requests or the plan is not working, "
            "escalate under the contract's terms."
        )
    steps.append("Record what was agreed in the contract file.")
    return steps


def _return(ctx: _Context, facts: list[tuple[str, str]]) -> _Words:
    alert, ref, period, supplier = ctx.alert, ctx.ref, ctx.period, ctx.supplier
    assert alert.kind is not None and alert.due_date is not None
    kind = alert.kind
    due = format_date(alert.due_date)
    facts.append(("Return", f"{kind} return"))
    facts.append(("Period", period))
    facts.append(("Due date", due))
    facts.append(("Severity", alert.severity))
    if alert.event == "return_overdue":
        verb, title, tone = "RETURN overdue", f"Overdue: {kind} return for {period} on {ref}", "warning"
        summary = (
            f"The {kind} return for {period} on contract {ctx.contract_words} was due on {due} and no "
            f"accepted return has been received from {supplier}. A return that was rejected does "
            f"not count as received."
        )
        steps = [
            f"Supplier ({supplier}): submit the {kind} return for {period}, due {due}, as soon as "
            f"possible. If you sent one and it was rejected, correct every problem listed in the "
            f"rejection and submit it again.",
            f"Contract manager: chase the supplier. Until the return arrives, the commitments "
            f"checked from the {kind} return cannot be assessed for {period}"
            + (f" (including {_payroll_floors()})." if kind == "payroll" else "."),
        ]
    else:
        verb, title, tone = "RETURN due soon", f"Reminder: {kind} return for {period} on {ref} due {due}", "info"
        summary = (
            f"Reminder for {supplier}: the {kind} return for {period} on contract {ctx.contract_words} is due on {due}."
        )
        steps = [
            f"Submit the {kind} return for {period} by {due}, using the {kind} return template.",
            "Identify workers only by your pseudonymous worker id: never a name, National "
            "Insurance number or e-mail address.",
        ]
    return f"{SUBJECT_PREFIX} {verb}: {ref} {kind} {period} (due {due})", title, summary, steps, tone


def _resubmission(ctx: _Context, facts: list[tuple[str, str]]) -> _Words:
    """A corrected return changed a verdict or lowered arrears: the evidence of both returns is kept."""
    alert, ref, period = ctx.alert, ctx.ref, ctx.period
    facts.append(("Commitment", ctx.label))
    facts.append(("Period", period))
    facts.append(("Verdict", f"was {alert.previous_status}, now {alert.new_status}"))
    money = ""
    if alert.previous_arrears_gbp is not None or alert.arrears_gbp is not None:
        before, after = format_gbp(alert.previous_arrears_gbp or 0), format_gbp(alert.arrears_gbp or 0)
        facts.append(("Arrears", f"were {before}, now {after}"))
        money = f" Arrears were {before} and are now {after}."
    summary = (
        f"{ctx.supplier} resubmitted the {period} return for contract {ctx.contract_words}. For "
        f"{ctx.label} the verdict was {alert.previous_status} and is now {alert.new_status}.{money} The "
        f"earlier return stays in the history as superseded, with its figures."
    )
    better = alert.new_status == "compliant" or (
        alert.arrears_gbp is not None
        and alert.previous_arrears_gbp is not None
        and alert.arrears_gbp < alert.previous_arrears_gbp
    )
    steps = [
        "Check the correction is genuine: ask the supplier what changed, and for evidence that any "
        "arrears were paid to the workers rather than removed from the return."
        if better
        else "Ask the supplier what the correction changed; the verdict now stands as the corrected return says.",
        "Compare the two returns in v_resubmission_changes or on the contract's dashboard page.",
    ]
    subject = f"{SUBJECT_PREFIX} RESUBMISSION changed a verdict: {ref} {period}"
    return subject, f"A resubmission changed {ctx.label} for {period} on {ref}", summary, steps, "info"


def _submission(ctx: _Context, facts: list[tuple[str, str]]) -> tuple[_Words, tuple[str, tuple[str, ...]]]:
    """A receipt or a rejection, to the supplier: which return, which file, and for a rejection every
    problem in the words of ``gwp-monitor check`` (column, rule, how many rows, the first row numbers)."""
    alert, ref, supplier = ctx.alert, ctx.ref, ctx.supplier
    kind = f"{alert.kind} return" if alert.kind else "return"
    period = ctx.period if alert.period_start else "period not readable"
    received = format_datetime(alert.received_at) if alert.received_at else None
    file = one_line(alert.file_name or "")
    facts.append(("Return", kind))
    facts.append(("Period", period))
    if file:
        facts.append(("File", file))
    if received:
        facts.append(("Received", received))
    if alert.row_count is not None:
        facts.append(("Rows", f"{alert.row_count:,}"))
    which = f"The {kind} for {period}" if alert.period_start else f"A {kind}"
    from_file = f" in the file {file}" if file else ""
    when = f", received on {received}," if received else ""
    if alert.event == "submission_accepted":
        summary = (
            f"{which} on contract {ctx.contract_words}{from_file}{when} was accepted: it passed every "
            f"data check and has been assessed. Thank you, {supplier}."
        )
        steps = [
            "Nothing more is needed for this return.",
            "If you find a mistake in it, send a corrected return for the same contract and period: "
            "it replaces this one, and both stay on record.",
        ]
        notes = ("Notes (nothing here rejected the return)", alert.notes) if alert.notes else ("", ())
        subject = f"{SUBJECT_PREFIX} RECEIVED: {ref} {kind} {period}"
        return (subject, f"Received: {kind} for {period} on {ref}", summary, steps, "good"), notes
    count = plural(len(alert.problems), "problem")
    summary = (
        f"{which} on contract {ctx.contract_words}{from_file}{when} was rejected with {count}, listed "
        f"below. Nothing in it was assessed, and until a corrected return is accepted the return counts "
        f"as not received."
    )
    steps = [
        "Correct every problem listed above in your file. Row numbers are your file's own, counting the "
        "header as row 1, as in Excel.",
        "Check the corrected file before sending it (gwp-monitor check, or the portal's upload page, "
        "lists the same problems), then send the whole return again.",
        "Identify workers only by your pseudonymous worker id: never a name, National Insurance number "
        "or e-mail address.",
    ]
    subject = f"{SUBJECT_PREFIX} REJECTED: {ref} {kind} {period} ({count})"
    problems = tuple(p.describe() for p in alert.problems)
    return (subject, f"Rejected: {kind} for {period} on {ref}", summary, steps, "warning"), ("Problems", problems)


def _channel_test(ctx: _Context, facts: list[tuple[str, str]]) -> _Words:
    """``gwp-monitor alerts test``: proves a channel reaches people, says nothing about any contract."""
    alert = ctx.alert
    facts[:] = [("Sent", format_datetime(alert.received_at) if alert.received_at else "now")]
    summary = (
        "This is a test message from gwp-monitor. If you can read it, alerts and supplier notices "
        "reach this destination."
    )
    steps = ["No action is needed."]
    return f"{SUBJECT_PREFIX} TEST message", "gwp-monitor test message", summary, steps, "info"
