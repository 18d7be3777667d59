"""The style sheet and the one inline script of the HTML report.

Both are constants: the report's Content-Security-Policy allows exactly these two texts by their
SHA-256 hashes, so nothing from a scanned project or a probed server may ever be put inside them
(the script reads what it needs from escaped `data-` attributes).
"""

from __future__ import annotations

from typing import Final

CSS: Final[str] = """
:root{--ink:#1f2430;--muted:#5b6473;--line:#e1e4ea;--bg:#f4f5f8;--card:#fff;--navy:#14213d;
--critical:#8e24aa;--high:#c62828;--medium:#e65100;--low:#0277bd;--ok:#2e7d32}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
background:var(--bg)}
header{background:var(--navy);color:#fff;padding:20px 32px 18px}
header h1{margin:0 0 4px;font-size:22px;font-weight:650}
header .meta{color:#c8d0e0;font-size:14px}
main{padding:24px 32px 48px;max-width:1180px;margin:0 auto}
h2{font-size:18px;margin:4px 0 12px}
a{color:#1a4fa0}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
:not(pre)>code{background:#eef0f4;border-radius:4px;padding:1px 5px}
pre{background:#f3f4f7;border:1px solid #e6e8ee;padding:8px 12px;border-radius:6px;overflow-x:auto}
pre .hit{background:#fff0bf;display:block}
.charts{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr);gap:16px;margin:0 0 28px;
align-items:start}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 18px}
.panel h3{margin:0 0 10px;font-size:12px;text-transform:uppercase;letter-spacing:.07em;
color:var(--muted)}
svg.chart{display:block;max-width:100%;height:auto;font:13px system-ui,-apple-system,"Segoe UI",sans-serif}
svg.chart text{fill:var(--ink)}svg.chart .count{font-weight:700}svg.chart .track{fill:#eef0f4}
svg.chart .label-rule{font-weight:600;font-family:ui-monospace,Menlo,Consolas,monospace}
svg.chart .label-severity{font-weight:600}
.totals{margin:14px 0 0;padding-top:10px;border-top:1px solid var(--line);color:var(--muted);
font-size:14px}.totals b{color:var(--ink);font-size:18px}
svg.chart a:hover rect.seg,svg.chart a:focus rect.seg{opacity:.8}
rect.critical{fill:var(--critical)}rect.high{fill:var(--high)}rect.medium{fill:var(--medium)}
rect.low{fill:var(--low)}
.toolbar{display:flex;flex-wrap:wrap;gap:10px 14px;align-items:flex-end;background:var(--card);
border:1px solid var(--line);border-radius:10px;padding:10px 16px;margin:0 0 10px;position:sticky;
top:0;z-index:1;box-shadow:0 2px 6px rgba(20,33,61,.06)}
.toolbar label{display:flex;flex-direction:column;gap:2px;font-size:12px;font-weight:600;
color:var(--muted)}
.toolbar select{font:inherit;font-size:14px;font-weight:400;color:var(--ink);padding:4px 6px;
border:1px solid #c9ced8;border-radius:6px;background:#fff;min-width:130px;max-width:300px}
.toolbar button{font:inherit;font-size:14px;padding:4px 14px;border:1px solid #c9ced8;
border-radius:6px;background:#f6f7f9;color:var(--ink);cursor:pointer}
.toolbar button:hover{background:#eceef2}
#visible-count{color:var(--muted);font-size:14px;margin:0 0 12px}
article.finding{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--low);
border-radius:10px;margin:0 0 16px;padding:14px 20px}
article[data-severity=critical]{border-left-color:var(--critical)}
article[data-severity=high]{border-left-color:var(--high)}
article[data-severity=medium]{border-left-color:var(--medium)}
article.finding h3{margin:0 0 4px;font-size:16px;display:flex;flex-wrap:wrap;gap:4px 10px;
align-items:center}
.rule-id{font:600 14px ui-monospace,Menlo,Consolas,monospace;color:var(--muted)}
.sev{display:inline-block;border-radius:4px;padding:0 8px;color:#fff;font-weight:600;font-size:12px;
text-transform:uppercase;letter-spacing:.04em}
.critical{background:var(--critical)}.high{background:var(--high)}.medium{background:var(--medium)}
.low{background:var(--low)}
.where{color:var(--muted);font-size:14px;overflow-wrap:anywhere}
.message{margin:6px 0 10px;overflow-wrap:anywhere}
.proof{color:var(--critical);font-weight:600}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:10px 0;font-size:14px}
dl.meta dt{font-weight:600;color:var(--muted)}dl.meta dd{margin:0}
.chip{display:inline-block;background:#eef0f4;border-radius:10px;padding:0 8px;margin:0 4px 2px 0;
font-size:13px}
table{border-collapse:collapse}
table.evidence{margin:8px 0 12px;font-size:14px}
table.evidence td,table.evidence th{padding:3px 12px;border-bottom:1px solid var(--line);
text-align:left;vertical-align:top}
table.evidence th{color:var(--muted);font-weight:600}
.fix-box{border:1px solid #c3e2cb;background:#f2faf4;border-radius:8px;padding:10px 16px;
margin:12px 0 6px}
.fix-box h4{margin:0 0 2px;font-size:14px;color:var(--ok)}
.fix-box .note{color:var(--muted);font-size:14px}
.md p{margin:6px 0}.md ul{margin:6px 0;padding-left:22px}.md li{margin:4px 0}
.md h3,.md h4{font-size:14px;margin:10px 0 4px}
details{margin:8px 0 0}
summary{cursor:pointer;color:#1a4fa0;font-weight:600;font-size:14px}
details .md{border-left:3px solid var(--line);padding:2px 0 2px 14px;margin:6px 0 0 4px}
#no-match{color:var(--muted);font-style:italic}
@media (max-width:820px){.charts{grid-template-columns:1fr}main,header{padding-left:16px;
padding-right:16px}}
@media print{.toolbar{display:none!important}article.finding{break-inside:avoid}}
"""

