"""Small hand-built SVG charts, inlined into the pages.

Why not matplotlib: the dashboard must open from a file share with nothing fetched, and hand-written
SVG is a few kilobytes, crisp at any zoom, styled by the page's CSS (one palette, print styles) and
deterministic byte for byte, which keeps rendering a pure function of the data. The charts only need
lines and grouped bars over a handful of periods.

Colours come from CSS classes (``s-rlw-uk`` ...) rather than inline ``style`` so the page's Content
Security Policy can forbid inline styles. Each series also has its own dash pattern and marker shape,
so a chart still reads in greyscale or for a colour-blind reader, and every mark carries a ``<title>``
(tooltip and accessible name). A data table with the same figures follows each chart on the page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 560
HEIGHT = 250
MARGIN_LEFT = 58
MARGIN_RIGHT = 14
MARGIN_TOP = 14
MARGIN_BOTTOM = 44
PLOT_W = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
PLOT_H = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

Marker = str  # "circle" | "square" | "diamond" | "triangle"


def esc(value: Any) -> str:
    """HTML-escape ``value`` for text *and* quoted attributes: the pages are escaped by Jinja2
    (autoescape), these hand-built SVG charts by this. Supplier-provided text can hold markup;
    escaping the quotes too keeps it safe inside ``<title>`` and ``class="..."``."""
    return html.escape("" if value is None else str(value), quote=True)


@dataclass(frozen=True)
class Category:
    """One x position: a period, labelled ``Apr`` with the year shown where it changes."""

    key: str
    short: str  # e.g. "Apr"
    year: str  # e.g. "2025"
    long: str  # e.g. "Apr 2025", used in tooltips


@dataclass(frozen=True)
class Series:
    """One line or one bar colour: values align with the chart's categories; None is a gap."""

    name: str
    values: Sequence[float | None]
    css_class: str
    dashed: bool = False
    marker: Marker = "circle"


def nice_scale(maximum: float, *, integer: bool, target_ticks: int = 5) -> tuple[float, float]:
    """(top of axis, tick step) with steps of 1, 2, 2.5 or 5 x 10^k, so gridlines land on round numbers."""
    if maximum <= 0 or not math.isfinite(maximum):
        return (4.0, 1.0) if integer else (1.0, 0.25)
    raw = maximum / target_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = magnitude
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if raw <= step:
            break
    if integer:
        step = max(1.0, math.ceil(step))
    top = step * math.ceil(maximum / step)
    if top < maximum:  # float rounding
        top += step
    return float(top), float(step)


