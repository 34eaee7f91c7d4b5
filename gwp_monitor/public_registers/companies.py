"""Companies House numbers and employer names, normalised for matching suppliers with registers.

A supplier is matched with a register entry by its Companies House number only: the contract
register's ``supplier.supplier_id`` and the register's ``CompanyNumber`` are both normalised (spaces
removed, upper case, leading zeros restored: ``8064685`` and ``08064685`` are one company, as are
``SC 16876`` and ``SC016876``). Names are never a match: two employers share a name, one renames,
a typo matches another firm. A name that normalises alike is offered as a suggestion for a person to
confirm (by adding the number to the contract register), and never decides a verdict.
"""

from __future__ import annotations

import re

import pandas as pd

#: Prefixes of Companies House numbers for companies registered outside England and Wales or of
#: other kinds (Scotland, Northern Ireland, LLPs, Scottish LLPs, NI LLPs ...): two letters then six digits.
_PREFIXED = re.compile(r"([A-Z]{2})(\d{1,6})")
_DIGITS = re.compile(r"\d{1,8}")
#: What a normalised number looks like: eight letters or digits (the register also holds registered
#: societies such as IP12345R and charity-like references, which are kept as written).
WELL_FORMED = r"^[A-Z0-9]{8}$"
_NAME_NOISE = re.compile(r"\b(LIMITED|LTD|PLC|LLP|THE|CO|COMPANY|AND)\b|[^A-Z0-9 ]")


def normalise_company_number(value: object) -> str | None:
    """The number as Companies House writes it (``SC016876``, ``08064685``), or None when there is none.

    Text that is not a company number at all (``SUP-001``) stays as written, upper case without
    spaces, so it simply never matches.
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = re.sub(r"\s+", "", str(value)).upper()
    if not text:
        return None
    if _DIGITS.fullmatch(text):
        return text.zfill(8)
    prefixed = _PREFIXED.fullmatch(text)
    if prefixed:
        return prefixed.group(1) + prefixed.group(2).zfill(6)
    return text


def normalise_company_numbers(values: pd.Series) -> pd.Series:
    """`normalise_company_number` over a column, vectorised (the whole register in milliseconds)."""
    text = values.fillna("").astype("string").str.replace(r"\s+", "", regex=True).str.upper()
    digits = text.str.fullmatch(r"\d{1,8}")
    parts = text.str.extract(r"^([A-Z]{2})(\d{1,6})$")
    out = text.where(~digits, text.str.zfill(8))
    prefixed = parts[0].notna()
    out = out.where(~prefixed, parts[0] + parts[1].str.zfill(6))
    return out.where(text != "", None).astype("string")


def looks_like_company_number(value: object) -> bool:
    """True when the supplier_id normalises to eight letters and digits (a number we can look up)."""
    number = normalise_company_number(value)
    return bool(number and re.fullmatch(WELL_FORMED, number))


def normalise_name(value: object) -> str:
    """An employer name reduced for a *suggestion*: upper case, no punctuation, no LTD/LIMITED/PLC."""
    text = _NAME_NOISE.sub(" ", str(value or "").upper())
    return " ".join(text.split())


def normalise_names(values: pd.Series) -> pd.Series:
    """`normalise_name` over a column."""
    text = values.fillna("").astype("string").str.upper().str.replace(_NAME_NOISE.pattern, " ", regex=True)
    return text.str.split().str.join(" ")
