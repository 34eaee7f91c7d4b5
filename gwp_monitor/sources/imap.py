"""An IMAP mailbox suppliers e-mail returns to (imaps://user@host[:port]/Mailbox), over TLS only.

Unread messages are read without marking them (BODY.PEEK); each attachment that is a return (CSV or
XLSX) is landed with the e-mail's Date as its received time, any other attachment (a PNG, a PDF) is
refused with a reason, and only when every attachment of a message is handled is the message marked
read (\\Seen). A message dropped midway stays unread and is taken up again next time; attachments
already handled are known to the ledger and not landed twice. A message with no attachment at all
is recorded with that reason and marked read.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import imaplib
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from gwp_monitor.ingest.landed import Delivery
from gwp_monitor.sources.fetch import Lander, refusal
from gwp_monitor.sources.urls import Source


@contextmanager
def mailbox(source: Source, password: str | None, ca_file: Path | None, timeout: float) -> Iterator[imaplib.IMAP4_SSL]:
    """A logged-in IMAP-over-TLS session with the source's mailbox selected for writing (flags)."""
    if not password:
        raise PermissionError("no password: set GWP_SOURCE_PASSWORD_<HOST> or the Airflow connection gwp_source_<host>")
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    imap = imaplib.IMAP4_SSL(source.host or "", source.port or 993, ssl_context=context, timeout=timeout)
    try:
        imap.login(source.user or "", password)
        status, detail = imap.select(_quoted(source.path))
        if status != "OK":
            raise imaplib.IMAP4.error(f"mailbox {source.path!r} cannot be opened: {_text(detail)}")
        yield imap
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            imap.logout()


def fetch_mailbox(source: Source, imap: imaplib.IMAP4_SSL, lander: Lander, max_bytes: int) -> None:
    """Land the attachments of every unread message, then mark each message read."""
    validity = _text(imap.response("UIDVALIDITY")[1])
    status, found = imap.uid("SEARCH", "UNSEEN")
    _ok(status, found)
    for uid in (found[0] or b"").decode().split():
        status, data = imap.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])")
        _ok(status, data)
        head, raw = next((d[0], d[1]) for d in data if isinstance(d, tuple))
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        identity = _message_id(message) or f"uid:{validity}:{uid}"
        received = _date(message) or _internal_date(head) or datetime.now(UTC)
        _handle_message(source, message, identity, received, lander, max_bytes)
        lander.flush()  # the message's files are remembered before it is marked read
        status, detail = imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        _ok(status, detail)
        lander.report.marked_read += 1


def _handle_message(
    source: Source, message: EmailMessage, identity: str, received: datetime, lander: Lander, max_bytes: int
) -> None:
    attachments = [p for p in message.walk() if not p.is_multipart() and p.get_filename()]
    if not attachments:
        delivery = Delivery(received, source.delivery_source, "message", source_id=f"{identity}#none")
        if not lander.is_known(delivery.source_id or ""):
            lander.reject(delivery, f"a message of {received:%Y-%m-%d %H:%M} UTC has no attachment; nothing to take")
        return
    for index, part in enumerate(attachments, 1):
        name = str(part.get_filename())
        delivery = Delivery(received, source.delivery_source, name, source_id=f"{identity}#{index}:{name}"[:1000])
        if lander.is_known(delivery.source_id or ""):
            lander.report.already += 1
            continue
        data = part.get_payload(decode=True)
        payload = data if isinstance(data, bytes) else b""
        why = refusal(delivery.label, len(payload), max_bytes, part.get_content_type())
        if why:
            lander.reject(delivery, why)
        else:
            lander.land(delivery, lambda target, b=payload: target.write_bytes(b))  # type: ignore[misc]


def _message_id(message: EmailMessage) -> str | None:
    value = str(message.get("Message-ID") or "").strip()
    return f"mid:{hashlib.sha256(value.encode()).hexdigest()[:32]}" if value else None


def _date(message: EmailMessage) -> datetime | None:
    """The e-mail's Date header (the sender's clock), in UTC; a Date without a zone is taken as UTC."""
    try:
        value = email.utils.parsedate_to_datetime(str(message.get("Date") or ""))
    except (TypeError, ValueError, IndexError):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _internal_date(head: bytes) -> datetime | None:
    """When the server took the message in, if the Date header is missing or unreadable
    (Internaldate2tuple gives local time, which mktime turns back into an instant)."""
    parsed = imaplib.Internaldate2tuple(head)
    return None if parsed is None else datetime.fromtimestamp(time.mktime(parsed), tz=UTC)


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(data: object) -> str:
    items = data if isinstance(data, list) else [data]
    return " ".join(i.decode(errors="replace") if isinstance(i, bytes) else str(i) for i in items if i is not None)


def _ok(status: str, detail: object) -> None:
    if status != "OK":
        raise imaplib.IMAP4.error(f"the server answered {status}: {_text(detail)[:200]}")
