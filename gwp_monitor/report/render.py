"""Render the contract managers' dashboard: a self-contained static site built from the views.

Rendering is a pure function of :class:`ReportData`: :func:`build_site` returns ``{relative path:
HTML}`` and :func:`render_site` only writes those files. Nothing on a page is fetched: styles, script
and SVG charts are inline, and a Content Security Policy with ``default-src 'none'`` plus hashes of
the one stylesheet and the one script makes the browser refuse anything else, so the site can be
opened from a file share, a zip or an intranet without leaking a request, and any markup a supplier
put into a file name or an error message is escaped text, never code.

Pages:

* ``index.html``: every contract with its RAG status, breaches, arrears, overdue returns and last
  submission (sortable, filterable), summary tiles, and any return that matched no monitored contract.
* ``contract/<file name>.html``: per contract, a periods x commitments grid, wage trend charts, the
  workers at risk from an announced Real Living Wage rise, open breaches, return timeliness and the
  submissions audit trail.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from gwp_monitor.report import labels as L
from gwp_monitor.report.assets import CSS, JS
from gwp_monitor.report.charts import Category, Series, bar_chart, legend, line_chart
from gwp_monitor.report.data import ReportData
from gwp_monitor.report.fmt import (
    DASH,
    as_date,
    as_datetime,
    as_float,
    as_int,
    as_text,
    count,
    esc,
    fmt_date,
    fmt_datetime,
    iso_sort_key,
    money,
    money_short,
    period_label,
    rate,
)

SITE_NAME = "Good Work monitoring"
GENERATOR = "gwp-monitor report"
CONTRACT_DIR = "contract"
# Below this many workers in a band, the band's lowest hourly rate is close to one person's pay, so
# it is not shown (statistical disclosure control; spec 6 keeps individual pay out of every report).
MIN_WORKERS_FOR_LOWEST_RATE = 5
# When the newest return is older than this before the as-of date, the meta bar flags the data as
# stale: payroll returns are monthly, so a healthy system receives something every month.
STALE_AFTER = timedelta(days=45)
SHA_SHOWN = 12


def _sha256_b64(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


# Only the exact inline stylesheet and script may run; 'none' for everything else means no network.
CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{_sha256_b64(CSS)}'; "
    f"script-src 'sha256-{_sha256_b64(JS)}'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def _favicon_png() -> str:
    """A 16x16 PNG favicon (red, amber, green bars on navy) as a data: URI, built without any file.

    Pointing the icon at a data: URI stops the browser asking the server for /favicon.ico, which
    would be a 404 in the console of a static site.
    """
    navy, red, amber, green = (18, 54, 92), (246, 112, 90), (250, 176, 90), (90, 196, 140)
    pixels = []
    for y in range(16):
        row = []
        for x in range(16):
            colour = navy
            if 3 <= x <= 12:
                if 3 <= y <= 4 and x <= 12:
                    colour = red
                elif 7 <= y <= 8 and x <= 10:
                    colour = amber
                elif 11 <= y <= 12 and x <= 8:
                    colour = green
            row.append(bytes(colour))
        pixels.append(b"\x00" + b"".join(row))
    raw = zlib.compress(b"".join(pixels), 9)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


FAVICON = _favicon_png()
# Pattern for the hatched (statutory minimum) bars, defined once per page and referenced by CSS.
HATCH_DEFS = (
    '<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>'
    '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect id="hatch-bg" width="6" height="6"/><line id="hatch-line" x1="0" y1="0" x2="0" y2="6"/></pattern>'
    "</defs></svg>"
)


# --------------------------------------------------------------------------------------------------
# File names


def contract_file_name(contract_ref: str) -> str:
    """A file name for a contract's page that is safe on every file system and stable across runs.

    contract_ref may hold ``/`` and ``.`` (spec 2.1), which would make folders or hidden files. Other
    characters become ``_``; when anything was changed, eight hex digits of the ref's SHA-256 are
    appended so ``A/B`` and ``A_B`` cannot land on the same page.
    """
    cleaned = re.sub(r"[^A-Za-z0-9-]+", "_", contract_ref).strip("_-") or "contract"
    if cleaned != contract_ref:
        cleaned = f"{cleaned[:64]}-{hashlib.sha256(contract_ref.encode('utf-8')).hexdigest()[:8]}"
    return f"{cleaned}.html"


def _file_names(refs: Iterable[str]) -> dict[str, str]:
    """Contract ref -> page file name, with refs that differ only in case kept apart.

    Windows and macOS file systems ignore case, so ``abc`` and ``ABC`` would overwrite each other;
    those rare pairs get the hash suffix too.
    """
    names = {ref: contract_file_name(ref) for ref in refs}
    seen: dict[str, list[str]] = defaultdict(list)
    for ref, name in names.items():
        seen[name.lower()].append(ref)
    for clash in (refs_ for refs_ in seen.values() if len(refs_) > 1):
        for ref in clash:
            stem = names[ref][: -len(".html")]
            names[ref] = f"{stem}-{hashlib.sha256(ref.encode('utf-8')).hexdigest()[:8]}.html"
    return names


# --------------------------------------------------------------------------------------------------
# Frames to plain rows


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts; the renderer only ever handles scalars, so pandas stays out of page code."""
    if frame is None or len(frame) == 0:
        return []
    return frame.to_dict(orient="records")


def _by_contract(frame: pd.DataFrame) -> dict[str | None, list[dict[str, Any]]]:
    """Rows grouped by contract_ref once, so each contract page does not rescan every frame."""
    grouped: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for row in _records(frame):
        grouped[as_text(row.get("contract_ref"))].append(row)
    return grouped


@dataclass(frozen=True)
class ContractSummary:
    """One line of the overview, also the header figures of the contract's page."""

    ref: str
    supplier: str | None
    rag: str  # lower-case red/amber/green, or "unknown"
    open_breaches: int
    overdue_returns: int
    arrears: float
    last_submission_at: Any
    file_name: str


def _rag(value: Any) -> str:
    """Normalised RAG code; anything unexpected is "unknown" (shown grey) rather than guessed."""
    text = (as_text(value) or "").strip().lower()
    return text if text in L.RAG_ORDER else "unknown"


# --------------------------------------------------------------------------------------------------
# Small HTML pieces


