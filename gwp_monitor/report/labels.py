"""The words the dashboard uses for the product's codes.

The views carry machine values (``max_zero_hours_share``, ``received_late``, ``18_20``); contract
managers read plain English. Keeping the vocabulary in one table keeps the overview, the contract
pages and the charts' legends consistent, and an unknown code still reads sensibly via
:func:`humanise` instead of breaking the page. Everything about a commitment type (its title, the
unit its figures read in, a wage floor's name) comes from the catalogue, which the alerts read too.
"""

from __future__ import annotations

from typing import Any

from gwp_monitor.domain.catalogue import CATALOGUE, REAL_LIVING_WAGE, STATUTORY_MINIMUM_WAGE
from gwp_monitor.domain.formatting import DASH, NUMBER, as_decimal

# Catalogue order of spec 4: the grid and tables list commitments in this order, wages first,
# because that is the order contract managers are asked about them. Titles come from the catalogue.
COMMITMENTS: dict[str, str] = {name: spec.title for name, spec in CATALOGUE.items()}

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

# A wage floor's rate type is its commitment type's name (the rates tables are named after them).
RATE_TYPE_TEXT = {name: spec.floor_title for name, spec in CATALOGUE.items() if spec.floor_title}
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
    (REAL_LIVING_WAGE.value, "uk"),
    (REAL_LIVING_WAGE.value, "london"),
    (STATUTORY_MINIMUM_WAGE.value, "21_plus"),
    (STATUTORY_MINIMUM_WAGE.value, "18_20"),
    (STATUTORY_MINIMUM_WAGE.value, "under_18"),
    (STATUTORY_MINIMUM_WAGE.value, "apprentice"),
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
    """The catalogue's title for a commitment type; an unknown code is humanised."""
    spec = CATALOGUE.get("" if code is None else str(code).strip().lower())
    return spec.title if spec else humanise(code)


def floor_name(rate_type: Any, band: Any) -> str:
    """``Real Living Wage (UK)``, ``Statutory minimum (18–20)``: one name per wage floor."""
    return f"{label(RATE_TYPE_TEXT, rate_type)} ({label(BAND_TEXT, band)})"


def commitment_sort_key(code: Any) -> tuple[int, str]:
    keys = list(CATALOGUE)
    text = "" if code is None else str(code)
    return (keys.index(text) if text in keys else len(keys), text)


def observed_text(commitment: Any, value: Any) -> str:
    """The observed figure in the commitment's own unit (spec 4: workers, share, count, yes/no, %)."""
    number = as_decimal(value)
    if number is None:
        return DASH
    spec = CATALOGUE.get(str(commitment))
    return (spec.unit if spec else NUMBER).show(number)


def threshold_text(commitment: Any, value: Any) -> str:
    """The requirement, with its direction, so ``5.0%`` is never read as the observed share."""
    number = as_decimal(value)
    if number is None:
        return DASH
    spec = CATALOGUE.get(str(commitment))
    if spec is None:
        return NUMBER.show(number)
    return spec.unit.requirement or f"{spec.relation} {spec.unit.show(number)}"
