"""View models of the small pieces every page repeats: status pills, figure cells, summary tiles.

Each is decided here (which colour class, which words, which sort key) and drawn by one macro in
``templates/macros.html.j2``, so the overview and the contract pages cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gwp_monitor.domain.formatting import as_float, as_text
from gwp_monitor.report import labels as L


@dataclass(frozen=True)
class Tag:
    """A status pill: the class gives the colour, the text the meaning, the symbol a shape for greyscale."""

    css: str
    text: str
    symbol: str | None = None
    large: bool = False


@dataclass(frozen=True)
class NumCell:
    """A right-aligned figure with a raw sort key; zeros are muted so the non-zero ones stand out."""

    css: str
    sort: str
    text: str


@dataclass(frozen=True)
class Tile:
    """A summary figure; RAG tiles carry the status they filter the contracts table to."""

    value: str
    label: str
    css: str
    rag_filter: str | None = None


def css_token(code: Any) -> str:
    """A code as a CSS class: lower case, nothing but ``[a-z0-9_]``, ``unknown`` when empty."""
    return re.sub(r"[^a-z0-9_]", "", (as_text(code) or "unknown").strip().lower()) or "unknown"


def tag(code: Any, table: dict[str, str], *, large: bool = False, symbol: str | None = None) -> Tag:
    return Tag(css_token(code), L.label(table, code), symbol, large)


def rag_tag(rag: str, *, large: bool = False) -> Tag:
    """The RAG pill: colour, a distinct shape and the word, so it reads in greyscale and to screen readers."""
    if rag not in L.RAG_TEXT:
        return tag("unknown", {"unknown": "Unknown"}, large=large, symbol="\u25cb")
    return tag(rag, L.RAG_TEXT, large=large, symbol=L.RAG_SYMBOL[rag])


def num_cell(value: Any, text: str, *, strong_if_positive: bool = False) -> NumCell:
    number = as_float(value)
    sort = "" if number is None else f"{number:.2f}".rstrip("0").rstrip(".")
    css = "num"
    if number is not None and number == 0:
        css += " zero"
    elif strong_if_positive and number:
        css += " strong"
    return NumCell(css, sort, text)