def _num(value: float) -> str:
    """Coordinates with two decimals at most: small files, stable output."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _y(value: float, top: float) -> float:
    return MARGIN_TOP + PLOT_H - (value / top) * PLOT_H if top else MARGIN_TOP + PLOT_H


def _frame(chart_id: str, title: str, description: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" id="{esc(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{esc(chart_id)}-t {esc(chart_id)}-d" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{esc(chart_id)}-t">{esc(title)}</title><desc id="{esc(chart_id)}-d">{esc(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _axes(categories: Sequence[Category], top: float, step: float, tick_label: Callable[[float], str]) -> list[str]:
    """Gridlines with y labels, and x labels thinned so they never overlap (about 12 at most)."""
    parts = ['<g class="axis">']
    ticks = int(round(top / step))
    for i in range(ticks + 1):
        value = i * step
        y = _y(value, top)
        parts.append(
            f'<line class="grid{" base" if i == 0 else ""}" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
            f'y1="{_num(y)}" y2="{_num(y)}"/>'
            f'<text class="ytick" x="{MARGIN_LEFT - 8}" y="{_num(y + 4)}" text-anchor="end">{esc(tick_label(value))}</text>'
        )
    n = len(categories)
    band = PLOT_W / n if n else PLOT_W
    every = max(1, math.ceil(n / 12))
    previous_year = None
    for i, cat in enumerate(categories):
        x = MARGIN_LEFT + band * (i + 0.5)
        if i % every == 0:
            parts.append(
                f'<text class="xtick" x="{_num(x)}" y="{HEIGHT - MARGIN_BOTTOM + 17}" text-anchor="middle">{esc(cat.short)}</text>'
            )
            if cat.year != previous_year:
                parts.append(
                    f'<text class="xyear" x="{_num(x)}" y="{HEIGHT - MARGIN_BOTTOM + 33}" text-anchor="middle">{esc(cat.year)}</text>'
                )
                previous_year = cat.year
    parts.append("</g>")
    return parts


def _marker(shape: Marker, x: float, y: float, css: str, tip: str) -> str:
    title = f"<title>{esc(tip)}</title>"
    if shape == "square":
        return f'<rect class="mark dot {css}" x="{_num(x - 4)}" y="{_num(y - 4)}" width="8" height="8">{title}</rect>'
    if shape == "diamond":
        points = (
            f"{_num(x)},{_num(y - 5.5)} {_num(x + 5.5)},{_num(y)} {_num(x)},{_num(y + 5.5)} {_num(x - 5.5)},{_num(y)}"
        )
        return f'<polygon class="mark dot {css}" points="{points}">{title}</polygon>'
    if shape == "triangle":
        points = f"{_num(x)},{_num(y - 5.5)} {_num(x + 5.5)},{_num(y + 4.5)} {_num(x - 5.5)},{_num(y + 4.5)}"
        return f'<polygon class="mark dot {css}" points="{points}">{title}</polygon>'
    return f'<circle class="mark dot {css}" cx="{_num(x)}" cy="{_num(y)}" r="4.5">{title}</circle>'


def _empty_text(message: str) -> str:
    return (
        f'<text class="chart-empty" x="{_num(MARGIN_LEFT + PLOT_W / 2)}" y="{_num(MARGIN_TOP + PLOT_H / 2)}" '
        f'text-anchor="middle">{esc(message)}</text>'
    )


def _max_value(series: Sequence[Series]) -> float:
    values = [v for s in series for v in s.values if v is not None]
    return max(values, default=0.0)


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[Category],
    series: Sequence[Series],
    value_text: Callable[[float], str],
    tick_label: Callable[[float], str],
    integer: bool = False,
    empty_message: str | None = None,
) -> str:
    """Lines with a marker per point; a None value breaks the line (no invented data between periods).

    When every value is zero the lines lie on the axis, one over another; ``empty_message`` then says
    in words what the flat lines mean.
    """
    maximum = _max_value(series)
    top, step = nice_scale(maximum, integer=integer)
    body = _axes(categories, top, step, tick_label)
    band = PLOT_W / len(categories) if categories else PLOT_W
    for s in series:
        commands: list[str] = []
        markers: list[str] = []
        pen_down = False
        for i, value in enumerate(s.values):
            if value is None:
                pen_down = False
                continue
            x = MARGIN_LEFT + band * (i + 0.5)
            y = _y(value, top)
            commands.append(f"{'L' if pen_down else 'M'}{_num(x)} {_num(y)}")
            pen_down = True
            markers.append(
                _marker(s.marker, x, y, s.css_class, f"{categories[i].long} \u00b7 {s.name}: {value_text(value)}")
            )
        dash = " dashed" if s.dashed else ""
        body.append(f'<g class="series {esc(s.css_class)}">')
        if len(commands) > 1:
            body.append(f'<path class="mark line{dash}" d="{" ".join(commands)}"><title>{esc(s.name)}</title></path>')
        body.extend(markers)
        body.append("</g>")
    if maximum <= 0 and empty_message:
        body.append(_empty_text(empty_message))
    return _frame(chart_id, title, description, body)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[Category],
    series: Sequence[Series],
    value_text: Callable[[float], str],
    tick_label: Callable[[float], str],
    empty_message: str,
) -> str:
    """Grouped bars, one group per period; zero and missing values draw nothing.

    When every value is zero the axes are kept and ``empty_message`` is written across the plot, so a
    chart with nothing to show says so instead of looking broken.
    """
    maximum = _max_value(series)
    top, step = nice_scale(maximum, integer=False)
    body = _axes(categories, top, step, tick_label)
    n = len(categories)
    band = PLOT_W / n if n else PLOT_W
    group = band * 0.72
    bar_w = group / max(1, len(series))
    for k, s in enumerate(series):
        body.append(f'<g class="series {esc(s.css_class)}">')
        for i, value in enumerate(s.values):
            if value is None or value <= 0:
                continue
            x = MARGIN_LEFT + band * i + (band - group) / 2 + bar_w * k
            y = _y(value, top)
            height = MARGIN_TOP + PLOT_H - y
            hatch = " hatched" if s.dashed else ""
            body.append(
                f'<rect class="mark bar{hatch}" x="{_num(x + 0.5)}" y="{_num(y)}" width="{_num(max(1.0, bar_w - 1))}" '
                f'height="{_num(height)}"><title>{esc(categories[i].long)} \u00b7 {esc(s.name)}: {esc(value_text(value))}</title></rect>'
            )
        body.append("</g>")
    if maximum <= 0:
        body.append(_empty_text(empty_message))
    return _frame(chart_id, title, description, body)


def legend(series: Sequence[Series], *, kind: str) -> str:
    """An HTML legend whose swatches are tiny SVGs showing the same colour, dash and marker as the chart."""
    items = []
    for s in series:
        if kind == "line":
            dash = " dashed" if s.dashed else ""
            swatch = (
                f'<svg class="swatch" viewBox="0 0 28 12" aria-hidden="true" focusable="false"><g class="series {esc(s.css_class)}">'
                f'<path class="line{dash}" d="M2 6 L26 6"/>{_marker(s.marker, 14, 6, s.css_class, s.name)}</g></svg>'
            )
        else:
            hatch = " hatched" if s.dashed else ""
            swatch = (
                f'<svg class="swatch" viewBox="0 0 14 14" aria-hidden="true" focusable="false"><g class="series {esc(s.css_class)}">'
                f'<rect class="bar{hatch}" x="1" y="1" width="12" height="12"/></g></svg>'
            )
        items.append(f"<li>{swatch}<span>{esc(s.name)}</span></li>")
    return f'<ul class="legend">{"".join(items)}</ul>'
