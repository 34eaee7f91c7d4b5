"""A return handed in through the portal: sniffed, checked exactly as `gwp-monitor check` checks it,
and, when it passes, landed for the pipeline with the portal's received time and the uploader.

The check runs against the register narrowed to the uploader's supplier, so a file naming any other
contract is refused whole with the same words whether that contract exists or not. Nothing of a file
that does not pass is kept: it is checked in a private temporary folder that is removed at once.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert

from gwp_monitor.config.register import Register
from gwp_monitor.config.register_export import UnknownSupplier, for_supplier
from gwp_monitor.ingest.intake import Submission, take_in
from gwp_monitor.ingest.landed import Delivery, land_bytes, safe_label
from gwp_monitor.ingest.reading import ReadLimits
from gwp_monitor.portal.accounts import User, _ts
from gwp_monitor.store.database import Database

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: A workbook may unpack to at most this many times the upload limit, and no part may be compressed
#: more than this ratio (real XLSX parts compress 5-20 times; a zip bomb thousands of times).
MAX_UNPACKED_FACTOR = 10
MAX_RATIO = 200


class Refused(Exception):
    """The upload cannot be checked at all; the message is the one plain reason the supplier is given."""


@dataclass
class CheckResult:
    """What the supplier is told about one upload."""

    label: str
    submissions: list[Submission]
    landed_as: str | None = None
    upload_id: int | None = None
    next_step: str = ""
    problems_count: int = 0
    refused: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.refused is None and bool(self.submissions) and not self.problems_count


def sniff_suffix(data: bytes, max_unpacked: int) -> str:
    """The file's type told from its bytes (never its name or the browser's content type): '.xlsx' for
    a workbook, '.csv' for anything else (the reader then refuses binary or non-UTF-8 text by name).
    Refuses old .xls and protected workbooks, macro-enabled workbooks and archives that unpack too far."""
    if data.startswith(_OLE_MAGIC):
        raise Refused(
            "this is an old .xls workbook or a password-protected one: save it as .xlsx without a password, or as CSV UTF-8"
        )
    if not data.startswith(_ZIP_MAGIC):
        return ".csv"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in archive.namelist() else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError, ValueError) as exc:
        raise Refused("the workbook is damaged and cannot be opened: save it again as .xlsx or CSV UTF-8") from exc
    names = {i.filename for i in infos}
    if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
        raise Refused("macro-enabled workbooks (.xlsm) are not accepted: save as a plain .xlsx workbook or CSV UTF-8")
    unpacked = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if unpacked > max_unpacked or (worst > MAX_RATIO and unpacked > 1_000_000):
        raise Refused(
            f"the workbook unpacks to {unpacked / 1e6:.0f} MB, far more than a return holds: it is refused as unsafe; "
            "send CSV UTF-8, or a workbook saved again from Excel"
        )
    if "xl/workbook.xml" not in names:
        raise Refused("this zip file is not an Excel workbook: send CSV UTF-8 or .xlsx")
    return ".xlsx"


def supplier_register(register: Register, supplier_id: str | None) -> Register:
    """The register narrowed to one supplier's contracts (config.register_export.for_supplier): all a
    supplier's upload is checked against. A supplier with no contract gets an empty register, never the
    "did you mean" hint, which would name another supplier's id."""
    try:
        return for_supplier(register, supplier_id or "")
    except UnknownSupplier:
        return Register(contracts={}, source="your contracts")


def check_upload(
    data: bytes,
    name: str,
    user: User,
    register: Register,
    *,
    today: date,
    limits: ReadLimits,
    max_bytes: int,
) -> tuple[CheckResult, str | None]:
    """Check one uploaded file as `check` would; returns the result and the sniffed suffix (None: refused)."""
    label = safe_label(name or "return")
    if not data or data.isspace():
        return CheckResult(label, [], refused="the file is empty: choose the return file and upload it again"), None
    if len(data) > max_bytes:
        return CheckResult(label, [], refused=too_large(max_bytes)), None
    try:
        suffix = sniff_suffix(data, max_bytes * MAX_UNPACKED_FACTOR)
    except Refused as exc:
        return CheckResult(label, [], refused=str(exc)), None
    scope = supplier_register(register, user.supplier_id)
    with tempfile.TemporaryDirectory(prefix="gwp-portal-check-") as folder:
        delivery = Delivery(received_at=datetime.now(UTC), source="portal", label=label, uploaded_by=user.email)
        staged = land_bytes(Path(folder), data, delivery, suffix)
        intake = take_in([staged], scope, as_of=today, limits=limits)
    subs = intake.submissions
    result = CheckResult(label, subs, problems_count=sum(len(s.problems) for s in subs))
    if len(subs) == 1 and subs[0].kind is None and subs[0].problems:
        result.refused = subs[0].problems[0].rule  # unreadable: one reason
    return result, suffix


def too_large(max_bytes: int) -> str:
    return f"the file is larger than the {max_bytes / 1048576:.0f} MB limit: split it by contract or period"


def land_upload(
    db: Database, landing: Path, data: bytes, suffix: str, user: User, result: CheckResult
) -> tuple[Path, int]:
    """Land a file that passed (atomically, with its delivery record) and record the upload."""
    delivery = Delivery(received_at=datetime.now(UTC), source="portal", label=result.label, uploaded_by=user.email)
    path = land_bytes(landing, data, delivery, suffix)
    if user.supplier_id is None:
        raise ValueError("only a supplier user hands in returns")
    with db.engine.begin() as conn:
        upload_id = conn.execute(
            insert(db.table("portal_uploads"))
            .values(
                user_id=user.user_id,
                supplier_id=user.supplier_id,
                uploaded_at=_ts(db, delivery.received_at),
                file_sha256=hashlib.sha256(data).hexdigest(),
                stored_name=path.name,
                label=result.label,
            )
            .returning(db.table("portal_uploads").c.upload_id)
        ).scalar_one()
        conn.execute(
            insert(db.table("portal_upload_submissions")),
            [
                {
                    "upload_id": upload_id,
                    "content_sha256": s.content_sha256,
                    "contract_ref": s.contract_ref,
                    "kind": s.kind,
                    "period_start": s.period_start,
                    "period_end": s.period_end,
                }
                for s in {s.content_sha256: s for s in result.submissions}.values()
            ],
        )
    return path, int(upload_id)
