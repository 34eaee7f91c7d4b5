"""Great Expectations Data Docs for each run, safe to publish and to open offline.

Pages are rendered with GX's own Data Docs renderer from the run's validation results, which were
asked for with row ids only (no unexpected values, spec 6). GX's page template pulls Bootstrap,
jQuery and Vega from CDNs; those tags are removed and a small inline style added, so a page makes no
network request and runs no script: what remains is the expectation-by-expectation table. The
template's links into a full GX site (favicon, Home, the suite's page) point at files that do not exist
next to the dashboard, so they are removed too (a favicon request would be a 404 in the console), except
GX's Home link, which is pointed at the dashboard's overview.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

DOCS_FOLDER = "data-docs"
_EXTERNAL_TAG = re.compile(r"<(link|img)\b[^>]*\b(?:href|src)=\"(?:https?:)?//[^\"]*\"[^>]*/?>", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.IGNORECASE | re.DOTALL)
_EXTERNAL_ANCHOR = re.compile(r"<a\b[^>]*\bhref=\"(?:https?:)?//[^\"]*\"[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
# Links and images into the GX site layout (../../../static/..., ../../../../index.html): not shipped.
_SITE_TAG = re.compile(r"<(link|img)\b[^>]*\b(?:href|src)=\"(?!data:)[^\"]*\"[^>]*/?>", re.IGNORECASE)
_GX_HOME = re.compile(r"\bhref=\"(?:\.\./)+index\.html\"", re.IGNORECASE)
_HOME = 'href="../index.html"'  # pages are written in <report>/data-docs/, the overview is <report>/index.html
_SITE_ANCHOR = re.compile(r"<a\b[^>]*\bhref=\"(?!#|\.\./index\.html\")[^\"]*\"[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*['\"]?(?:https?:)?//[^)]*\)", re.IGNORECASE)
# An icon that needs no request, so the browser does not ask for /favicon.ico.
_ICON = '<link rel="icon" href="data:,">'
_STYLE = """<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#1b1f24}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccd;padding:.3rem .5rem;vertical-align:top}
.text-danger{color:#b00020}.text-success{color:#1b5e20}.badge{display:inline-block;padding:0 .3rem;border-radius:3px;background:#eee}
.gwp-note{background:#f4f6fa;border-left:4px solid #456;padding:.5rem 1rem;margin-bottom:1rem}
</style>"""


def page_name(run_id: int, kind: str, stage: str) -> str:
    return f"{DOCS_FOLDER}/run-{run_id}-{kind}-{stage}.html"


def render_result_page(result) -> str:
    """One validation result as an offline, script-free HTML page."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    html = DefaultJinjaPageView().render(ValidationResultsPageRenderer().render(result))
    html = _SCRIPT.sub("", html)
    html = _EXTERNAL_TAG.sub("", html)
    html = _EXTERNAL_ANCHOR.sub(r"\1", html)
    html = _SITE_TAG.sub("", html)
    html = _GX_HOME.sub(_HOME, html)
    html = _SITE_ANCHOR.sub(r"\1", html)
    html = _CSS_URL.sub("none", html)
    note = (
        '<div class="gwp-note">Great Expectations results for one gwp-monitor run. Failures list how many '
        "rows broke each rule; row numbers and problems per submission are in the dashboard's audit trail. "
        "No cell values are kept here (personal data).</div>"
    )
    html = html.replace("</head>", _ICON + _STYLE + "</head>", 1)
    return re.sub(r"(<body[^>]*>)", r"\1" + note, html, count=1)


def write_data_docs(results: Mapping[tuple[str, str], object], report_dir: Path, run_id: int) -> list[Path]:
    """Write a page per (kind, stage) result of run `run_id` under report_dir/data-docs/."""
    written = []
    for (kind, stage), result in results.items():
        if result is None:
            continue
        path = Path(report_dir) / page_name(run_id, kind, stage)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_result_page(result), encoding="utf-8")
        written.append(path)
    return written
