"""The landing area's one contract between whatever delivers a return and the pipeline that reads it.

Files reach the landing folder by a plain copy, an SFTP or IMAP fetch, or a portal upload (spec 9).
A plain copy changes a file's modification time, which would make a return late or on time by
accident, so a deliverer that knows the real received time (the SFTP server's modification time, the
e-mail's Date, the portal's upload time) records it in a *sidecar*: a hidden JSON file beside the
return, ``.<name>.gwp.json``. Without a sidecar the file's own modification time counts, as before.

Landing is atomic: the bytes are written to a hidden ``.part`` file, the sidecar is written, then the
file is renamed to its final name. The landing scan skips hidden files, so a crash mid-download never
leaves a half file that the pipeline would read, and a file is never seen without its received time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

SIDECAR_SUFFIX = ".gwp.json"
PART_SUFFIX = ".part"
_SAFE_LABEL = re.compile(r"[^A-Za-z0-9._ -]+")
_MAX_LABEL = 120


@dataclass(frozen=True)
class Delivery:
    """How one file arrived: what the pipeline stores instead of guessing from the file system."""

    received_at: datetime
    #: folder | sftp | imap | portal (v_submissions.source)
    source: str
    #: The name the supplier gave the file, shown to people; never used as a path.
    label: str
    #: Who handed it in, where the source knows (the portal's signed-in user).
    uploaded_by: str | None = None
    #: The file's identity at its source (an SFTP path, an IMAP message id), for fetch-once checks.
    source_id: str | None = None

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise ValueError("Delivery.received_at must be timezone-aware")
        object.__setattr__(self, "received_at", self.received_at.astimezone(UTC))
        object.__setattr__(self, "label", safe_label(self.label))

    def to_json(self) -> str:
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat()
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Delivery:
        data = json.loads(text)
        return cls(
            received_at=datetime.fromisoformat(data["received_at"]),
            source=str(data["source"]),
            label=str(data["label"]),
            uploaded_by=data.get("uploaded_by"),
            source_id=data.get("source_id"),
        )


def safe_label(name: str) -> str:
    """A supplier's file name reduced to something safe to show and log (no path, no control characters)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _SAFE_LABEL.sub("_", base).strip(" .") or "return"
    return cleaned[:_MAX_LABEL]


def sidecar_path(path: Path) -> Path:
    """Where a landed file's delivery record lives (hidden, so the landing scan never reads it as a return)."""
    return path.with_name(f".{path.name}{SIDECAR_SUFFIX}")


def delivery_of(path: Path) -> Delivery | None:
    """The delivery recorded for a landed file, or None for a file copied in by hand (or a broken record)."""
    try:
        return Delivery.from_json(sidecar_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def landed_name(delivery: Delivery, sha256: str, suffix: str) -> str:
    """The name the product gives a landed file: never the supplier's own name, so no name can collide
    with another supplier's, escape the folder or be mistaken for a hidden file."""
    stamp = delivery.received_at.strftime("%Y%m%dT%H%M%SZ")
    return f"{delivery.source}-{stamp}-{sha256[:16]}{suffix.lower()}"


def land_bytes(landing: Path, data: bytes, delivery: Delivery, suffix: str) -> Path:
    """Write a delivered file into the landing folder atomically, with its delivery record."""
    landing.mkdir(parents=True, exist_ok=True)
    final = landing / landed_name(delivery, hashlib.sha256(data).hexdigest(), suffix)
    part = partial_path(landing, final.name)
    with open(part, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return _commit(part, final, delivery)


def partial_path(landing: Path, name: str) -> Path:
    """A hidden name to download into; the landing scan never reads it (see `land_partial`)."""
    landing.mkdir(parents=True, exist_ok=True)
    return landing / f".{name}{PART_SUFFIX}"


def land_partial(part: Path, delivery: Delivery, suffix: str) -> Path:
    """Finish a download written to `partial_path`: name it by content, record its delivery, rename."""
    digest = hashlib.sha256()
    with open(part, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    final = part.parent / landed_name(delivery, digest.hexdigest(), suffix)
    return _commit(part, final, delivery)


def _commit(part: Path, final: Path, delivery: Delivery) -> Path:
    record = sidecar_path(final)
    record_part = record.with_name(record.name + PART_SUFFIX)
    record_part.write_text(delivery.to_json(), encoding="utf-8")
    os.replace(record_part, record)
    os.replace(part, final)
    _fsync_dir(final.parent)
    return final


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