def _tag(code: Any, table: dict[str, str], *, large: bool = False, symbol: str | None = None) -> str:
    """A status pill: class from the code (colour), text from the vocabulary (meaning)."""
    key = (as_text(code) or "unknown").strip().lower()
    css = re.sub(r"[^a-z0-9_]", "", key) or "unknown"
    sym = f'<span class="sym" aria-hidden="true">{esc(symbol)}</span>' if symbol else ""
    return f'<span class="tag {css}{" large" if large else ""}">{sym}<span class="tag-text">{esc(L.label(table, code))}</span></span>'


def _rag_tag(rag: str, *, large: bool = False) -> str:
    """The RAG pill: colour, a distinct shape and the word, so it reads in greyscale and to screen readers."""
    if rag not in L.RAG_TEXT:
        return _tag("unknown", {"unknown": "Unknown"}, large=large, symbol="\u25cb")
    return _tag(rag, L.RAG_TEXT, large=large, symbol=L.RAG_SYMBOL[rag])


def _num_cell(value: Any, text: str, *, strong_if_positive: bool = False) -> str:
    """A right-aligned figure with a raw sort key, zeros muted so the non-zero ones stand out."""
    number = as_float(value)
    sort = "" if number is None else f"{number:.2f}".rstrip("0").rstrip(".")
    css = "num"
    if number is not None and number == 0:
        css += " zero"
    elif strong_if_positive and number:
        css += " strong"
    return f'<td class="{css}" data-sort="{esc(sort)}">{esc(text)}</td>'


def _sort_header(label: str, *, numeric: bool = False, first_descending: bool = False, align_right: bool | None = None) -> str:
    """A column heading whose button sorts the table; numeric columns are right-aligned unless told not to be."""
    attrs = ' data-sort-type="number"' if numeric else ' data-sort-type="text"'
    if first_descending:
        attrs += ' data-first-sort="descending"'
    css = ' class="num"' if (numeric if align_right is None else align_right) else ""
    return f'<th scope="col"{css}{attrs}><button type="button" class="sort">{esc(label)}</button></th>'


