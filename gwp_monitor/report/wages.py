"""The contract page's wages panel: trend charts, workers at risk from an announced rise, the figures.

Below :data:`MIN_WORKERS_FOR_LOWEST_RATE` workers in a band, the band's lowest hourly rate is close to
one person's pay, so it is not shown (statistical disclosure control; spec 6 keeps individual pay out
of every report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup

from gwp_monitor.domain.formatting import (
    as_date,
    as_float,
    as_int,
    as_text,
    count,
    format_date,
    money,
    money_short,
    rate,
)
from gwp_monitor.domain.periods import period_label
from gwp_monitor.report import labels as L
from gwp_monitor.report.charts import Category, Series, bar_chart, legend, line_chart

MIN_WORKERS_FOR_LOWEST_RATE = 5


@dataclass(frozen=True)
class Figure:
    """One row of v_wage_compliance that can be placed: a period and a wage floor."""

    start: date
    end: date
    rate_type: str
    band: str
    row: dict[str, Any]

    def get(self, column: str) -> Any:
        return self.row.get(column)


@dataclass(frozen=True)
class AtRisk:
    """Workers paid below an announced, not yet required Real Living Wage: a warning, never a breach."""

    pay_from: str | None  # "1 May 2026": when the new rate must be paid (v_owed_to_workers.uplift_from)
    when: str
    at_risk: int
    assessed: int
    new_rates: str
    rows: list[Figure]


@dataclass(frozen=True)
class WageRow:
    period: str
    floor: str
    assessed: str
    lowest: str
    figure: Figure


@dataclass(frozen=True)
class Wages:
    """Charts are SVG built by :mod:`charts` (which escapes its text), passed to the template as Markup."""

    below_legend: Markup
    below_chart: Markup
    arrears_legend: Markup
    arrears_chart: Markup
    at_risk: AtRisk | None
    table: list[WageRow]


def _floor_key(rate_type: str, band: str) -> tuple[int, str, str]:
    """Sort key putting wage floors in :data:`labels.FLOOR_ORDER`, unknown floors last."""
    try:
        return (L.FLOOR_ORDER.index((rate_type, band)), rate_type, band)
    except ValueError:
        return (len(L.FLOOR_ORDER), rate_type, band)


def _floor_style(rate_type: str, band: str) -> tuple[str, bool, str]:
    """(CSS class, dashed, marker) for a floor: fixed per floor, so every contract's chart matches."""
    if rate_type == "real_living_wage":
        return (f"s-rlw-{band}", False, "circle" if band == "uk" else "square")
    markers = {"21_plus": "diamond", "18_20": "triangle", "under_18": "square", "apprentice": "circle"}
    return (f"s-smw-{band}", True, markers.get(band, "circle"))


def _figures(rows: list[dict[str, Any]]) -> list[Figure]:
    out = []
    for row in rows:
        start, end = as_date(row.get("period_start")), as_date(row.get("period_end"))
        rate_type, band = as_text(row.get("rate_type")), as_text(row.get("band"))
        if start is None or rate_type is None or band is None:
            continue
        out.append(Figure(start, end or start, rate_type, band, row))
    return out


def _description(series: list[Series], categories: list[Category], text: Any) -> str:
    """The chart's figures in words, for screen readers."""
    return "; ".join(
        f"{s.name}: "
        + ", ".join(f"{c.long} {text(v)}" for c, v in zip(categories, s.values, strict=False) if v is not None)
        for s in series
    )


def _workers_text(v: float) -> str:
    return f"{int(v):,} worker{'s' if int(v) != 1 else ''} below"


