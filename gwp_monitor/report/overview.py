"""The overview page's data: one summary per contract, worst first, the tiles, and unmatched returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gwp_monitor.domain.formatting import as_datetime, as_int, as_text, format_datetime, iso_sort_key, money
from gwp_monitor.report import labels as L
from gwp_monitor.report.data import ReportData, by_contract, records
from gwp_monitor.report.names import file_names
from gwp_monitor.report.owed import owed_in_open_breaches
from gwp_monitor.report.parts import NumCell, Tag, Tile, num_cell, rag_tag
from gwp_monitor.report.submissions import SubmissionRow, submission_rows


@dataclass(frozen=True)
class ContractSummary:
    """One line of the overview, also the header figures of the contract's page."""

    ref: str
    supplier: str | None
    rag: str  # lower-case red/amber/green, or "unknown"
    open_breaches: int
    overdue_returns: int
    owed: float  # owed to workers over the open wage breaches, once per worker (report/owed.py)
    last_submission_at: Any
    file_name: str


@dataclass(frozen=True)
class OverviewRow:
    """A contract's line in the contracts table; ``last`` is None when nothing was ever received."""

    summary: ContractSummary
    rag_rank: int
    rag: Tag
    breaches: NumCell
    owed: NumCell
    overdue: NumCell
    last_sort: str
    last: str | None


@dataclass(frozen=True)
class Overview:
    tiles: list[Tile]
    rows: list[OverviewRow]
    unmatched: list[SubmissionRow]


def _rag(value: Any) -> str:
    """Normalised RAG code; anything unexpected is "unknown" (shown grey) rather than guessed."""
    text = (as_text(value) or "").strip().lower()
    return text if text in L.RAG_ORDER else "unknown"


def summaries(data: ReportData) -> list[ContractSummary]:
    """One summary per contract in v_contract_status, worst first (red, most breaches, most owed)."""
    breaches, owed_rows = by_contract(data.open_breaches), by_contract(data.owed_to_workers)
    suppliers: dict[str, str] = {}
    for row in records(data.compliance_history):
        ref, name = as_text(row.get("contract_ref")), as_text(row.get("supplier_name"))
        if ref and name:
            suppliers.setdefault(ref, name)
    # One line per contract even if the view were to repeat one; the first row wins.
    by_ref = {as_text(r.get("contract_ref")): r for r in reversed(records(data.contract_status))}
    rows = [row for ref, row in by_ref.items() if ref]
    names = file_names(dict.fromkeys(as_text(r["contract_ref"]) or "" for r in rows))
    out = []
    for row in rows:
        ref = as_text(row["contract_ref"]) or ""
        out.append(
            ContractSummary(
                ref=ref,
                supplier=as_text(row.get("supplier_name")) or suppliers.get(ref),
                rag=_rag(row.get("rag")),
                open_breaches=as_int(row.get("open_breaches")) or 0,
                overdue_returns=as_int(row.get("overdue_returns")) or 0,
                owed=owed_in_open_breaches(owed_rows.get(ref, []), breaches.get(ref, [])),
                last_submission_at=row.get("last_submission_at"),
                file_name=names[ref],
            )
        )
    out.sort(key=lambda s: (L.RAG_ORDER.get(s.rag, 3), -s.open_breaches, -s.owed, -s.overdue_returns, s.ref))
    return out


def overview(data: ReportData, contracts: list[ContractSummary]) -> Overview:
    """Summary tiles, the contracts table and returns whose contract is unknown or unreadable."""
    by_rag = {rag: sum(1 for s in contracts if s.rag == rag) for rag in L.RAG_ORDER}
    breaches = sum(s.open_breaches for s in contracts)
    overdue = sum(s.overdue_returns for s in contracts)
    tiles = [
        Tile(str(by_rag["red"]), "contracts red", "red", rag_filter="red"),
        Tile(str(by_rag["amber"]), "contracts amber", "amber", rag_filter="amber"),
        Tile(str(by_rag["green"]), "contracts green", "green", rag_filter="green"),
        Tile(money(round(sum(s.owed for s in contracts), 2)), "owed to workers", "money"),
        Tile(str(breaches), "open breaches", "warn" if breaches else ""),
        Tile(str(overdue), "returns overdue", "warn" if overdue else ""),
    ]
    rows = [
        OverviewRow(
            summary=s,
            rag_rank=L.RAG_ORDER.get(s.rag, 3),
            rag=rag_tag(s.rag),
            breaches=num_cell(s.open_breaches, str(s.open_breaches), strong_if_positive=True),
            owed=num_cell(s.owed, money(s.owed), strong_if_positive=True),
            overdue=num_cell(s.overdue_returns, str(s.overdue_returns), strong_if_positive=True),
            last_sort=iso_sort_key(s.last_submission_at),
            last=format_datetime(s.last_submission_at) if as_datetime(s.last_submission_at) else None,
        )
        for s in contracts
    ]
    # Nothing a supplier sent goes unseen: files naming no monitored contract are listed too.
    known = {s.ref for s in contracts}
    unmatched = [r for r in records(data.submissions) if as_text(r.get("contract_ref")) not in known]
    return Overview(tiles, rows, submission_rows(unmatched, data, depth=0))
