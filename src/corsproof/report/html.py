"""A self-contained HTML report: one file, no network loads, readable in any browser.

One inline script (allowed by its hash in the page's Content-Security-Policy) sorts and filters the
findings, with the state in the URL fragment (`#severity=high&rule=CORS104&sort=file`); without it
the report is a plain document. Charts are SVG drawn here. Rule documentation is Markdown, rendered
with raw HTML escaped; what comes from a scanned project or a probed server (messages, paths, code,
headers) is always escaped text.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import Counter
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from corsproof._terminal import encodable
from corsproof._version import __version__
from corsproof.findings import SEVERITIES, SEVERITY_RANK, Finding, RuleInfo, ScanResult
from corsproof.report._evidence import advisory_lines, exchange_lines
from corsproof.report._frames import Frames
from corsproof.report._html_assets import CSS, SCRIPT

# CommonMark without raw HTML (`<script>` in a document is shown as text) and without images (an
# image would be a network load); markdown-it refuses javascript:/vbscript:/file:/data: links
_MD = MarkdownIt("commonmark", {"html": False}).disable("image")


def _e(text: object) -> str:
    # a byte of a non-UTF-8 file name (os.fsdecode) cannot be written as UTF-8: shown as `\xe9`
    return html.escape(encodable(str(text)), quote=True)


def _markdown(text: str) -> str:
    """Markdown as HTML; any HTML in the text is escaped, never passed through."""
    return _MD.render(encodable(text))


def _csp_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# only this page's own style sheet and script run; nothing is fetched, no form is sent anywhere
CSP = (
    f"default-src 'none'; style-src {_csp_source(CSS)}; script-src {_csp_source(SCRIPT)}; "
    "img-src 'none'; base-uri 'none'; form-action 'none'"
)


# --- which framework a finding is about, and that framework's fix from the rule's documentation


@dataclass(frozen=True)
class Library:
    """A CORS library (or hand-written headers) as the rule documentation's fix entries name it;
    `key` is the adapter's name (`Finding.framework`), `packages` its distributions (CORS302)."""

    key: str
    title: str  # shown in the report: "Fix for <title>"
    words: tuple[str, ...]  # what a fix entry's label (or, failing that, its text) names it by
    packages: tuple[str, ...] = ()


LIBRARIES: tuple[Library, ...] = (
    Library(
        "django-cors-headers", "Django (django-cors-headers)", ("django",), ("django-cors-headers",)
    ),
    Library("flask-cors", "Flask (flask-cors)", ("flask",), ("flask-cors",)),
    Library(
        "starlette",
        "FastAPI/Starlette (CORSMiddleware)",
        ("starlette", "fastapi"),
        ("starlette", "fastapi"),
    ),
    Library("litestar", "Litestar", ("litestar",), ("litestar",)),
    Library(
        "sanic-cors", "Sanic (sanic-cors)", ("sanic-cors", "sanic"), ("sanic-cors", "sanic-ext")
    ),
    Library("quart-cors", "Quart (quart-cors)", ("quart-cors", "quart"), ("quart-cors",)),
    Library(
        "aiohttp-cors", "aiohttp (aiohttp-cors)", ("aiohttp-cors", "aiohttp"), ("aiohttp-cors",)
    ),
    Library("falcon", "Falcon (CORSMiddleware)", ("falcon",), ("falcon",)),
    Library(
        "cherrypy-cors",
        "CherryPy (cherrypy-cors)",
        ("cherrypy-cors", "cherrypy"),
        ("cherrypy-cors",),
    ),
)
HANDWRITTEN = Library("handwritten", "hand-written CORS headers", ("by hand", "hand-written"))
_BY_NAME = {name: lib for lib in (*LIBRARIES, HANDWRITTEN) for name in (lib.key, *lib.packages)}


def _normal(name: str) -> str:
    # distribution names compare with `-`, `_` and `.` alike (PEP 503)
    return re.sub(r"[-_.]+", "-", name).lower()


def libraries(finding: Finding) -> list[Library]:
    """The CORS library (or hand-written headers) whose configuration the finding is about, as
    the adapter that read it says (`Finding.framework`); for CORS302 the package the requirement
    names; [] when unknown (a probed server)."""
    if finding.framework == "dependencies":
        package = _normal(str((finding.evidence or {}).get("package", "")))
        found = _BY_NAME.get(package)
        return [found] if found else []
    found = _BY_NAME.get(finding.framework)
    return [found] if found else []


@dataclass(frozen=True)
class FixEntry:
    """One framework's part of a rule's "Fix" section: a `- **Label**: …` item or a `### Label`
    subsection, as Markdown."""

    labels: tuple[str, ...]
    markdown: str


