"""A self-contained HTML report: no scripts, no network loads, readable in any browser."""

from __future__ import annotations

import html
from collections import Counter

from corsproof._terminal import encodable
from corsproof._version import __version__
from corsproof.findings import SEVERITIES, Finding, ScanResult
from corsproof.report._evidence import exchange_lines
from corsproof.report._source import frame
from corsproof.rules import get_rule

CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d1d1f;background:#f6f7f9}
header{background:#14213d;color:#fff;padding:20px 32px}header h1{margin:0;font-size:22px}
main{padding:24px 32px;max-width:1100px}
table{border-collapse:collapse;margin:8px 0 24px}td,th{padding:4px 12px;border-bottom:1px solid #dde;text-align:left}
.sev{display:inline-block;border-radius:4px;padding:0 8px;color:#fff;font-weight:600;font-size:13px}
.critical{background:#8e24aa}.high{background:#c62828}.medium{background:#ef6c00}.low{background:#0277bd}
article{background:#fff;border:1px solid #dde;border-radius:8px;margin:0 0 16px;padding:12px 18px}
article h3{margin:4px 0 8px;font-size:16px}code,pre{font:13px/1.45 ui-monospace,Menlo,Consolas,monospace}
pre{background:#f0f2f5;padding:8px 12px;border-radius:6px;overflow-x:auto}
pre .hit{background:#ffe7a3;display:block}.where{color:#555}.proof{color:#8e24aa;font-weight:600}
dt{font-weight:600}dd{margin:0 0 6px 16px}
"""


def _e(text: object) -> str:
    # a byte of a non-UTF-8 file name (os.fsdecode) cannot be written as UTF-8: shown as `\xe9`
    return html.escape(encodable(str(text)), quote=True)


def _excerpt(finding: Finding) -> str:
    loc = finding.location
    if loc is None:
        return ""
    rows = []
    for number, line in frame(loc):
        text = f"{number:>5} | {_e(line)}"
        hit = loc.line <= number <= loc.end_line
        rows.append(f'<span class="hit">{text}</span>' if hit else text + "\n")
    return "<pre>" + "".join(rows) + "</pre>" if rows else ""


def _evidence(finding: Finding) -> str:
    """The request and the response that prove the finding, one row per line (`>` sent, `<`
    received), and the curl command that replays it."""
    if not finding.evidence:
        return ""
    rows = []
    for line in exchange_lines(finding.evidence):
        direction, text = line[0], line[2:]
        label = "sent" if direction == ">" else "received"
        rows.append(f"<tr><th>{label}</th><td><code>{_e(text)}</code></td></tr>")
    if finding.replay:
        rows.append(f"<tr><th>replay</th><td><code>{_e(finding.replay)}</code></td></tr>")
    return f"<table class='evidence'>{''.join(rows)}</table>"


def _finding(number: int, finding: Finding) -> str:
    if finding.location:
        where = f"{finding.location.path}:{finding.location.line}:{finding.location.column}"
    else:
        where = f"{finding.target.method} {finding.target.url}" if finding.target else ""
    rule = get_rule(finding.rule_id)
    parts = [
        f'<article id="finding-{number}" class="finding" data-rule="{_e(finding.rule_id)}"'
        f' data-severity="{_e(finding.severity)}">',
        f'<h3><span class="sev {_e(finding.severity)}">{_e(finding.severity)}</span> '
        f"{_e(finding.rule_id)} {_e(finding.rule_name)}</h3>",
        f'<div class="where"><code>{_e(where)}</code></div>',
        f'<p class="message">{_e(finding.message)}</p>',
        _excerpt(finding),
        _evidence(finding),
        "<dl>",
    ]
    if finding.proof_origin:
        parts.append(
            f'<dt>Proof origin</dt><dd class="proof"><code>{_e(finding.proof_origin)}</code></dd>'
        )
    if finding.context:
        parts.append(f"<dt>Context</dt><dd>{_e(', '.join(finding.context))}</dd>")
    if finding.fix:
        parts.append(f'<dt>Fix</dt><dd class="fix">{_e(finding.fix)}</dd>')
    parts.append("</dl>")
    if rule is not None:
        fix = rule.doc().split("## Fix", 1)[-1].split("## References", 1)[0].strip()
        parts.append(
            f"<details><summary>How to fix it in each framework</summary><pre>{_e(fix)}</pre></details>"
        )
    parts.append("</article>")
    return "\n".join(p for p in parts if p)


def render_html(result: ScanResult, color: bool = False) -> str:
    by_severity = Counter(f.severity for f in result.findings)
    by_rule = Counter((f.rule_id, f.rule_name) for f in result.findings)
    severity_rows = "".join(
        f'<tr><td><span class="sev {s}">{s}</span></td><td class="count" data-severity="{s}">'
        f"{by_severity.get(s, 0)}</td></tr>"
        for s in SEVERITIES
    )
    rule_rows = "".join(
        f"<tr><td><code>{_e(rule_id)}</code></td><td>{_e(name)}</td><td>{count}</td></tr>"
        for (rule_id, name), count in sorted(by_rule.items())
    )
    findings = "\n".join(_finding(i, f) for i, f in enumerate(result.findings, 1))
    errors = "".join(f"<li><code>{_e(e.path)}</code>: {_e(e.message)}</li>" for e in result.errors)
    total = len(result.findings)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>corsproof report: {total} finding{"s" if total != 1 else ""}</title>
<style>{CSS}</style></head>
<body>
<header><h1>corsproof report</h1>
<div>corsproof {_e(__version__)} · {result.files_scanned} files scanned · {total} findings ·
{result.suppressed} suppressed · {len(result.errors)} errors · {result.duration_s:.2f}s</div></header>
<main>
<section id="summary"><h2>Summary</h2>
<table id="by-severity"><tr><th>Severity</th><th>Findings</th></tr>{severity_rows}</table>
<table id="by-rule"><tr><th>Rule</th><th>Name</th><th>Findings</th></tr>{rule_rows}</table>
</section>
<section id="findings"><h2>Findings</h2>
{findings or "<p>No findings.</p>"}
</section>
{f'<section id="errors"><h2>Errors</h2><ul>{errors}</ul></section>' if errors else ""}
</main></body></html>
"""
