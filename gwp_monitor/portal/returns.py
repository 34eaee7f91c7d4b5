"""What the pages and the API share: handing in a return, template downloads, serving an upload back,
the live dashboard. Each takes the portal's state and the signed-in user; authorisation of the route
is done by its `Access`, authorisation of the object (whose upload is this?) here."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from fastapi import HTTPException, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response

from gwp_monitor.ingest.reading import ReadLimits
from gwp_monitor.ingest.template_files import template_bytes, template_filename
from gwp_monitor.portal import accounts, data
from gwp_monitor.portal.accounts import User
from gwp_monitor.portal.airflow_trigger import announce_landing
from gwp_monitor.portal.app import PortalState
from gwp_monitor.portal.uploads import CheckResult, check_upload, land_upload, too_large

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: The live dashboard is rendered at most this often (seconds); between, the rendered pages are reused.
DASHBOARD_TTL = 30.0


class KindName(StrEnum):
    payroll = "payroll"
    workforce = "workforce"


class FormatName(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


def template_response(kind: str, fmt: str) -> Response:
    return Response(
        template_bytes(kind, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{template_filename(kind, fmt)}"'},
    )


@dataclass
class HandIn:
    result: CheckResult
    next_step: str = ""
    too_large: bool = False


def _read_upload(file: UploadFile, limit: int) -> bytes | None:
    """The uploaded bytes, or None when over `limit` (read no further than one byte past it)."""
    file.file.seek(0)
    data = file.file.read(limit + 1)
    return None if len(data) > limit else data


def hand_in(state: PortalState, user: User, file: UploadFile) -> HandIn:
    """Check an upload as `gwp-monitor check` would and land it when it passes; audit either way."""
    s = state.settings
    name = file.filename or "return"
    data = _read_upload(file, s.portal_max_upload_bytes)
    if data is None:
        accounts.audit(state.db, user.email, "upload", name[:200], "too_large")
        from gwp_monitor.ingest.landed import safe_label

        return HandIn(CheckResult(safe_label(name), [], refused=too_large(s.portal_max_upload_bytes)), too_large=True)
    register = state.register()
    limits = ReadLimits(max_bytes=s.portal_max_upload_bytes, max_line_bytes=s.max_line_bytes)
    result, suffix = check_upload(
        data, name, user, register, today=s.today, limits=limits, max_bytes=s.portal_max_upload_bytes
    )
    if not result.accepted or suffix is None:
        accounts.audit(state.db, user.email, "upload", result.label, "refused" if result.refused else "problems")
        return HandIn(result)
    landed, upload_id = land_upload(state.db, Path(s.landing_dir), data, suffix, user, result)
    result.landed_as, result.upload_id = landed.name, upload_id
    accounts.audit(state.db, user.email, "upload", f"{result.label} -> {landed.name}", "landed")
    triggered = announce_landing(s, {"source": "portal", "file": landed.name})
    result.next_step = triggered.message
    return HandIn(result, next_step=triggered.message)


def serve_upload(state: PortalState, user: User, upload_id: int) -> Response:
    """The landed file of an upload, to its supplier's users and contract managers only; anyone else gets
    the same 404 as for an upload that does not exist (no way to tell the two apart)."""
    rows = [r for r in data.uploads(state.db, user) if r["upload_id"] == upload_id]
    if not rows:
        raise HTTPException(404, "no such upload")
    row = rows[0]
    landing = Path(state.settings.landing_dir).resolve()
    path = (landing / row["stored_name"]).resolve()
    if not path.is_relative_to(landing) or not path.is_file():
        raise HTTPException(404, "the file has been processed and is no longer kept")
    accounts.audit(state.db, user.email, "download_upload", row["stored_name"])
    fmt = "xlsx" if path.suffix == ".xlsx" else "csv"
    return FileResponse(path, media_type=MEDIA_TYPES[fmt], filename=row["label"])


def dashboard_page(state: PortalState, path: str) -> Response:
    """A page of the contract managers' dashboard (gwp_monitor.report), rendered live from the database."""
    from gwp_monitor.report.build import load_report_data
    from gwp_monitor.report.environment import CSP
    from gwp_monitor.report.render import build_site

    cached = state.dashboard
    if cached is None or time.monotonic() - cached[0] > DASHBOARD_TTL:
        cached = state.dashboard = (time.monotonic(), build_site(load_report_data(state.db)))
    html = cached[1].get(path)
    if html is None:
        raise HTTPException(404, "no such dashboard page")
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": CSP.replace("form-action 'none'", "form-action 'none'; frame-ancestors 'none'")
        },
    )
