"""`gwp-monitor alerts ...` and `run --send-alerts`: alerts from the command line (added to the main
parser by cli.py).

Both go through the same library code as the Airflow tasks (``orchestration.send_alerts``, the
channels of ``channels_from_settings``). What they print is counts, event keys and the channels'
own error lines: never a value from a return, and every piece of text that comes from a register or a
server is shown as it is, never read as Rich markup.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from gwp_monitor.cli_support import OperationalError, command, command_group
from gwp_monitor.config.settings import Settings

DESCRIPTION = """\
Sends one test message on every configured alert channel and says, channel by channel, what was
sent and what failed: an e-mail to ADDRESS through the SMTP server (GWP_SMTP_HOST, GWP_SMTP_PORT,
GWP_ALERT_FROM, ...) and a post to the webhook (GWP_WEBHOOK_URL, GWP_WEBHOOK_STYLE), whatever
GWP_WEBHOOK_EVENTS says. Nothing is written to the alert log and no contract is mentioned.

Exit status: 0 every configured channel accepted its message, 2 a channel failed or none is configured."""

EPILOG = """\
examples:
  gwp-monitor alerts test --to contracts@council.example
  GWP_SMTP_HOST=smtp.council.example GWP_ALERT_FROM=alerts@council.example gwp-monitor alerts test --to me@council.example"""


def add_alerts_parser(sub: argparse._SubParsersAction, db_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    """``alerts test``. ``db_flag`` is unused (a test message touches no database); the signature is
    the one every command module shares."""
    actions = command_group(
        sub,
        "alerts",
        help="alert channels: send a test e-mail and webhook post",
        description="Alert channels (e-mail, webhook); see docs/alerts.md for every event and who gets it.",
    )
    test = command(
        actions,
        "test",
        help="send a test e-mail to ADDRESS and a test post to the configured webhook",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    test.add_argument("--to", metavar="ADDRESS", default=None, help="e-mail address the test message goes to")
    test.set_defaults(handler=cmd_alerts_test)


@dataclass(frozen=True)
class Attempt:
    """One channel's test: where it went and what happened."""

    channel: str
    where: str
    ok: bool
    detail: str


def test_alert(to: str | None, now: datetime | None = None):  # noqa: ANN201 - an Alert
    """The ``channel_test`` message: addressed to ``to``, about no contract."""
    from gwp_monitor.notify.events import Alert

    now = now or datetime.now(UTC)
    return Alert(
        event="channel_test",
        event_key=f"channel_test:{now:%Y%m%dT%H%M%S.%fZ}",
        contract_ref="gwp-monitor",
        contract_title="",
        supplier_name="",
        period_start=None,
        period_end=None,
        severity="info",
        received_at=now,
        recipients=(to,) if to else (),
    )


def send_test(settings: Settings, to: str | None) -> list[Attempt]:
    """Send the test message on each configured channel; every channel is tried whatever the others do."""
    from gwp_monitor.notify.channels import channels_from_settings
    from gwp_monitor.notify.delivery import DeliveryError
    from gwp_monitor.notify.email import EmailChannel
    from gwp_monitor.notify.webhook import WebhookChannel

    channels = channels_from_settings(settings)
    attempts: list[Attempt] = []
    try:
        alert = test_alert(to)
    except ValueError as exc:
        raise ValueError(f"--to {to!r}: {exc}") from exc
    email = next((c for c in channels if isinstance(c, EmailChannel)), None)
    if email is None:
        attempts.append(
            Attempt("e-mail", "-", to is None, "not configured: set GWP_SMTP_HOST and GWP_ALERT_FROM to send e-mail")
        )
    elif to is None:
        attempts.append(Attempt("e-mail", f"{email.host}:{email.port}", True, "skipped: no --to ADDRESS given"))
    for channel in channels:
        if isinstance(channel, EmailChannel):
            where = f"SMTP server {channel.host}:{channel.port}"
            if to is None:
                continue
        elif isinstance(channel, WebhookChannel):
            where = f"webhook {channel.where} ({channel.style})"
        else:
            where = channel.name
        try:
            channel.send(alert)
        except DeliveryError as exc:
            attempts.append(Attempt(channel.name, where, False, str(exc)))
            continue
        what = f"sent to {to}" if isinstance(channel, EmailChannel) else "posted"
        attempts.append(Attempt(channel.name, where, True, f"{what} (Message-ID <{alert.delivery_id}@gwp-monitor>)"))
    if not any(isinstance(c, WebhookChannel) for c in channels):
        attempts.append(Attempt("webhook", "-", True, "not configured (GWP_WEBHOOK_URL unset): nothing posted"))
    return attempts


def cmd_alerts_test(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.console import console, styled
    from gwp_monitor.notify.delivery import ChannelConfigError

    try:
        attempts = send_test(settings, args.to)
    except (ChannelConfigError, ValueError) as exc:
        raise OperationalError(str(exc)) from exc
    for a in attempts:
        mark = "[green]ok[/]" if a.ok else "[bold red]FAILED[/]"
        console.print(styled(f"{mark}  {{}}: {{}}: {{}}", a.channel, a.where, a.detail), soft_wrap=True)
    failed = [a for a in attempts if not a.ok]
    if failed:
        raise OperationalError(f"{len(failed)} of {len(attempts)} channel test(s) failed: {failed[0].detail}")
    return 0


def require_channels(settings: Settings) -> None:
    """Before ``run --send-alerts`` reads anything: a channel is configured, and configured right."""
    from gwp_monitor.notify.channels import channels_from_settings
    from gwp_monitor.notify.delivery import ChannelConfigError

    try:
        configured = channels_from_settings(settings)
    except ChannelConfigError as exc:
        raise OperationalError(f"{exc}; nothing was done") from exc
    if not configured:
        raise OperationalError(
            "--send-alerts, but no alert channel is configured: set GWP_SMTP_HOST and GWP_ALERT_FROM "
            "(e-mail) or GWP_WEBHOOK_URL; nothing was done"
        )


def send_alerts_after_run(settings: Settings) -> dict:
    """``run --send-alerts``: what the DAGs' alert tasks send, once per event and channel, including
    due-soon reminders and overdue notices. A failed delivery ends the command with exit 2 after
    everything else was sent; the next run offers it again."""
    from gwp_monitor import orchestration
    from gwp_monitor.console import console, styled
    from gwp_monitor.notify.delivery import DeliveryError

    try:
        counts = orchestration.send_alerts(settings, deadlines=True)
    except DeliveryError as exc:
        for line in exc.failures:
            console.print(styled("[bold red]not delivered[/] {}", line), soft_wrap=True)
        raise OperationalError(
            f"{exc}; the run's results are stored and the alerts not delivered are offered again by the next "
            "run with --send-alerts"
        ) from exc
    console.print(
        styled("Alerts: {} sent, {} already sent before.", counts["sent"], counts["already_sent"]), soft_wrap=True
    )
    return counts
