"""Sending alerts for real: SMTP to an in-process aiosmtpd server, webhooks to a local HTTP server.

Nothing in smtplib or urllib is mocked; the servers come from tests/helpers_mail_http.py.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from helpers_mail_http import (  # noqa: F401  (smtp_server, webhook_receiver are fixtures)
    closed_port,
    running_smtp_server,
    running_webhook_receiver,
    self_signed_cert,
    smtp_server,
    webhook_receiver,
)

from gwp_monitor.config.settings import Settings, SettingsError
from gwp_monitor.notify import (
    Alert,
    Channel,
    ChannelConfigError,
    DeliveryError,
    EmailChannel,
    OperationalError,
    WebhookChannel,
    breach_alert,
    channels_from_settings,
    redact_url,
    render_webhook,
    return_alert,
)

CM = "contracts@council.example"
SUPPLIER = "returns@tynesidecare.example"
SENDER = "gwp-monitor <alerts@council.example>"
SECRET = "s3cr3t-Pa55"


def rlw_breach() -> Alert:
    return breach_alert(
        "breach_opened",
        contract_ref="NCC-2025-0142",
        contract_title="Home care, lot 3",
        supplier_name="Tyneside <b>Care</b> & Co",
        commitment="real_living_wage",
        severity="high",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        first_period_start=date(2026, 10, 1),
        periods_in_breach=1,
        workers_affected=7,
        arrears_gbp=Decimal("1234.56"),
        contract_manager=CM,
        supplier_contact=SUPPLIER,
        dashboard_url="https://dash.council.example/c/NCC-2025-0142",
    )


def payroll_return(event: str) -> Alert:
    """The NCC contract's October 2026 payroll return, overdue or due soon."""
    return return_alert(
        event,
        contract_ref="NCC-2025-0142",
        contract_title="Home care, lot 3",
        supplier_name="Tyneside Care Ltd",
        kind="payroll",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        due_date=date(2026, 11, 15),
        contract_manager=CM,
        supplier_contact=SUPPLIER,
    )


def overdue() -> Alert:
    return payroll_return("return_overdue")


def due_soon() -> Alert:
    return payroll_return("return_due_soon")


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections (kernel backlog) but never says a word: for timeouts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


# ============================================================================ e-mail


def test_email_is_delivered_with_headers_and_bodies(smtp_server) -> None:  # noqa: F811
    alert = rlw_breach()
    EmailChannel(smtp_server.host, smtp_server.port, SENDER).send(alert)
    (mail,) = smtp_server.wait_for(1)
    assert mail.mail_from == "alerts@council.example"
    assert mail.rcpt_tos == (CM,)
    msg = mail.message
    assert msg["Subject"] == "[gwp-monitor] BREACH opened: NCC-2025-0142 real_living_wage (high)"
    assert msg["From"] == SENDER
    assert msg["To"] == CM
    assert msg["Message-ID"] == f"<{alert.delivery_id}@gwp-monitor>"
    assert msg["X-GWP-Event-Key"] == "breach_opened:NCC-2025-0142:real_living_wage:2026-10-01"
    assert parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert msg.get_content_type() == "multipart/alternative"
    text, html = mail.text(), mail.html()
    for expected in (
        "Tyneside <b>Care</b> & Co",
        "Real Living Wage",
        "Oct 2026",
        "£1,234.56",
        "7 workers",
        "uplift plan",
        "https://dash.council.example/c/NCC-2025-0142",
    ):
        assert expected in text
    assert "Tyneside &lt;b&gt;Care&lt;/b&gt; &amp; Co" in html and "<b>Care</b>" not in html
    assert mail.login is None and mail.tls is False


def test_overdue_email_goes_to_supplier_and_contract_manager(smtp_server) -> None:  # noqa: F811
    EmailChannel(smtp_server.host, smtp_server.port, SENDER).send(overdue())
    (mail,) = smtp_server.wait_for(1)
    assert mail.rcpt_tos == (SUPPLIER, CM)
    assert mail.message["To"] == f"{SUPPLIER}, {CM}"
    assert "submit the payroll return for Oct 2026, due 15 Nov 2026" in mail.text()