def _heading_level(token: Token) -> int:
    return int(token.tag[1:]) if token.type == "heading_open" and token.map else 0


def fix_section(doc: str) -> str:
    """The Markdown under the documentation's `## Fix` heading, up to the next heading of that
    level or above (headings inside code blocks do not count: the document is parsed)."""
    tokens = _MD.parse(doc)
    lines = doc.splitlines()
    start: int | None = None
    fix_level = 0
    for index, token in enumerate(tokens):
        level = _heading_level(token)
        if not level or token.map is None:
            continue
        if start is None:
            if level <= 2 and tokens[index + 1].content.strip().lower().startswith("fix"):
                start, fix_level = token.map[1], level
        elif level <= fix_level:
            return "\n".join(lines[start : token.map[0]]).strip("\n")
    return "" if start is None else "\n".join(lines[start:]).strip("\n")


def fix_entries(section: str) -> list[FixEntry]:
    """The per-framework entries of a fix section: its subsections (`### Django`) or its
    top-level `- **Label**, **Label**: …` items."""
    tokens = _MD.parse(section)
    lines = section.splitlines()
    headings = [(i, t) for i, t in enumerate(tokens) if _heading_level(t)]
    if headings:
        top = min(_heading_level(t) for _, t in headings)
        starts = [(i, t) for i, t in headings if _heading_level(t) == top]
        ends = [t.map[0] for _, t in starts[1:] if t.map] + [len(lines)]
        return [
            FixEntry(
                tuple(p.strip(" *_`") for p in tokens[i + 1].content.split(",") if p.strip(" *_`")),
                "\n".join(lines[t.map[0] : end]).strip("\n"),
            )
            for (i, t), end in zip(starts, ends, strict=True)
            if t.map
        ]
    entries = []
    for token in tokens:
        if token.type != "list_item_open" or token.level != 1 or token.map is None:
            continue
        item = "\n".join(lines[token.map[0] : token.map[1]]).strip("\n")
        label = re.match(r"[-*+][ \t]+((?:\*\*[^*\n]+\*\*[ \t]*,?[ \t]*)+):", item)
        if label:
            labels = tuple(re.findall(r"\*\*([^*\n]+)\*\*", label.group(1)))
            entries.append(FixEntry(labels, item))
    return entries


def _names(lib: Library, text: str) -> bool:
    return any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.I) for w in lib.words)


def framework_fix(
    libs: list[Library], entries: list[FixEntry]
) -> tuple[list[FixEntry], list[Library]]:
    """The entries for `libs` (by label, else by an entry that mentions the library), and the
    libraries that have no entry of their own."""
    chosen: list[FixEntry] = []
    missing: list[Library] = []
    for lib in libs:
        found = [e for e in entries if any(_names(lib, label) for label in e.labels)]
        found = found or [e for e in entries if _names(lib, e.markdown)]
        if not found:
            missing.append(lib)
        chosen.extend(e for e in found if e not in chosen)
    return chosen, missing


def _fix_html(finding: Finding, rule: RuleInfo | None) -> str:
    section = fix_section(rule.markdown) if rule is not None else ""
    if not section:
        return ""
    libs = libraries(finding)
    entries = fix_entries(section)
    chosen, missing = framework_fix(libs, entries)
    parts = []
    if chosen or missing:
        title = " and ".join(lib.title for lib in libs)
        parts.append(f'<div class="fix-box"><h4>Fix for {_e(title)}</h4>')
        if chosen:
            text = "\n".join(e.markdown for e in chosen)
            parts.append(f'<div class="md">{_markdown(text)}</div>')
        if missing:
            general = framework_fix([HANDWRITTEN], entries)[0]
            names = ", ".join(lib.title for lib in missing)
            parts.append(
                f'<p class="note">The rule\'s documentation has no entry for {_e(names)}'
                f"{'; the general fix:' if general else '.'}</p>"
            )
            if general:
                parts.append(f'<div class="md">{_markdown(general[0].markdown)}</div>')
        parts.append("</div>")
    # no framework known (a probed server): the whole section, open
    opened = "" if chosen or missing else " open"
    parts.append(
        f'<details class="all-fixes"{opened}><summary>How to fix it in each framework</summary>'
        f'<div class="md">{_markdown(section)}</div></details>'
    )
    return "".join(parts)


# --- findings


def _excerpt(finding: Finding, frames: Frames) -> str:
    loc = finding.location
    if loc is None:
        return ""
    rows = []
    for number, line in frames(loc):
        text = f"{number:>5} | {_e(line)}"
        hit = loc.line <= number <= loc.end_line
        rows.append(f'<span class="hit">{text}</span>' if hit else text + "\n")
    return "<pre>" + "".join(rows) + "</pre>" if rows else ""


