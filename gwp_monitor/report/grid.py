"""The contract page's verdict grid: commitments down, calendar months across.

Using months as the common axis lines monthly payroll checks up with quarterly workforce checks (a
quarterly verdict spans its three months), so a contract manager reads one column as "what we knew
about that month".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from gwp_monitor.domain.formatting import as_date, as_float, as_text
from gwp_monitor.domain.periods import period_label
from gwp_monitor.report import labels as L
from gwp_monitor.report.parts import css_token


@dataclass(frozen=True)
class Verdict:
    commitment: str
    start: date
    end: date
    status: str
    severity: str | None
    observed: Any
    threshold: Any
    detail: str | None

    @property
    def first_month(self) -> int:
        return self.start.year * 12 + self.start.month - 1

    @property
    def last_month(self) -> int:
        return self.end.year * 12 + self.end.month - 1


@dataclass(frozen=True)
class Cell:
    """A grid cell: empty (no ``verdict``) for one month, or one verdict spanning its months."""

    span: int
    verdict: Verdict | None = None
    css: str = ""
    symbol: str = ""
    text: str = ""
    tip: str = ""


@dataclass(frozen=True)
class Row:
    name: str
    severity: str | None  # the severity's words, shown under the name
    cells: list[Cell]


@dataclass(frozen=True)
class Grid:
    years: list[tuple[int, int]]  # (year, number of month columns)
    months: list[str]
    rows: list[Row]


def verdicts(rows: list[dict[str, Any]]) -> list[Verdict]:
    """History rows as typed verdicts; rows without a commitment or period cannot be placed and are skipped."""
    out = []
    for row in rows:
        start, end = as_date(row.get("period_start")), as_date(row.get("period_end"))
        commitment = as_text(row.get("commitment"))
        if start is None or end is None or commitment is None:
            continue
        out.append(
            Verdict(
                commitment=commitment,
                start=start,
                end=max(start, end),
                status=(as_text(row.get("status")) or "unknown").strip().lower(),
                severity=as_text(row.get("severity")),
                observed=row.get("observed_value"),
                threshold=row.get("threshold"),
                detail=as_text(row.get("detail")),
            )
        )
    return out


def latest_verdicts(history: list[Verdict]) -> dict[str, Verdict]:
    """Each commitment's verdict for its latest period (v_compliance_latest recomputed from the history)."""
    latest: dict[str, Verdict] = {}
    for v in history:
        current = latest.get(v.commitment)
        if current is None or (v.end, v.start) > (current.end, current.start):
            latest[v.commitment] = v
    return latest


def _tip(v: Verdict) -> str:
    """The tooltip of a grid cell: what was observed against what was required, and the detail."""
    lines = [
        f"{L.commitment_name(v.commitment)} \u2014 {period_label(v.start, v.end)}",
        L.label(L.VERDICT_TEXT, v.status),
    ]
    if as_float(v.observed) is not None:
        lines.append(f"Observed: {L.observed_text(v.commitment, v.observed)}")
    if as_float(v.threshold) is not None:
        lines.append(f"Required: {L.threshold_text(v.commitment, v.threshold)}")
    if v.detail:
        lines.append(v.detail)
    return "\n".join(lines)


def _lanes(items: list[Verdict]) -> list[list[Verdict]]:
    """``items`` in period order, in lanes of non-overlapping periods.

    Periods of one commitment do not overlap in normal data; if the register changed a return's
    frequency they can, and each overlap gets its own lane instead of being hidden."""
    lanes: list[list[Verdict]] = []
    for v in items:
        for lane in lanes:
            if lane[-1].last_month < v.first_month:
                lane.append(v)
                break
        else:
            lanes.append([v])
    return lanes


def _cells(lane: list[Verdict], first: int, last: int) -> list[Cell]:
    cells = []
    starts = {v.first_month: v for v in lane}
    m = first
    while m <= last:
        v = starts.get(m)
        if v is None:
            cells.append(Cell(span=1))
            m += 1
            continue
        span = v.last_month - v.first_month + 1
        cells.append(
            Cell(
                span=span,
                verdict=v,
                css=css_token(v.status),
                symbol=L.VERDICT_SYMBOL.get(v.status, "\u2022"),
                text=f"{L.label(L.VERDICT_TEXT, v.status)}, {period_label(v.start, v.end)}",
                tip=_tip(v),
            )
        )
        m += span
    return cells


def grid(history: list[Verdict]) -> Grid | None:
    """The grid's header months and one row per commitment lane; None when there is no verdict yet."""
    if not history:
        return None
    first = min(v.first_month for v in history)
    last = max(v.last_month for v in history)
    years: list[tuple[int, int]] = []
    months = []
    for m in range(first, last + 1):
        year, month = divmod(m, 12)
        months.append(date(year, month + 1, 1).strftime("%b"))
        if years and years[-1][0] == year:
            years[-1] = (year, years[-1][1] + 1)
        else:
            years.append((year, 1))
    by_commitment: dict[str, list[Verdict]] = defaultdict(list)
    for v in history:
        by_commitment[v.commitment].append(v)
    rows = []
    for commitment in sorted(by_commitment, key=L.commitment_sort_key):
        items = sorted(by_commitment[commitment], key=lambda v: (v.first_month, v.last_month))
        severity = next((v.severity for v in items if v.severity), None)
        lanes = _lanes(items)
        for lane_no, lane in enumerate(lanes):
            name = L.commitment_name(commitment) + (f" ({lane_no + 1})" if len(lanes) > 1 else "")
            rows.append(Row(name, L.label(L.SEVERITY_TEXT, severity) if severity else None, _cells(lane, first, last)))
    return Grid(years, months, rows)
