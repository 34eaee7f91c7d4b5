"""The Jinja2 environment that turns the pages' view models into HTML, and the page shell's fixed parts.

Templates live in ``report/templates/`` and the stylesheet, script and favicon in ``report/static/``;
both are package data, read through the package loader and :mod:`importlib.resources` so an installed
wheel renders the same site as a checkout. Autoescaping is on for every template: whatever a supplier
put into a file name, a supplier name or an error message reaches the page as text, never as markup.
Only the SVG charts, built by :mod:`gwp_monitor.report.charts` with their own escaping, are passed in
as :class:`markupsafe.Markup`.

The stylesheet and script are inlined into every page (so a page works from a file share, attached to
an e-mail or printed) and hashed into the page's Content Security Policy, which then refuses any other
script or style. Palette: GOV.UK Design System colours that UK public-sector staff already read as
red/amber/green, text contrast of at least 4.5:1 (WCAG 2.2 AA) on every tinted background, Okabe-Ito
series colours for charts (distinguishable with the common colour-vision deficiencies).
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from gwp_monitor.domain.formatting import DASH, count, format_date, format_datetime, money, rate
from gwp_monitor.domain.periods import period_label
from gwp_monitor.report import labels as L
from gwp_monitor.report.names import CONTRACT_DIR
from gwp_monitor.report.wages import MIN_WORKERS_FOR_LOWEST_RATE

SITE_NAME = "Good Work monitoring"
GENERATOR = "gwp-monitor report"
# The tag :func:`gwp_monitor.report.site.render_site` looks for before deleting a page it did not write.
GENERATOR_META = f'<meta name="generator" content="{GENERATOR}">'


def static_bytes(name: str) -> bytes:
    """A file shipped in ``report/static/``, found as a package resource (works from a wheel or a zip)."""
    return files("gwp_monitor.report").joinpath("static", name).read_bytes()


def _sha256_b64(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


# Markup: the stylesheet and script are our own files, inlined verbatim (escaping would break them).
CSS = Markup(static_bytes("dashboard.css").decode("utf-8"))
JS = Markup(static_bytes("dashboard.js").decode("utf-8"))
# Pointing the icon at a data: URI stops the browser asking for /favicon.ico (a 404 on a static site).
FAVICON = "data:image/png;base64," + base64.b64encode(static_bytes("favicon.png")).decode("ascii")

# Only the exact inline stylesheet and script may run; 'none' for everything else means no network.
CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{_sha256_b64(CSS)}'; "
    f"script-src 'sha256-{_sha256_b64(JS)}'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


@cache
def environment() -> Environment:
    """The one environment: autoescaped, strict about undefined names, with the dashboard's vocabulary.

    ``trim_blocks``/``lstrip_blocks`` keep template tags from leaving blank lines; the formatting
    helpers and the vocabulary of :mod:`gwp_monitor.report.labels` are filters, so templates say
    ``{{ row.due_date | date }}`` and never format anything themselves.
    """
    env = Environment(
        loader=PackageLoader("gwp_monitor.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        date=format_date,
        datetime=format_datetime,
        money=money,
        rate=rate,
        count=count,
        commitment_name=L.commitment_name,
        band=lambda code: L.label(L.BAND_TEXT, code),
        kind=lambda code: L.label(L.KIND_TEXT, code),
    )
    env.globals.update(
        SITE_NAME=SITE_NAME,
        GENERATOR=GENERATOR,
        CSP=CSP,
        CSS=CSS,
        JS=JS,
        FAVICON=FAVICON,
        DASH=DASH,
        CONTRACT_DIR=CONTRACT_DIR,
        MIN_WORKERS_FOR_LOWEST_RATE=MIN_WORKERS_FOR_LOWEST_RATE,
        period_label=period_label,
        observed_text=L.observed_text,
        threshold_text=L.threshold_text,
    )
    return env


def render(template: str, **context: object) -> str:
    """Render one page template with its view model."""
    return environment().get_template(template).render(**context)
