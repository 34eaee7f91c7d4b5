"""An alert's words laid out for each channel: an e-mail (plain text with an HTML alternative, from
the Jinja2 templates in ``templates/``) and a Slack or Teams webhook body (JSON)."""

from __future__ import annotations

import html
from email.message import EmailMessage
from functools import cache
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from markupsafe import Markup

from gwp_monitor.notify.content import AlertContent, compose, one_line
from gwp_monitor.notify.events import Alert

WebhookStyle = Literal["slack", "teams"]
WEBHOOK_STYLES: tuple[str, ...] = ("slack", "teams")

_TONE_COLOURS = {"critical": "#b00020", "warning": "#b35c00", "good": "#1b7a3a", "info": "#1d4f91"}
_TEAMS_COLOURS = {"critical": "Attention", "warning": "Warning", "good": "Good", "info": "Accent"}


@pass_eval_context
def _escape_like_stdlib(context: EvalContext, value: Any) -> Any:
    """Autoescape with the entities ``html.escape`` writes (``&quot;``, ``&#x27;``), so the e-mails are
    byte for byte what they were before templates; markupsafe would write ``&#34;`` and ``&#39;``."""
    if context.autoescape and value is not None and not isinstance(value, Markup):
        return Markup(html.escape(str(value), quote=True))
    return value


@cache
def _templates() -> Environment:
    """The e-mail templates, found as package data so they load from an installed wheel."""
    return Environment(
        loader=PackageLoader("gwp_monitor.notify", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        finalize=_escape_like_stdlib,
        trim_blocks=True,
        keep_trailing_newline=True,
    )


def render_text(alert: Alert) -> str:
    """The plain-text body: what happened, the figures, what to do next."""
    content = compose(alert)
    width = max(len(k) for k, _ in content.facts) + 1
    return _templates().get_template("alert.txt").render(c=content, width=width)


def render_html(alert: Alert) -> str:
    """The HTML alternative. Every value is escaped: supplier names and titles come from the
    register, and an unescaped ``<`` in an e-mail would at best garble it."""
    content = compose(alert)
    colour = _TONE_COLOURS.get(content.tone, "#333333")
    return _templates().get_template("alert.html").render(c=content, colour=colour)


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
    msg["X-GWP-Event-Key"] = one_line(alert.event_key)
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
        return _render_slack(content)
    return _render_teams(content)


def _render_slack(content: AlertContent) -> dict[str, Any]:
    s = _slack_escape
    fields = [{"type": "mrkdwn", "text": _clip(f"*{s(k)}*\n{s(v)}", 2000)} for k, v in content.facts]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(content.title, 150), "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(s(content.summary), 3000)}},
    ]
    for i in range(0, len(fields), 10):  # Slack allows at most 10 fields per section
        blocks.append({"type": "section", "fields": fields[i : i + 10]})
    if content.details:
        lines = "\n".join(f"• {s(line)}" for line in content.details)
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _clip(f"*{s(content.details_title)}*\n{lines}", 3000)},
            }
        )
    steps = "\n".join(f"• {s(step)}" for step in content.next_steps)
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(f"*What to do next*\n{steps}", 3000)}})
    if content.dashboard_url:
        button = {"type": "plain_text", "text": "Open dashboard"}
        action = {"type": "button", "text": button, "url": content.dashboard_url}
        blocks.append({"type": "actions", "elements": [action]})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(s(content.footer), 3000)}]})
    return {"text": _clip(s(f"{content.subject}\n{content.summary}"), 3000), "blocks": blocks}


def _render_teams(content: AlertContent) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": content.title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": _TEAMS_COLOURS[content.tone],
        },
        {"type": "TextBlock", "text": content.summary, "wrap": True},
        {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in content.facts]},
    ]
    if content.details:
        body.append({"type": "TextBlock", "text": content.details_title, "weight": "Bolder", "wrap": True})
        body += [
            {"type": "TextBlock", "text": f"- {line}", "wrap": True, "spacing": "Small"} for line in content.details
        ]
    body.append({"type": "TextBlock", "text": "What to do next", "weight": "Bolder", "wrap": True, "spacing": "Medium"})
    body += [
        {"type": "TextBlock", "text": f"- {step}", "wrap": True, "spacing": "Small"} for step in content.next_steps
    ]
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