# Sorting and filtering, with the state kept in the URL fragment (`#severity=high&sort=rule`; a
# `?query` works too) so that a view can be linked to. Without the script the report is a plain
# document: every finding shown, most severe first, the controls hidden.
SCRIPT: Final[str] = """
(function () {
  "use strict";
  var RANK = {critical: 0, high: 1, medium: 2, low: 3};
  var FILTERS = ["severity", "rule", "file"];
  var list = document.getElementById("finding-list");
  var form = document.getElementById("controls");
  if (!list || !form) { return; }
  var items = Array.prototype.slice.call(list.querySelectorAll("article.finding"));
  var count = document.getElementById("visible-count");
  var noMatch = document.getElementById("no-match");
  var field = function (name) { return form.elements.namedItem(name); };

  function allowed(name, value) {
    var select = field(name);
    if (!select || value === null) { return false; }
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) { return true; }
    }
    return false;
  }

  function parse(raw) {
    var params = new URLSearchParams(raw);
    var state = {sort: "severity"};
    FILTERS.forEach(function (name) {
      var value = params.get(name);
      state[name] = value && allowed(name, value) ? value : "";
    });
    var sort = params.get("sort");
    if (allowed("sort", sort)) { state.sort = sort; }
    return state;
  }

  function read() {
    // `#finding-3` is an anchor, not a state: then the query (if any) holds the state
    var hash = location.hash.slice(1);
    return parse(hash.indexOf("=") >= 0 ? hash : location.search.slice(1));
  }

  function fromControls() {
    var state = {sort: field("sort").value};
    FILTERS.forEach(function (name) { state[name] = field(name).value; });
    return state;
  }

  function compare(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function key(item) {
    var d = item.dataset;
    return {severity: RANK[d.severity], rule: d.rule, file: d.file, line: Number(d.line),
            index: Number(d.index)};
  }

  var ORDERS = {
    severity: ["severity", "file", "line", "rule", "index"],
    rule: ["rule", "severity", "file", "line", "index"],
    file: ["file", "line", "severity", "rule", "index"]
  };

  function apply(state) {
    FILTERS.forEach(function (name) { field(name).value = state[name]; });
    field("sort").value = state.sort;
    var order = ORDERS[state.sort] || ORDERS.severity;
    var keyed = items.map(function (item) { return {item: item, key: key(item)}; });
    keyed.sort(function (a, b) {
      for (var i = 0; i < order.length; i++) {
        var c = compare(a.key[order[i]], b.key[order[i]]);
        if (c !== 0) { return c; }
      }
      return 0;
    });
    var shown = 0;
    keyed.forEach(function (entry) {
      var d = entry.item.dataset;
      var visible = FILTERS.every(function (name) {
        return !state[name] || d[name] === state[name];
      });
      entry.item.hidden = !visible;
      if (visible) { shown++; }
      list.appendChild(entry.item);
    });
    var filtered = FILTERS.some(function (name) { return state[name]; });
    count.textContent = filtered
      ? "Showing " + shown + " of " + items.length + " findings"
      : items.length + (items.length === 1 ? " finding" : " findings");
    count.dataset.visible = String(shown);
    if (noMatch) { noMatch.hidden = shown !== 0 || items.length === 0; }
  }

  function write(state) {
    var params = new URLSearchParams();
    FILTERS.forEach(function (name) { if (state[name]) { params.set(name, state[name]); } });
    if (state.sort !== "severity") { params.set("sort", state.sort); }
    var text = params.toString();
    var url = location.pathname + (text ? "#" + text : "");
    try {
      history.replaceState(null, "", url);
    } catch (error) {
      location.hash = text;
    }
  }

  form.addEventListener("change", function () {
    var state = fromControls();
    apply(state);
    write(state);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  document.getElementById("reset").addEventListener("click", function () {
    var state = parse("");
    apply(state);
    write(state);
  });
  window.addEventListener("hashchange", function () {
    if (location.hash.indexOf("=") >= 0 || location.hash === "") { apply(read()); }
  });
  form.hidden = false;
  apply(read());
})();
"""
