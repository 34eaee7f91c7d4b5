"""Source URLs: what a deployment writes in ``GWP_SOURCES`` or on a supplier in the register.

Light on purpose (no paramiko, no database): the register and the DAG files parse source URLs too.
A URL never carries a password: credentials come from the environment or an Airflow connection
(``sources.credentials``), so a URL is safe to show in logs, XCom and the docs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote, urlsplit

SourceKind = Literal["folder", "sftp", "imap", "portal"]
_SCHEMES: dict[str, SourceKind] = {"file": "folder", "sftp": "sftp", "imaps": "imap", "portal": "portal"}
DEFAULT_PORTS = {"sftp": 22, "imap": 993}
EXAMPLES = "file:///srv/returns, sftp://user@host[:port]/folder, imaps://user@host[:port]/INBOX or portal"


class SourceUrlError(ValueError):
    """A source URL that cannot be used; the message says what to write instead."""


@dataclass(frozen=True)
class Source:
    """One configured source. ``url`` is the normalised URL, the source's name everywhere."""

    kind: SourceKind
    url: str
    user: str | None = None
    host: str | None = None
    port: int | None = None
    #: A folder (file, sftp) or a mailbox name (imap).
    path: str = ""

    @property
    def delivery_source(self) -> str:
        """What ``Delivery.source`` (and v_submissions.source) says for files from this source."""
        return self.kind


def parse_source(text: str) -> Source:
    """The source a URL names, or SourceUrlError saying what is wrong with it."""
    raw = text.strip()
    if raw == "portal" or raw.rstrip("/") == "portal:":
        return Source("portal", "portal")
    parts = urlsplit(raw)
    kind = _SCHEMES.get(parts.scheme.lower())
    if kind is None:
        raise SourceUrlError(f"source {raw!r} has an unknown scheme: write one of {EXAMPLES}")
    if parts.password is not None:
        raise SourceUrlError(
            f"source {parts.scheme}://{parts.hostname}... holds a password: remove it from the URL and set "
            "it in the environment or an Airflow connection (see docs/deployment.md, Intake)"
        )
    if parts.query or parts.fragment:
        raise SourceUrlError(f"source {raw!r}: a source URL has no ?query or #fragment")
    if kind == "folder":
        if parts.netloc not in ("", "localhost"):
            raise SourceUrlError(f"source {raw!r}: a file:// URL names a local folder, e.g. file:///srv/returns")
        folder = unquote(parts.path)
        if not folder.startswith("/"):
            raise SourceUrlError(f"source {raw!r}: write an absolute folder, e.g. file:///srv/returns")
        return Source("folder", Path(folder).as_uri(), path=str(Path(folder)))
    if not parts.hostname or not parts.username:
        raise SourceUrlError(f"source {raw!r}: name the user and the host, e.g. {parts.scheme}://user@host/...")
    try:
        port = parts.port or DEFAULT_PORTS[kind]
    except ValueError as exc:
        raise SourceUrlError(f"source {raw!r}: the port is not a number from 1 to 65535") from exc
    path = unquote(parts.path)
    if kind == "imap":
        path = path.strip("/") or "INBOX"
        if not re.fullmatch(r"[\w .&/+-]{1,200}", path):
            raise SourceUrlError(f"source {raw!r}: the mailbox name {path!r} has characters IMAP will not take")
    else:
        path = path or "/"
    user = unquote(parts.username)
    host = parts.hostname
    shown_host = f"[{host}]" if ":" in host else host
    url = f"{parts.scheme.lower()}://{quote(user, safe='')}@{shown_host}:{port}/{path.lstrip('/')}"
    return Source(kind, url, user=user, host=host, port=port, path=path)


def parse_sources(texts: Iterable[str]) -> list[Source]:
    """Each URL once (by its normalised form), in the order given."""
    seen: dict[str, Source] = {}
    for text in texts:
        if text and text.strip():
            source = parse_source(text)
            seen.setdefault(source.url, source)
    return list(seen.values())
