"""Every commitment in the register for a contract, with its latest verdict or why it has none yet,
and the "what to do next" box built from the catalogue's next steps (the alerts' advice).

The verdict grid only has rows for commitments already assessed; a manager reading the page must
also see the ones the register holds that are still waiting for their first return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from gwp_monitor.domain.catalogue import CATALOGUE
from gwp_monitor.domain.formatting import as_date, as_int, as_text, format_date, money, plural
from gwp_monitor.domain.periods import period_label
from gwp_monitor.report import labels as L
from gwp_monitor.report.grid import Verdict
from gwp_monitor.report.parts import Tag, tag

NO_VERDICT = {"none": "No verdict yet"}


@dataclass(frozen=True)
class CommitmentRow:
    commitment: str
    name: str
    severity: Tag
    status: Tag
    period: str  # the latest verdict's period, or empty
    why: str  # the verdict's detail, or why there is none yet


def _why_none(kind: str, due: list[dict[str, Any]]) -> str:
    """Why a commitment has no verdict: its return kind is not expected yet, or not due yet."""
    rows = [r for r in due if as_text(r.get("kind")) == kind]
    if not rows:
        return f"No {kind} return expected yet under the register"
    if any((as_text(r.get("status")) or "").startswith("received") for r in rows):
        return f"Added to the register after the latest {kind} return was assessed: assessed from the next run"
    first = min(rows, key=lambda r: as_date(r.get("due_date")) or as_date(r.get("period_start")) or date.max)
    return (
        f"No {kind} return yet: the first, for "
        f"{period_label(first.get('period_start'), first.get('period_end'))}, is due {format_date(first.get('due_date'))}"
    )


def commitment_rows(
    register: list[dict[str, Any]], latest: dict[str, Verdict], due: list[dict[str, Any]]
) -> list[CommitmentRow]:
    """One row per commitment in the register (and any assessed one the register no longer lists)."""
    severity = {as_text(r.get("commitment")) or "": as_text(r.get("severity")) for r in register}
    for name, verdict in latest.items():
        severity.setdefault(name, verdict.severity)
    out = []
    for name in sorted(severity, key=L.commitment_sort_key):
        spec = CATALOGUE.get(name)
        v = latest.get(name)
        if v is None:
            kind = spec.source_kind if spec else "return"
            status = tag("none", NO_VERDICT, symbol="\u2013")
            period, why = "", _why_none(kind, due)
        else:
            status = tag(v.status, L.VERDICT_TEXT, symbol=L.VERDICT_SYMBOL.get(v.status))
            period, why = period_label(v.start, v.end), v.detail or ""
        out.append(
            CommitmentRow(name, L.commitment_name(name), tag(severity[name], L.SEVERITY_TEXT), status, period, why)
        )
    return out


def next_steps(
    supplier: str,
    breaches: list[dict[str, Any]],
    latest: dict[str, Verdict],
    due: list[dict[str, Any]],
    rejected_kinds: list[str],
    uplift_sentence: str | None,
    corrected_periods: list[str] | None = None,
) -> list[str]:
    """What the contract manager should do next, most serious first: the catalogue's advice for each
    open breach (as in the alerts), then overdue and rejected returns, unassessable commitments, and
    the announced Real Living Wage rise, and corrected returns that cleared a breach or lowered arrears."""
    steps: list[str] = []
    ordered = sorted(
        breaches,
        key=lambda b: (
            L.SEVERITY_ORDER.get(as_text(b.get("severity")) or "", 9),
            L.commitment_sort_key(b.get("commitment")),
        ),
    )
    for b in ordered:
        spec = CATALOGUE.get(as_text(b.get("commitment")) or "")
        if spec is None:
            continue
        workers = as_int(b.get("workers_affected"))
        arrears = b.get("arrears_gbp")
        words = {
            "supplier": supplier,
            "workers": plural(workers, "worker") if workers is not None else "the workers affected",
            "arrears": f"{money(arrears)} arrears" if arrears is not None else "arrears",
            "any_arrears": f"{money(arrears)} arrears" if arrears is not None else "any arrears",
        }
        steps.extend(step.format(**words) for step in spec.next_steps)
    for r in due:
        if as_text(r.get("status")) == "overdue":
            steps.append(
                f"Chase {supplier} for the overdue {as_text(r.get('kind'))} return for "
                f"{period_label(r.get('period_start'), r.get('period_end'))}, due {format_date(r.get('due_date'))}."
            )
    for kind in rejected_kinds:
        steps.append(f"Ask {supplier} to correct every problem listed in the rejected {kind} return and send it again.")
    unassessed = [L.commitment_name(c) for c, v in latest.items() if v.status == "not_assessable"]
    if unassessed and not any(as_text(r.get("status")) == "overdue" for r in due) and not rejected_kinds:
        steps.append(f"Ask {supplier} for the figures missing for: {', '.join(sorted(unassessed))}.")
    if corrected_periods:
        steps.append(
            f"Check that {supplier}'s corrected return for {', '.join(corrected_periods)} reflects pay actually "
            "put right: ask what changed, and for evidence that any arrears were paid to the workers."
        )
    if uplift_sentence:
        steps.append(f"Ask {supplier} to confirm pay will rise in time. {uplift_sentence}")
    if not steps and not latest:
        steps.append("Nothing to do yet: no return has been assessed for this contract.")
    elif not steps:
        steps.append("Nothing to do: every commitment was kept in its latest period and no return is overdue.")
    return steps
