"""A contract page's data: its status and why, key figures, and one panel per question a manager asks."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gwp_monitor.domain.formatting import (
    DASH,
    PERCENT,
    as_date,
    as_datetime,
    as_decimal,
    as_float,
    as_text,
    format_date,
    iso_sort_key,
    money,
)
from gwp_monitor.domain.periods import period_label
from gwp_monitor.report import labels as L
from gwp_monitor.report.changes import ChangeRow, change_rows
from gwp_monitor.report.commitments import CommitmentRow, commitment_rows, next_steps
from gwp_monitor.report.data import ReportData
from gwp_monitor.report.grid import Grid, Verdict, grid, latest_verdicts, verdicts
from gwp_monitor.report.overview import ContractSummary
from gwp_monitor.report.owed import Owed, Uplift, owed, uplift
from gwp_monitor.report.parts import Tag, Tile, rag_tag, tag
from gwp_monitor.report.submissions import SubmissionRow, submission_rows
from gwp_monitor.report.wages import Wages, wages


@dataclass(frozen=True)
class LatestRow:
    """The grid's last column in words, for screen readers and print."""

    commitment: str
    verdict: Verdict
    status: Tag


@dataclass(frozen=True)
class BreachRow:
    row: dict[str, Any]
    name: str
    severity: Tag
    arrears: float | None


@dataclass(frozen=True)
class DueRow:
    row: dict[str, Any]
    status: Tag


@dataclass(frozen=True)
class RegisterCheckRow:
    """One workforce period beside the public gender pay gap register (v_public_register_checks)."""

    row: dict[str, Any]
    year: str
    published: Tag
    link: str | None
    figures: tuple[str, str, str, str]  # published median, published mean, returned median, difference


def _pct(value: Any) -> str:
    """A percentage as published (``19.0%``); a dash when there is none."""
    figure = as_decimal(value)
    return DASH if figure is None else PERCENT.show(figure)


_PUBLISHED_TEXT = {"yes": "Published", "no": "Not published", "unknown": "Cannot tell"}


def _told(row: dict[str, Any]) -> bool:
    published = row.get("published")
    return (published is not None and published == published) or bool(as_text(row.get("name_suggestion")))


def _register_checks(rows: list[dict[str, Any]]) -> list[RegisterCheckRow]:
    """Newest period first; the link only when it is an http(s) address (never javascript: or junk).

    Nothing when the register told nothing about the contract yet (no year imported, none due): a
    panel of "cannot tell" rows on every contract would only be noise.
    """
    if not any(_told(r) for r in rows):
        return []
    out = []
    for r in sorted(rows, key=lambda r: as_date(r.get("period_start")) or date.min, reverse=True):
        year = r.get("reporting_year")
        published = r.get("published")
        state = "unknown" if published is None or published != published else ("yes" if published else "no")
        link = as_text(r.get("register_link"))
        out.append(
            RegisterCheckRow(
                row=r,
                year=f"{int(year)}-{(int(year) + 1) % 100:02d}" if year is not None and year == year else "",
                published=tag(state, _PUBLISHED_TEXT),
                link=link if link and re.match(r"^https?://", link) else None,
                figures=tuple(  # type: ignore[arg-type]
                    _pct(r.get(c))
                    for c in ("published_median_pct", "published_mean_pct", "returned_median_pct", "difference_pct")
                ),
            )
        )
    return out


@dataclass(frozen=True)
class ContractPage:
    summary: ContractSummary
    title: str
    rag: Tag
    reasons: list[str]
    tiles: list[Tile]
    grid: Grid | None
    latest: list[LatestRow]
    wages: Wages | None
    breaches: list[BreachRow]
    timeliness_summary: str
    timeliness: list[DueRow]
    submissions: list[SubmissionRow]
    register_checks: list[RegisterCheckRow] = field(default_factory=list)
    contract_title: str | None = None
    contract_manager: str | None = None
    supplier_contact: str | None = None
    owed: Owed | None = None
    uplift: Uplift | None = None
    commitments: list[CommitmentRow] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    changes: list[ChangeRow] = field(default_factory=list)


def _latest_rows(latest: dict[str, Verdict]) -> list[LatestRow]:
    return [
        LatestRow(c, latest[c], tag(latest[c].status, L.VERDICT_TEXT, symbol=L.VERDICT_SYMBOL.get(latest[c].status)))
        for c in sorted(latest, key=L.commitment_sort_key)
    ]


def _breaches(rows: list[dict[str, Any]]) -> list[BreachRow]:
    """Open breaches, most severe first: the statutory minimum (unlawful underpayment) always on top."""
    ordered = sorted(
        rows,
        key=lambda r: (
            L.SEVERITY_ORDER.get((as_text(r.get("severity")) or "").lower(), 9),
            L.commitment_sort_key(as_text(r.get("commitment"))),
        ),
    )
    return [
        BreachRow(
            row=r,
            name=L.commitment_name(as_text(r.get("commitment"))),
            severity=tag(as_text(r.get("severity")), L.SEVERITY_TEXT),
            arrears=as_float(r.get("arrears_gbp")),
        )
        for r in ordered
    ]