def test_email_login_and_wrong_password(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with running_smtp_server(auth={"alerts": SECRET}) as smtp:
        EmailChannel(smtp.host, smtp.port, SENDER, username="alerts", password=SECRET).send(rlw_breach())
        assert smtp.wait_for(1)[0].login == "alerts"

        wrong = EmailChannel(smtp.host, smtp.port, SENDER, username="alerts", password="not-" + SECRET)
        with pytest.raises(DeliveryError) as info:
            wrong.send(rlw_breach())
        assert "GWP_SMTP_PASSWORD" in str(info.value) and "alerts" in str(info.value)
        assert info.value.retryable is False and info.value.channel == "email"
        assert SECRET not in str(info.value) and SECRET not in repr(wrong)

        with pytest.raises(DeliveryError, match="requires authentication.*GWP_SMTP_USER"):
            EmailChannel(smtp.host, smtp.port, SENDER).send(rlw_breach())
        assert len(smtp.messages) == 1
    assert SECRET not in caplog.text


def test_email_starttls_with_verified_certificate(tmp_path: Path) -> None:
    cert, key = self_signed_cert(tmp_path)
    trusting = ssl.create_default_context(cafile=str(cert))
    with running_smtp_server(auth={"alerts": SECRET}, tls_cert=(cert, key)) as smtp:
        channel = EmailChannel(
            smtp.host, smtp.port, SENDER, username="alerts", password=SECRET, starttls=True, ssl_context=trusting
        )
        channel.send(rlw_breach())
        (mail,) = smtp.wait_for(1)
        assert mail.tls is True and mail.login == "alerts"

        # The default context verifies against the system CAs: a self-signed server is refused.
        with pytest.raises(DeliveryError, match="certificate.*could not be verified") as info:
            EmailChannel(smtp.host, smtp.port, SENDER, username="alerts", password=SECRET, starttls=True).send(
                rlw_breach()
            )
        assert info.value.retryable is False

        # Without STARTTLS this server does not offer AUTH at all: say where to look.
        with pytest.raises(DeliveryError, match="does not offer SMTP AUTH.*GWP_SMTP_STARTTLS"):
            EmailChannel(smtp.host, smtp.port, SENDER, username="alerts", password=SECRET).send(rlw_breach())
        assert len(smtp.messages) == 1


def test_email_starttls_against_a_server_without_it(smtp_server) -> None:  # noqa: F811
    with pytest.raises(DeliveryError, match="does not offer STARTTLS: check GWP_SMTP_STARTTLS"):
        EmailChannel(smtp_server.host, smtp_server.port, SENDER, starttls=True).send(rlw_breach())
    assert smtp_server.messages == []


def test_email_temporary_failure_is_retryable_then_succeeds(smtp_server) -> None:  # noqa: F811
    smtp_server.fail_next(1)  # 451
    channel = EmailChannel(smtp_server.host, smtp_server.port, SENDER)
    with pytest.raises(DeliveryError, match="451.*try again later") as info:
        channel.send(rlw_breach())
    assert info.value.retryable is True
    channel.send(rlw_breach())
    assert len(smtp_server.wait_for(1)) == 1


def test_email_permanent_failure_is_not_retryable(smtp_server) -> None:  # noqa: F811
    smtp_server.fail_next(1, "554 5.6.0 Message rejected")
    with pytest.raises(DeliveryError, match="554") as info:
        EmailChannel(smtp_server.host, smtp_server.port, SENDER).send(rlw_breach())
    assert info.value.retryable is False


def test_email_recipient_refusals(caplog: pytest.LogCaptureFixture) -> None:
    with running_smtp_server(refuse=[SUPPLIER]) as smtp:
        channel = EmailChannel(smtp.host, smtp.port, SENDER)
        # Every recipient refused: not delivered, fix the register.
        with pytest.raises(DeliveryError, match="refused every recipient.*contract register") as info:
            channel.send(due_soon())
        assert info.value.retryable is False
        # One of two refused: delivered to the other, and a warning (a retry would duplicate).
        with caplog.at_level(logging.WARNING, logger="gwp_monitor.notify.channels"):
            channel.send(overdue())
        (mail,) = smtp.wait_for(1)
        assert mail.rcpt_tos == (CM,)
        assert "1 recipient(s) were refused" in caplog.text and SUPPLIER in caplog.text


def test_email_connection_refused_says_what_to_check() -> None:
    with closed_port() as port, pytest.raises(DeliveryError) as info:
        EmailChannel("127.0.0.1", port, SENDER).send(rlw_breach())
    message = str(info.value)
    assert f"127.0.0.1:{port}" in message
    assert "connection refused" in message
    assert "GWP_SMTP_HOST" in message and "GWP_SMTP_PORT" in message
    assert info.value.retryable is True
    assert isinstance(info.value, OperationalError)


def test_email_server_that_never_answers_times_out() -> None:
    with silent_server() as port, pytest.raises(DeliveryError, match=r"did not answer within 0.3s") as info:
        EmailChannel("127.0.0.1", port, SENDER, timeout=0.3).send(rlw_breach())
    assert info.value.retryable is True


def test_email_needs_recipients(smtp_server) -> None:  # noqa: F811
    alert = Alert(
        event="breach_opened",
        event_key="k",
        contract_ref="C-1",
        contract_title="T",
        supplier_name="S",
        commitment="worker_voice",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        severity="medium",
    )
    channel = EmailChannel(smtp_server.host, smtp_server.port, SENDER)
    assert channel.handles(alert) is False
    with pytest.raises(DeliveryError, match="no e-mail recipients"):
        channel.send(alert)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"host": ""}, "GWP_SMTP_HOST"),
        ({"port": 0}, "GWP_SMTP_PORT"),
        ({"port": 70000}, "GWP_SMTP_PORT"),
        ({"sender": "nobody"}, "GWP_ALERT_FROM"),
        ({"username": "u"}, "GWP_SMTP_PASSWORD"),
        ({"password": "p"}, "GWP_SMTP_USER"),
        ({"timeout": 0}, "timeout"),
    ],
)
def test_email_channel_config_errors(kwargs: dict, message: str) -> None:
    args = {"host": "smtp.example", "port": 25, "sender": SENDER, **kwargs}
    with pytest.raises(ChannelConfigError, match=message):
        EmailChannel(**args)


