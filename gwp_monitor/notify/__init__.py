"""Alerts: telling contract managers and suppliers about breaches and returns.

Split in two so the part people read is testable without a network:

- ``messages``: the ``Alert`` value (aggregates only, by design: no field can hold a worker_ref or an
  individual's pay), event keys, recipient rules, and pure renderers to e-mail and webhook JSON.
- ``channels``: ``EmailChannel`` (SMTP) and ``WebhookChannel`` (Slack / Teams), configured from the
  settings by ``channels_from_settings``; failures raise ``DeliveryError``.

The alert log that makes delivery exactly-once per event and channel keys on
``(Alert.event_key, Channel.name)``; it lives with the reporting database, not here.
"""

from gwp_monitor.notify.channels import (
    DEFAULT_WEBHOOK_EVENTS,
    Channel,
    ChannelConfigError,
    DeliveryError,
    EmailChannel,
    OperationalError,
    WebhookChannel,
    channels_from_settings,
    redact_url,
)
from gwp_monitor.notify.messages import (
    BREACH_EVENTS,
    EVENTS,
    RETURN_EVENTS,
    Alert,
    AlertContent,
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

__all__ = [
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
]
