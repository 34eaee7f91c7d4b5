"""Fetching one source into the landing folder: the part every kind of source shares.

Each file is downloaded to a hidden ``.part`` name (never read by the landing scan), then landed with
its delivery record (``ingest.landed``) and recorded in the ledger (in batches), so a
crash or a server dying mid-download leaves at most one hidden ``.part`` file, overwritten by the
next attempt, and never a half file the pipeline could read. A file whose content was already
fetched (from any source) or already read is recorded as a duplicate and not landed again.

A source that cannot be reached or dies midway raises ``SourceDown`` with one line; what it landed
before that stays landed and recorded.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gwp_monitor.ingest.landed import Delivery, land_partial, partial_path
from gwp_monitor.sources import ledger
from gwp_monitor.sources.ledger import DUPLICATE, LANDED, REJECTED, Entry
from gwp_monitor.sources.urls import Source
from gwp_monitor.store.database import Database

log = logging.getLogger(__name__)

#: What a return file may be (spec 2.2, 2.3); anything else a source offers is refused with a reason.
RETURN_SUFFIXES = (".csv", ".xlsx")
#: Ledger entries are written in batches of this many (and at the end of a fetch, and per e-mail).
FLUSH_EVERY = 50


class SourceDown(Exception):
    """A source could not be reached or failed midway; the message is one line saying what to check."""


@dataclass
class FetchReport:
    """What fetching one source did: only names and counts (safe for logs and XCom)."""

    source: str
    landed: list[str] = field(default_factory=list)
    duplicates: int = 0
    already: int = 0
    rejected: list[str] = field(default_factory=list)
    #: Messages marked read (IMAP).
    marked_read: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "landed": len(self.landed),
            "duplicates": self.duplicates,
            "already_fetched": self.already,
            "rejected": len(self.rejected),  # the reasons go to the log, not XCom
            "error": self.error,
        }

    def summary(self) -> str:
        if self.error:
            return f"{self.source}: FAILED, {self.error}"
        parts = [f"{len(self.landed)} landed", f"{self.duplicates} duplicate(s)", f"{self.already} fetched before"]
        if self.rejected:
            parts.append(f"{len(self.rejected)} refused")
        return f"{self.source}: " + ", ".join(parts)


def refusal(name: str, size: int | None, max_bytes: int, content_type: str | None = None) -> str | None:
    """Why a file a source offers is not taken as a return, or None."""
    suffix = Path(name).suffix.lower()
    if suffix not in RETURN_SUFFIXES:
        what = f" ({content_type})" if content_type else ""
        return f"{name}{what}: refused, not a return file; send returns as CSV or XLSX"
    if size is not None and size > max_bytes:
        return f"{name}: refused, {size} bytes is more than the {max_bytes}-byte limit (GWP_MAX_FILE_BYTES)"
    return None


class Lander:
    """Lands a source's files one at a time, remembering each in the ledger as soon as it is landed."""

    def __init__(self, source: Source, landing: Path, db: Database) -> None:
        self.source, self.landing, self.db = source, landing, db
        self.known = ledger.known_ids(db, source.url)
        self.contents = ledger.known_contents(db)
        self.report = FetchReport(source.url)
        self.pending: list[Entry] = []

    def is_known(self, source_id: str) -> bool:
        return source_id in self.known

    def reject(self, delivery: Delivery, reason: str) -> None:
        assert delivery.source_id is not None
        self._remember(
            Entry(self.source.url, delivery.source_id, delivery.label, delivery.received_at, REJECTED, reason=reason)
        )
        self.report.rejected.append(reason)
        log.warning("%s: %s", self.source.url, reason)

    def land(self, delivery: Delivery, write: Callable[[Path], None]) -> Path | None:
        """Download with `write(part)` into a hidden file, then land it (or drop it as a duplicate)."""
        assert delivery.source_id is not None
        key = hashlib.sha256(f"{self.source.url}\0{delivery.source_id}".encode()).hexdigest()[:24]
        part = partial_path(self.landing, f"fetch-{key}")
        write(part)
        digest = _sha256(part)
        entry = Entry(self.source.url, delivery.source_id, delivery.label, delivery.received_at, LANDED, digest)
        if digest in self.contents:
            part.unlink()
            self._remember(Entry(**{**entry.__dict__, "outcome": DUPLICATE}))
            self.report.duplicates += 1
            return None
        final = land_partial(part, delivery, Path(delivery.label).suffix)
        self.contents.add(digest)
        self._remember(Entry(**{**entry.__dict__, "landed_as": final.name}))
        self.report.landed.append(final.name)
        return final

    def _remember(self, entry: Entry) -> None:
        self.pending.append(entry)
        self.known.add(entry.source_id)
        if len(self.pending) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        """Write what is pending to the ledger (one transaction). Losing pending entries in a crash is
        harmless: a landed file's name follows from its delivery and content, so fetching it again
        lands it under the same name, and content the pipeline already read is a duplicate."""
        entries, self.pending = self.pending, []
        ledger.record(self.db, entries)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
