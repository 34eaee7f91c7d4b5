"""The e-mail channel: alerts over SMTP (STARTTLS, AUTH), standard library only.

Settings are documented in ``gwp_monitor.notify.channels``.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import ssl
from email.utils import formatdate, parseaddr

from gwp_monitor.notify.delivery import ChannelConfigError, DeliveryError
from gwp_monitor.notify.events import Alert
from gwp_monitor.notify.render import render_email

log = logging.getLogger(__name__)


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