def _table(headers: Sequence[tuple[str, bool]], rows: Sequence[str], *, caption: str, css: str = "data") -> str:
    """A plain data table; ``headers`` are (label, right-aligned numeric column)."""
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if numeric else ""}>{esc(h)}</th>' for h, numeric in headers)
    return (
        f'<div class="table-scroll"><table class="{css}"><caption class="sr-only">{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _tile(value: str, label: str, css: str, *, rag_filter: str | None = None) -> str:
    """A summary figure; RAG tiles are buttons that filter the table to that status."""
    inner = f'<span class="tile-value">{esc(value)}</span><span class="tile-label">{esc(label)}</span>'
    if rag_filter:
        return (
            f'<li><button type="button" class="tile {css}" data-rag-filter="{esc(rag_filter)}" aria-pressed="false" '
            f'aria-controls="contracts">{inner}<span class="sr-only"> (show only these)</span></button></li>'
        )
    return f'<li><div class="tile {css}">{inner}</div></li>'


def _page(*, title: str, body: str, data: ReportData, depth: int) -> str:
    """The shell every page shares: CSP, inline style and script, masthead, run clock, privacy footer."""
    root = "../" * depth
    freshness = data.data_freshness
    if freshness is None:
        fresh_text, stale = "No returns received yet", False
    else:
        fresh_text = f"Latest return received {fmt_datetime(freshness)}"
        stale = freshness.date() < data.as_of - STALE_AFTER
        if stale:
            fresh_text += f" (more than {STALE_AFTER.days} days before the as-of date)"
    meta = (
        '<div class="meta-bar"><div class="wrap"><dl>'
        f'<div class="meta-item"><dt>As of</dt> <dd><time datetime="{data.as_of.isoformat()}">{esc(fmt_date(data.as_of))}</time></dd></div>'
        f'<div class="meta-item{" stale" if stale else ""}"><dt>Data freshness</dt> <dd>{esc(fresh_text)}</dd></div>'
        f'<div class="meta-item"><dt>Generated</dt> <dd><time datetime="{esc(data.generated_at.isoformat())}">'
        f"{esc(fmt_datetime(data.generated_at))}</time></dd></div>"
        "</dl></div></div>"
    )
    footer = (
        '<footer class="site-footer"><div class="wrap">'
        '<p class="privacy">This report holds aggregate data only: counts, rates and totals per contract, period and '
        "wage band. It contains no individual worker's pay, name or reference.</p>"
        f"<p>Lowest hourly rates are hidden for bands with fewer than {MIN_WORKERS_FOR_LOWEST_RATE} workers assessed, "
        "so that no figure is one person's pay.</p>"
        "<p>Produced by gwp-monitor from the reporting database's published views. Verdicts follow the commitment "
        "catalogue: a breach is open while a commitment's latest verdict is a breach.</p>"
        "</div></footer>"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="referrer" content="no-referrer">'
        f'<meta name="generator" content="{GENERATOR}">'
        f"<title>{esc(title)} \u2014 {SITE_NAME}</title>"
        f'<link rel="icon" href="{esc(FAVICON)}">'
        f"<style>{CSS}</style></head><body>"
        '<a class="skip-link" href="#main">Skip to main content</a>'
        f'<header class="masthead"><div class="wrap"><a class="brand" href="{root}index.html">'
        f'<span class="brand-mark" aria-hidden="true"></span>{SITE_NAME}</a>'
        '<span class="tagline">Good Work commitments on public contracts</span></div></header>'
        f"{meta}"
        f'<main id="main" class="wrap" tabindex="-1">{body}</main>'
        f"{footer}{HATCH_DEFS}"
        f"<script>{JS}</script></body></html>\n"
    )


# --------------------------------------------------------------------------------------------------
# Submissions: shared by the contract pages and the overview's "unmatched returns" list


def problems(errors: Any) -> list[str]:
    """The individual problems in a submission's ``errors`` text, one string each.

    The text is JSON (a list of strings or of {column, rule, rows, first_rows, message} objects) or
    one problem per line; anything else is shown whole rather than guessed at.
    """
    text = as_text(errors)
    if text is None or not text.strip():
        return []
    stripped = text.strip()
    if stripped[:1] in "[{":
        try:
            parsed = json.loads(stripped)
        except ValueError:
            parsed = None
        if parsed is not None:
            items = parsed if isinstance(parsed, list) else [parsed]
            return [text for text in (_problem_text(item) for item in items) if text]
    return [line.strip().lstrip("-\u2022*").strip() for line in stripped.splitlines() if line.strip().lstrip("-\u2022*").strip()]


def _problem_text(item: Any) -> str:
    """One problem as a sentence: ``column: rule (n rows; first rows ...)``, or its message."""
    if isinstance(item, dict):
        if item.get("message"):
            prefix = f"{item['column']}: " if item.get("column") else ""
            return f"{prefix}{item['message']}"
        parts = [str(item[k]) for k in ("column", "rule") if item.get(k)]
        text = ": ".join(parts) if parts else json.dumps(item, ensure_ascii=False, sort_keys=True)
        extra = []
        rows = item.get("rows", item.get("count", item.get("row_count")))
        if rows not in (None, ""):
            extra.append(f"{rows} row{'s' if str(rows) != '1' else ''}")
        first = item.get("first_rows")
        if first:
            extra.append("first rows " + (", ".join(map(str, first)) if isinstance(first, list) else str(first)))
        return f"{text} ({'; '.join(extra)})" if extra else text
    return "" if item is None else str(item).strip()


def _submission_rows(rows: list[dict[str, Any]], data: ReportData, *, depth: int, with_contract: bool) -> list[str]:
    """Audit-trail rows, newest first; the hash is shortened for reading with the full value in its title."""
    out = []
    ordered = sorted(rows, key=lambda r: iso_sort_key(r.get("received_at")), reverse=True)
    for row in ordered:
        status = (as_text(row.get("status")) or "").lower()
        sha = as_text(row.get("file_sha256")) or ""
        sha_html = f'<code class="hash" title="SHA-256 {esc(sha)}">{esc(sha[:SHA_SHOWN])}\u2026</code>' if sha else DASH
        found = problems(row.get("errors"))
        error_count = as_int(row.get("error_count")) or 0
        if found:
            problems_html = '<ul class="problems">' + "".join(f"<li>{esc(p)}</li>" for p in found) + "</ul>"
            if error_count > len(found):
                problems_html += f'<span class="sub">{error_count - len(found)} more not listed</span>'
        elif error_count:
            problems_html = f"{error_count} problem{'s' if error_count != 1 else ''} (no details stored)"
        else:
            problems_html = '<span class="zero">None</span>'
        href = data.docs_href(row.get("submission_id"))
        docs = f'<a href="{esc("../" * depth + href)}">Validation report</a>' if href else '<span class="zero">\u2014</span>'
        kind = L.label(L.KIND_TEXT, row.get("kind")) if as_text(row.get("kind")) else "Unreadable file"
        period = period_label(row.get("period_start"), row.get("period_end"))
        contract_cell = f"<td>{esc(as_text(row.get('contract_ref')) or 'Not recognised')}</td>" if with_contract else ""
        out.append(
            f'<tr class="{"muted" if status == "superseded" else ""}">'
            f'<td class="nowrap" data-sort="{esc(iso_sort_key(row.get("received_at")))}">{esc(fmt_datetime(row.get("received_at")))}</td>'
            f"{contract_cell}"
            f'<td>{esc(kind)}<span class="sub">{esc(period)}</span></td>'
            f'<td><span class="file-name">{esc(as_text(row.get("file_name")) or DASH)}</span><span class="sub">{sha_html}</span></td>'
            f"<td>{_tag(status or None, L.SUBMISSION_TEXT)}</td>"
            f'<td class="num">{esc(count(row.get("row_count")))}</td>'
            f"<td>{problems_html}</td><td>{docs}</td></tr>"
        )
    return out


def _submissions_table(rows: list[dict[str, Any]], data: ReportData, *, depth: int, with_contract: bool, caption: str) -> str:
    """The submissions table, or a sentence when nothing has been received (an empty table looks broken)."""
    headers = [("Received", False)]
    if with_contract:
        headers.append(("Contract", False))
    headers += [("Return", False), ("File", False), ("Status", False), ("Rows", True), ("Problems", False), ("Data Docs", False)]
    if not rows:
        return '<p class="note">No files have been received for this contract yet.</p>'
    return _table(headers, _submission_rows(rows, data, depth=depth, with_contract=with_contract), caption=caption)


# --------------------------------------------------------------------------------------------------
# Overview


def _summaries(data: ReportData) -> list[ContractSummary]:
    """One summary per contract in v_contract_status, worst first (red, most breaches, most arrears)."""
    arrears: dict[str, float] = defaultdict(float)
    for row in _records(data.open_breaches):
        ref = as_text(row.get("contract_ref"))
        if ref is not None:
            arrears[ref] += as_float(row.get("arrears_gbp")) or 0.0
    suppliers = {}
    for row in _records(data.compliance_history):
        ref, name = as_text(row.get("contract_ref")), as_text(row.get("supplier_name"))
        if ref and name:
            suppliers.setdefault(ref, name)
    # One line per contract even if the view were to repeat one; the first row wins.
    rows = list({as_text(r.get("contract_ref")): r for r in reversed(_records(data.contract_status)) if as_text(r.get("contract_ref"))}.values())
    names = _file_names(dict.fromkeys(as_text(r["contract_ref"]) or "" for r in rows))
    summaries = []
    for row in rows:
        ref = as_text(row["contract_ref"]) or ""
        summaries.append(
            ContractSummary(
                ref=ref,
                supplier=as_text(row.get("supplier_name")) or suppliers.get(ref),
                rag=_rag(row.get("rag")),
                open_breaches=as_int(row.get("open_breaches")) or 0,
                overdue_returns=as_int(row.get("overdue_returns")) or 0,
                arrears=round(arrears.get(ref, 0.0), 2),
                last_submission_at=row.get("last_submission_at"),
                file_name=names[ref],
            )
        )
    summaries.sort(key=lambda s: (L.RAG_ORDER.get(s.rag, 3), -s.open_breaches, -s.arrears, -s.overdue_returns, s.ref))
    return summaries


def _overview(data: ReportData, summaries: list[ContractSummary]) -> str:
    """The index page body: summary tiles, the filterable contracts table, unmatched returns."""
    by_rag = {rag: sum(1 for s in summaries if s.rag == rag) for rag in L.RAG_ORDER}
    total_arrears = sum(s.arrears for s in summaries)
    overdue = sum(s.overdue_returns for s in summaries)
    breaches = sum(s.open_breaches for s in summaries)
    head = (
        "<h1>Contracts overview</h1>"
        '<p class="lede">Whether each supplier is keeping its Good Work commitments, from its latest verdicts. '
        "Red: a commitment is in breach. Amber: nothing in breach, but a return is overdue or rejected, or a "
        "commitment could not be assessed. Green: every commitment kept.</p>"
    )
    unmatched = _unmatched_section(data, {s.ref for s in summaries})
    if not summaries:
        return (
            head
            + '<section class="panel empty-state" aria-labelledby="empty-h"><h2 id="empty-h">No contracts are being monitored yet</h2>'
            "<p>Contracts appear here after the first monitoring run has read the contract register. "
            "Once suppliers' returns arrive, each contract shows its status, open breaches, arrears and overdue returns.</p>"
            "</section>" + unmatched
        )
    tiles = (
        '<ul class="tiles" aria-label="Summary">'
        + _tile(str(by_rag["red"]), "contracts red", "red", rag_filter="red")
        + _tile(str(by_rag["amber"]), "contracts amber", "amber", rag_filter="amber")
        + _tile(str(by_rag["green"]), "contracts green", "green", rag_filter="green")
        + _tile(money(total_arrears), "arrears in open breaches", "money")
        + _tile(str(breaches), "open breaches", "warn" if breaches else "")
        + _tile(str(overdue), "returns overdue", "warn" if overdue else "")
        + "</ul>"
    )
    rows = []
    for s in summaries:
        last = s.last_submission_at
        last_cell = (
            f'<td class="nowrap" data-sort="{esc(iso_sort_key(last))}">{esc(fmt_datetime(last))}</td>'
            if as_datetime(last)
            else '<td data-sort=""><span class="zero">None yet</span></td>'
        )
        rows.append(
            f'<tr data-rag="{esc(s.rag)}" data-ref="{esc(s.ref)}" data-search="{esc(s.ref + " " + (s.supplier or ""))}">'
            f'<td><a class="contract-link" href="{CONTRACT_DIR}/{esc(s.file_name)}">{esc(s.ref)}</a></td>'
            f"<td>{esc(s.supplier or DASH)}</td>"
            f'<td class="rag-cell" data-sort="{L.RAG_ORDER.get(s.rag, 3)}">{_rag_tag(s.rag)}</td>'
            + _num_cell(s.open_breaches, str(s.open_breaches), strong_if_positive=True)
            + _num_cell(s.arrears, money(s.arrears), strong_if_positive=True)
            + _num_cell(s.overdue_returns, str(s.overdue_returns), strong_if_positive=True)
            + last_cell
            + "</tr>"
        )
    rows.append('<tr class="no-match" hidden><td colspan="7">No contract matches this filter.</td></tr>')
    controls = (
        '<div class="controls">'
        '<div class="field"><label for="filter-text">Find a contract or supplier</label>'
        '<input id="filter-text" type="search" autocomplete="off" spellcheck="false" placeholder="Contract reference or supplier name"></div>'
        '<div class="field"><label for="filter-rag">Status</label><select id="filter-rag">'
        '<option value="">All statuses</option><option value="red">Red</option>'
        '<option value="amber">Amber</option><option value="green">Green</option></select></div>'
        f'<p class="result-count" id="result-count" aria-live="polite">Showing all {len(summaries)} contracts</p>'
        "</div>"
    )
    header = (
        "<tr>"
        + _sort_header("Contract")
        + _sort_header("Supplier")
        + _sort_header("Status", numeric=True, align_right=False)
        + _sort_header("Open breaches", numeric=True, first_descending=True)
        + _sort_header("Arrears", numeric=True, first_descending=True)
        + _sort_header("Overdue returns", numeric=True, first_descending=True)
        + _sort_header("Last submission", first_descending=True)
        + "</tr>"
    )
    table = (
        '<section class="panel" aria-labelledby="contracts-h"><div class="panel-head"><h2 id="contracts-h">Contracts</h2>'
        "<p>Worst first. Select a column heading to sort; select a contract for its detail.</p></div>"
        + controls
        + '<div class="table-scroll"><table class="data" id="contracts" data-sortable>'
        '<caption class="sr-only">Monitored contracts with their status. Column headings are buttons that sort the table.</caption>'
        f"<thead>{header}</thead><tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="note">Arrears are the sums owed in open wage breaches. Statutory minimum and Real Living Wage '
        "arrears are shown for each breach; where a worker is below both floors, the two figures overlap.</p>"
        "</section>"
    )
    return head + tiles + table + unmatched


def _unmatched_section(data: ReportData, known: set[str]) -> str:
    """Returns whose contract is unknown or unreadable, so nothing a supplier sent goes unseen."""
    rows = [r for r in _records(data.submissions) if as_text(r.get("contract_ref")) not in known]
    if not rows:
        return ""
    return (
        '<section class="panel" aria-labelledby="unmatched-h"><div class="panel-head">'
        '<h2 id="unmatched-h">Returns not matched to a monitored contract</h2>'
        "<p>Files that could not be read, or that name a contract not in the register. Suppliers may need to resend them.</p></div>"
        + _submissions_table(rows, data, depth=0, with_contract=True, caption="Returns not matched to a monitored contract")
        + "</section>"
    )


# --------------------------------------------------------------------------------------------------
# Contract page


@dataclass(frozen=True)
class _Verdict:
    commitment: str
    start: date
    end: date
    status: str
    severity: str | None
    observed: Any
    threshold: Any
    detail: str | None

    @property
    def first_month(self) -> int:
        return self.start.year * 12 + self.start.month - 1

    @property
    def last_month(self) -> int:
        return self.end.year * 12 + self.end.month - 1


def _verdicts(rows: list[dict[str, Any]]) -> list[_Verdict]:
    """History rows as typed verdicts; rows without a commitment or period cannot be placed and are skipped."""
    out = []
    for row in rows:
        start, end = as_date(row.get("period_start")), as_date(row.get("period_end"))
        commitment = as_text(row.get("commitment"))
        if start is None or end is None or commitment is None:
            continue
        out.append(
            _Verdict(
                commitment=commitment,
                start=start,
                end=max(start, end),
                status=(as_text(row.get("status")) or "unknown").strip().lower(),
                severity=as_text(row.get("severity")),
                observed=row.get("observed_value"),
                threshold=row.get("threshold"),
                detail=as_text(row.get("detail")),
            )
        )
    return out


def _verdict_tip(v: _Verdict) -> str:
    """The tooltip of a grid cell: what was observed against what was required, and the detail."""
    lines = [
        f"{L.commitment_name(v.commitment)} \u2014 {period_label(v.start, v.end)}",
        L.label(L.VERDICT_TEXT, v.status),
    ]
    if as_float(v.observed) is not None:
        lines.append(f"Observed: {L.observed_text(v.commitment, v.observed)}")
    if as_float(v.threshold) is not None:
        lines.append(f"Required: {L.threshold_text(v.commitment, v.threshold)}")
    if v.detail:
        lines.append(v.detail)
    return "\n".join(lines)


def _month_label(index: int) -> tuple[str, int]:
    """("Apr", 2025) for a month index (year * 12 + month - 1), the grid's column unit."""
    year, month = divmod(index, 12)
    return date(year, month + 1, 1).strftime("%b"), year


def _grid(verdicts: list[_Verdict]) -> str:
    """Commitments down, calendar months across; a quarterly verdict spans its three months.

    Using months as the common axis lines monthly payroll checks up with quarterly workforce checks,
    so a contract manager reads one column as "what we knew about that month".
    """
    if not verdicts:
        return (
            '<p class="note">No verdicts yet: the first verdicts appear once a return has been accepted or its due date has passed.</p>'
        )
    first = min(v.first_month for v in verdicts)
    last = max(v.last_month for v in verdicts)
    months = list(range(first, last + 1))
    years: list[tuple[int, int]] = []
    for m in months:
        _, year = _month_label(m)
        if years and years[-1][0] == year:
            years[-1] = (year, years[-1][1] + 1)
        else:
            years.append((year, 1))
    head = (
        '<thead><tr class="year"><th scope="col" rowspan="2" class="corner"><span class="sr-only">Commitment</span></th>'
        + "".join(f'<th scope="colgroup" colspan="{n}">{year}</th>' for year, n in years)
        + '</tr><tr class="month">'
        + "".join(f'<th scope="col">{_month_label(m)[0]}</th>' for m in months)
        + "</tr></thead>"
    )
    by_commitment: dict[str, list[_Verdict]] = defaultdict(list)
    for v in verdicts:
        by_commitment[v.commitment].append(v)
    body = []
    for commitment in sorted(by_commitment, key=L.commitment_sort_key):
        items = sorted(by_commitment[commitment], key=lambda v: (v.first_month, v.last_month))
        # Periods of one commitment do not overlap in normal data; if the register changed a return's
        # frequency they can, and each overlap gets its own lane instead of being hidden.
        lanes: list[list[_Verdict]] = []
        for v in items:
            for lane in lanes:
                if lane[-1].last_month < v.first_month:
                    lane.append(v)
                    break
            else:
                lanes.append([v])
        severity = next((v.severity for v in items if v.severity), None)
        for lane_no, lane in enumerate(lanes):
            name = L.commitment_name(commitment) + (f" ({lane_no + 1})" if len(lanes) > 1 else "")
            sev = f'<span class="sev">{esc(L.label(L.SEVERITY_TEXT, severity))} severity</span>' if severity else ""
            cells = [f'<th scope="row">{esc(name)}{sev}</th>']
            starts = {v.first_month: v for v in lane}
            m = first
            while m <= last:
                v = starts.get(m)
                if v is None:
                    cells.append('<td class="cell none"></td>')
                    m += 1
                    continue
                span = v.last_month - v.first_month + 1
                css = re.sub(r"[^a-z0-9_]", "", v.status) or "unknown"
                symbol = L.VERDICT_SYMBOL.get(v.status, "\u2022")
                text = f"{L.label(L.VERDICT_TEXT, v.status)}, {period_label(v.start, v.end)}"
                cells.append(
                    f'<td class="cell verdict {css}" colspan="{span}" tabindex="0" data-tip-source title="{esc(_verdict_tip(v))}" '
                    f'data-status="{esc(v.status)}" data-period="{v.start.isoformat()}">'
                    f'<span aria-hidden="true">{esc(symbol)}</span><span class="sr-only">{esc(text)}</span></td>'
                )
                m += span
            body.append("<tr>" + "".join(cells) + "</tr>")
    key = (
        '<ul class="legend-row" aria-label="Key">'
        '<li><span class="key cell compliant" aria-hidden="true">\u2713</span>Compliant</li>'
        '<li><span class="key cell breach" aria-hidden="true">\u2715</span>Breach</li>'
        '<li><span class="key cell not_assessable" aria-hidden="true">?</span>Not assessable (return missing, rejected or incomplete)</li>'
        '<li><span class="key cell none" aria-hidden="true"></span>No verdict for that month</li>'
        "</ul>"
    )
    return (
        key
        + '<div class="grid-scroll" tabindex="0" role="region" aria-label="Verdicts by commitment and month">'
        + '<table class="grid"><caption class="sr-only">Verdict for each commitment and period</caption>'
        + head
        + "<tbody>"
        + "".join(body)
        + "</tbody></table></div>"
        + '<p class="note">Hover over or tab to a cell for the figures behind the verdict.</p>'
    )


def _latest_table(verdicts: list[_Verdict]) -> str:
    """v_compliance_latest recomputed from the history: the grid's last column in words, for screen readers and print."""
    latest: dict[str, _Verdict] = {}
    for v in verdicts:
        current = latest.get(v.commitment)
        if current is None or (v.end, v.start) > (current.end, current.start):
            latest[v.commitment] = v
    if not latest:
        return ""
    rows = []
    for commitment in sorted(latest, key=L.commitment_sort_key):
        v = latest[commitment]
        symbol = L.VERDICT_SYMBOL.get(v.status)
        rows.append(
            f"<tr><th scope=\"row\">{esc(L.commitment_name(commitment))}</th>"
            f"<td>{esc(period_label(v.start, v.end))}</td>"
            f"<td>{_tag(v.status, L.VERDICT_TEXT, symbol=symbol)}</td>"
            f"<td>{esc(L.observed_text(commitment, v.observed))}</td>"
            f"<td>{esc(L.threshold_text(commitment, v.threshold))}</td>"
            f"<td>{esc(v.detail or DASH)}</td></tr>"
        )
    return "<h3>Latest verdict for each commitment</h3>" + _table(
        [("Commitment", False), ("Period", False), ("Verdict", False), ("Observed", False), ("Required", False), ("Detail", False)],
        rows,
        caption="Latest verdict for each commitment",
    )


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


def _wages(rows: list[dict[str, Any]], chart_prefix: str) -> str:
    """Trend charts of workers below each floor and of arrears, the at-risk callout, and the figures."""
    parsed = []
    for row in rows:
        start, end = as_date(row.get("period_start")), as_date(row.get("period_end"))
        rate_type, band = as_text(row.get("rate_type")), as_text(row.get("band"))
        if start is None or rate_type is None or band is None:
            continue
        parsed.append((start, end or start, rate_type, band, row))
    if not parsed:
        return (
            '<p class="note">No payroll data has been assessed for this contract yet. The wage charts appear once an '
            "accepted payroll return has been checked.</p>"
        )
    periods = sorted({(start, end) for start, end, *_ in parsed})
    index = {p: i for i, p in enumerate(periods)}
    categories = [Category(key=p[0].isoformat(), short=f"{p[0]:%b}", year=f"{p[0]:%Y}", long=period_label(*p)) for p in periods]
    floors = sorted({(rt, band) for _, _, rt, band, _ in parsed}, key=lambda f: _floor_key(*f))

    below_series = []
    for rate_type, band in floors:
        values: list[float | None] = [None] * len(periods)
        for start, end, rt, bd, row in parsed:
            if (rt, bd) == (rate_type, band):
                values[index[(start, end)]] = float(as_int(row.get("workers_below")) or 0)
        css, dashed, marker = _floor_style(rate_type, band)
        below_series.append(Series(L.floor_name(rate_type, band), values, css, dashed, marker))

    arrears_series = []
    for rate_type in sorted({rt for rt, _ in floors}, key=lambda rt: 0 if rt == "real_living_wage" else 1):
        values = [None] * len(periods)
        for start, end, rt, _, row in parsed:
            if rt == rate_type:
                i = index[(start, end)]
                values[i] = round((values[i] or 0.0) + (as_float(row.get("arrears_gbp")) or 0.0), 2)
        css = "s-rlw-uk" if rate_type == "real_living_wage" else ("s-smw-21_plus" if rate_type == "statutory_minimum_wage" else "s-other")
        arrears_series.append(Series(L.label(L.RATE_TYPE_TEXT, rate_type), values, css, rate_type != "real_living_wage", "square"))

    def workers_text(v: float) -> str:
        return f"{int(v):,} worker{'s' if int(v) != 1 else ''} below"

    below_chart = line_chart(
        chart_id=f"{chart_prefix}-below",
        title="Workers paid below each wage floor, by period",
        description="; ".join(
            f"{s.name}: " + ", ".join(f"{c.long} {int(v)}" for c, v in zip(categories, s.values) if v is not None) for s in below_series
        ),
        categories=categories,
        series=below_series,
        value_text=workers_text,
        tick_label=lambda v: f"{int(v):,}",
        integer=True,
        empty_message="No worker below any wage floor in these periods",
    )
    arrears_chart = bar_chart(
        chart_id=f"{chart_prefix}-arrears",
        title="Arrears by period",
        description="; ".join(
            f"{s.name}: " + ", ".join(f"{c.long} {money(v)}" for c, v in zip(categories, s.values) if v is not None)
            for s in arrears_series
        ),
        categories=categories,
        series=arrears_series,
        value_text=money,
        tick_label=money_short,
        empty_message="No arrears in any period",
    )
    charts = (
        '<div class="charts">'
        '<figure class="chart-figure"><figcaption>Workers paid below each wage floor</figcaption>'
        '<p class="chart-sub">Number of workers per period. Solid: Real Living Wage; dashed: statutory minimum.</p>'
        + legend(below_series, kind="line")
        + below_chart
        + "</figure>"
        '<figure class="chart-figure"><figcaption>Arrears by period</figcaption>'
        '<p class="chart-sub">What workers below each floor were owed for the period (GBP), all bands together.</p>'
        + legend(arrears_series, kind="bar")
        + arrears_chart
        + "</figure></div>"
    )
    return charts + _at_risk(parsed) + _wage_table(parsed)


def _at_risk(parsed: list[tuple[date, date, str, str, dict[str, Any]]]) -> str:
    """Workers below an announced, not yet required Real Living Wage: a warning, never a breach."""
    upcoming = [p for p in parsed if p[2] == "real_living_wage" and as_float(p[4].get("upcoming_rate")) is not None]
    if not upcoming:
        return (
            '<h3>Upcoming Real Living Wage rise</h3><p class="note">No Real Living Wage rise has been announced that is not yet '
            "in force, or no Real Living Wage check applies to this contract.</p>"
        )
    latest = max((start, end) for start, end, *_ in upcoming)
    rows = sorted((p for p in upcoming if (p[0], p[1]) == latest), key=lambda p: _floor_key(p[2], p[3]))
    at_risk = sum(as_int(p[4].get("workers_below_upcoming")) or 0 for p in rows)
    assessed = sum(as_int(p[4].get("workers_assessed")) or 0 for p in rows)
    new_rates = " and ".join(f"{rate(p[4].get('upcoming_rate'))} ({L.label(L.BAND_TEXT, p[3])})" for p in rows)
    when = period_label(*latest)
    if at_risk:
        callout = (
            f'<div class="callout"><p><strong>{at_risk:,} of {assessed:,} workers at risk.</strong> The Real Living Wage will rise to '
            f"{esc(new_rates)}. In {esc(when)}, {at_risk:,} worker{'s were' if at_risk != 1 else ' was'} paid below the new rate. "
            "This is not a breach yet: it becomes one if pay has not risen by the date the new rate must be paid.</p></div>"
        )
    else:
        callout = (
            f'<div class="callout ok"><p><strong>No workers at risk.</strong> The Real Living Wage will rise to {esc(new_rates)}; '
            f"in {esc(when)} every worker assessed was already paid at least the new rate.</p></div>"
        )
    table_rows = [
        f"<tr><td>{esc(L.label(L.BAND_TEXT, p[3]))}</td><td class=\"num\">{esc(rate(p[4].get('required_rate')))}</td>"
        f"<td class=\"num\">{esc(rate(p[4].get('upcoming_rate')))}</td><td class=\"num\">{esc(count(p[4].get('workers_assessed')))}</td>"
        f"<td class=\"num\">{esc(count(p[4].get('workers_below_upcoming')))}</td></tr>"
        for p in rows
    ]
    return (
        f"<h3>Workers at risk from the upcoming Real Living Wage ({esc(when)})</h3>"
        + callout
        + _table(
            [("Band", False), ("Rate now", True), ("New rate", True), ("Workers assessed", True), ("Paid below new rate", True)],
            table_rows,
            caption="Workers paid below the upcoming Real Living Wage",
            css="data compact",
        )
    )


def _wage_table(parsed: list[tuple[date, date, str, str, dict[str, Any]]]) -> str:
    """The charts' figures as a table (accessible, printable), lowest rates hidden for small bands."""
    rows = []
    for start, end, rate_type, band, row in sorted(parsed, key=lambda p: (p[0], _floor_key(p[2], p[3])), reverse=False):
        assessed = as_int(row.get("workers_assessed")) or 0
        lowest = (
            rate(row.get("lowest_rate"))
            if assessed >= MIN_WORKERS_FOR_LOWEST_RATE
            else f"hidden (under {MIN_WORKERS_FOR_LOWEST_RATE} workers)"
        )
        rows.append(
            f"<tr><td>{esc(period_label(start, end))}</td><td>{esc(L.floor_name(rate_type, band))}</td>"
            f"<td class=\"num\">{esc(rate(row.get('required_rate')))}</td><td class=\"num\">{esc(count(assessed))}</td>"
            f"<td class=\"num\">{esc(count(row.get('workers_below')))}</td><td class=\"num\">{esc(lowest)}</td>"
            f"<td class=\"num\">{esc(money(row.get('arrears_gbp')))}</td>"
            f"<td class=\"num\">{esc(rate(row.get('upcoming_rate')))}</td><td class=\"num\">{esc(count(row.get('workers_below_upcoming')))}</td></tr>"
        )
    return (
        '<details class="data-table"><summary>Show the wage figures as a table</summary>'
        + _table(
            [
                ("Period", False),
                ("Wage floor", False),
                ("Required rate", True),
                ("Workers assessed", True),
                ("Below the rate", True),
                ("Lowest rate", True),
                ("Arrears", True),
                ("Upcoming rate", True),
                ("Below upcoming", True),
            ],
            rows,
            caption="Wage compliance by period and wage floor",
        )
        + "</details>"
    )


def _open_breaches(rows: list[dict[str, Any]]) -> str:
    """Open breaches, most severe first: the statutory minimum (unlawful underpayment) always on top."""
    if not rows:
        return '<p class="all-clear">No open breaches: no commitment is in breach in its latest period.</p>'
    ordered = sorted(
        rows,
        key=lambda r: (
            L.SEVERITY_ORDER.get((as_text(r.get("severity")) or "").lower(), 9),
            L.commitment_sort_key(as_text(r.get("commitment"))),
        ),
    )
    out = []
    for r in ordered:
        arrears = as_float(r.get("arrears_gbp"))
        out.append(
            f"<tr><th scope=\"row\">{esc(L.commitment_name(as_text(r.get('commitment'))))}</th>"
            f"<td>{_tag(as_text(r.get('severity')), L.SEVERITY_TEXT)}</td>"
            f"<td>{esc(fmt_date(r.get('first_period_start')))}</td><td>{esc(fmt_date(r.get('latest_period_end')))}</td>"
            f"<td class=\"num\">{esc(count(r.get('periods_in_breach')))}</td>"
            f"<td class=\"num\">{esc(count(r.get('workers_affected')))}</td>"
            f"<td class=\"num{' strong' if arrears else ''}\">{esc(money(arrears))}</td></tr>"
        )
    return _table(
        [
            ("Commitment", False),
            ("Severity", False),
            ("In breach since", False),
            ("Up to", False),
            ("Periods in breach", True),
            ("Workers affected", True),
            ("Arrears", True),
        ],
        out,
        caption="Open breaches",
    )


def _timeliness(rows: list[dict[str, Any]]) -> str:
    """Expected returns, newest first, with a one-line count of each status above the table."""
    if not rows:
        return '<p class="note">No returns are expected yet for this contract.</p>'
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[(as_text(r.get("status")) or "").lower()] += 1
    summary = " \u00b7 ".join(
        f"{counts[k]} {L.TIMELINESS_TEXT[k].split(' (')[0].lower()}" for k in L.TIMELINESS_TEXT if counts.get(k)
    )
    ordered = sorted(
        rows,
        key=lambda r: (as_date(r.get("period_start")) or date.min, as_text(r.get("kind")) or ""),
        reverse=True,
    )
    out = [
        f"<tr><td>{esc(L.label(L.KIND_TEXT, r.get('kind')))}</td>"
        f"<td>{esc(period_label(r.get('period_start'), r.get('period_end')))}</td>"
        f"<td class=\"nowrap\">{esc(fmt_date(r.get('due_date')))}</td>"
        f"<td>{_tag(as_text(r.get('status')), L.TIMELINESS_TEXT)}</td></tr>"
        for r in ordered
    ]
    return f'<p class="note summary-line">{esc(summary)}</p>' + _table(
        [("Return", False), ("Period", False), ("Due", False), ("Status", False)], out, caption="Return timeliness"
    )


def _rag_reasons(summary: ContractSummary, verdicts: list[_Verdict], submissions: list[dict[str, Any]]) -> list[str]:
    """Why the contract has its colour, in the terms of spec 4, so nobody has to reverse-engineer it."""
    latest: dict[str, _Verdict] = {}
    for v in verdicts:
        if v.commitment not in latest or (v.end, v.start) > (latest[v.commitment].end, latest[v.commitment].start):
            latest[v.commitment] = v
    reasons = []
    breached = [L.commitment_name(c) for c in sorted(latest, key=L.commitment_sort_key) if latest[c].status == "breach"]
    if breached:
        reasons.append("In breach: " + ", ".join(breached))
    unassessed = [L.commitment_name(c) for c in sorted(latest, key=L.commitment_sort_key) if latest[c].status == "not_assessable"]
    if unassessed:
        reasons.append("Could not be assessed in the latest period: " + ", ".join(unassessed))
    if summary.overdue_returns:
        reasons.append(f"{summary.overdue_returns} return{'s' if summary.overdue_returns != 1 else ''} overdue")
    latest_by_kind: dict[str, dict[str, Any]] = {}
    for s in submissions:
        kind = as_text(s.get("kind"))
        if kind and (kind not in latest_by_kind or iso_sort_key(s.get("received_at")) > iso_sort_key(latest_by_kind[kind].get("received_at"))):
            latest_by_kind[kind] = s
    for kind, s in sorted(latest_by_kind.items()):
        if (as_text(s.get("status")) or "").lower() == "rejected":
            reasons.append(
                f"Latest {L.label(L.KIND_TEXT, kind).lower()} return ({period_label(s.get('period_start'), s.get('period_end'))}) was rejected"
            )
    if not reasons and summary.rag == "green":
        reasons.append(
            "Every commitment kept in its latest period; no return overdue" if latest else "No verdicts yet; no return overdue"
        )
    return reasons


def _contract_page(data: ReportData, summary: ContractSummary, rows: dict[str, list[dict[str, Any]]]) -> str:
    """One contract's page body: status and why, key figures, then one panel per question a manager asks."""
    verdicts = _verdicts(rows["compliance_history"])
    reasons = _rag_reasons(summary, verdicts, rows["submissions"])
    slug = summary.file_name[: -len(".html")]
    chart_prefix = "c-" + re.sub(r"[^A-Za-z0-9_-]", "", slug)
    last = summary.last_submission_at
    head = (
        '<p class="breadcrumb"><a href="../index.html">\u2190 All contracts</a></p>'
        '<div class="page-head"><div>'
        f'<h1><span class="sr-only">Contract </span>{esc(summary.ref)}</h1>'
        f'<p class="supplier">{esc(summary.supplier or "Supplier not recorded")}</p></div>'
        f'<div class="status-box">{_rag_tag(summary.rag, large=True)}'
        + ('<ul class="rag-reasons">' + "".join(f"<li>{esc(r)}</li>" for r in reasons) + "</ul>" if reasons else "")
        + "</div></div>"
    )
    tiles = (
        '<ul class="tiles" aria-label="Key figures">'
        + _tile(str(summary.open_breaches), "open breaches", "warn" if summary.open_breaches else "green")
        + _tile(money(summary.arrears), "arrears in open breaches", "money")
        + _tile(str(summary.overdue_returns), "returns overdue", "warn" if summary.overdue_returns else "green")
        + _tile(fmt_date(last) if as_datetime(last) else "None yet", "last submission received", "")
        + "</ul>"
    )

    def panel(anchor: str, title: str, intro: str, content: str) -> str:
        return (
            f'<section class="panel" id="{anchor}" aria-labelledby="{anchor}-h"><div class="panel-head">'
            f'<h2 id="{anchor}-h">{esc(title)}</h2><p>{esc(intro)}</p></div>{content}</section>'
        )

    return (
        head
        + tiles
        + panel(
            "commitments",
            "Commitments by period",
            "Each commitment's verdict for every period assessed so far.",
            _grid(verdicts) + _latest_table(verdicts),
        )
        + panel(
            "wages",
            "Wages",
            "Workers paid below the Real Living Wage and the statutory minimum, and what they are owed.",
            _wages(rows["wage_compliance"], chart_prefix),
        )
        + panel(
            "breaches",
            "Open breaches",
            "Commitments whose latest verdict is a breach, with how long they have run.",
            _open_breaches(rows["open_breaches"]),
        )
        + panel("returns", "Returns", "Every return expected from the supplier and whether it arrived on time.", _timeliness(rows["return_timeliness"]))
        + panel(
            "submissions",
            "Submissions audit trail",
            "Every file received for this contract, newest first, with the problems found in it.",
            _submissions_table(rows["submissions"], data, depth=1, with_contract=False, caption="Submissions received"),
        )
    )


# --------------------------------------------------------------------------------------------------
# Site


def build_site(data: ReportData) -> dict[str, str]:
    """Every page of the site as ``{path relative to the output directory: HTML}``; no I/O."""
    summaries = _summaries(data)
    pages = {"index.html": _page(title="Contracts overview", body=_overview(data, summaries), data=data, depth=0)}
    grouped = {
        name: _by_contract(getattr(data, name))
        for name in ("compliance_history", "open_breaches", "wage_compliance", "submissions", "return_timeliness")
    }
    for summary in summaries:
        rows = {name: grouped[name].get(summary.ref, []) for name in grouped}
        title = summary.ref + (f" \u00b7 {summary.supplier}" if summary.supplier else "")
        pages[f"{CONTRACT_DIR}/{summary.file_name}"] = _page(
            title=title, body=_contract_page(data, summary, rows), data=data, depth=1
        )
    return pages


def render_site(data: ReportData, out_dir: Path) -> Path:
    """Write the dashboard into ``out_dir`` and return the path of its ``index.html``.

    Contract pages left by an earlier render for contracts no longer monitored are removed, but only
    files this renderer wrote (recognised by its generator tag), so nothing else in ``out_dir`` is touched.
    """
    out_dir = Path(out_dir)
    pages = build_site(data)
    (out_dir / CONTRACT_DIR).mkdir(parents=True, exist_ok=True)
    for relative, content in pages.items():
        target = out_dir / relative
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(target)  # readers of a shared folder never see a half-written page
    marker = f'<meta name="generator" content="{GENERATOR}">'
    for old in (out_dir / CONTRACT_DIR).glob("*.html"):
        if f"{CONTRACT_DIR}/{old.name}" in pages:
            continue
        try:
            head = old.read_text(encoding="utf-8", errors="replace")[:4096]
        except OSError:
            continue
        if marker in head:
            old.unlink()
    return out_dir / "index.html"
