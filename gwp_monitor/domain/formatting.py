"""How values read to people, once for the dashboard and the alerts (UK conventions).

Two audiences read the same figures: the dashboard (a table cell, fixed decimals so columns line up,
typographic minus) and the alerts (a sentence, decimals trimmed: "5%", not "5.0%"). They differ in
layout only; the coercion of driver values, the rounding (half up, on the decimal value, as the
spec rounds money) and the words for a unit are decided here, so both say the same figure the same
way.

The database reaches us through different drivers: SQLite hands back dates as ISO text, PostgreSQL
as ``date`` and money as ``Decimal``, pandas turns NULL into ``NaN``/``NaT``/``None`` depending on
the dtype. The ``as_*`` helpers decide once what "missing" means; every formatter shows
:data:`DASH` for it, so an empty cell never looks like a glitch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

DASH = "\u2014"
MINUS = "\u2212"  # the dashboard's minus sign; alerts are plain text and use "-"


# --- coercion ----------------------------------------------------------------------------------------


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
    return None if is_missing(value) else str(value)


def as_decimal(value: Any) -> Decimal | None:
    """A number as an exact ``Decimal`` (0.1 stays 0.1, not its binary expansion); None when missing,
    not a number or not finite. Numbers are rounded on this value, half up, like money in the spec."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    try:
        # repr/str first so that 0.1 (float) becomes Decimal('0.1').
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def as_float(value: Any) -> float | None:
    """A numeric cell as float (Decimal and numeric text included), None when missing or not a number."""
    if is_missing(value):
        return None
    if isinstance(value, (bool, int, float, Decimal)):
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
    try:
        return date.fromisoformat(str(value).strip()[:10])
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
        try:
            result = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
    return result.replace(tzinfo=UTC) if result.tzinfo is None else result.astimezone(UTC)


# --- dates -------------------------------------------------------------------------------------------


def format_date(value: Any) -> str:
    """``31 Mar 2026``: unambiguous for UK readers, unlike 03/31 or 31/03 in a mixed audience."""
    day = as_date(value)
    return DASH if day is None else f"{day.day} {day:%b %Y}"


def format_datetime(value: Any) -> str:
    """``14 Apr 2026, 09:12 UTC``; the zone is spelled out because BST would otherwise be assumed."""
    moment = as_datetime(value)
    return DASH if moment is None else f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def iso_sort_key(value: Any) -> str:
    """A string that sorts chronologically (ISO 8601, UTC); empty when missing so it sorts last."""
    moment = as_datetime(value)
    return "" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S")


# --- numbers -----------------------------------------------------------------------------------------


def decimal_text(value: Decimal, places: int, *, trim: bool = False, thousands: bool = False) -> str:
    """``value`` rounded half up to ``places`` decimals; ``trim`` drops trailing zeros (8.30 -> 8.3,
    5.0 -> 5) for sentences, ``thousands`` adds separators for tables."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,f}" if thousands else f"{rounded:f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 worker``, ``2,000 workers``."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def _gbp(amount: Any, minus: str) -> str:
    value = as_decimal(amount)
    if value is None:
        return DASH
    pennies = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{minus if pennies < 0 else ''}£{abs(pennies):,.2f}"


def format_gbp(amount: Any) -> str:
    """£1,234.56 in plain text (alerts): to the penny, half up, thousands separated, ``-£12.30``."""
    return _gbp(amount, "-")


def money(value: Any) -> str:
    """``£1,234.56`` on the dashboard, with a typographic minus; money is GBP to the penny (spec 5)."""
    return _gbp(value, MINUS)


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
    """An hourly rate, ``£12.60``. Not rounded half up on purpose: a 4-dp rate of 12.6050 just
    below a 12.61 floor must not read as the floor itself."""
    amount = as_float(value)
    return DASH if amount is None else f"£{amount:,.2f}"


def count(value: Any) -> str:
    """A whole number with thousands separators, or a dash."""
    number = as_int(value)
    return DASH if number is None else f"{number:,}"


def percent(value: Any, places: int = 1, *, trim: bool = False) -> str:
    """A fraction 0..1 as ``4.5%`` (shares are stored as fractions, spec 5); ``trim``: ``5%``."""
    share = as_decimal(value)
    return DASH if share is None else decimal_text(share * 100, places, trim=trim) + "%"


def number(value: Any) -> str:
    """A figure of no known unit: ``1,234`` when whole, else ``1,234.57``."""
    figure = as_decimal(value)
    if figure is None:
        return DASH
    return decimal_text(figure, 0 if figure == figure.to_integral_value() else 2, thousands=True)


# --- units of commitment figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """How one kind of figure reads: ``show`` in a dashboard cell, ``say`` inside an alert's sentence.

    ``requirement`` is the dashboard's threshold text when the unit itself implies the limit (a
    yes/no commitment requires "Yes", whatever number the verdict stores as its threshold).
    """

    name: str
    show: Callable[[Decimal], str]
    say: Callable[[Decimal], str]
    requirement: str | None = None


def _yes_no(yes: str, no: str) -> Callable[[Decimal], str]:
    return lambda d: yes if d >= 1 else no


def _trimmed(suffix: str = "") -> Callable[[Decimal], str]:
    return lambda d: decimal_text(d, 1, trim=True) + suffix


#: Workers paid below a wage floor (the wage commitments' observed value; its threshold is always 0).
WORKERS_BELOW = Unit(
    "workers below",
    lambda d: plural(as_int(d) or 0, "worker") + " below",
    lambda d: plural(int(d), "worker"),
    requirement="none below the rate",
)
#: A fraction 0..1 of the people on the contract.
SHARE = Unit("share", percent, lambda d: percent(d, trim=True))
#: A number of people.
COUNT = Unit("count", number, lambda d: f"{int(d):,}")
#: A figure already in percent (the gender pay gap).
PERCENT = Unit("percent", lambda d: decimal_text(d, 1) + "%", _trimmed("%"))
#: Hours (of training per FTE).
HOURS = Unit("hours", lambda d: decimal_text(d, 1, thousands=True) + " h", _trimmed())
#: Kept (1) or not (0).
YES_NO = Unit("yes/no", _yes_no("Yes", "No"), _yes_no("yes", "no"), requirement="Yes")
#: Anything without a known unit.
NUMBER = Unit("number", number, _trimmed())


#: A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell a spreadsheet would run as a formula prefixed with ``'`` (OWASP's
    CSV injection rule), for every CSV the product writes. Supplier names come from the register and
    may begin with ``=``; numbers (a negative count) are not text and stay as they are."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype.kind in "biufcmM":
            continue
        text = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_TRIGGERS))
        out[column] = values.where(~text.astype(bool), "'" + values.astype("string"))
    return out
