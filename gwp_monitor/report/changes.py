"""What each resubmission changed (v_resubmission_changes), for the contract page's audit trail.

A corrected return replaces the earlier one's results, but the evidence stays: the page says, per
commitment, what the earlier return said and what the correction says, so arrears cannot vanish
from the record by resubmitting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gwp_monitor.domain.formatting import DASH, as_float, as_text, format_datetime, iso_sort_key, money
from gwp_monitor.domain.periods import period_label
from gwp_monitor.report import labels as L
from gwp_monitor.report.parts import Tag, tag


@dataclass(frozen=True)
class ChangeRow:
    changed_sort: str
    changed: str  # when the correction was received (the new submission's received_at)
    files: str  # "x_corrected.csv replaced x.csv"
    period: str
    kind: str
    commitment: str
    previous: Tag
    new: Tag
    observed: str  # "9 workers below -> 0 workers below"
    arrears: str  # "£359.33 -> £0.00", or a dash for commitments without arrears
    cleared: bool  # a breach turned compliant or arrears fell: the manager should check it is genuine


def _arrow(before: str, after: str) -> str:
    return f"{before} \u2192 {after}"


def _key(value: Any) -> str:
    """A submission id as text, whatever the driver handed back (int, float, str)."""
    number = as_float(value)
    return str(int(number)) if number is not None and number.is_integer() else str(value)


def change_rows(rows: list[dict[str, Any]], submissions: list[dict[str, Any]]) -> list[ChangeRow]:
    """Newest first; within one resubmission by period and commitment. ``submissions`` (v_submissions)
    name the two files and say when the correction was received."""
    files = {_key(s.get("submission_id")): s for s in submissions}
    out = []
    for r in sorted(rows, key=lambda r: (str(r.get("period_start")), L.commitment_sort_key(r.get("commitment")))):
        commitment = as_text(r.get("commitment")) or ""
        before, after = as_float(r.get("previous_arrears_gbp")), as_float(r.get("new_arrears_gbp"))
        previous, new = as_text(r.get("previous_status")), as_text(r.get("new_status"))
        earlier = files.get(_key(r.get("previous_submission_id")), {})
        newer = files.get(_key(r.get("new_submission_id")), {})
        received = newer.get("received_at") if newer.get("received_at") is not None else r.get("changed_at")
        out.append(
            ChangeRow(
                changed_sort=iso_sort_key(received),
                changed=format_datetime(received),
                files=f"{as_text(newer.get('file_name')) or 'submission ' + _key(r.get('new_submission_id'))} "
                f"replaced {as_text(earlier.get('file_name')) or 'submission ' + _key(r.get('previous_submission_id'))}",
                period=period_label(r.get("period_start"), r.get("period_end")),
                kind=L.label(L.KIND_TEXT, r.get("kind")),
                commitment=L.commitment_name(commitment),
                previous=tag(previous, L.VERDICT_TEXT, symbol=L.VERDICT_SYMBOL.get(previous or "")),
                new=tag(new, L.VERDICT_TEXT, symbol=L.VERDICT_SYMBOL.get(new or "")),
                observed=_arrow(
                    L.observed_text(commitment, r.get("previous_observed_value")),
                    L.observed_text(commitment, r.get("new_observed_value")),
                ),
                arrears=DASH if before is None and after is None else _arrow(money(before or 0), money(after or 0)),
                cleared=(previous == "breach" and new == "compliant") or ((after or 0) < (before or 0)),
            )
        )
    out.sort(key=lambda c: c.changed_sort, reverse=True)  # stable: the view's order within one resubmission
    return out
