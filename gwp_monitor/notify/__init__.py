"""Alerts: telling contract managers and suppliers about breaches and returns.

Split so the part people read is testable without a network:

- ``events``: the ``Alert`` value (aggregates only, by design: no field can hold a worker_ref or an
  individual's pay), event keys and recipient rules (``AUDIENCE``).
- ``notices``: suppliers' receipts and rejection notices, built from the stored submissions.
- ``content``: what each alert says (``compose``), in words taken from the commitment catalogue.
- ``render``: pure renderers to e-mail (Jinja2 templates in ``templates/``) and webhook JSON.
- ``email``, ``webhook``: ``EmailChannel`` (SMTP) and ``WebhookChannel`` (Slack / Teams), configured
  from the settings by ``channels.channels_from_settings``; failures raise ``delivery.DeliveryError``.

The alert log that makes delivery exactly-once per event and channel keys on
``(Alert.event_key, Channel.name)``; it lives with the reporting database, not here.
"""

from gwp_monitor.notify.channels import channels_from_settings
from gwp_monitor.notify.content import AlertContent, commitment_label, compose, format_date, format_gbp, period_label
from gwp_monitor.notify.delivery import Channel, ChannelConfigError, DeliveryError, OperationalError
from gwp_monitor.notify.email import EmailChannel
from gwp_monitor.notify.events import (
    AUDIENCE,
    BREACH_EVENTS,
    EVENTS,
    RETURN_EVENTS,
    SUBMISSION_EVENTS,
    Alert,
    breach_alert,
    breach_event_key,
    recipients_for,
    return_alert,
    return_event_key,
    submission_event_key,
)
from gwp_monitor.notify.render import render_email, render_html, render_text, render_webhook
from gwp_monitor.notify.webhook import DEFAULT_WEBHOOK_EVENTS, WebhookChannel, redact_url

__all__ = [
    "AUDIENCE",
    "Alert",
    "AlertContent",
    "BREACH_EVENTS",
    "Channel",
    "ChannelConfigError",
    "DEFAULT_WEBHOOK_EVENTS",
    "DeliveryError",
    "EVENTS",
    "EmailChannel",
    "OperationalError",
    "RETURN_EVENTS",
    "SUBMISSION_EVENTS",
    "WebhookChannel",
    "breach_alert",
    "breach_event_key",
    "channels_from_settings",
    "commitment_label",
    "compose",
    "format_date",
    "format_gbp",
    "period_label",
    "recipients_for",
    "redact_url",
    "render_email",
    "render_html",
    "render_text",
    "render_webhook",
    "return_alert",
    "return_event_key",
    "submission_event_key",
]
