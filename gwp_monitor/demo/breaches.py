"""Commitments broken on purpose: the record of each, and how a workforce row keeps or breaks one.

Payroll breaches (pay below a wage floor) are planted in ``pay``; workforce commitments are kept or
broken here, one function per commitment type, by adjusting the row's figures only as far as needed
(a count one above a cap, a share just below a minimum), so a breach is a near miss, as in real life.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

Row = dict[str, Any]  # one workforce return row, by template column
Params = Mapping[str, Any]  # one commitment's parameters from the register


@dataclass(frozen=True)
class PlantedBreach:
    """A commitment deliberately not kept in the sample data, for one contract and period."""

    contract_ref: str
    commitment: str
    period_start: date
    period_end: date
    detail: str = ""


def planted_breaches(frame: pd.DataFrame) -> tuple[PlantedBreach, ...]:
    """The commitments a frame from ``make_payroll`` or ``make_workforce`` breaches on purpose."""
    return tuple(frame.attrs.get("breaches", ()))


def _max_count(limit: float, headcount: int) -> int:
    """Largest count whose share of headcount is <= limit, safe against float rounding."""
    k = math.floor(limit * headcount + 1e-9)
    while k > 0 and k / headcount > limit:
        k -= 1
    return k


def _min_count(limit: float, headcount: int) -> int:
    """Smallest count whose share of headcount is >= limit, safe against float rounding."""
    k = math.ceil(limit * headcount - 1e-9)
    while k < headcount and k / headcount < limit:
        k += 1
    return k


#: Makes one workforce row keep (or, when asked, break) one commitment; returns a breach detail or None.
Enforcer = Callable[[Row, Params, bool, np.random.Generator], "str | None"]


def _share_cap(column: str, key: str) -> Enforcer:
    def enforce(row: Row, params: Params, breach: bool, rng: np.random.Generator) -> str | None:
        hc = row["headcount"]
        if hc == 0:
            return None
        limit = _max_count(float(params[key]), hc)
        if breach and limit < hc:
            row[column] = min(hc, limit + 1 + int(rng.integers(0, 3)))
            return f"{row[column]} of {hc}"
        row[column] = min(row[column], limit)
        return None

    return enforce


def _enforce_min_apprentices(row: Row, params: Params, breach: bool, rng: np.random.Generator) -> str | None:
    need = int(params["min"])
    if breach and need >= 1:
        row["apprentices"] = min(row["apprentices"], int(rng.integers(0, need)))
        return f"{row['apprentices']} apprentices"
    row["apprentices"] = min(max(row["apprentices"], need), row["headcount"])
    return "fewer people than apprentices required" if row["apprentices"] < need else None


def _enforce_local(row: Row, params: Params, breach: bool, rng: np.random.Generator) -> str | None:
    hc = row["headcount"]
    if hc == 0:
        return None
    need = _min_count(float(params["min"]), hc)
    if breach and need >= 1:
        row["local_residents"] = min(row["local_residents"], max(0, need - 1 - int(rng.integers(0, 3))))
        return f"{row['local_residents']} of {hc}"
    row["local_residents"] = max(row["local_residents"], need)
    return None


def _enforce_voice(row: Row, params: Params, breach: bool, rng: np.random.Generator) -> str | None:
    if breach:
        row["recognised_trade_union"] = row["worker_voice_forum"] = False
        return "no union, no forum"
    if not (row["recognised_trade_union"] or row["worker_voice_forum"]):
        row["worker_voice_forum"] = True
    return None


def _enforce_flexible(row: Row, params: Params, breach: bool, rng: np.random.Generator) -> str | None:
    row["flexible_working_from_day_one"] = not breach
    return "not from day one" if breach else None


def _enforce_gpg_reported(row: Row, params: Params, breach: bool, rng: np.random.Generator) -> str | None:
    if breach:
        row["gender_pay_gap_mean_pct"] = math.nan  # the median stays, so max_gender_pay_gap can still be assessed
        return "mean gap not reported"
    return None


def _enforce_gpg_max(row: Row, params: Params, breach: bool, rng: np.random.Generator) -> str | None:
    cap = float(params["max_pct"])
    median = row["gender_pay_gap_median_pct"]
    if breach and cap < 99:
        new = round(min(100.0, cap + float(rng.uniform(0.5, 8))), 1)
        row["gender_pay_gap_mean_pct"] = (
            row["gender_pay_gap_mean_pct"]
            if math.isnan(row["gender_pay_gap_mean_pct"])
            else round(min(100.0, new + float(rng.normal(1, 1.5))), 1)
        )
        row["gender_pay_gap_median_pct"] = new
        return f"median gap {new}%"
    if median > cap:
        row["gender_pay_gap_median_pct"] = round(max(-100.0, cap - float(rng.uniform(0.5, 3))), 1)
    return None


def _enforce_training(row: Row, params: Params, breach: bool, rng: np.random.Generator) -> str | None:
    fte, need = row["fte"], float(params["min"])
    if fte <= 0:
        return None
    if breach and need > 0:
        row["training_hours"] = math.floor(need * fte * float(rng.uniform(0.3, 0.85)) * 10) / 10
        return f"{row['training_hours']} hours for {fte} FTE"
    if math.isnan(row["training_hours"]) or row["training_hours"] / fte < need:
        row["training_hours"] = math.ceil(need * fte * float(rng.uniform(1.02, 1.4)) * 10) / 10
    return None


#: How each workforce commitment type is kept or broken; types not listed are not workforce figures.
ENFORCERS: dict[str, Enforcer] = {
    "max_zero_hours_share": _share_cap("zero_hours_workers", "max"),
    "max_agency_share": _share_cap("agency_workers", "max"),
    "min_apprentices": _enforce_min_apprentices,
    "min_local_resident_share": _enforce_local,
    "worker_voice": _enforce_voice,
    "flexible_working": _enforce_flexible,
    "gender_pay_gap_reported": _enforce_gpg_reported,
    "max_gender_pay_gap": _enforce_gpg_max,
    "min_training_hours_per_fte": _enforce_training,
}