def _timeliness(rows: list[dict[str, Any]]) -> tuple[str, list[DueRow]]:
    """Expected returns, newest first, with a one-line count of each status."""
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[(as_text(r.get("status")) or "").lower()] += 1
    summary = " \u00b7 ".join(
        f"{counts[k]} {L.TIMELINESS_TEXT[k].split(' (')[0].lower()}" for k in L.TIMELINESS_TEXT if counts.get(k)
    )
    ordered = sorted(
        rows,
        key=lambda r: (as_date(r.get("period_start")) or date.min, as_text(r.get("kind")) or ""),
        reverse=True,
    )
    return summary, [DueRow(r, tag(as_text(r.get("status")), L.TIMELINESS_TEXT)) for r in ordered]


def _latest_by_kind(submissions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each return kind's most recently received submission."""
    latest_by_kind: dict[str, dict[str, Any]] = {}
    for s in submissions:
        kind = as_text(s.get("kind"))
        if kind and (
            kind not in latest_by_kind
            or iso_sort_key(s.get("received_at")) > iso_sort_key(latest_by_kind[kind].get("received_at"))
        ):
            latest_by_kind[kind] = s
    return latest_by_kind


def _rejected_kinds(submissions: list[dict[str, Any]]) -> list[str]:
    return sorted(
        kind
        for kind, s in _latest_by_kind(submissions).items()
        if (as_text(s.get("status")) or "").lower() == "rejected"
    )


def _rag_reasons(summary: ContractSummary, latest: dict[str, Verdict], submissions: list[dict[str, Any]]) -> list[str]:
    """Why the contract has its colour, in the terms of spec 4, so nobody has to reverse-engineer it."""
    reasons = []
    in_order = sorted(latest, key=L.commitment_sort_key)
    breached = [L.commitment_name(c) for c in in_order if latest[c].status == "breach"]
    if breached:
        reasons.append("In breach: " + ", ".join(breached))
    unassessed = [L.commitment_name(c) for c in in_order if latest[c].status == "not_assessable"]
    if unassessed:
        reasons.append("Could not be assessed in the latest period: " + ", ".join(unassessed))
    if summary.overdue_returns:
        reasons.append(f"{summary.overdue_returns} return{'s' if summary.overdue_returns != 1 else ''} overdue")
    for kind, s in sorted(_latest_by_kind(submissions).items()):
        if (as_text(s.get("status")) or "").lower() == "rejected":
            period = period_label(s.get("period_start"), s.get("period_end"))
            reasons.append(f"Latest {L.label(L.KIND_TEXT, kind).lower()} return ({period}) was rejected")
    if not reasons and summary.rag == "green":
        kept = "Every commitment kept in its latest period" if latest else "No verdicts yet"
        reasons.append(f"{kept}; no return overdue")
    return reasons


def _tiles(summary: ContractSummary) -> list[Tile]:
    last = summary.last_submission_at
    return [
        Tile(str(summary.open_breaches), "open breaches", "warn" if summary.open_breaches else "green"),
        Tile(money(summary.owed), "owed to workers", "money"),
        Tile(str(summary.overdue_returns), "returns overdue", "warn" if summary.overdue_returns else "green"),
        Tile(format_date(last) if as_datetime(last) else "None yet", "last submission received", ""),
    ]


def contract_page(data: ReportData, summary: ContractSummary, rows: dict[str, list[dict[str, Any]]]) -> ContractPage:
    """Everything one contract's page shows, from that contract's rows of each view."""
    history = verdicts(rows["compliance_history"])
    latest = latest_verdicts(history)
    slug = summary.file_name[: -len(".html")]
    summary_line, due = _timeliness(rows["return_timeliness"])
    registered = next(iter(rows.get("register", [])), {})
    owed_rows, wage_rows = rows.get("owed_to_workers", []), rows["wage_compliance"]
    rise = uplift(owed_rows, wage_rows)
    supplier = summary.supplier or "the supplier"
    changes = change_rows(rows.get("resubmission_changes", []), rows["submissions"])
    return ContractPage(
        summary=summary,
        title=summary.ref + (f" \u00b7 {summary.supplier}" if summary.supplier else ""),
        rag=rag_tag(summary.rag, large=True),
        reasons=_rag_reasons(summary, latest, rows["submissions"]),
        tiles=_tiles(summary),
        grid=grid(history),
        latest=_latest_rows(latest),
        wages=wages(wage_rows, "c-" + re.sub(r"[^A-Za-z0-9_-]", "", slug), pay_from=rise.pay_from if rise else None),
        breaches=_breaches(rows["open_breaches"]),
        timeliness_summary=summary_line,
        timeliness=due,
        submissions=submission_rows(rows["submissions"], data, depth=1),
        register_checks=_register_checks(rows.get("public_register_checks", [])),
        contract_title=as_text(registered.get("title")),
        contract_manager=as_text(registered.get("contract_manager")),
        supplier_contact=as_text(registered.get("supplier_contact")),
        owed=owed(owed_rows, rows["open_breaches"]) if owed_rows else None,
        uplift=rise,
        commitments=commitment_rows(rows.get("register_commitments", []), latest, rows["return_timeliness"]),
        next_steps=next_steps(
            supplier,
            rows["open_breaches"],
            latest,
            rows["return_timeliness"],
            _rejected_kinds(rows["submissions"]),
            rise.sentence if rise and rise.workers else None,
            list(dict.fromkeys(c.period for c in changes if c.cleared)),
        ),
        changes=changes,
    )