def _evidence(finding: Finding) -> str:
    """The request and the response that prove the finding, one row per line (`>` sent, `<`
    received), and the curl command that replays it; a vulnerable library's advisories."""
    if not finding.evidence:
        return ""
    rows = []
    if "request" in finding.evidence or "response" in finding.evidence:
        for line in exchange_lines(finding.evidence):
            label = "sent" if line[0] == ">" else "received"
            rows.append(f"<tr><th>{label}</th><td><code>{_e(line[2:])}</code></td></tr>")
    else:
        for line in advisory_lines(finding.evidence):
            rows.append(f"<tr><th>advisory</th><td><code>{_e(line)}</code></td></tr>")
    if finding.replay:
        rows.append(f"<tr><th>replay</th><td><code>{_e(finding.replay)}</code></td></tr>")
    return f"<table class='evidence'>{''.join(rows)}</table>"


def _place(finding: Finding) -> tuple[str, int, str]:
    """(file or URL, line, what is shown as the place)."""
    if finding.location:
        loc = finding.location
        return loc.path, loc.line, f"{loc.path}:{loc.line}:{loc.column}"
    if finding.target:
        return finding.target.url, 0, f"{finding.target.method} {finding.target.url}"
    return "", 0, ""


def _order(finding: Finding) -> tuple[int, str, int, str]:
    path, line, _ = _place(finding)
    return -SEVERITY_RANK.get(finding.severity, -1), path, line, finding.rule_id


def _finding(number: int, finding: Finding, frames: Frames, rule: RuleInfo | None) -> str:
    path, line, where = _place(finding)
    parts = [
        f'<article id="finding-{number}" class="finding" data-index="{number}"'
        f' data-severity="{_e(finding.severity)}" data-rule="{_e(finding.rule_id)}"'
        f' data-file="{_e(path)}" data-line="{line}">',
        f'<h3><span class="sev {_e(finding.severity)}">{_e(finding.severity)}</span> '
        f'<span class="rule-id">{_e(finding.rule_id)}</span> {_e(finding.rule_name)}</h3>',
        f'<div class="where"><code>{_e(where)}</code></div>',
        f'<p class="message">{_e(finding.message)}</p>',
        _excerpt(finding, frames),
        _evidence(finding),
        '<dl class="meta">',
    ]
    if finding.proof_origin:
        parts.append(
            f'<dt>Proof origin</dt><dd class="proof"><code>{_e(finding.proof_origin)}</code></dd>'
        )
    if finding.context:
        chips = "".join(f'<span class="chip">{_e(c)}</span>' for c in finding.context)
        parts.append(f"<dt>Context</dt><dd>{chips}</dd>")
    if finding.fix:
        parts.append(f'<dt>Fix</dt><dd class="fix">{_e(finding.fix)}</dd>')
    parts.append("</dl>")
    parts.append(_fix_html(finding, rule))
    parts.append("</article>")
    return "\n".join(p for p in parts if p)


# --- summary charts (SVG drawn here: no script needed)


def _bars(
    rows: list[tuple[str, str, str, Counter[str]]], kind: str, width: int, label_width: int
) -> str:
    """A horizontal bar chart: per row (filter value, label, name, count by severity) one bar,
    stacked by severity, with its count, linking to the findings it counts (`#rule=CORS101`)."""
    bar_x, row_h, room = label_width + 10, 28, 34
    most = max((sum(c.values()) for *_, c in rows), default=1) or 1
    scale = (width - bar_x - room) / most
    out = [
        f'<svg class="chart" id="chart-{kind}" role="img" width="{width}"'
        f' viewBox="0 0 {width} {len(rows) * row_h}" aria-label="Findings by {kind}">'
    ]
    for i, (value, label, name, counts) in enumerate(rows):
        y, total = i * row_h, sum(counts.values())
        title = f"{label} {name}".strip()
        out.append(
            f'<g class="bar" data-{kind}="{_e(value)}" data-count="{total}">'
            f'<a href="#{kind}={_e(value)}"><title>{_e(title)}: {total}</title>'
            f'<text x="0" y="{y + 18}"><tspan class="label-{kind}">{_e(label)}</tspan>'
            f"{' ' + _e(name) if name else ''}</text>"
            f'<rect class="track" x="{bar_x}" y="{y + 5}" width="{width - bar_x - room}"'
            f' height="18" rx="3"/>'
        )
        x = float(bar_x)
        for severity in SEVERITIES:
            if counts.get(severity):
                w = counts[severity] * scale
                out.append(
                    f'<rect class="seg {severity}" data-severity="{severity}"'
                    f' data-count="{counts[severity]}" x="{x:.1f}" y="{y + 5}" width="{w:.1f}"'
                    f' height="18" rx="3"/>'
                )
                x += w
        out.append(f'<text class="count" x="{x + 6:.1f}" y="{y + 18}">{total}</text></a></g>')
    out.append("</svg>")
    return "".join(out)


