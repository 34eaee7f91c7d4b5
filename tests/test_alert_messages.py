"""What alerts say: subjects, bodies, figures, next steps, escaping, keys and recipients.

Pure tests of gwp_monitor.notify (events, compose, render): no network. Sending is in test_alert_channels.py.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from gwp_monitor.notify import (
    Alert,
    breach_alert,
    breach_event_key,
    commitment_label,
    compose,
    format_date,
    format_gbp,
    period_label,
    recipients_for,
    render_email,
    render_html,
    render_text,
    render_webhook,
    return_alert,
    return_event_key,
)

CM = "contracts@council.example"
SUPPLIER = "returns@tynesidecare.example"
OCT = (date(2026, 10, 1), date(2026, 10, 31))


#: The contract most alerts here are about, and who manages it.
NCC = {
    "contract_ref": "NCC-2025-0142",
    "contract_title": "Home care, lot 3",
    "supplier_name": "Tyneside Care Ltd",
    "contract_manager": CM,
}


def _ncc_alert(make: Callable[..., Alert], event: str, defaults: dict, overrides: dict) -> Alert:
    """An alert about the NCC contract: `defaults` describe the case, `overrides` what a test changes."""
    return make(event, **{**NCC, **defaults, **overrides})


def rlw_opened(**overrides: object) -> Alert:
    case = dict(
        commitment="real_living_wage",
        severity="high",
        period_start=OCT[0],
        period_end=OCT[1],
        first_period_start=OCT[0],
        periods_in_breach=1,
        workers_affected=7,
        arrears_gbp=Decimal("1234.56"),
        observed_value=7,
        threshold=0,
        supplier_contact=SUPPLIER,
    )
    return _ncc_alert(breach_alert, "breach_opened", case, overrides)


def zero_hours_reminder(**overrides: object) -> Alert:
    case = dict(
        commitment="max_zero_hours_share",
        severity="medium",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        first_period_start=date(2026, 1, 1),
        periods_in_breach=3,
        observed_value=0.0833,
        threshold=0.05,
        reminder_for=date(2026, 7, 1),
    )
    return _ncc_alert(breach_alert, "breach_reminder", case, overrides)


def smw_resolved(**overrides: object) -> Alert:
    case = dict(
        commitment="statutory_minimum_wage",
        severity="critical",
        period_start=date(2026, 12, 1),
        period_end=date(2026, 12, 31),
        first_period_start=date(2026, 10, 1),
        periods_in_breach=2,
        workers_affected=0,
        arrears_gbp=Decimal("310.40"),
    )
    return _ncc_alert(breach_alert, "breach_resolved", case, overrides)


def payroll_return(event: str, **overrides: object) -> Alert:
    case = dict(
        kind="payroll", period_start=OCT[0], period_end=OCT[1], due_date=date(2026, 11, 15), supplier_contact=SUPPLIER
    )
    return _ncc_alert(return_alert, event, case, overrides)


def plain(alert: Alert) -> str:
    return render_email(alert).get_body(preferencelist=("plain",)).get_content()


def html_part(alert: Alert) -> str:
    return render_email(alert).get_body(preferencelist=("html",)).get_content()


# ---------------------------------------------------------------------------- subjects


def test_subjects_for_every_event() -> None:
    assert render_email(rlw_opened())["Subject"] == (
        "[gwp-monitor] BREACH opened: NCC-2025-0142 real_living_wage (high)"
    )
    assert render_email(zero_hours_reminder())["Subject"] == (
        "[gwp-monitor] BREACH still open: NCC-2025-0142 max_zero_hours_share (medium)"
    )
    assert render_email(smw_resolved())["Subject"] == (
        "[gwp-monitor] BREACH resolved: NCC-2025-0142 statutory_minimum_wage"
    )
    assert render_email(payroll_return("return_overdue"))["Subject"] == (
        "[gwp-monitor] RETURN overdue: NCC-2025-0142 payroll Oct 2026 (due 15 Nov 2026)"
    )
    assert render_email(payroll_return("return_due_soon"))["Subject"] == (
        "[gwp-monitor] RETURN due soon: NCC-2025-0142 payroll Oct 2026 (due 15 Nov 2026)"
    )


# ---------------------------------------------------------------------------- bodies


def test_breach_opened_rlw_body_has_the_facts_and_next_step() -> None:
    alert = rlw_opened()
    for body in (plain(alert), html_part(alert)):
        for expected in (
            "NCC-2025-0142",
            "Home care, lot 3",
            "Tyneside Care Ltd",
            "Real Living Wage",
            "Oct 2026",
            "high",
            "7 workers",
            "£1,234.56",
            "uplift plan",
            "back-pay of £1,234.56 arrears",
        ):
            assert expected in body, (expected, body)
    text = plain(alert)
    assert "Workers affected: 7" in text
    assert "Arrears:          £1,234.56" in text
    assert "What to do next:" in text
    assert "paid 7 workers on contract NCC-2025-0142 (Home care, lot 3) below the Real Living Wage" in text


def test_statutory_minimum_wage_breach_says_unlawful_and_critical() -> None:
    alert = rlw_opened(
        commitment="statutory_minimum_wage", severity="critical", workers_affected=1, arrears_gbp=Decimal("45.5")
    )
    text = plain(alert)
    assert render_email(alert)["Subject"].endswith("statutory_minimum_wage (critical)")
    assert "1 worker on contract" in text  # singular
    assert "statutory minimum wage" in text
    assert "unlawful" in text
    assert "£45.50 arrears" in text
    assert "HM Revenue & Customs" in text
    assert compose(alert).tone == "critical"


def test_breach_reminder_body_says_how_long_and_escalation() -> None:
    text = plain(zero_hours_reminder())
    assert "zero-hours share at most 5%" in text
    assert "open since Jan 2026 (3 periods in a row)" in text
    assert "Jul-Sep 2026" in text
    assert "8.3%" in text
    assert "Periods in breach: 3" in text
    assert "Severity:          medium" in text
    assert "guaranteed-hours contracts" in text
    assert "escalate" in text
    # Not a pay commitment: no workers/arrears lines at all.
    assert "Workers affected" not in text
    assert "Arrears" not in text


def test_rlw_reminder_over_several_periods_mentions_run_arrears() -> None:
    alert = rlw_opened(periods_in_breach=3, first_period_start=date(2026, 8, 1))
    alert = breach_alert(
        "breach_reminder",
        **{
            k: getattr(alert, k)
            for k in (
                "contract_ref",
                "contract_title",
                "supplier_name",
                "commitment",
                "severity",
                "period_start",
                "period_end",
                "first_period_start",
                "periods_in_breach",
                "workers_affected",
                "arrears_gbp",
            )
        },
        contract_manager=CM,
        reminder_for=alert.period_start,
    )
    text = plain(alert)
    assert "Arrears owed over the 3 periods in breach: £1,234.56" in text
    assert "In breach since:   Aug 2026" in text


def test_breach_resolved_body_says_no_action_but_check_back_pay() -> None:
    text = plain(smw_resolved())
    assert "is resolved" in text
    assert "kept the commitment in Dec 2026" in text
    assert "in breach since Oct 2026" in text
    assert "No action is needed" in text
    assert "£310.40 arrears" in text
    assert compose(smw_resolved()).tone == "good"
    # A non-wage resolution: just no action.
    steps = compose(
        zero_hours_reminder().__class__(
            **{**dataclasses.asdict(zero_hours_reminder()), "event": "breach_resolved", "event_key": "k"}
        )
    ).next_steps
    assert steps == ("No action is needed on this commitment.",)


def test_return_overdue_body_tells_supplier_and_manager_what_to_do() -> None:
    alert = payroll_return("return_overdue")
    text = plain(alert)
    assert "The payroll return for Oct 2026 on contract NCC-2025-0142 (Home care, lot 3) was due on 15 Nov 2026" in text
    assert "submit the payroll return for Oct 2026, due 15 Nov 2026" in text
    assert "rejected" in text
    assert "Contract manager: chase the supplier" in text
    assert "Severity: medium" in text
    assert "Due date: 15 Nov 2026" in text
    assert alert.recipients == (SUPPLIER, CM)


def test_workforce_overdue_uses_quarter_label() -> None:
    alert = payroll_return(
        "return_overdue",
        kind="workforce",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        due_date=date(2026, 10, 30),
    )
    assert render_email(alert)["Subject"] == (
        "[gwp-monitor] RETURN overdue: NCC-2025-0142 workforce Jul-Sep 2026 (due 30 Oct 2026)"
    )
    assert "Real Living Wage" not in plain(alert)


def test_return_due_soon_body_is_a_reminder_to_the_supplier() -> None:
    alert = payroll_return("return_due_soon")
    text = plain(alert)
    assert "Reminder for Tyneside Care Ltd" in text
    assert "Submit the payroll return for Oct 2026 by 15 Nov 2026" in text
    assert "National Insurance number" in text  # the privacy reminder
    assert alert.recipients == (SUPPLIER,)
    assert alert.severity == "info"


def test_dashboard_link_in_every_format() -> None:
    url = "https://dash.council.example/contracts/NCC-2025-0142?tab=breaches&x=1"
    alert = rlw_opened(dashboard_url=url)
    assert f"Dashboard: {url}" in plain(alert)
    assert 'href="https://dash.council.example/contracts/NCC-2025-0142?tab=breaches&amp;x=1"' in html_part(alert)
    slack = render_webhook(alert, "slack")
    assert {"type": "button", "text": {"type": "plain_text", "text": "Open dashboard"}, "url": url} in [
        e for b in slack["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    card = render_webhook(alert, "teams")["attachments"][0]["content"]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open dashboard", "url": url}]


# ---------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1234.56"), "£1,234.56"),
        (Decimal("1234.5"), "£1,234.50"),
        (Decimal("0"), "£0.00"),
        (Decimal("0.005"), "£0.01"),  # half up, to the penny
        (Decimal("1234567.891"), "£1,234,567.89"),
        (Decimal("-12.3"), "-£12.30"),
        (12, "£12.00"),
        (0.1 + 0.2, "£0.30"),
    ],
)
def test_format_gbp(amount: object, expected: str) -> None:
    assert format_gbp(amount) == expected  # type: ignore[arg-type]


def test_dates_and_periods() -> None:
    assert format_date(date(2026, 11, 5)) == "5 Nov 2026"
    assert period_label(date(2026, 10, 1), date(2026, 10, 31)) == "Oct 2026"
    assert period_label(date(2028, 2, 1), date(2028, 2, 29)) == "Feb 2028"
    assert period_label(date(2026, 1, 1), date(2026, 3, 31)) == "Jan-Mar 2026"
    assert period_label(date(2026, 10, 1), date(2026, 12, 31)) == "Oct-Dec 2026"
    # Not a calendar month or quarter: both dates.
    assert period_label(date(2026, 2, 1), date(2026, 4, 30)) == "1 Feb 2026 to 30 Apr 2026"
    assert period_label(date(2026, 10, 2), date(2026, 10, 31)) == "2 Oct 2026 to 31 Oct 2026"


@pytest.mark.parametrize(
    ("commitment", "threshold", "expected"),
    [
        ("real_living_wage", 0, "Real Living Wage"),
        ("statutory_minimum_wage", 0, "statutory minimum wage"),
        ("max_zero_hours_share", 0.05, "zero-hours share at most 5%"),
        ("max_zero_hours_share", None, "zero-hours share within the agreed limit"),
        ("max_agency_share", 0.125, "agency worker share at most 12.5%"),
        ("min_apprentices", 2, "at least 2 apprentices"),
        ("min_apprentices", 1, "at least 1 apprentice"),
        ("min_local_resident_share", 0.3, "local residents at least 30% of the workforce"),
        ("worker_voice", 1, "worker voice (a recognised trade union or an elected staff forum)"),
        ("flexible_working", 1, "flexible working from day one"),
        ("gender_pay_gap_reported", 1, "gender pay gap reported"),
        ("max_gender_pay_gap", 10, "median gender pay gap at most 10%"),
        ("min_training_hours_per_fte", 12.5, "at least 12.5 training hours per FTE"),
        ("some_future_type", None, "some future type"),
    ],
)
def test_commitment_labels(commitment: str, threshold: object, expected: str) -> None:
    assert commitment_label(commitment, threshold) == expected  # type: ignore[arg-type]


SPEC_COMMITMENTS = [
    # (type, severity, observed_value, threshold, words expected in the observation/next step)
    ("statutory_minimum_wage", "critical", 2, 0, "unlawful"),
    ("real_living_wage", "high", 2, 0, "uplift plan"),
    ("max_zero_hours_share", "medium", 0.2, 0.05, "20%"),
    ("max_agency_share", "medium", 0.25, 0.1, "agency workers"),
    ("min_apprentices", "medium", 0, 2, "apprentice recruitment plan"),
    ("min_local_resident_share", "medium", 0.1, 0.3, "local recruitment plan"),
    ("worker_voice", "medium", 0, 1, "trade union"),
    ("flexible_working", "medium", 0, 1, "flexible working from day one"),
    ("gender_pay_gap_reported", "medium", 0, 1, "median and mean gender pay gap"),
    ("max_gender_pay_gap", "medium", 17.4, 10, "17.4%"),
    ("min_training_hours_per_fte", "medium", 3.25, 8, "training plan"),
]


@pytest.mark.parametrize(("commitment", "severity", "observed", "threshold", "words"), SPEC_COMMITMENTS)
@pytest.mark.parametrize("event", ["breach_opened", "breach_reminder", "breach_resolved"])
def test_every_spec_commitment_renders_in_every_breach_event(
    commitment: str, severity: str, observed: object, threshold: object, words: str, event: str
) -> None:
    wage = commitment in ("statutory_minimum_wage", "real_living_wage")
    alert = breach_alert(
        event,
        contract_ref="GM-7",
        contract_title="Waste collection",
        supplier_name="Acme Ltd",
        commitment=commitment,
        severity=severity,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
        first_period_start=date(2026, 1, 1),
        periods_in_breach=2,
        workers_affected=2 if wage else None,
        arrears_gbp=Decimal("10") if wage else None,
        observed_value=observed,  # type: ignore[arg-type]
        threshold=threshold,  # type: ignore[arg-type]
        contract_manager=CM,
        reminder_for="2026-W27",
    )
    text = plain(alert)
    assert commitment_label(commitment, threshold) in text  # type: ignore[arg-type]
    assert "Acme Ltd" in text and "GM-7" in text and "Apr-Jun 2026" in text
    if event != "breach_resolved":
        assert words in text, text
        # A specific next step, never the generic fallback.
        assert "agree a remedy under the contract" not in text
    json.dumps(render_webhook(alert, "slack"))
    json.dumps(render_webhook(alert, "teams"))


# ---------------------------------------------------------------------------- escaping


NASTY = 'Smith <b>Bros</b> & Sons "Care" <script>alert(1)</script>'


def test_html_escapes_supplier_name() -> None:
    alert = rlw_opened(supplier_name=NASTY, contract_title="Lot <3> & more")
    body = render_html(alert)
    assert "<b>Bros" not in body and "<script>" not in body
    assert "Smith &lt;b&gt;Bros&lt;/b&gt; &amp; Sons &quot;Care&quot;" in body
    assert "Lot &lt;3&gt; &amp; more" in body
    # The e-mail's HTML part is that same escaped text; the plain part shows the name as it is.
    assert "&lt;script&gt;" in html_part(alert)
    assert NASTY in plain(alert)


def test_slack_escapes_control_characters_teams_gets_plain_text() -> None:
    alert = rlw_opened(supplier_name="<b>&")
    slack = render_webhook(alert, "slack")
    dumped = json.dumps(slack)
    assert "<b>" not in dumped
    assert "&lt;b&gt;&amp;" in slack["text"]
    fields = [f["text"] for b in slack["blocks"] if "fields" in b for f in b["fields"]]
    assert "*Supplier*\n&lt;b&gt;&amp;" in fields
    card = render_webhook(alert, "teams")["attachments"][0]["content"]
    facts = {f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]}
    assert facts["Supplier"] == "<b>&"  # JSON, not markup: Teams shows it literally


def test_newlines_in_register_text_cannot_inject_headers() -> None:
    alert = rlw_opened(supplier_name="Evil Ltd\r\nBcc: victim@example.com", contract_title="A\nB")
    msg = render_email(alert)
    assert msg["Bcc"] is None
    assert all("\n" not in v and "\r" not in v for _, v in msg.items())
    assert "Evil Ltd Bcc: victim@example.com" in plain(alert)
    assert "NCC-2025-0142 - A B" in plain(alert)


# ---------------------------------------------------------------------------- e-mail structure


def test_email_is_plain_with_html_alternative_and_stable_ids() -> None:
    alert = rlw_opened()
    msg = render_email(alert, sender="gwp-monitor <alerts@council.example>")
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["From"] == "gwp-monitor <alerts@council.example>"
    assert msg["To"] == CM
    assert msg["X-GWP-Event"] == "breach_opened"
    assert msg["X-GWP-Event-Key"] == alert.event_key
    assert msg["X-GWP-Severity"] == "high"
    # Same event, same Message-ID: a resend after an ambiguous failure is recognisable.
    assert msg["Message-ID"] == render_email(rlw_opened())["Message-ID"] == f"<{alert.delivery_id}@gwp-monitor>"
    assert render_email(smw_resolved())["Message-ID"] != msg["Message-ID"]
    assert msg["Date"] is None  # the channel stamps it at send time
    assert render_email(alert)["From"] is None


def test_rendering_is_deterministic() -> None:
    assert render_text(rlw_opened()) == render_text(rlw_opened())
    assert render_webhook(rlw_opened(), "teams") == render_webhook(rlw_opened(), "teams")


# ---------------------------------------------------------------------------- webhook structure


def test_slack_payload_shape() -> None:
    alert = rlw_opened(supplier_name="S" * 400, contract_title="T" * 400)
    body = render_webhook(alert)  # slack is the default
    assert set(body) == {"text", "blocks"}
    assert body["text"].startswith("[gwp-monitor] BREACH opened: NCC-2025-0142 real_living_wage (high)")
    types = [b["type"] for b in body["blocks"]]
    assert types[0] == "header" and types[-1] == "context"
    assert len(body["blocks"][0]["text"]["text"]) <= 150
    for block in body["blocks"]:
        assert len(block.get("fields", [])) <= 10
        for f in block.get("fields", []):
            assert len(f["text"]) <= 2000
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
    texts = json.dumps(body, ensure_ascii=False)
    assert "*What to do next*" in texts and "£1,234.56" in texts and "*Workers affected*\\n7" in texts


def test_teams_payload_is_an_adaptive_card_message() -> None:
    body = render_webhook(payroll_return("return_overdue"), "teams")
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    facts = {f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]}
    assert facts["Contract"] == "NCC-2025-0142 - Home care, lot 3"
    assert facts["Period"] == "Oct 2026" and facts["Due date"] == "15 Nov 2026"
    texts = " ".join(b.get("text", "") for b in card["body"])
    assert "What to do next" in texts and "submit the payroll return for Oct 2026" in texts
    assert "actions" not in card  # no dashboard URL given


def test_unknown_webhook_style_is_refused() -> None:
    with pytest.raises(ValueError, match="slack, teams"):
        render_webhook(rlw_opened(), "discord")


# ---------------------------------------------------------------------------- privacy by design


def test_alert_cannot_carry_worker_level_data() -> None:
    names = {f.name for f in dataclasses.fields(Alert)}
    assert not names & {
        "worker_ref",
        "worker_refs",
        "worker_name",
        "hourly_rate",
        "basic_pay",
        "hours_paid",
        "lowest_rate",
        "workers",
    }
    with pytest.raises(TypeError):
        rlw_opened(worker_ref="W-0001")  # type: ignore[call-arg]
    # Only aggregates are shown: the wage breach never prints an observed rate, only counts and money.
    text = plain(rlw_opened())
    assert "per hour" not in text and "/h" not in text


# ---------------------------------------------------------------------------- validation


def _base(**overrides: object) -> dict:
    kwargs: dict = dict(
        event="breach_opened",
        event_key="k1",
        contract_ref="C-1",
        contract_title="T",
        supplier_name="S",
        commitment="real_living_wage",
        period_start=OCT[0],
        period_end=OCT[1],
        severity="high",
        recipients=(CM,),
    )
    kwargs.update(overrides)
    return kwargs


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"event": "breach_exploded"}, "unknown alert event"),
        ({"event_key": ""}, "event_key"),
        ({"event_key": "a\nb"}, "event_key"),
        ({"event_key": "x" * 256}, "event_key"),
        ({"severity": "urgent"}, "severity"),
        ({"commitment": None}, "needs the commitment"),
        ({"period_end": date(2026, 9, 30)}, "before period_start"),
        ({"workers_affected": -1}, "negative"),
        ({"workers_affected": 1.5}, "workers_affected"),
        ({"arrears_gbp": "lots"}, "arrears_gbp"),
        ({"recipients": ("a@b.example\r\nBcc: x@y.example",)}, "recipient"),
        ({"recipients": ("not-an-address",)}, "recipient"),
        ({"dashboard_url": "javascript:alert(1)"}, "dashboard_url"),
        ({"contract_ref": "C\n1"}, "contract_ref"),
        ({"event": "return_overdue", "kind": "timesheet", "due_date": OCT[1]}, "kind"),
        ({"event": "return_overdue", "kind": "payroll"}, "due_date"),
    ],
)
def test_alert_refuses_malformed_values(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Alert(**_base(**overrides))


def test_alert_normalises_recipients_and_arrears() -> None:
    alert = Alert(**_base(recipients=[CM, CM, SUPPLIER], arrears_gbp=12.1))
    assert alert.recipients == (CM, SUPPLIER)
    assert alert.arrears_gbp == Decimal("12.1")
    assert Alert(**_base(recipients=CM)).recipients == (CM,)
    with pytest.raises(dataclasses.FrozenInstanceError):
        alert.severity = "low"  # type: ignore[misc]


# ---------------------------------------------------------------------------- keys and recipients


def test_breach_keys_identify_the_breach_not_the_run() -> None:
    first = date(2026, 10, 1)
    opened = breach_event_key("breach_opened", "NCC-2025-0142", "real_living_wage", first)
    assert opened == "breach_opened:NCC-2025-0142:real_living_wage:2026-10-01"
    assert rlw_opened().event_key == opened
    # Re-running with later data (a longer run, new figures) does not make it a new opening.
    assert rlw_opened(periods_in_breach=4, arrears_gbp=Decimal("9999")).event_key == opened
    resolved = breach_event_key("breach_resolved", "NCC-2025-0142", "real_living_wage", first)
    assert resolved == "breach_resolved:NCC-2025-0142:real_living_wage:2026-10-01"
    # A breach that reopens later starts a new run: a new key.
    assert breach_event_key("breach_opened", "NCC-2025-0142", "real_living_wage", date(2027, 3, 1)) != opened
    # Each reminder is its own event.
    r1 = breach_event_key("breach_reminder", "C", "worker_voice", first, reminder_for=date(2026, 11, 1))
    r2 = breach_event_key("breach_reminder", "C", "worker_voice", first, reminder_for="2026-W50")
    assert r1 == "breach_reminder:C:worker_voice:2026-10-01:2026-11-01" and r1 != r2
    with pytest.raises(ValueError, match="reminder_for"):
        breach_event_key("breach_reminder", "C", "worker_voice", first)
    with pytest.raises(ValueError):
        breach_event_key("return_overdue", "C", "worker_voice", first)


def test_return_keys() -> None:
    key = return_event_key("return_overdue", "NCC-2025-0142", "payroll", *OCT)
    assert key == "return_overdue:NCC-2025-0142:payroll:2026-10-01:2026-10-31"
    assert payroll_return("return_overdue").event_key == key
    assert return_event_key(
        "return_due_soon", "C", "workforce", date(2026, 7, 1), date(2026, 9, 30), days_before=7
    ) == ("return_due_soon:C:workforce:2026-07-01:2026-09-30:d7")
    assert payroll_return("return_due_soon").event_key != key
    with pytest.raises(ValueError):
        return_event_key("return_overdue", "C", "payroll", *OCT, days_before=3)
    with pytest.raises(ValueError):
        return_event_key("breach_opened", "C", "payroll", *OCT)


def test_recipients_rules() -> None:
    for event in ("breach_opened", "breach_reminder", "breach_resolved"):
        assert recipients_for(event, contract_manager=CM, supplier=SUPPLIER) == (CM,)
    assert recipients_for("return_overdue", contract_manager=CM, supplier=SUPPLIER) == (SUPPLIER, CM)
    assert recipients_for("return_due_soon", contract_manager=CM, supplier=SUPPLIER) == (SUPPLIER,)
    assert recipients_for("return_overdue", contract_manager=CM, supplier=CM) == (CM,)
    assert recipients_for("return_overdue", contract_manager=CM, supplier=None) == (CM,)
    with pytest.raises(ValueError):
        recipients_for("nope", contract_manager=CM, supplier=SUPPLIER)
