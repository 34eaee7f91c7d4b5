
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
