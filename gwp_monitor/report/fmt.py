"""Value coercion and UK-style formatting for the dashboard.

The views reach the renderer through different drivers: SQLite hands back dates and timestamps as
ISO text, PostgreSQL as ``date``/``datetime`` and money as ``Decimal``, pandas turns NULL into
``NaN``/``NaT``/``None`` depending on the column's dtype. Every page-building function goes through
these helpers so one place decides what "missing" means and how a date, an amount or a period reads
to a contract manager (UK conventions: ``31 Mar 2026``, ``£1,234.56``).

Pages are escaped by the Jinja2 environment (autoescape); the hand-built SVG charts use :func:`esc`.
"""

from __future__ import annotations

import calendar
import html
import math
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

DASH = "\u2014"  # shown for a value that does not exist, so an empty cell never looks like a glitch


def esc(value: Any) -> str:
    """HTML-escape ``value`` for text *and* quoted attributes.

    Supplier-provided text (file names, errors, supplier names) can hold markup; escaping the quote
    characters too means the same helper is safe inside ``title="..."``.
    """
    return html.escape("" if value is None else str(value), quote=True)


def is_missing(value: Any) -> bool:
    """True for every spelling of SQL NULL the drivers and pandas produce (None, NaN, NaT, pd.NA)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        result = pd.isna(value)
    except (TypeError, ValueError):
        return False
    # pd.isna answers an array for list-likes; only a scalar answer means "this cell is NULL".
    return bool(result) if isinstance(result, (bool, np.bool_)) else False


def as_text(value: Any) -> str | None:
    """A cell as text, or None when missing; keeps empty strings distinct from NULL on purpose."""
    if is_missing(value):
        return None
    return str(value)


def as_float(value: Any) -> float | None:
    """A numeric cell as float (Decimal and numeric text included), None when missing or not a number."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, Decimal):
        return float(value)
    try:
        number = float(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError):
        return None
    return None if math.isnan(number) else number


def as_int(value: Any) -> int | None:
    """A count cell as int; counts arrive as float when the column had a NULL, so round, not truncate."""
    number = as_float(value)
    return None if number is None else int(round(number))


def as_date(value: Any) -> date | None:
    """A date cell (date, datetime, Timestamp or ISO text) as ``date``; None when missing or unreadable."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def as_datetime(value: Any) -> datetime | None:
    """A timestamp cell as an aware UTC ``datetime``.

    Naive values are taken to be UTC because the product stores every timestamp in UTC (spec 2.4);
    showing them in local time would silently shift received times across a due date.
    """
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        try:
            result = datetime.fromisoformat(text)
        except ValueError:
            return None
    if result.tzinfo is None:
        return result.replace(tzinfo=UTC)
    return result.astimezone(UTC)


def fmt_date(value: Any) -> str:
    """``31 Mar 2026``: unambiguous for UK readers, unlike 03/31 or 31/03 in a mixed audience."""
    day = as_date(value)
    if day is None:
        return DASH
    return f"{day.day} {day:%b %Y}"


def fmt_datetime(value: Any) -> str:
    """``14 Apr 2026, 09:12 UTC``; the zone is spelled out because BST would otherwise be assumed."""
    moment = as_datetime(value)
    if moment is None:
        return DASH
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def iso_sort_key(value: Any) -> str:
    """A string that sorts chronologically (ISO 8601, UTC); empty when missing so it sorts last."""
    moment = as_datetime(value)
    return "" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S")


def money(value: Any) -> str:
    """``£1,234.56``; money is GBP to the penny everywhere in the product (spec 5)."""
    amount = as_float(value)
    if amount is None:
        return DASH
    sign = "\u2212" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def money_short(value: float) -> str:
    """Compact money for chart axes (``£1.2k``), where the full figure would crowd the axis."""
    amount = abs(value)
    if amount >= 1_000_000:
        text = f"£{amount / 1_000_000:.1f}m"
    elif amount >= 10_000:
        text = f"£{amount / 1000:.0f}k"
    elif amount >= 1000:
        text = f"£{amount / 1000:.1f}k"
    elif amount == int(amount):
        text = f"£{amount:.0f}"
    else:
        text = f"£{amount:.2f}"
    return text.replace(".0k", "k").replace(".0m", "m")


def rate(value: Any) -> str:
    """An hourly rate, ``£12.60``."""
    amount = as_float(value)
    return DASH if amount is None else f"£{amount:,.2f}"


def count(value: Any) -> str:
    """A whole number with thousands separators, or a dash."""
    number = as_int(value)
    return DASH if number is None else f"{number:,}"


def percent(value: Any, digits: int = 1) -> str:
    """A fraction 0..1 as ``4.5%`` (shares are stored as fractions, spec 5)."""
    share = as_float(value)
    return DASH if share is None else f"{share * 100:.{digits}f}%"


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def period_label(start: Any, end: Any) -> str:
    """How people name a return period: ``Mar 2026`` for a month, ``Jan–Mar 2026`` for a quarter.

    Anything irregular falls back to the two dates, so an odd period is visible rather than mislabelled.
    """
    first, last = as_date(start), as_date(end)
    if first is None and last is None:
        return DASH
    if first is None or last is None:
        return fmt_date(first or last)
    if first.day == 1 and last.day == _last_day(last.year, last.month):
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if months == 1:
            return f"{first:%b %Y}"
        if first.year == last.year:
            return f"{first:%b}\u2013{last:%b %Y}"
        return f"{first:%b %Y}\u2013{last:%b %Y}"
    return f"{fmt_date(first)} \u2013 {fmt_date(last)}"
