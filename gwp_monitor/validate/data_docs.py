"""Great Expectations Data Docs for each run, safe to publish and to open offline.

Pages are rendered with GX's own Data Docs renderer from the run's validation results, which were
asked for with row ids only (no unexpected values, spec 6). GX's page template pulls Bootstrap,
jQuery and Vega from CDNs; those tags are removed and a small inline style added, so a page makes no
network request and runs no script: what remains is the expectation-by-expectation table. The
template's links into a full GX site (favicon, Home, the suite's page) point at files that do not exist
next to the dashboard, so they are removed too (a favicon request would be a 404 in the console), except
GX's Home link, which is pointed at the dashboard's overview.

The page is rewritten by a streaming :class:`html.parser.HTMLParser`, not by regular expressions over
the markup: tags are recognised however their attributes are quoted or ordered, and everything the
cleaner does not touch is written back byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from html.parser import HTMLParser
from pathlib import Path

DOCS_FOLDER = "data-docs"
_HOME = "../index.html"  # pages are written in <report>/data-docs/, the overview is <report>/index.html
# GX's Home link climbs out of its site layout (../../../../index.html).
_GX_HOME = re.compile(r"(?:\.\./)+index\.html", re.IGNORECASE)
# Only inside CSS (style elements and attributes): a url() that would fetch from another host.
_CSS_REMOTE_URL = re.compile(r"url\(\s*['\"]?(?:https?:)?//[^)]*\)", re.IGNORECASE)
# An icon that needs no request, so the browser does not ask for /favicon.ico.
_ICON = '<link rel="icon" href="data:,">'
_STYLE = """<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#1b1f24}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccd;padding:.3rem .5rem;vertical-align:top}
.text-danger{color:#b00020}.text-success{color:#1b5e20}.badge{display:inline-block;padding:0 .3rem;border-radius:3px;background:#eee}
.gwp-note{background:#f4f6fa;border-left:4px solid #456;padding:.5rem 1rem;margin-bottom:1rem}
</style>"""
_NOTE = (
    '<div class="gwp-note">Great Expectations results for one gwp-monitor run. Failures list how many '
    "rows broke each rule; row numbers and problems per submission are in the dashboard's audit trail. "
    "No cell values are kept here (personal data).</div>"
)

Attrs = list[tuple[str, str | None]]


def _fetches(tag: str, attrs: Attrs) -> bool:
    """A <link> or <img> that would load a file: from a CDN, or from the GX site layout (not shipped)."""
    if tag not in ("link", "img"):
        return False
    return any(name in ("href", "src") and not (value or "").lower().startswith("data:") for name, value in attrs)


def _kept_link(href: str) -> bool:
    """Anchors that still lead somewhere next to the dashboard: in-page ones and the overview."""
    return href.startswith("#") or href == _HOME


class _Cleaner(HTMLParser):
    """Writes the document back without scripts, fetching tags and dead links (their text is kept)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self._in_script = False
        self._in_style = False
        self._anchors: list[bool] = []  # per open <a>: whether its tags are written (False: unwrapped)
        self._head_done = self._body_done = False

    def _start(self, tag: str, attrs: Attrs, self_closing: bool) -> None:
        if tag == "script":
            self._in_script = not self_closing
            return
        if _fetches(tag, attrs):
            return
        changed = False
        cleaned: Attrs = []
        for name, value in attrs:
            if name == "href" and value and _GX_HOME.fullmatch(value):
                value, changed = _HOME, True
            elif name == "style" and value and _CSS_REMOTE_URL.search(value):
                value, changed = _CSS_REMOTE_URL.sub("none", value), True
            cleaned.append((name, value))
        if tag == "a":
            href = dict(cleaned).get("href")
            keep = href is None or _kept_link(href)
            self._anchors.append(keep)
            if not keep:
                return
        self.out.append(_serialise(tag, cleaned, self_closing) if changed else self.get_starttag_text() or "")
        if tag == "style":
            self._in_style = not self_closing
        if tag == "body" and not self._body_done:
            self.out.append(_NOTE)
            self._body_done = True

    def handle_starttag(self, tag: str, attrs: Attrs) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: Attrs) -> None:
        self._start(tag, attrs, self_closing=True)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
            return
        if tag == "a" and self._anchors and not self._anchors.pop():
            return
        if tag == "style":
            self._in_style = False
        if tag == "head" and not self._head_done:
            self.out.append(_ICON + _STYLE)
            self._head_done = True
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._in_script:
            return
        self.out.append(_CSS_REMOTE_URL.sub("none", data) if self._in_style else data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def _serialise(tag: str, attrs: Attrs, self_closing: bool) -> str:
    parts = "".join(f" {name}" if value is None else f' {name}="{escape(value, quote=True)}"' for name, value in attrs)
    return f"<{tag}{parts}{' /' if self_closing else ''}>"


def clean_page(html: str) -> str:
    """A Data Docs page without scripts, remote or missing files and dead links, with our note and style."""
    cleaner = _Cleaner()
    cleaner.feed(html)
    cleaner.close()
    return "".join(cleaner.out)


def page_name(run_id: int, kind: str, stage: str) -> str:
    return f"{DOCS_FOLDER}/run-{run_id}-{kind}-{stage}.html"


def render_result_page(result) -> str:
    """One validation result as an offline, script-free HTML page."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    return clean_page(DefaultJinjaPageView().render(ValidationResultsPageRenderer().render(result)))


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


#: Batch results a batch task leaves for the task that closes the run (row ids only, no values).
PARTS_FOLDER = ".parts"


def write_run_data_docs(collected: Mapping[tuple[str, str], list], report_dir: Path, run_id: int) -> list[Path]:
    """One page per (kind, stage) for the whole run, from the results of each of its batches."""
    from gwp_monitor.validate.merge_results import merged_result

    return write_data_docs(
        {key: merged_result(results) for key, results in collected.items() if results}, report_dir, run_id
    )


def _parts_dir(report_dir: Path, run_id: int) -> Path:
    return Path(report_dir) / DOCS_FOLDER / PARTS_FOLDER / f"run-{run_id}"


def save_batch_results(collected: Mapping[tuple[str, str], list], report_dir: Path, run_id: int) -> Path | None:
    """Leave one batch task's results for `render_saved_results`; a retried task adds a new part
    (it validates only the files its first try did not store)."""
    import json
    import uuid

    parts = [
        {"kind": kind, "stage": stage, "result": result.to_json_dict()}
        for (kind, stage), results in collected.items()
        for result in results
    ]
    if not parts:
        return None
    folder = _parts_dir(report_dir, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(parts, default=str), encoding="utf-8")
    tmp.replace(path)  # whole or absent: a task killed mid-write leaves no half part
    return path


def render_saved_results(report_dir: Path, run_id: int) -> list[Path]:
    """Render the run's Data Docs once from every part its batch tasks left, then remove the parts."""
    import json
    import shutil

    folder = _parts_dir(report_dir, run_id)
    if not folder.is_dir():
        return []
    collected: dict[tuple[str, str], list] = {}
    for part in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
        for entry in json.loads(part.read_text(encoding="utf-8")):
            collected.setdefault((entry["kind"], entry["stage"]), []).append(entry["result"])
    written = write_run_data_docs(collected, report_dir, run_id)
    shutil.rmtree(folder, ignore_errors=True)
    return written