# ============================================================================ webhook


def test_webhook_slack_post(webhook_receiver) -> None:  # noqa: F811
    alert = rlw_breach()
    channel = WebhookChannel(webhook_receiver.url)
    channel.send(alert)
    (request,) = webhook_receiver.wait_for(1)
    assert request.method == "POST"
    assert request.path == "/hook/T000/B000/secret"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.headers["idempotency-key"] == alert.delivery_id
    assert request.json == render_webhook(alert, "slack")
    body = request.json
    assert body["text"].startswith("[gwp-monitor] BREACH opened: NCC-2025-0142 real_living_wage (high)")
    assert "Tyneside &lt;b&gt;Care&lt;/b&gt; &amp; Co" in body["text"]
    fields = {
        f["text"].split("\n")[0]: f["text"].split("\n")[1] for b in body["blocks"] if "fields" in b for f in b["fields"]
    }
    assert fields["*Arrears*"] == "£1,234.56" and fields["*Workers affected*"] == "7"
    assert json.loads(request.body.decode("utf-8")) == body  # UTF-8 on the wire, £ included


def test_webhook_teams_post_accepts_202() -> None:
    with running_webhook_receiver(status=202) as hook:
        WebhookChannel(hook.url, style="teams").send(overdue())
        (body,) = hook.bodies
    assert body["type"] == "message"
    card = body["attachments"][0]["content"]
    assert body["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    facts = {f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]}
    assert facts["Return"] == "payroll return" and facts["Due date"] == "15 Nov 2026"


def test_webhook_500_raises_then_a_retry_delivers_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with running_webhook_receiver(fail_first=2) as hook:
        channel = WebhookChannel(hook.url)
        for _ in range(2):
            with pytest.raises(DeliveryError) as info:
                channel.send(rlw_breach())
            assert info.value.retryable is True and info.value.channel == "webhook"
            assert "HTTP 500" in str(info.value) and "try again later" in str(info.value)
        channel.send(rlw_breach())
        assert [r.status for r in hook.requests] == [500, 500, 200]
        assert len(hook.bodies) == 1
    # The webhook URL's path is its secret: never in an error or a log line.
    assert "secret" not in str(info.value) and "T000" not in str(info.value)
    assert "/hook/T000/B000/secret" not in caplog.text
    assert f"http://127.0.0.1:{hook.port}/…" in str(info.value)


@pytest.mark.parametrize(
    ("status", "hint", "retryable"),
    [
        (404, "GWP_WEBHOOK_URL", False),
        (403, "GWP_WEBHOOK_URL", False),
        (400, "GWP_WEBHOOK_STYLE", False),
        (429, "try again later", True),
        (503, "try again later", True),
        (301, "redirect", False),
    ],
)
def test_webhook_http_errors(status: int, hint: str, retryable: bool) -> None:
    with running_webhook_receiver(fail_first=1, fail_status=status) as hook:
        with pytest.raises(DeliveryError, match=hint) as info:
            WebhookChannel(hook.url).send(rlw_breach())
        assert f"HTTP {status}" in str(info.value)
        assert info.value.retryable is retryable
        assert len(hook.requests) == 1  # not retried behind our back, and redirects not followed


def test_webhook_connection_refused_says_what_to_check() -> None:
    with closed_port() as port:
        url = f"http://127.0.0.1:{port}/services/T1/B2/tok3n"
        with pytest.raises(DeliveryError) as info:
            WebhookChannel(url).send(rlw_breach())
    message = str(info.value)
    assert "connection refused" in message and "GWP_WEBHOOK_URL" in message
    assert f"http://127.0.0.1:{port}/…" in message and "tok3n" not in message
    assert info.value.retryable is True
    assert isinstance(info.value, OperationalError)


def test_webhook_that_never_answers_times_out() -> None:
    with silent_server() as port, pytest.raises(DeliveryError, match=r"no answer within 0.3s") as info:
        WebhookChannel(f"http://127.0.0.1:{port}/x", timeout=0.3).send(rlw_breach())
    assert info.value.retryable is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "ftp://example.com/x"}, "GWP_WEBHOOK_URL"),
        ({"url": "hooks.slack.com/services/x"}, "GWP_WEBHOOK_URL"),
        ({"style": "discord"}, "GWP_WEBHOOK_STYLE"),
        ({"events": ["breach_opened", "breach_exploded"]}, "GWP_WEBHOOK_EVENTS"),
        ({"timeout": -1}, "timeout"),
    ],
)
def test_webhook_channel_config_errors(kwargs: dict, message: str) -> None:
    args = {"url": "https://hooks.slack.com/services/T/B/x", **kwargs}
    with pytest.raises(ChannelConfigError, match=message):
        WebhookChannel(**args)


