"""The words the dashboard uses for the product's codes.

The views carry machine values (``max_zero_hours_share``, ``received_late``, ``18_20``); contract
managers read plain English. Keeping the vocabulary in one table keeps the overview, the contract
pages and the charts' legends consistent, and an unknown code still reads sensibly via
:func:`humanise` instead of breaking the page.
"""

from __future__ import annotations

from typing import Any

from gwp_monitor.report.fmt import DASH, as_float, as_int, percent

# Catalogue order of spec 4: the grid and tables list commitments in this order, wages first,
# because that is the order contract managers are asked about them.
COMMITMENTS: dict[str, str] = {
    "statutory_minimum_wage": "Statutory minimum wage",
    "real_living_wage": "Real Living Wage",
    "max_zero_hours_share": "Zero-hours share",
    "max_agency_share": "Agency worker share",
    "min_apprentices": "Apprentices",
    "min_local_resident_share": "Local resident share",
    "worker_voice": "Worker voice",
    "flexible_working": "Flexible working from day one",
    "gender_pay_gap_reported": "Gender pay gap reported",
    "max_gender_pay_gap": "Gender pay gap",
    "min_training_hours_per_fte": "Training hours per FTE",
}

WAGE_COMMITMENTS = ("statutory_minimum_wage", "real_living_wage")
SHARE_MAX = ("max_zero_hours_share", "max_agency_share")
SHARE_MIN = ("min_local_resident_share",)
YES_NO = ("worker_voice", "flexible_working", "gender_pay_gap_reported")

RAG_ORDER = {"red": 0, "amber": 1, "green": 2}
RAG_TEXT = {"red": "Red", "amber": "Amber", "green": "Green"}
# A shape as well as a colour, so the status reads in greyscale print and for colour-blind readers.
RAG_SYMBOL = {"red": "\u25b2", "amber": "\u25c6", "green": "\u25cf"}

VERDICT_TEXT = {"compliant": "Compliant", "breach": "Breach", "not_assessable": "Not assessable"}
VERDICT_SYMBOL = {"compliant": "\u2713", "breach": "\u2715", "not_assessable": "?"}

SEVERITY_TEXT = {"critical": "Critical", "high": "High", "medium": "Medium"}
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2}

TIMELINESS_TEXT = {
    "received_on_time": "Received on time",
    "received_late": "Received late",
    "overdue": "Overdue",
    "awaiting": "Awaiting (not yet due)",
}
SUBMISSION_TEXT = {"accepted": "Accepted", "rejected": "Rejected", "superseded": "Superseded"}
KIND_TEXT = {"payroll": "Payroll", "workforce": "Workforce"}

RATE_TYPE_TEXT = {"real_living_wage": "Real Living Wage", "statutory_minimum_wage": "Statutory minimum"}
BAND_TEXT = {
    "uk": "UK",
    "london": "London",
    "21_plus": "21 and over",
    "18_20": "18\u201320",
    "under_18": "under 18",
    "apprentice": "apprentices",
}
# Series order in charts and tables: Real Living Wage first (the commitment the contract is about),
# then the statutory bands from oldest to youngest, apprentices last.
FLOOR_ORDER = [
    ("real_living_wage", "uk"),
    ("real_living_wage", "london"),
    ("statutory_minimum_wage", "21_plus"),
    ("statutory_minimum_wage", "18_20"),
    ("statutory_minimum_wage", "under_18"),
    ("statutory_minimum_wage", "apprentice"),
]


def humanise(code: Any) -> str:
    """``some_new_code`` -> ``Some new code``: the fallback for values this table does not know yet."""
    if code is None:
        return DASH
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else DASH


def label(table: dict[str, str], code: Any) -> str:
    """Look a code up in one of the tables above, falling back to :func:`humanise`."""
    key = "" if code is None else str(code).strip().lower()
    return table.get(key, humanise(code))


def commitment_name(code: Any) -> str:
    return label(COMMITMENTS, code)


def floor_name(rate_type: Any, band: Any) -> str:
    """``Real Living Wage (UK)``, ``Statutory minimum (18–20)``: one name per wage floor."""
    return f"{label(RATE_TYPE_TEXT, rate_type)} ({label(BAND_TEXT, band)})"


def commitment_sort_key(code: Any) -> tuple[int, str]:
    keys = list(COMMITMENTS)
    text = "" if code is None else str(code)
    return (keys.index(text) if text in keys else len(keys), text)


def observed_text(commitment: Any, value: Any) -> str:
    """The observed figure in the commitment's own unit (spec 4: workers, share, count, yes/no, %)."""
    number = as_float(value)
    if number is None:
        return DASH
    code = str(commitment)
    if code in WAGE_COMMITMENTS:
        workers = as_int(number) or 0
        return f"{workers:,} worker{'s' if workers != 1 else ''} below"
    if code in SHARE_MAX or code in SHARE_MIN:
        return percent(number)
    if code in YES_NO:
        return "Yes" if number >= 1 else "No"
    if code == "max_gender_pay_gap":
        return f"{number:.1f}%"
    if code == "min_training_hours_per_fte":
        return f"{number:,.1f} h"
    if number == int(number):
        return f"{int(number):,}"
    return f"{number:,.2f}"


def threshold_text(commitment: Any, value: Any) -> str:
    """The requirement, with its direction, so ``5.0%`` is never read as the observed share."""
    number = as_float(value)
    if number is None:
        return DASH
    code = str(commitment)
    if code in WAGE_COMMITMENTS:
        return "none below the rate"
    if code in SHARE_MAX:
        return f"at most {percent(number)}"
    if code in SHARE_MIN:
        return f"at least {percent(number)}"
    if code in YES_NO:
        return "Yes"
    if code == "max_gender_pay_gap":
        return f"at most {number:.1f}%"
    if code == "min_apprentices":
        return f"at least {as_int(number):,}"
    if code == "min_training_hours_per_fte":
        return f"at least {number:,.1f} h"
    if number == int(number):
        return f"{int(number):,}"
    return f"{number:,.2f}"
