"""Real, in-process mail and webhook servers for tests: no mocks of smtplib or urllib.

Two recorders, each usable as a context manager (when a test needs options) or as a pytest
fixture (when the defaults do):

    from helpers_mail_http import running_smtp_server, running_webhook_receiver
    from helpers_mail_http import smtp_server, webhook_receiver  # noqa: F401  (fixtures)

    def test_something(smtp_server, webhook_receiver, monkeypatch):
        for k, v in {**smtp_server.env(), **webhook_receiver.env(style="teams")}.items():
            monkeypatch.setenv(k, v)
        ...                                    # code under test sends mail and posts JSON
        mail = smtp_server.wait_for(1)[0]      # ReceivedMail: .message (EmailMessage), .rcpt_tos ...
        body = webhook_receiver.wait_for(1)[0].json

    with running_webhook_receiver(fail_first=2) as hook:   # first 2 POSTs get HTTP 500
        ...
    with running_smtp_server(auth={"alerts": "s3cret"}) as smtp:   # AUTH required
        ...

Both listen on 127.0.0.1 on a port the OS picks (bound before the server starts, so there is no
race with parallel test workers), run in a daemon thread of the test process, and are torn down
at the end of the ``with``. They keep running while the main thread is busy, so Airflow's
``dag.test()`` (which runs tasks in the test process) can send to them.

Import note: pytest puts this directory on sys.path (tests/ has no __init__.py), hence the plain
``import helpers_mail_http``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

LOCALHOST = "127.0.0.1"

__all__ = [
    "ReceivedMail",
    "ReceivedRequest",
    "SMTPRecorder",
    "WebhookRecorder",
    "closed_port",
    "running_smtp_server",
    "running_webhook_receiver",
    "self_signed_cert",
    "smtp_server",
    "webhook_receiver",
]


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.01)


# --------------------------------------------------------------------------------------------
# SMTP
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    """One message the SMTP server accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage  # parsed with email.policy.default: msg["Subject"], msg.get_body(...)
    raw: bytes
    login: str | None  # the AUTH user name, None when the client did not log in
    tls: bool  # True when the client upgraded with STARTTLS

    def text(self) -> str:
        """The text/plain body (the part a plain-text reader sees)."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def html(self) -> str:
        """The text/html alternative, or "" when there is none."""
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


class SMTPRecorder:
    """The running SMTP server: where it listens, what it received, how to make it fail."""

    def __init__(
        self,
        auth: Mapping[str, str] | None,
        refuse: Iterable[str],
        tls: bool,
    ) -> None:
        self.host = LOCALHOST
        self.port = 0
        self.messages: list[ReceivedMail] = []
        self.auth = dict(auth or {})
        self.tls = tls
        self.refuse = {a.lower() for a in refuse}
        self.failed_logins: list[str] = []
        self._fail_next: list[str] = []
        self._lock = threading.Lock()

    # -- test-facing API ----------------------------------------------------------------------

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[ReceivedMail]:
        """Block until at least ``count`` messages arrived; return them all."""
        _wait(lambda: len(self.messages) >= count, timeout, f"{count} e-mail(s), got {len(self.messages)}")
        return list(self.messages)

    def fail_next(self, count: int, reply: str = "451 4.3.0 Temporary failure, try again later") -> None:
        """Answer the next ``count`` messages' DATA with ``reply`` (4xx: temporary, 5xx: permanent)
        instead of accepting them."""
        with self._lock:
            self._fail_next.extend([reply] * count)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.failed_logins.clear()

    def env(self, sender: str = "gwp-monitor <alerts@council.example>") -> dict[str, str]:
        """The GWP_* variables that point ``channels_from_settings`` at this server (via Settings.from_env)."""
        env = {"GWP_SMTP_HOST": self.host, "GWP_SMTP_PORT": str(self.port), "GWP_ALERT_FROM": sender}
        if self.auth:
            user, password = next(iter(self.auth.items()))
            env |= {"GWP_SMTP_USER": user, "GWP_SMTP_PASSWORD": password}
        return env

    # -- aiosmtpd handler hooks (run in the server's thread) -----------------------------------

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # type: ignore[no-untyped-def]
        if self.auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._fail_next:
                return self._fail_next.pop(0)
        raw = envelope.original_content or envelope.content
        raw = raw if isinstance(raw, bytes) else raw.encode("utf-8")
        message = BytesParser(policy=policy.default).parsebytes(raw)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        mail = ReceivedMail(
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            message=message,  # type: ignore[arg-type]
            raw=raw,
            login=login,
            tls=session.ssl is not None,
        )
        with self._lock:
            self.messages.append(mail)
        return "250 2.0.0 OK: queued"

    def authenticate(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if self.auth.get(user) == password:
                return AuthResult(success=True, auth_data=auth_data)
            self.failed_logins.append(user)
        return AuthResult(success=False, handled=False)


class _BoundController(Controller):
    """aiosmtpd's threaded Controller, serving on a socket we bound ourselves.

    Controller needs a fixed port up front (it connects to it to check the server is up), so we
    bind port 0 first and hand asyncio the socket: a free port with no window for another process
    to take it.
    """

    def __init__(self, handler: Any, sock: socket.socket, **kwargs: Any) -> None:
        self._sock = sock
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **kwargs)

    def _create_server(self):  # type: ignore[no-untyped-def]
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


@contextmanager
def running_smtp_server(
    *,
    auth: Mapping[str, str] | None = None,
    tls_cert: tuple[str | Path, str | Path] | None = None,
    refuse: Iterable[str] = (),
) -> Iterator[SMTPRecorder]:
    """Run an SMTP server that records every message it accepts.

    ``auth``: {user: password}; when given, the server offers AUTH PLAIN/LOGIN and refuses MAIL
    until the client logged in (without TLS unless ``tls_cert`` is also given, where AUTH is then
    offered only after STARTTLS, like a real submission server).
    ``tls_cert``: (certificate file, key file) to offer STARTTLS; see ``self_signed_cert``.
    ``refuse``: addresses whose RCPT TO is answered 550.
    """
    recorder = SMTPRecorder(auth, refuse, tls=tls_cert is not None)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOCALHOST, 0))
    recorder.port = sock.getsockname()[1]
    kwargs: dict[str, Any] = {
        "server_hostname": "gwp-test-smtp",  # avoids a slow getfqdn() DNS lookup per connection
        "ready_timeout": 10.0,
    }
    if tls_cert is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(tls_cert[0]), str(tls_cert[1]))
        kwargs["tls_context"] = context
    if auth:
        kwargs["authenticator"] = recorder.authenticate
        kwargs["auth_require_tls"] = tls_cert is not None
    controller = _BoundController(recorder, sock, loop=asyncio.new_event_loop(), **kwargs)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()
        sock.close()


@pytest.fixture
def smtp_server() -> Iterator[SMTPRecorder]:
    """A recording SMTP server with no AUTH and no TLS, for one test."""
    with running_smtp_server() as server:
        yield server


def self_signed_cert(directory: str | Path, host: str = LOCALHOST) -> tuple[Path, Path]:
    """Write a self-signed certificate for ``host`` (an IP or a name) and its key; return their
    paths. Trust it on the client with ``ssl.create_default_context(cafile=cert)``."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    try:
        san: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        san = x509.DNSName(host)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([san]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory = Path(directory)
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


# --------------------------------------------------------------------------------------------
# Webhook
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedRequest:
    """One HTTP request the webhook receiver got, whatever it answered."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    status: int  # what the receiver answered
    json: Any = field(default=None)  # the parsed body, None when it was not JSON

    @property
    def delivered(self) -> bool:
        return 200 <= self.status < 300


class WebhookRecorder:
    """The running webhook receiver: its URL, what it got, and how to make it fail."""

    def __init__(self, status: int, path: str) -> None:
        self.host = LOCALHOST
        self.port = 0
        self.path = path
        self.status = status  # answer to requests that are not told to fail
        self.requests: list[ReceivedRequest] = []
        self._failures: list[int] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    @property
    def bodies(self) -> list[Any]:
        """JSON bodies of the requests answered 2xx, i.e. the alerts actually delivered."""
        with self._lock:
            return [r.json for r in self.requests if r.delivered]

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next ``count`` requests with ``status`` instead of success."""
        with self._lock:
            self._failures.extend([status] * count)

    def wait_for(self, count: int = 1, timeout: float = 5.0, *, delivered: bool = True) -> list[ReceivedRequest]:
        """Block until ``count`` requests (only 2xx-answered ones when ``delivered``) arrived."""

        def matching() -> list[ReceivedRequest]:
            with self._lock:
                return [r for r in self.requests if r.delivered or not delivered]

        _wait(lambda: len(matching()) >= count, timeout, f"{count} webhook request(s), got {len(matching())}")
        return matching()

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def env(self, style: str = "slack") -> dict[str, str]:
        """The GWP_* variables that point ``channels_from_settings`` at this receiver (via Settings.from_env)."""
        return {"GWP_WEBHOOK_URL": self.url, "GWP_WEBHOOK_STYLE": style}

    def _answer(self) -> int:
        with self._lock:
            return self._failures.pop(0) if self._failures else self.status

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)


