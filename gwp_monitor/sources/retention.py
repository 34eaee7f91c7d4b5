"""Retention of raw return files: the data-protection control for the personal data they hold (spec 6, 9).

Once a file's submissions are stored (or it was found already processed), the file and its delivery
record move out of the landing folder into the processed area, in a folder named for the day they
moved (``processed/2026-11-30/...``). That folder is deleted once it is older than the retention
period (``GWP_RETENTION_DAYS``, default 90), by the daily DAG or ``gwp-monitor landing purge``. The
reporting database keeps only aggregates, so nothing personal outlives the retention period.
The processed area is never inside the landing folder, so the landing scan never reads a file again.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from gwp_monitor.ingest.landed import PART_SUFFIX, sidecar_path

log = logging.getLogger(__name__)

#: A hidden download older than this was abandoned by a crash (a live one is rewritten constantly).
STALE_PART = timedelta(days=1)


class RetentionError(ValueError):
    """The processed area cannot be used as configured; the message says what to change."""


def check_processed_area(landing: Path, processed: Path) -> None:
    """Refuse a processed area inside the landing folder (or the reverse): files would be read again."""
    landing_abs, processed_abs = landing.resolve(), processed.resolve()
    if processed_abs.is_relative_to(landing_abs) or landing_abs.is_relative_to(processed_abs):
        raise RetentionError(
            f"the processed area {processed} overlaps the landing folder {landing}: "
            "set GWP_PROCESSED_DIR to a folder beside it, e.g. its sibling 'processed'"
        )


def retire(landing: Path, processed: Path, files: Iterable[Path], today: date | None = None) -> list[Path]:
    """Move processed landing files and their delivery records to today's folder of the processed area.

    A file that cannot be moved stays where it is (it is already recorded as read, so it is not read
    again) and is tried next run; the reason is logged."""
    check_processed_area(landing, processed)
    day = processed / (today or datetime.now(UTC).date()).isoformat()
    moved = []
    for path in files:
        if not path.exists():
            continue
        try:
            relative = path.resolve().relative_to(landing.resolve())
            target = _free_name(day / relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            record = sidecar_path(path)
            if record.exists():
                shutil.move(record, sidecar_path(target))
            shutil.move(path, target)
        except (OSError, ValueError) as exc:
            log.warning("%s: could not be moved to the processed area (%s); tried again next run", path.name, exc)
            continue
        moved.append(target)
    return moved


def _free_name(target: Path) -> Path:
    """`target`, or `name-2.ext`... when a file of that name was already moved there today."""
    candidate, n = target, 1
    while candidate.exists() or sidecar_path(candidate).exists():
        n += 1
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
    return candidate


@dataclass
class PurgeReport:
    """Folders (days) and abandoned downloads deleted, or that would be with ``dry_run``."""

    days: list[str] = field(default_factory=list)
    files: int = 0
    parts: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {"days_deleted": self.days, "files_deleted": self.files, "abandoned_downloads": len(self.parts)}


def purge(
    processed: Path,
    retention_days: int,
    today: date | None = None,
    landing: Path | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Delete the processed area's days older than `retention_days`, and downloads abandoned in `landing`."""
    today = today or datetime.now(UTC).date()
    cutoff = today - timedelta(days=retention_days)
    report = PurgeReport(dry_run=dry_run)
    if processed.is_dir():
        for folder in sorted(processed.iterdir()):
            day = _day(folder)
            if day is None or day >= cutoff:
                continue  # not a day folder of ours (left alone), or still within the retention period
            report.days.append(folder.name)
            report.files += sum(1 for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
            if not dry_run:
                shutil.rmtree(folder)
    if landing is not None and landing.is_dir():
        old = datetime.now(UTC).timestamp() - STALE_PART.total_seconds()
        for part in landing.rglob(f".*{PART_SUFFIX}"):
            if part.is_file() and part.stat().st_mtime < old:
                report.parts.append(part.name)
                if not dry_run:
                    part.unlink(missing_ok=True)
    return report


def _day(folder: Path) -> date | None:
    if not folder.is_dir() or folder.is_symlink():
        return None
    try:
        return date.fromisoformat(folder.name)
    except ValueError:
        return None
