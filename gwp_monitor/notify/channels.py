"""Where alerts go: e-mail over SMTP and a chat webhook (Slack or Microsoft Teams).

This is the imperative edge of alerting; the words come from ``messages``. Sending uses only the
standard library (smtplib, email, urllib.request) so that alerting adds no dependency and works in
any Airflow worker.

Configuration (``GWP_*`` settings, see ``gwp_monitor.config.settings``; read by ``channels_from_settings``;
an unset or empty variable counts as unset):

``GWP_SMTP_HOST``
    SMTP server host name. Setting it turns the e-mail channel on.
``GWP_SMTP_PORT``
    SMTP port. Default 587 when STARTTLS is on, else 25.
``GWP_SMTP_STARTTLS``
    true/false (also yes/no, y/n, 1/0). Upgrade the connection with STARTTLS before logging in.
    Default false. The server certificate is verified against the system's CA store.
``GWP_SMTP_USER`` / ``GWP_SMTP_PASSWORD``
    Credentials for SMTP AUTH; set both or neither. The password is never logged or shown in an
    error message.
``GWP_ALERT_FROM``
    The From address of alert e-mails, e.g. ``gwp-monitor <contracts-alerts@council.example>``.
    Required when ``GWP_SMTP_HOST`` is set.
``GWP_WEBHOOK_URL``
    Incoming-webhook URL (http or https). Setting it turns the webhook channel on. The URL is
    treated as a secret (Slack and Teams webhook URLs embed their token): logs and errors show only
    its scheme and host.
``GWP_WEBHOOK_STYLE``
    ``slack`` (default) or ``teams`` (an Adaptive Card, for a Teams Workflows webhook).
``GWP_WEBHOOK_EVENTS``
    Optional comma-separated list of the events posted to the webhook. Default: the events the
    contract manager is told of, because the webhook is the council's team channel; receipts,
    rejections and due-soon reminders are addressed to suppliers (see docs/alerts.md).

Exactly-once delivery is the alert log's job: it records (``Alert.event_key``, ``channel.name``)
once ``send`` returns. ``send`` therefore raises on any failure, with ``DeliveryError.retryable``
saying whether trying again later can help. One case cannot be made exactly-once by anyone: a
connection lost after the server accepted the message but before it said so; that is reported as a
retryable failure, and a retry may then deliver a second copy (e-mails carry a Message-ID derived
from the event key so mail clients can fold it).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gwp_monitor.notify.delivery import Channel, ChannelConfigError
from gwp_monitor.notify.email import EmailChannel
from gwp_monitor.notify.webhook import WebhookChannel

if TYPE_CHECKING:
    from gwp_monitor.config.settings import Settings

log = logging.getLogger(__name__)


def channels_from_settings(settings: Settings) -> list[Channel]:
    """The channels the settings configure, e-mail first; an empty list when none is.

    Raises ``ChannelConfigError`` naming the variable when a setting is present but wrong, so a
    typo fails the run at start-up instead of silently dropping alerts.
    """
    channels: list[Channel] = []
    if settings.smtp_host:
        if not settings.alert_from:
            raise ChannelConfigError("GWP_ALERT_FROM must be set when GWP_SMTP_HOST is (the alerts' From address)")
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        channels.append(
            EmailChannel(
                settings.smtp_host,
                settings.smtp_port or (587 if settings.smtp_starttls else 25),
                settings.alert_from,
                username=settings.smtp_user,
                password=password,
                starttls=settings.smtp_starttls,
            )
        )
    else:
        orphans = {
            "GWP_SMTP_PORT": settings.smtp_port,
            "GWP_SMTP_USER": settings.smtp_user,
            "GWP_SMTP_PASSWORD": settings.smtp_password,
            "GWP_SMTP_STARTTLS": settings.smtp_starttls,
        }
        for name, value in orphans.items():
            if value:
                log.warning("%s is set but GWP_SMTP_HOST is not: e-mail alerts are off", name)
                break
    if settings.webhook_url:
        events = list(settings.webhook_events) if settings.webhook_events is not None else None
        channels.append(
            WebhookChannel(settings.webhook_url.get_secret_value(), style=settings.webhook_style.lower(), events=events)
        )
    return channels