def test_webhook_events_filter_and_secret_free_repr() -> None:
    channel = WebhookChannel("https://hooks.slack.com/services/T/B/xyzzy")
    assert channel.handles(rlw_breach()) and channel.handles(overdue())
    assert not channel.handles(due_soon())  # supplier reminders stay out of the council's channel
    assert WebhookChannel("https://h.example/x", events=["return_due_soon"]).handles(due_soon())
    assert "xyzzy" not in repr(channel) and "hooks.slack.com" in repr(channel)
    assert redact_url("https://hooks.slack.com/services/T/B/xyzzy?a=1") == "https://hooks.slack.com/…"
    assert redact_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"


# ============================================================================ configuration


def channels_from_env(env: dict[str, str]) -> list[Channel]:
    """The channels GWP_* variables ``env`` configure, through the one Settings."""
    return channels_from_settings(Settings.from_env(env))


def test_channels_from_env_empty() -> None:
    assert channels_from_env({}) == []
    assert channels_from_env({"GWP_SMTP_HOST": " ", "GWP_WEBHOOK_URL": ""}) == []


def test_channels_from_env_full() -> None:
    env = {
        "GWP_SMTP_HOST": "smtp.council.example",
        "GWP_SMTP_STARTTLS": "Yes",
        "GWP_SMTP_USER": "alerts",
        "GWP_SMTP_PASSWORD": SECRET,
        "GWP_ALERT_FROM": SENDER,
        "GWP_WEBHOOK_URL": "https://council.webhook.office.com/workflows/abc",
        "GWP_WEBHOOK_STYLE": "Teams",
        "GWP_WEBHOOK_EVENTS": "breach_opened, breach_resolved",
    }
    email, hook = channels_from_env(env)
    assert isinstance(email, EmailChannel) and isinstance(hook, WebhookChannel)
    assert isinstance(email, Channel) and isinstance(hook, Channel)
    assert (email.name, hook.name) == ("email", "webhook")
    assert (email.host, email.port, email.starttls, email.username) == ("smtp.council.example", 587, True, "alerts")
    assert hook.style == "teams" and hook.events == {"breach_opened", "breach_resolved"}
    assert SECRET not in repr(email)
    assert channels_from_env({"GWP_SMTP_HOST": "h", "GWP_ALERT_FROM": SENDER})[0].port == 25


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GWP_SMTP_HOST": "h"}, "GWP_ALERT_FROM"),
        ({"GWP_SMTP_HOST": "h", "GWP_ALERT_FROM": SENDER, "GWP_SMTP_PORT": "twenty-five"}, "GWP_SMTP_PORT"),
        ({"GWP_SMTP_HOST": "h", "GWP_ALERT_FROM": SENDER, "GWP_SMTP_STARTTLS": "maybe"}, "GWP_SMTP_STARTTLS"),
        ({"GWP_SMTP_HOST": "h", "GWP_ALERT_FROM": SENDER, "GWP_SMTP_USER": "u"}, "GWP_SMTP_PASSWORD"),
        ({"GWP_WEBHOOK_URL": "not a url"}, "GWP_WEBHOOK_URL"),
        ({"GWP_WEBHOOK_URL": "https://h.example/x", "GWP_WEBHOOK_STYLE": "discord"}, "GWP_WEBHOOK_STYLE"),
    ],
)
def test_channels_from_env_errors(env: dict, message: str) -> None:
    with pytest.raises((ChannelConfigError, SettingsError), match=message) as info:
        channels_from_env(env)
    assert isinstance(info.value, (OperationalError, SettingsError))