def _charts(result: ScanResult, findings: list[Finding]) -> str:
    by_severity = Counter(f.severity for f in findings)
    severity_rows = [
        (s, s.capitalize(), "", Counter({s: by_severity[s]}))
        for s in SEVERITIES
        if by_severity.get(s)
    ]
    by_rule: dict[str, Counter[str]] = {}
    names: dict[str, str] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, Counter())[f.severity] += 1
        names[f.rule_id] = f.rule_name
    rule_rows = [(r, r, names[r], by_rule[r]) for r in sorted(by_rule)]
    longest = max((len(r) + 1 + len(names[r]) for r in by_rule), default=8)
    files = len({f.location.path for f in findings if f.location})
    endpoints = len({f.target.url for f in findings if f.target and not f.location})
    where = " and ".join(
        f"<b>{n}</b> {noun}{'s' if n != 1 else ''}"
        for n, noun in ((files, "file"), (endpoints, "endpoint"))
        if n
    )
    totals = (
        f'<p class="totals"><b>{len(findings)}</b> finding{"s" if len(findings) != 1 else ""}'
        f" in {where}<br>{result.analysed} files scanned · {result.suppressed} suppressed</p>"
    )
    return (
        '<div class="charts">'
        f'<div class="panel"><h3>By severity</h3>{_bars(severity_rows, "severity", 380, 64)}'
        f"{totals}</div>"
        f'<div class="panel"><h3>By rule</h3>'
        f"{_bars(rule_rows, 'rule', 640, min(330, int(longest * 7.2)))}</div></div>"
    )


def _options(name: str, label: str, values: list[tuple[str, str]]) -> str:
    options = "".join(f'<option value="{_e(v)}">{_e(text)}</option>' for v, text in values)
    return (
        f'<label>{label}<select name="{name}" id="filter-{name}">'
        f'<option value="">All</option>{options}</select></label>'
    )


def _controls(findings: list[Finding]) -> str:
    severities = Counter(f.severity for f in findings)
    rules = Counter((f.rule_id, f.rule_name) for f in findings)
    files = Counter(_place(f)[0] for f in findings)
    sorts = [("severity", "Severity"), ("rule", "Rule"), ("file", "File and line")]
    return (
        '<form id="controls" class="toolbar" hidden>'
        + _options("severity", "Severity", [(s, f"{s} ({severities[s]})") for s in SEVERITIES])
        + _options("rule", "Rule", [(r, f"{r} {n} ({c})") for (r, n), c in sorted(rules.items())])
        + _options("file", "File", [(p, f"{p} ({c})") for p, c in sorted(files.items())])
        + '<label>Sort by<select name="sort" id="sort">'
        + "".join(f'<option value="{v}">{t}</option>' for v, t in sorts)
        + '</select></label><button type="button" id="reset">Reset</button></form>'
    )


def render_html(result: ScanResult, color: bool = False) -> str:
    findings = sorted(result.findings, key=_order)  # most severe first, as the script sorts
    total = len(findings)
    catalogue = {rule.id: rule for rule in result.rules}
    frames = Frames(result.given)
    articles = "\n".join(
        _finding(i, f, frames, catalogue.get(f.rule_id)) for i, f in enumerate(findings, 1)
    )
    errors = "".join(f"<li><code>{_e(e.path)}</code>: {_e(e.message)}</li>" for e in result.errors)
    plural = "s" if total != 1 else ""
    if findings:
        body = (
            f'<section id="summary"><h2>Summary</h2>{_charts(result, findings)}</section>\n'
            f'<section id="findings"><h2>Findings</h2>{_controls(findings)}\n'
            f'<p id="visible-count" data-visible="{total}">{total} finding{plural}</p>\n'
            f'<div id="finding-list">\n{articles}\n</div>\n'
            '<p id="no-match" hidden>No finding matches these filters.</p></section>'
        )
    else:
        body = '<section id="findings"><h2>Findings</h2><p>No findings.</p></section>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>corsproof report: {total} finding{plural}</title>
<style>{CSS}</style></head>
<body>
<header><h1>corsproof report</h1>
<div class="meta">corsproof {_e(__version__)} · {result.analysed} files scanned ·
{total} finding{plural} · {result.suppressed} suppressed · {len(result.errors)} errors ·
{result.duration_s:.2f}s</div></header>
<main>
{body}
{f'<section id="errors"><h2>Errors</h2><ul>{errors}</ul></section>' if errors else ""}
</main>
<script>{SCRIPT}</script>
</body></html>
"""
