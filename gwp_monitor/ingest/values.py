"""Typing text cells as UK payroll exports write them (spec 2.2), vectorised with Arrow.

Dates: ISO 8601 (2025-04-01) or day-first (01/04/2025, 1/4/2025, 01-04-2025). Numbers: plain, or with
thousands commas (1,234.50); money also with a £ sign; percentages also with a % sign ("3.5%" is 3.5).
Anything still ambiguous (2025/13/01, "1.234,50") stays unparsed, so it is reported as a problem.

Each parser returns (values, valid, normalised): `valid` is True parsed, False present but unparseable,
null blank; `normalised` marks the cells read from a UK form (None when there were none), so the
supplier can be told what was normalised.
"""

from __future__ import annotations

import re
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from gwp_monitor.domain.templates import BOOLEAN_FALSE, BOOLEAN_TRUE, ColumnType, Unit

DECIMAL_PATTERN = r"^[-+]?(\d+(\.\d*)?|\.\d+)$"
INTEGER_PATTERN = r"^[-+]?\d+(\.0*)?$"
_THOUSANDS = r"\d{1,3}(,\d{3})+"
#: The forms each (type, unit) also accepts, beyond the plain pattern; what `_STRIP` removes from them.
_LOOSE: dict[tuple[ColumnType, Unit], str] = {
    ("decimal", ""): rf"^[-+]?{_THOUSANDS}(\.\d*)?$",
    ("integer", ""): rf"^[-+]?{_THOUSANDS}$",
    ("decimal", "gbp"): rf"^([-+]?£\s?|£[-+]?|[-+]?)({_THOUSANDS}|\d+)(\.\d*)?$|^[-+]?£\s?\.\d+$",
    ("decimal", "pct"): rf"^[-+]?({_THOUSANDS}|\d+)(\.\d*)?\s?%$|^[-+]?\.\d+\s?%$",
}
_STRIP = r"[£,%\s]"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_FIRST = re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{4})$")

Parsed = tuple[pa.ChunkedArray | pa.Array, pa.ChunkedArray | pa.Array, pa.ChunkedArray | pa.Array | None]


def parse_number(values: pa.ChunkedArray, type_: ColumnType, unit: Unit = "") -> Parsed:
    """A number column: plain numbers as they are; UK forms (thousands, £, %) cleaned, then parsed."""
    ok = pc.match_substring_regex(values, DECIMAL_PATTERN if type_ == "decimal" else INTEGER_PATTERN)
    normalised = None
    if pc.any(pc.invert(ok)).as_py():  # only a file with other forms pays for the second look
        fixable = pc.and_kleene(pc.invert(ok), pc.match_substring_regex(values, _LOOSE[(type_, unit)]))
        if pc.any(fixable).as_py():
            values = pc.if_else(fixable, pc.replace_substring_regex(values, _STRIP, ""), values)
            ok = pc.or_kleene(ok, fixable)
            normalised = fixable
    safe = pc.if_else(ok, values, pa.scalar(None, pa.string()))
    return pc.cast(safe, pa.float64()), ok, normalised


def parse_boolean(values: pa.ChunkedArray) -> Parsed:
    lowered = pc.utf8_lower(values)
    is_true = pc.is_in(lowered, value_set=pa.array(BOOLEAN_TRUE))
    is_false = pc.is_in(lowered, value_set=pa.array(BOOLEAN_FALSE))
    ok = pc.if_else(pc.is_valid(values), pc.or_(is_true, is_false), pa.scalar(None, pa.bool_()))
    parsed = pc.if_else(ok, is_true, pa.scalar(None, pa.bool_()))
    return parsed, ok, None


def parse_date(values: pa.ChunkedArray) -> Parsed:
    """Real dates only (2025-02-30 and 31/02/2025 are not). Parsed per distinct value: dates repeat."""
    encoded = pc.dictionary_encode(values).combine_chunks()
    read = [read_date(v) for v in encoded.dictionary.to_pylist()]
    parsed = pc.take(pa.array([d for d, _ in read], type=pa.date32()), encoded.indices)
    ok = pc.if_else(pc.is_valid(values), pc.is_valid(parsed), pa.scalar(None, pa.bool_()))
    normalised = None
    if any(day_first for _, day_first in read):
        normalised = pc.take(pa.array([day_first for _, day_first in read], type=pa.bool_()), encoded.indices)
    return pc.cast(parsed, pa.timestamp("s")), ok, normalised


def read_date(text: str) -> tuple[date | None, bool]:
    """(the date, whether it was written day-first); (None, False) when it is not a real date."""
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text), False
        day_first = _DAY_FIRST.match(text)
        if day_first:
            day, _, month, year = day_first.groups()
            return date(int(year), int(month), int(day)), True
    except ValueError:
        pass
    return None, False


#: The supplier-facing words for what was normalised, by (type, unit).
NORMALISED_WORDS: dict[tuple[ColumnType, Unit], tuple[str, str]] = {
    ("date", ""): ("date", "read as day/month/year"),
    ("decimal", "gbp"): ("amount", "read without the £ sign or thousands commas"),
    ("decimal", "pct"): ("percentage", "read without the % sign"),
    ("decimal", ""): ("number", "read without thousands commas"),
    ("integer", ""): ("number", "read without thousands commas"),
}


def normalised_note(type_: ColumnType, unit: Unit, count: int) -> str:
    """e.g. "3 dates read as day/month/year"."""
    noun, what = NORMALISED_WORDS[(type_, unit)]
    return f"{count} {noun}{'s' if count != 1 else ''} {what}"