def wages(rows: list[dict[str, Any]], chart_prefix: str, pay_from: date | None = None) -> Wages | None:
    """Trend charts of workers below each floor and of arrears; None when no payroll was assessed."""
    figures = _figures(rows)
    if not figures:
        return None
    periods = sorted({(f.start, f.end) for f in figures})
    index = {p: i for i, p in enumerate(periods)}
    categories = [
        Category(key=p[0].isoformat(), short=f"{p[0]:%b}", year=f"{p[0]:%Y}", long=period_label(*p)) for p in periods
    ]
    floors = sorted({(f.rate_type, f.band) for f in figures}, key=lambda fl: _floor_key(*fl))

    below_series = []
    for rate_type, band in floors:
        values: list[float | None] = [None] * len(periods)
        for f in figures:
            if (f.rate_type, f.band) == (rate_type, band):
                values[index[(f.start, f.end)]] = float(as_int(f.get("workers_below")) or 0)
        css, dashed, marker = _floor_style(rate_type, band)
        below_series.append(Series(L.floor_name(rate_type, band), values, css, dashed, marker))

    arrears_series = []
    for rate_type in sorted({rt for rt, _ in floors}, key=lambda rt: 0 if rt == "real_living_wage" else 1):
        values = [None] * len(periods)
        for f in figures:
            if f.rate_type == rate_type:
                i = index[(f.start, f.end)]
                values[i] = round((values[i] or 0.0) + (as_float(f.get("arrears_gbp")) or 0.0), 2)
        css = {"real_living_wage": "s-rlw-uk", "statutory_minimum_wage": "s-smw-21_plus"}.get(rate_type, "s-other")
        name = L.label(L.RATE_TYPE_TEXT, rate_type)
        arrears_series.append(Series(name, values, css, rate_type != "real_living_wage", "square"))

    below_chart = line_chart(
        chart_id=f"{chart_prefix}-below",
        title="Workers paid below each wage floor, by period",
        description=_description(below_series, categories, lambda v: int(v)),
        categories=categories,
        series=below_series,
        value_text=_workers_text,
        tick_label=lambda v: f"{int(v):,}",
        integer=True,
        empty_message="No worker below any wage floor in these periods",
    )
    arrears_chart = bar_chart(
        chart_id=f"{chart_prefix}-arrears",
        title="Arrears by period",
        description=_description(arrears_series, categories, money),
        categories=categories,
        series=arrears_series,
        value_text=money,
        tick_label=money_short,
        empty_message="No arrears in any period",
    )
    return Wages(
        below_legend=Markup(legend(below_series, kind="line")),
        below_chart=Markup(below_chart),
        arrears_legend=Markup(legend(arrears_series, kind="bar")),
        arrears_chart=Markup(arrears_chart),
        at_risk=_at_risk(figures, pay_from),
        table=_wage_table(figures),
    )


def _at_risk(figures: list[Figure], pay_from: date | None = None) -> AtRisk | None:
    """The latest period's figures against the upcoming Real Living Wage; None when the latest period
    has none (nothing announced, or the rise is already in force): an old period's warning would be stale."""
    rlw = [f for f in figures if f.rate_type == "real_living_wage"]
    if not rlw:
        return None
    latest = max((f.start, f.end) for f in rlw)
    rows = sorted(
        (f for f in rlw if (f.start, f.end) == latest and as_float(f.get("upcoming_rate")) is not None),
        key=lambda f: _floor_key(f.rate_type, f.band),
    )
    if not rows:
        return None
    return AtRisk(
        pay_from=format_date(pay_from) if pay_from else None,
        when=period_label(*latest),
        at_risk=sum(as_int(f.get("workers_below_upcoming")) or 0 for f in rows),
        assessed=sum(as_int(f.get("workers_assessed")) or 0 for f in rows),
        new_rates=" and ".join(f"{rate(f.get('upcoming_rate'))} ({L.label(L.BAND_TEXT, f.band)})" for f in rows),
        rows=rows,
    )


def _wage_table(figures: list[Figure]) -> list[WageRow]:
    """The charts' figures as table rows (accessible, printable), lowest rates hidden for small bands."""
    out = []
    for f in sorted(figures, key=lambda f: (f.start, _floor_key(f.rate_type, f.band))):
        assessed = as_int(f.get("workers_assessed")) or 0
        lowest = (
            rate(f.get("lowest_rate"))
            if assessed >= MIN_WORKERS_FOR_LOWEST_RATE
            else f"hidden (under {MIN_WORKERS_FOR_LOWEST_RATE} workers)"
        )
        out.append(WageRow(period_label(f.start, f.end), L.floor_name(f.rate_type, f.band), count(assessed), lowest, f))
    return out
