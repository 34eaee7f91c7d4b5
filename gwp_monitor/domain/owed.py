"""Owed to workers for a contract's headline (spec 4): one figure, no double counting.

v_owed_to_workers already gives, per contract and period, what workers were paid short of their
floor with a worker below both floors owed the larger shortfall once. A contract's headline adds it
over the periods of its open wage breaches: the statutory and the Real Living Wage breach runs both
end in the latest period, so their union is every period from the earlier run's start. The dashboard
and the breach alerts use this same figure; each breach's own arrears stay beside the breach.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from gwp_monitor.domain.catalogue import CATALOGUE
from gwp_monitor.domain.formatting import as_date, as_float, as_text

WAGE_COMMITMENTS = frozenset(name for name, spec in CATALOGUE.items() if spec.source_kind == "payroll")


def open_breach_start(open_breaches: Iterable[Mapping[str, Any]]) -> date | None:
    """The earliest first period of a contract's open wage breaches (v_open_breaches), or None."""
    starts = [
        as_date(b.get("first_period_start")) for b in open_breaches if as_text(b.get("commitment")) in WAGE_COMMITMENTS
    ]
    known = [s for s in starts if s is not None]
    return min(known) if known else None


def owed_in_open_breaches(owed_rows: Iterable[Mapping[str, Any]], open_breaches: Iterable[Mapping[str, Any]]) -> float:
    """v_owed_to_workers' owed_gbp summed over the periods of the open wage breaches, to the penny;
    0 when no wage breach is open."""
    start = open_breach_start(open_breaches)
    if start is None:
        return 0.0
    total = 0.0
    for r in owed_rows:
        period = as_date(r.get("period_start"))
        if period is not None and period >= start:
            total += as_float(r.get("owed_gbp")) or 0.0
    return round(total, 2)