def _handler_for(recorder: WebhookRecorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                parsed = json.loads(body) if body else None
            except ValueError:
                parsed = None
            status = recorder._answer()
            recorder._record(
                ReceivedRequest(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    status=status,
                    json=parsed,
                )
            )
            reply = b"ok" if 200 <= status < 300 else b"simulated failure"
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_POST = do_PUT = do_GET = _handle

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

    return Handler


@contextmanager
def running_webhook_receiver(
    *, fail_first: int = 0, fail_status: int = 500, status: int = 200, path: str = "/hook/T000/B000/secret"
) -> Iterator[WebhookRecorder]:
    """Run an HTTP server that records every request's JSON body.

    The first ``fail_first`` requests are answered ``fail_status`` (500 by default), later ones
    ``status`` (200; Teams Workflows answer 202). ``fail_next`` adds failures at any time.
    """
    recorder = WebhookRecorder(status, path)
    recorder.fail_next(fail_first, fail_status)
    server = ThreadingHTTPServer((LOCALHOST, 0), _handler_for(recorder))
    server.daemon_threads = True
    recorder.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookRecorder]:
    """A recording webhook receiver that answers 200, for one test."""
    with running_webhook_receiver() as receiver:
        yield receiver


@contextmanager
def closed_port() -> Iterator[int]:
    """A local port where nothing listens, held for the duration so no one else takes it:
    connecting to it is refused at once (for 'server is down' tests)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOCALHOST, 0))  # bound, never listening: connections get ECONNREFUSED
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
