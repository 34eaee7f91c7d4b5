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
    Optional comma-separated list of the events posted to the webhook. Default: every event except
    ``return_due_soon``, because the webhook is the council's team channel and due-soon reminders
    are addressed to suppliers.

Exactly-once delivery is the alert log's job: it records (``Alert.event_key``, ``channel.name``)
once ``send`` returns. ``send`` therefore raises on any failure, with ``DeliveryError.retryable``
saying whether trying again later can help. One case cannot be made exactly-once by anyone: a
connection lost after the server accepted the message but before it said so; that is reported as a
retryable failure, and a retry may then deliver a second copy (e-mails carry a Message-ID derived
from the event key so mail clients can fold it).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import smtplib
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from email.utils import formatdate, parseaddr
from typing import IO, TYPE_CHECKING, Protocol, runtime_checkable

from gwp_monitor.notify.events import EVENTS, Alert
from gwp_monitor.notify.render import WEBHOOK_STYLES, render_email, render_webhook

if TYPE_CHECKING:
    from gwp_monitor.config.settings import Settings

log = logging.getLogger(__name__)

USER_AGENT = "gwp-monitor-alerts/1"
#: Events the webhook posts unless told otherwise (see ``GWP_WEBHOOK_EVENTS``).
DEFAULT_WEBHOOK_EVENTS: frozenset[str] = frozenset(e for e in EVENTS if e != "return_due_soon")


class OperationalError(Exception):
    """The environment, not the data, is wrong: a server is down, a setting is missing.

    The command line turns these into a one-line reason and a non-zero exit (spec 7); breaches and
    rejected returns are never operational errors.
    """


class ChannelConfigError(OperationalError, ValueError):
    """A channel setting is missing or malformed; the message names the variable to fix."""


class DeliveryError(OperationalError):
    """An alert could not be delivered on a channel.

    ``retryable`` is True when the same send may succeed later (server down, timeout, HTTP 5xx or
    429, SMTP 4xx) and False when only a configuration change can help (authentication refused,
    recipient refused, HTTP 4xx): the alert log should not mark the alert sent in either case.
    """

    def __init__(self, message: str, *, channel: str, retryable: bool) -> None:
        super().__init__(message)
        self.channel = channel
        self.retryable = retryable


@runtime_checkable
class Channel(Protocol):
    """What the alert dispatcher needs from a channel."""

    #: Stable name stored in the alert log with the event key: never change it once deployed.
    name: str

    def handles(self, alert: Alert) -> bool:
        """Whether this channel should be given ``alert`` at all (the dispatcher asks first)."""
        ...

    def send(self, alert: Alert) -> None:
        """Deliver ``alert`` or raise ``DeliveryError``."""
        ...


# --------------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------------