def test_channels_from_env_send_for_real(smtp_server, webhook_receiver, monkeypatch) -> None:  # noqa: F811
    for name, value in {**smtp_server.env(), **webhook_receiver.env(style="slack")}.items():
        monkeypatch.setenv(name, value)
    channels = channels_from_settings(Settings.load())
    assert [c.name for c in channels] == ["email", "webhook"]
    for alert in (rlw_breach(), overdue(), due_soon()):
        for channel in channels:
            if channel.handles(alert):
                channel.send(alert)
    assert [m.message["X-GWP-Event"] for m in smtp_server.wait_for(3)] == [
        "breach_opened",
        "return_overdue",
        "return_due_soon",
    ]
    assert [b["text"].split("\n")[0] for b in webhook_receiver.bodies] == [
        "[gwp-monitor] BREACH opened: NCC-2025-0142 real_living_wage (high)",
        "[gwp-monitor] RETURN overdue: NCC-2025-0142 payroll Oct 2026 (due 15 Nov 2026)",
    ]


def test_smtp_env_with_auth_round_trips(monkeypatch) -> None:
    with running_smtp_server(auth={"alerts": SECRET}) as smtp:
        (channel,) = channels_from_env(smtp.env())
        channel.send(rlw_breach())
        assert smtp.wait_for(1)[0].login == "alerts"
