"""The chat webhook channel: alerts posted to Slack or Microsoft Teams, standard library only.

The URL embeds the webhook's token, so it is treated as a secret: only its scheme and host are
ever shown (``redact_url``). Redirects are refused rather than followed with the payload.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import IO

from gwp_monitor.notify.delivery import ChannelConfigError, DeliveryError
from gwp_monitor.notify.events import COUNCIL_EVENTS, EVENTS, Alert
from gwp_monitor.notify.render import WEBHOOK_STYLES, render_webhook

log = logging.getLogger(__name__)


USER_AGENT = "gwp-monitor-alerts/1"
#: Events the webhook posts unless told otherwise (see ``GWP_WEBHOOK_EVENTS``): the webhook is the
#: council's team channel, so by default it gets what the contract manager is told and not the
#: notices written to suppliers alone (receipts, rejections, due-soon reminders).
DEFAULT_WEBHOOK_EVENTS: frozenset[str] = frozenset(COUNCIL_EVENTS)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow redirects: urllib would turn a redirected POST into a GET without the body,
    silently dropping the alert. A redirecting webhook URL is a configuration error."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def redact_url(url: str) -> str:
    """scheme://host[:port]/… : enough to say where, without the path or query that carry the
    webhook's token."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    tail = "/…" if (parts.path not in ("", "/") or parts.query) else ""
    return f"{parts.scheme}://{host}{port}{tail}"


class WebhookChannel:
    """POSTs each alert as JSON to an incoming webhook (Slack, or Teams Workflows with an Adaptive
    Card). Any 2xx is success (Slack answers 200, Teams Workflows 202)."""

    name = "webhook"

    def __init__(
        self,
        url: str,
        style: str = "slack",
        timeout: float = 10,
        *,
        events: Iterable[str] | None = None,
    ) -> None:
        parts = urllib.parse.urlsplit(url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ChannelConfigError("webhook URL must be an http(s) URL with a host: check GWP_WEBHOOK_URL")
        if style not in WEBHOOK_STYLES:
            raise ChannelConfigError(
                f"webhook style {style!r} is not one of {', '.join(WEBHOOK_STYLES)}: check GWP_WEBHOOK_STYLE"
            )
        chosen = frozenset(DEFAULT_WEBHOOK_EVENTS if events is None else events)
        unknown = sorted(chosen - set(EVENTS))
        if unknown:
            raise ChannelConfigError(
                f"unknown webhook event(s) {', '.join(unknown)}; expected some of {', '.join(EVENTS)}: "
                "check GWP_WEBHOOK_EVENTS"
            )
        if timeout <= 0:
            raise ChannelConfigError("webhook timeout must be positive")
        self._url = url
        self.style = style
        self.timeout = timeout
        self.events = chosen

    @property
    def where(self) -> str:
        """The webhook's address with its secret parts removed, for logs and messages."""
        return redact_url(self._url)

    def __repr__(self) -> str:
        return f"WebhookChannel(url={self.where!r}, style={self.style!r}, timeout={self.timeout})"

    def handles(self, alert: Alert) -> bool:
        return alert.event in self.events

    def send(self, alert: Alert) -> None:
        """POST the alert; raise ``DeliveryError`` unless the receiver answers 2xx."""
        body = json.dumps(render_webhook(alert, self.style), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self._url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": USER_AGENT,
                # Lets a receiver that supports it drop a duplicate after an ambiguous retry.
                "Idempotency-Key": alert.delivery_id,
            },
        )
        where = self.where

        def err(text: str, retryable: bool) -> DeliveryError:
            return DeliveryError(
                f"webhook post for alert {alert.event_key} to {where} failed: {text}",
                channel=self.name,
                retryable=retryable,
            )

        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                status = response.status
                response.read(4096)
        except urllib.error.HTTPError as exc:
            detail = _snippet(exc)
            code = exc.code
            if 300 <= code < 400:
                raise err(
                    f"HTTP {code} redirect{detail}: the webhook URL has moved; check GWP_WEBHOOK_URL", False
                ) from None
            if code in (408, 429) or code >= 500:
                raise err(
                    f"HTTP {code}{detail}: the receiving service is failing or busy; try again later", True
                ) from None
            hint = (
                "check GWP_WEBHOOK_URL (the webhook may have been revoked)"
                if code in (401, 403, 404, 410)
                else "check GWP_WEBHOOK_STYLE matches the service (slack or teams)"
            )
            raise err(f"HTTP {code}{detail}: {hint}", False) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ssl.SSLCertVerificationError):
                raise err(
                    f"TLS certificate not trusted ({reason.verify_message}): check GWP_WEBHOOK_URL", False
                ) from None
            if isinstance(reason, ConnectionRefusedError):
                raise err(
                    "connection refused: check GWP_WEBHOOK_URL (host and port) and that the receiving service is up",
                    True,
                ) from None
            if isinstance(reason, socket.gaierror):
                raise err(f"cannot resolve the host ({reason.strerror}): check GWP_WEBHOOK_URL", True) from None
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise err(f"no answer within {self.timeout:g}s; try again later", True) from None
            text = getattr(reason, "strerror", None) or str(reason)
            raise err(f"{text}: check GWP_WEBHOOK_URL and the network path to it", True) from None
        except TimeoutError:
            raise err(f"no answer within {self.timeout:g}s; try again later", True) from None
        except http.client.HTTPException as exc:
            raise err(
                f"the receiver sent a malformed HTTP answer ({type(exc).__name__}); try again later", True
            ) from None
        except OSError as exc:
            raise err(f"{exc.strerror or exc}: check GWP_WEBHOOK_URL and the receiving service", True) from None
        if not 200 <= status < 300:
            raise err(f"HTTP {status}: expected a 2xx answer", False)
        log.info("alert %s posted to webhook %s (%s, HTTP %d)", alert.event_key, where, self.style, status)


def _snippet(exc: urllib.error.HTTPError) -> str:
    """The start of an error body: Slack explains itself there (invalid_payload, no_service)."""
    try:
        text = exc.read(300).decode("utf-8", "replace").strip()
    except Exception:  # noqa: BLE001
        return ""
    text = " ".join(text.split())[:200]
    return f" ({text})" if text else ""


# --------------------------------------------------------------------------------------------
# Configuration
