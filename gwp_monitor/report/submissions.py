"""The submissions audit trail, shared by the contract pages and the overview's "unmatched returns" list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gwp_monitor.domain.formatting import DASH, as_int, as_text, count, format_datetime, iso_sort_key
from gwp_monitor.domain.periods import period_label
from gwp_monitor.report import labels as L
from gwp_monitor.report.data import ReportData
from gwp_monitor.report.parts import Tag, tag

SHA_SHOWN = 12


def problems(errors: Any) -> list[str]:
    """The individual problems in a submission's ``errors`` text, one string each.

    The text is JSON (a list of strings or of {column, rule, rows, first_rows, message} objects) or
    one problem per line; anything else is shown whole rather than guessed at.
    """
    text = as_text(errors)
    if text is None or not text.strip():
        return []
    stripped = text.strip()
    if stripped[:1] in "[{":
        try:
            parsed = json.loads(stripped)
        except ValueError:
            parsed = None
        if parsed is not None:
            items = parsed if isinstance(parsed, list) else [parsed]
            return [text for text in (_problem_text(item) for item in items) if text]
    lines = (line.strip().lstrip("-\u2022*").strip() for line in stripped.splitlines())
    return [line for line in lines if line]


def _problem_text(item: Any) -> str:
    """One problem as a sentence: ``column: rule (n rows; first rows ...)``, or its message."""
    if isinstance(item, dict):
        if item.get("message"):
            prefix = f"{item['column']}: " if item.get("column") else ""
            return f"{prefix}{item['message']}"
        parts = [str(item[k]) for k in ("column", "rule") if item.get(k)]
        text = ": ".join(parts) if parts else json.dumps(item, ensure_ascii=False, sort_keys=True)
        extra = []
        rows = item.get("rows", item.get("count", item.get("row_count")))
        if rows not in (None, ""):
            extra.append(f"{rows} row{'s' if str(rows) != '1' else ''}")
        first = item.get("first_rows")
        if first:
            extra.append("first rows " + (", ".join(map(str, first)) if isinstance(first, list) else str(first)))
        return f"{text} ({'; '.join(extra)})" if extra else text
    return "" if item is None else str(item).strip()


@dataclass(frozen=True)
class SubmissionRow:
    """One file received, as the audit trail shows it; ``unlisted`` counts problems without details."""

    muted: bool
    received_sort: str
    received: str
    contract: str
    kind: str
    period: str
    file_name: str
    sha: str
    rows: str
    status: Tag
    problems: list[str]
    error_count: int
    unlisted: int
    docs_href: str | None

    @property
    def sha_short(self) -> str:
        return self.sha[:SHA_SHOWN]


def submission_rows(rows: list[dict[str, Any]], data: ReportData, *, depth: int) -> list[SubmissionRow]:
    """Audit-trail rows, newest first; links to Data Docs are made relative to the page's folder."""
    out = []
    for row in sorted(rows, key=lambda r: iso_sort_key(r.get("received_at")), reverse=True):
        status = (as_text(row.get("status")) or "").lower()
        found = problems(row.get("errors"))
        error_count = as_int(row.get("error_count")) or 0
        href = data.docs_href(row.get("submission_id"))
        out.append(
            SubmissionRow(
                muted=status == "superseded",
                received_sort=iso_sort_key(row.get("received_at")),
                received=format_datetime(row.get("received_at")),
                contract=as_text(row.get("contract_ref")) or "Not recognised",
                kind=L.label(L.KIND_TEXT, row.get("kind")) if as_text(row.get("kind")) else "Unreadable file",
                period=period_label(row.get("period_start"), row.get("period_end")),
                file_name=as_text(row.get("file_name")) or DASH,
                sha=as_text(row.get("file_sha256")) or "",
                rows=count(row.get("row_count")),
                status=tag(status or None, L.SUBMISSION_TEXT),
                problems=found,
                error_count=error_count,
                unlisted=max(error_count - len(found), 0) if found else 0,
                docs_href="../" * depth + href if href else None,
            )
        )
    return out
