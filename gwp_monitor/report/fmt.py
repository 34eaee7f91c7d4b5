"""HTML escaping for the dashboard, and the value formatting it shares with the alerts.

Coercion of driver values and the UK-style formatting of dates, money, counts, shares and periods
live in :mod:`gwp_monitor.domain.formatting` and :mod:`gwp_monitor.domain.periods`, once for the
dashboard and the alerts; they are re-exported here under the names the page builders use.
Pages are escaped by the Jinja2 environment (autoescape); the hand-built SVG charts use :func:`esc`.
"""

from __future__ import annotations

import html
from typing import Any

from gwp_monitor.domain.formatting import (
    DASH,
    as_date,
    as_datetime,
    as_float,
    as_int,
    as_text,
    count,
    is_missing,
    iso_sort_key,
    money,
    money_short,
    percent,
    rate,
)
from gwp_monitor.domain.formatting import (
    format_date as fmt_date,
)
from gwp_monitor.domain.formatting import (
    format_datetime as fmt_datetime,
)
from gwp_monitor.domain.periods import period_label

__all__ = [
    "DASH",
    "as_date",
    "as_datetime",
    "as_float",
    "as_int",
    "as_text",
    "count",
    "esc",
    "fmt_date",
    "fmt_datetime",
    "is_missing",
    "iso_sort_key",
    "money",
    "money_short",
    "percent",
    "period_label",
    "rate",
]


def esc(value: Any) -> str:
    """HTML-escape ``value`` for text *and* quoted attributes.

    Supplier-provided text (file names, errors, supplier names) can hold markup; escaping the quote
    characters too means the same helper is safe inside ``title="..."``.
    """
    return html.escape("" if value is None else str(value), quote=True)
