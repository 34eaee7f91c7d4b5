"""The ``fetched_files`` ledger: what each source already gave, so a file is fetched exactly once.

A file is known by its identity at the source (an SFTP path with its modification time and size, an
e-mail's Message-ID and attachment) and by its content: content already fetched from any source, or
already read by the pipeline (``files_seen``), is not landed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from gwp_monitor.store.database import Database
from gwp_monitor.store.retry import retry_transient
from gwp_monitor.store.upsert import insert_or_ignore
from gwp_monitor.store.writes import _ts, utcnow

LANDED, DUPLICATE, REJECTED = "landed", "duplicate", "rejected"


@dataclass(frozen=True)
class Entry:
    """One file a source gave and what became of it."""

    source: str
    source_id: str
    label: str
    received_at: datetime
    outcome: str
    content_sha256: str | None = None
    landed_as: str | None = None
    reason: str | None = None


@retry_transient
def known_ids(db: Database, source: str) -> set[str]:
    table = db.table("fetched_files")
    with db.engine.connect() as conn:
        return set(conn.execute(select(table.c.source_id).where(table.c.source == source)).scalars())


@retry_transient
def known_contents(db: Database) -> set[str]:
    """Contents landed from any source, and contents the pipeline already read."""
    fetched, seen = db.table("fetched_files"), db.table("files_seen")
    with db.engine.connect() as conn:
        landed = conn.execute(
            select(fetched.c.content_sha256).where(fetched.c.outcome == LANDED, fetched.c.content_sha256.is_not(None))
        ).scalars()
        return set(landed) | set(conn.execute(select(seen.c.file_sha256)).scalars())


@retry_transient
def record(db: Database, entries: list[Entry]) -> None:
    """Remember what became of files (written as soon as they are landed, so a crash loses none)."""
    if not entries:
        return
    now = _ts(db, utcnow())
    rows = [
        {
            "source": e.source,
            "source_id": e.source_id[:1000],
            "content_sha256": e.content_sha256,
            "label": e.label[:200],
            "received_at": _ts(db, e.received_at),
            "fetched_at": now,
            "outcome": e.outcome,
            "landed_as": e.landed_as,
            "reason": e.reason,
        }
        for e in entries
    ]
    with db.engine.begin() as conn:
        insert_or_ignore(conn, db.table("fetched_files"), rows, key=["source", "source_id"])
