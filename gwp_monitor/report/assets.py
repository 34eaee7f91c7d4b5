"""The dashboard's stylesheet and script, inlined into every page.

They live in a Python module rather than as ``.css``/``.js`` package files so they ship with any
install (the project's package-data only lists ``data/*``) and every page stays a single file that
works when opened from a file share, attached to an e-mail or printed. The renderer hashes both into
the page's Content Security Policy, which then refuses any other script or style, including one that
a supplier might have smuggled into a file name.

Palette: GOV.UK Design System colours that UK public-sector staff already read as red/amber/green,
text contrast of at least 4.5:1 (WCAG 2.2 AA) on every tinted background, Okabe-Ito series colours
for charts (distinguishable with the common colour-vision deficiencies), darkened to 3:1 on white.
"""

from __future__ import annotations

CSS = r"""
:root {
  --text: #0b0c0c; --muted: #505a5f; --border: #b1b4b6; --rule: #dcdfe1; --bg: #f3f2f1; --panel: #ffffff;
  --brand: #12365c; --brand-2: #1d4f84; --link: #1d70b8; --link-visited: #4c2c92; --focus: #ffdd00;
  --red: #d4351c; --red-bg: #f6d7d2; --red-text: #6b1608;
  --amber: #f47738; --amber-bg: #fde6cf; --amber-text: #6e3619;
  --green: #00703c; --green-bg: #cce2d8; --green-text: #005a30;
  --grey-bg: #e6e7e8; --grey-text: #383f43;
  /* Okabe-Ito hues, darkened where needed to keep 3:1 against white (WCAG 1.4.11, graphics). */
  --c-rlw-uk: #0072b2; --c-rlw-london: #6a3d9a; --c-smw-21: #d55e00; --c-smw-18: #a66f00;
  --c-smw-u18: #b0487f; --c-smw-app: #00845f; --c-other: #505a5f;
}
* { box-sizing: border-box; }
svg.defs { position: absolute; width: 0; height: 0; overflow: hidden; }
html { -webkit-text-size-adjust: 100%; }
body {
  min-height: 100vh; display: flex; flex-direction: column;
  margin: 0; background: var(--bg); color: var(--text);
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
}
a { color: var(--link); text-underline-offset: 0.15em; }
a:visited { color: var(--link-visited); }
a:hover { color: #003078; text-decoration-thickness: 2px; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 0; box-shadow: 0 0 0 5px var(--text);
}
.sr-only {
  position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.skip-link { position: absolute; left: -9999px; top: 0; background: var(--focus); color: var(--text); padding: 8px 12px; z-index: 10; }
.skip-link:focus { left: 8px; }
.wrap { max-width: 1240px; margin: 0 auto; padding: 0 24px; }

/* Masthead and the run's clock */
.masthead { background: var(--brand); color: #fff; border-bottom: 6px solid var(--brand-2); }
.masthead .wrap { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; padding-top: 14px; padding-bottom: 12px; }
.brand { color: #fff !important; font-weight: 700; font-size: 1.2rem; text-decoration: none; letter-spacing: 0.01em; }
.brand:hover { text-decoration: underline; }
.brand-mark { display: inline-block; width: 0.95em; height: 0.8em; margin-right: 0.5em; vertical-align: -0.02em; background: linear-gradient(to bottom, #f6705a 0 26%, transparent 26% 37%, #fab05a 37% 63%, transparent 63% 74%, #5ac48c 74%); }
.masthead .tagline { color: #d2dbe6; font-size: 0.95rem; }
.meta-bar { background: #fff; border-bottom: 1px solid var(--rule); font-size: 0.875rem; color: var(--muted); }
.meta-bar .wrap { display: flex; gap: 6px 24px; flex-wrap: wrap; padding-top: 8px; padding-bottom: 8px; }
.meta-bar dl { display: contents; margin: 0; }
.meta-bar .meta-item { display: flex; gap: 6px; }
.meta-bar dt { font-weight: 600; color: var(--grey-text); }
.meta-bar dd { margin: 0; }
.meta-bar .stale dd { color: var(--red-text); font-weight: 600; }

main.wrap { flex: 1 0 auto; width: 100%; padding-top: 22px; padding-bottom: 48px; }
main:focus { outline: none; }
.panel h3 { margin: 24px 0 10px; }
.panel .panel-head + h3, .panel h3:first-child { margin-top: 0; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 0 0 4px; }
h3 { font-size: 1.05rem; margin: 0 0 8px; }
.lede { color: var(--muted); margin: 0 0 20px; max-width: 60em; }
.breadcrumb { margin: 0 0 12px; font-size: 0.95rem; }
.page-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 16px; flex-wrap: wrap; margin-bottom: 18px; }
.page-head .supplier { font-size: 1.1rem; color: var(--muted); margin: 0; }
.rag-reasons { margin: 6px 0 0; padding: 0; list-style: none; font-size: 0.95rem; color: var(--grey-text); }
.rag-reasons li::before { content: "\2022"; margin-right: 6px; color: var(--muted); }

.panel { background: var(--panel); border: 1px solid var(--rule); border-radius: 6px; padding: 20px 22px; margin: 0 0 22px; box-shadow: 0 1px 2px rgba(11, 12, 12, 0.05); }
.panel-head { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; flex-wrap: wrap; margin-bottom: 12px; }
.panel-head p { margin: 0; color: var(--muted); font-size: 0.92rem; }
.note { color: var(--muted); font-size: 0.9rem; margin: 10px 0 0; }
.empty-state { text-align: center; padding: 48px 24px; }
.empty-state h2 { font-size: 1.4rem; margin-bottom: 8px; }
.empty-state p { color: var(--muted); max-width: 38em; margin: 6px auto; }
.all-clear { display: flex; align-items: center; gap: 10px; color: var(--green-text); background: #eef6f1; border-radius: 4px; padding: 10px 14px; margin: 0; }
.all-clear::before { content: "\2713"; font-weight: 700; }

/* Summary tiles */
.tiles > li { display: flex; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(175px, 1fr)); gap: 14px; margin: 0 0 22px; padding: 0; list-style: none; }
.tile { display: flex; flex-direction: column; justify-content: flex-start; align-items: stretch; background: var(--panel); border: 1px solid var(--rule); border-top: 5px solid var(--brand-2); border-radius: 6px; padding: 12px 16px 14px; text-align: left; font: inherit; color: inherit; width: 100%; }
button.tile { cursor: pointer; }
button.tile:hover { background: #f8f8f8; }
button.tile[aria-pressed="true"] { box-shadow: inset 0 0 0 2px var(--text); }
.tile .tile-value { display: block; font-size: 1.75rem; white-space: nowrap; font-weight: 700; line-height: 1.15; font-variant-numeric: tabular-nums; }
.tile .tile-label { display: block; color: var(--grey-text); font-size: 0.92rem; }
.tile.red { border-top-color: var(--red); }
.tile.amber { border-top-color: var(--amber); }
.tile.green { border-top-color: var(--green); }
.tile.money { border-top-color: var(--brand); }
.tile.warn { border-top-color: var(--red); }

/* Status tags: colour, shape and text, so none of them carries the meaning alone */
.tag { display: inline-flex; align-items: center; gap: 5px; padding: 1px 9px 2px; border-radius: 999px; font-weight: 600; font-size: 0.88rem; white-space: nowrap; line-height: 1.5; }
.tag .sym { font-size: 0.8em; }
.tag.large { font-size: 1.05rem; padding: 3px 14px 4px; }
.tag.red, .tag.breach, .tag.overdue, .tag.rejected, .tag.critical { background: var(--red-bg); color: var(--red-text); }
.tag.amber, .tag.received_late, .tag.high { background: var(--amber-bg); color: var(--amber-text); }
.tag.green, .tag.compliant, .tag.received_on_time, .tag.accepted { background: var(--green-bg); color: var(--green-text); }
.tag.not_assessable, .tag.awaiting, .tag.superseded, .tag.medium, .tag.unknown { background: var(--grey-bg); color: var(--grey-text); }
.tag.red .sym { color: var(--red); } .tag.amber .sym { color: #c35817; } .tag.green .sym { color: var(--green); }

/* Tables */
.table-scroll { overflow-x: auto; }
table.data { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
table.data caption { text-align: left; font-weight: 600; padding-bottom: 6px; }
table.data th, table.data td { padding: 9px 10px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
table.data thead th { border-bottom: 2px solid var(--text); font-size: 0.88rem; color: var(--grey-text); white-space: nowrap; vertical-align: bottom; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data tbody tr:hover { background: #f8f8f8; }
table.data td.nowrap { white-space: nowrap; }
table.data tr.muted td { color: var(--muted); }
table.data.compact { width: auto; min-width: min(100%, 640px); }
table.data.compact td, table.data.compact th { padding-right: 22px; }
table.data .sub { display: block; color: var(--muted); font-size: 0.85rem; }
table.data code, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem; }
.zero { color: var(--muted); }
.strong { font-weight: 700; }
th .sort { font: inherit; color: inherit; background: none; border: 0; padding: 0; cursor: pointer; display: inline-flex; gap: 4px; align-items: center; font-weight: 700; }
th .sort:hover { color: var(--link); text-decoration: underline; }
th .sort::after { content: "\2195"; color: var(--border); font-size: 0.85em; }
th[aria-sort="ascending"] .sort::after { content: "\25b2"; color: var(--text); }
th[aria-sort="descending"] .sort::after { content: "\25bc"; color: var(--text); }
th.num .sort { flex-direction: row-reverse; }
.contract-link { font-weight: 600; }
.problems { margin: 0; padding-left: 18px; }
.problems li { margin: 0 0 3px; }
.problems li::marker { color: var(--red); }
.file-name { overflow-wrap: anywhere; }

/* Overview controls */
.controls { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 12px 20px; margin-bottom: 14px; }
.field { display: flex; flex-direction: column; gap: 4px; }
.field label { font-weight: 600; font-size: 0.92rem; }
.field input, .field select { font: inherit; padding: 6px 8px; border: 2px solid var(--text); border-radius: 0; background: #fff; min-height: 40px; }
.field input { width: min(340px, 80vw); }
.result-count { color: var(--muted); font-size: 0.92rem; margin-left: auto; padding-bottom: 8px; }
tr.no-match td { text-align: center; color: var(--muted); padding: 22px; }

/* Compliance grid: commitments down, months across; quarterly cells span three months */
.legend-row { display: flex; gap: 8px 18px; flex-wrap: wrap; margin: 0 0 10px; padding: 0; list-style: none; font-size: 0.9rem; color: var(--grey-text); }
.legend-row li { display: flex; align-items: center; gap: 6px; }
.grid-scroll { overflow-x: auto; border: 1px solid var(--rule); border-radius: 4px; }
table.grid { border-collapse: separate; border-spacing: 2px; font-size: 0.85rem; min-width: 100%; }
table.grid th { font-weight: 600; color: var(--grey-text); white-space: nowrap; }
table.grid thead th { text-align: center; padding: 2px 4px; font-size: 0.8rem; }
table.grid thead .year th[scope=colgroup] { text-align: left; color: var(--text); border-left: 2px solid var(--border); padding-left: 6px; }
table.grid th.corner { width: 210px; }
table.grid tbody th { text-align: left; padding: 4px 12px 4px 6px; position: sticky; left: 0; background: #fff; z-index: 1; width: 210px; min-width: 190px; }
table.grid tbody th .sev { display: block; font-weight: 400; color: var(--muted); font-size: 0.76rem; }
table.grid td { min-width: 42px; height: 34px; text-align: center; border-radius: 3px; font-weight: 700; }
.cell.compliant { background: var(--green-bg); color: var(--green-text); }
.cell.breach { background: var(--red); color: #fff; }
.cell.not_assessable { background: repeating-linear-gradient(135deg, #e6e7e8 0 5px, #f3f2f1 5px 10px); color: var(--grey-text); }
.cell.none { background: transparent; border: 1px dashed var(--rule); }
.cell.verdict { cursor: default; }
.cell.verdict:hover, .cell.verdict:focus-visible { box-shadow: inset 0 0 0 2px var(--text); outline: none; }
.key { display: inline-block; width: 22px; height: 18px; border-radius: 3px; text-align: center; font-weight: 700; font-size: 0.8rem; line-height: 18px; }

/* Tooltip used by the grid (the script turns title="..." into this, so keyboard users get it too) */
.tip { position: fixed; z-index: 20; max-width: 340px; background: var(--text); color: #fff; padding: 8px 10px; border-radius: 4px; font-size: 0.84rem; line-height: 1.4; white-space: pre-line; pointer-events: none; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.25); }
.tip[hidden] { display: none; }

/* Charts */
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 18px 28px; }
figure.chart-figure { margin: 0; }
figure.chart-figure figcaption { font-weight: 600; margin-bottom: 2px; }
figure.chart-figure .chart-sub { color: var(--muted); font-size: 0.88rem; margin: 0 0 6px; }
svg.chart { width: 100%; height: auto; display: block; font-size: 12px; font-family: inherit; overflow: visible; }
svg.chart .grid { stroke: #e3e5e6; stroke-width: 1; }
svg.chart .grid.base { stroke: #6f777b; }
svg.chart .ytick, svg.chart .xtick { fill: var(--grey-text); }
svg.chart .xyear { fill: var(--muted); font-size: 11px; }
svg.chart .chart-empty { fill: var(--muted); font-size: 14px; }
.series { --c: var(--c-other); }
.series.s-rlw-uk { --c: var(--c-rlw-uk); } .series.s-rlw-london { --c: var(--c-rlw-london); }
.series.s-smw-21_plus { --c: var(--c-smw-21); } .series.s-smw-18_20 { --c: var(--c-smw-18); }
.series.s-smw-under_18 { --c: var(--c-smw-u18); } .series.s-smw-apprentice { --c: var(--c-smw-app); }
.series .line { fill: none; stroke: var(--c); stroke-width: 2.5; stroke-linejoin: round; stroke-linecap: round; }
.series .line.dashed { stroke-dasharray: 7 4; }
.series .dot { fill: var(--c); stroke: #fff; stroke-width: 1.5; }
.series .bar { fill: var(--c); }
.series .bar.hatched { fill: url(#hatch); stroke: var(--c); stroke-width: 1.5; }
#hatch-bg { fill: #fbe3d3; } #hatch-line { stroke: var(--c-smw-21); stroke-width: 2.5; }
svg.swatch { width: 28px; height: 14px; flex: none; overflow: visible; }
ul.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 0 0 6px; padding: 0; list-style: none; font-size: 0.86rem; color: var(--grey-text); }
ul.legend li { display: flex; align-items: center; gap: 6px; }
details.data-table { margin-top: 6px; font-size: 0.9rem; }
details.data-table summary { cursor: pointer; color: var(--link); }
details.data-table table { margin-top: 8px; }
.callout { border-left: 5px solid var(--amber); background: #fff8f1; padding: 12px 16px; margin: 0 0 14px; }
.callout.ok { border-left-color: var(--green); background: #eef6f1; }
.callout p { margin: 0; }
.callout strong { font-size: 1.05rem; }

footer.site-footer { border-top: 1px solid var(--border); background: #fff; color: var(--grey-text); font-size: 0.9rem; }
footer.site-footer .wrap { padding-top: 18px; padding-bottom: 26px; }
footer.site-footer p { margin: 0 0 6px; max-width: 60em; }
footer.site-footer .privacy { font-weight: 600; color: var(--text); }

@media (max-width: 640px) {
  .wrap { padding: 0 14px; }
  h1 { font-size: 1.5rem; }
  .charts { grid-template-columns: 1fr; }
  .result-count { margin-left: 0; }
}
@media print {
  body { background: #fff; font-size: 11pt; }
  .skip-link, .controls, .tip, details.data-table summary { display: none !important; }
  .masthead { background: #fff; color: var(--text); border-bottom: 2px solid var(--text); }
  .brand, .masthead .tagline { color: var(--text) !important; }
  .panel, .tile { box-shadow: none; break-inside: avoid; }
  .grid-scroll, .table-scroll { overflow: visible; }
  a { color: var(--text); text-decoration: none; }
  .cell.breach, .tag, .cell.compliant, .cell.not_assessable { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

JS = r"""
(function () {
  "use strict";

  // Sortable tables: <th data-sort-type="text|number"> holding a <button class="sort">; a cell may
  // give its sort value in data-sort (ISO dates, raw amounts, RAG rank). Empty values sort last.
  function sortValue(cell, type) {
    if (!cell) return null;
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (raw === "") return null;
    if (type === "number") {
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    return raw.toLocaleLowerCase("en-GB");
  }
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
    var tbody = table.tBodies[0];
    var headers = table.querySelectorAll("thead th[data-sort-type]");
    Array.prototype.forEach.call(tbody.rows, function (row, i) { row.setAttribute("data-order", String(i)); });
    Array.prototype.forEach.call(headers, function (th) {
      var button = th.querySelector("button.sort");
      if (!button) return;
      button.addEventListener("click", function () {
        var column = th.cellIndex;
        var type = th.getAttribute("data-sort-type");
        var wasAscending = th.getAttribute("aria-sort") === "ascending";
        var ascending = th.hasAttribute("aria-sort") ? !wasAscending : th.getAttribute("data-first-sort") !== "descending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.filter.call(tbody.rows, function (r) { return !r.classList.contains("no-match"); });
        rows.sort(function (a, b) {
          var va = sortValue(a.cells[column], type), vb = sortValue(b.cells[column], type);
          if (va === null && vb !== null) return 1;
          if (vb === null && va !== null) return -1;
          var c = 0;
          if (va !== null && vb !== null) {
            c = type === "number" ? va - vb : va.localeCompare(vb, "en-GB", { numeric: true });
          }
          if (!ascending) c = -c;
          return c !== 0 ? c : Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order"));
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
        var noMatch = tbody.querySelector("tr.no-match");
        if (noMatch) tbody.appendChild(noMatch);
        var live = document.getElementById(table.getAttribute("data-status"));
        if (live) live.setAttribute("data-sorted", th.textContent.trim());
      });
    });
  });

  // Overview filter: free text over contract and supplier, plus the RAG status.
  var table = document.getElementById("contracts");
  var text = document.getElementById("filter-text");
  var rag = document.getElementById("filter-rag");
  var counter = document.getElementById("result-count");
  var tiles = document.querySelectorAll("button[data-rag-filter]");
  function applyFilter() {
    if (!table) return;
    var needle = text ? text.value.trim().toLocaleLowerCase("en-GB") : "";
    var wanted = rag ? rag.value : "";
    var shown = 0, total = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      if (row.classList.contains("no-match")) return;
      total += 1;
      var hay = (row.getAttribute("data-search") || "").toLocaleLowerCase("en-GB");
      var ok = (needle === "" || hay.indexOf(needle) !== -1) && (wanted === "" || row.getAttribute("data-rag") === wanted);
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    var noMatch = table.querySelector("tr.no-match");
    if (noMatch) noMatch.hidden = shown !== 0;
    if (counter) counter.textContent = shown === total ? "Showing all " + total + " contracts" : "Showing " + shown + " of " + total + " contracts";
    Array.prototype.forEach.call(tiles, function (tile) {
      tile.setAttribute("aria-pressed", tile.getAttribute("data-rag-filter") === wanted ? "true" : "false");
    });
  }
  if (text) text.addEventListener("input", applyFilter);
  if (rag) rag.addEventListener("change", applyFilter);
  Array.prototype.forEach.call(tiles, function (tile) {
    tile.addEventListener("click", function () {
      if (!rag) return;
      var value = tile.getAttribute("data-rag-filter");
      rag.value = rag.value === value ? "" : value;
      applyFilter();
      if (table) table.scrollIntoView({ block: "nearest" });
    });
  });
  applyFilter();

  // The compliance grid opens on the latest periods.
  Array.prototype.forEach.call(document.querySelectorAll(".grid-scroll"), function (el) {
    el.scrollLeft = el.scrollWidth;
  });

  // Tooltips for grid cells: shown on hover and on keyboard focus, and not clipped by the scroller.
  var tip = document.createElement("div");
  tip.className = "tip";
  tip.hidden = true;
  tip.setAttribute("role", "tooltip");
  tip.id = "tip";
  document.body.appendChild(tip);
  Array.prototype.forEach.call(document.querySelectorAll("[data-tip-source]"), function (el) {
    el.setAttribute("data-tip", el.getAttribute("title") || "");
    el.removeAttribute("title");
  });
  function show(el) {
    var content = el.getAttribute("data-tip");
    if (!content) return;
    tip.textContent = content;
    tip.hidden = false;
    var r = el.getBoundingClientRect();
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.min(Math.max(8, r.left + r.width / 2 - w / 2), window.innerWidth - w - 8);
    var top = r.top - h - 8;
    if (top < 8) top = r.bottom + 8;
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }
  function hide() { tip.hidden = true; }
  document.addEventListener("mouseover", function (e) {
    var el = e.target.closest ? e.target.closest("[data-tip]") : null;
    if (el) show(el); else hide();
  });
  document.addEventListener("focusin", function (e) {
    var el = e.target.closest ? e.target.closest("[data-tip]") : null;
    if (el) show(el); else hide();
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
  window.addEventListener("scroll", hide, { passive: true });
})();
"""