class EmailChannel:
    """Sends each alert as one e-mail to the alert's recipients over SMTP.

    One connection per alert: alerts are few, and a fresh connection means one failure cannot
    poison the next alert's delivery.
    """

    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """``ssl_context`` overrides certificate verification for STARTTLS, e.g. to trust an
        internal CA; by default the system CA store is used and the host name is checked."""
        if not host:
            raise ChannelConfigError("SMTP host is empty: set GWP_SMTP_HOST")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ChannelConfigError(f"SMTP port {port!r} is not a port number: check GWP_SMTP_PORT")
        if "@" not in parseaddr(sender)[1]:
            raise ChannelConfigError(f"alert sender {sender!r} is not an e-mail address: check GWP_ALERT_FROM")
        if bool(username) != bool(password):
            raise ChannelConfigError(
                "SMTP credentials are incomplete: set both GWP_SMTP_USER and GWP_SMTP_PASSWORD, or neither"
            )
        if timeout <= 0:
            raise ChannelConfigError("SMTP timeout must be positive")
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username or None
        self._password = password or None
        self.starttls = starttls
        self.timeout = timeout
        self._ssl_context = ssl_context
        if self.username and not starttls and host not in ("localhost", "127.0.0.1", "::1"):
            log.warning(
                "SMTP login to %s:%d without STARTTLS sends the password in clear; set GWP_SMTP_STARTTLS=true",
                host,
                port,
            )

    def __repr__(self) -> str:
        auth = f", username={self.username!r}, password=***" if self.username else ""
        return (
            f"EmailChannel(host={self.host!r}, port={self.port}, sender={self.sender!r}{auth}, "
            f"starttls={self.starttls}, timeout={self.timeout})"
        )

    @property
    def _where(self) -> str:
        return f"SMTP server {self.host}:{self.port}"

    def handles(self, alert: Alert) -> bool:
        """Every alert with somebody to write to."""
        return bool(alert.recipients)

    def send(self, alert: Alert) -> None:
        """Send ``alert`` to ``alert.recipients``; raise ``DeliveryError`` if the server did not
        accept it for at least one recipient."""
        if not alert.recipients:
            raise DeliveryError(
                f"alert {alert.event_key} has no e-mail recipients: check the contract's contacts in "
                "the contract register",
                channel=self.name,
                retryable=False,
            )
        msg = render_email(alert, sender=self.sender)
        msg["Date"] = formatdate(usegmt=True)
        smtp: smtplib.SMTP | None = None
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=self._ssl_context or ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self._password or "")
            refused = smtp.send_message(msg, from_addr=parseaddr(self.sender)[1], to_addrs=list(alert.recipients))
        except Exception as exc:  # noqa: BLE001 - every failure becomes one clear DeliveryError
            raise self._explain(exc, alert) from exc
        finally:
            if smtp is not None:
                _quietly_quit(smtp)
        if refused:
            # Some recipients were accepted, so the alert was delivered: raising would make the
            # log retry and send the accepted recipients a second copy. Say so loudly instead.
            log.warning(
                "alert %s sent by e-mail, but %d recipient(s) were refused by the %s: %s",
                alert.event_key,
                len(refused),
                self._where,
                ", ".join(sorted(refused)),
            )
        log.info(
            "alert %s sent by e-mail to %d recipient(s) via %s",
            alert.event_key,
            len(alert.recipients) - len(refused),
            self._where,
        )

    def _explain(self, exc: BaseException, alert: Alert) -> DeliveryError:
        """Turn smtplib's exception zoo into one message that says what to check."""
        where = self._where
        key = alert.event_key

        def err(text: str, retryable: bool) -> DeliveryError:
            return DeliveryError(f"e-mail for alert {key} not sent: {text}", channel=self.name, retryable=retryable)

        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return err(
                f"{where} refused the login for user {self.username!r} ({exc.smtp_code}): check GWP_SMTP_USER "
                "and GWP_SMTP_PASSWORD",
                False,
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            if "STARTTLS" in str(exc).upper():
                return err(f"{where} does not offer STARTTLS: check GWP_SMTP_STARTTLS and GWP_SMTP_PORT", False)
            return err(
                f"{where} does not offer SMTP AUTH ({exc}); many servers offer it only after STARTTLS: "
                "check GWP_SMTP_STARTTLS, GWP_SMTP_USER and GWP_SMTP_PASSWORD",
                False,
            )
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            return err(
                f"{where} refused every recipient ({', '.join(sorted(exc.recipients))}): check the "
                "contract's contacts in the contract register",
                False,
            )
        if isinstance(exc, smtplib.SMTPSenderRefused) and exc.smtp_code == 530:
            return err(
                f"{where} requires authentication (530): set GWP_SMTP_USER and GWP_SMTP_PASSWORD "
                "(and GWP_SMTP_STARTTLS if the server offers AUTH only over TLS)",
                False,
            )
        if isinstance(exc, smtplib.SMTPSenderRefused):
            return err(f"{where} refused the sender {exc.sender!r} ({exc.smtp_code}): check GWP_ALERT_FROM", False)
        if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, TimeoutError):
            # smtplib reports a read timeout as a disconnection; say what it really was.
            exc = exc.__context__
        elif isinstance(exc, smtplib.SMTPServerDisconnected):
            return err(f"{where} closed the connection ({exc}); try again later", True)
        if isinstance(exc, smtplib.SMTPResponseException):
            text = (
                exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
            )
            transient = 400 <= exc.smtp_code < 500
            return err(
                f"{where} answered {exc.smtp_code} {text.strip()}"
                + ("; a temporary failure, try again later" if transient else ""),
                transient,
            )
        if isinstance(exc, ssl.SSLCertVerificationError):
            return err(
                f"the TLS certificate of {where} could not be verified ({exc.verify_message}): check "
                "GWP_SMTP_HOST is the name on the certificate",
                False,
            )
        if isinstance(exc, ssl.SSLError):
            return err(f"TLS with {where} failed ({exc}): check GWP_SMTP_STARTTLS and GWP_SMTP_PORT", False)
        if isinstance(exc, socket.gaierror):
            return err(f"cannot resolve the SMTP host {self.host!r} ({exc.strerror}): check GWP_SMTP_HOST", True)
        if isinstance(exc, (TimeoutError, socket.timeout)):
            return err(
                f"{where} did not answer within {self.timeout:g}s: check GWP_SMTP_HOST, GWP_SMTP_PORT and "
                "that this machine may connect to it",
                True,
            )
        if isinstance(exc, ConnectionRefusedError):
            return err(
                f"could not connect to {where} (connection refused): check GWP_SMTP_HOST and GWP_SMTP_PORT "
                "and that the mail server is running",
                True,
            )
        if isinstance(exc, smtplib.SMTPException):  # before OSError: SMTPException subclasses it
            return err(f"{where}: {exc}", False)
        if isinstance(exc, OSError):
            return err(
                f"could not talk to {where} ({exc.strerror or exc}): check GWP_SMTP_HOST and GWP_SMTP_PORT",
                True,
            )
        return err(f"unexpected error talking to {where}: {type(exc).__name__}: {exc}", False)


def _quietly_quit(smtp: smtplib.SMTP) -> None:
    """QUIT, ignoring failures: by then the message was accepted or the error already raised, and
    a failed goodbye must not turn a delivered alert into a retry."""
    try:
        smtp.quit()
    except Exception:  # noqa: BLE001
        with contextlib.suppress(Exception):
            smtp.close()


# --------------------------------------------------------------------------------------------
# Webhook
# --------------------------------------------------------------------------------------------


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
# --------------------------------------------------------------------------------------------


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
