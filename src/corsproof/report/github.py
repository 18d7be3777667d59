"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding, so
that a workflow step's findings appear as annotations on the pull request's diff.

Syntax (docs.github.com, "Workflow commands for GitHub Actions"): `::LEVEL file=F,line=L,col=C,
endLine=E,endColumn=D,title=T::MESSAGE`. In the message `%`, CR and LF are escaped as `%25`,
`%0D`, `%0A`; in a property value `:` and `,` too (`%3A`, `%2C`). Severity: critical and high are
errors, medium a warning, low a notice. A probe finding (no file) is annotated on the run with the
URL in its title; an `errors` entry is an error on its path.
"""

from __future__ import annotations

from corsproof._terminal import printable
from corsproof.findings import Finding, ScanResult

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _lines(*parts: str) -> str:
    """Lines of the message, each made printable first (a server's header may carry an escape
    sequence); only the newlines put between them remain."""
    return "\n".join(printable(part) for part in parts if part)


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, properties: dict[str, object], message: str) -> str:
    listed = ",".join(f"{key}={_property(str(value))}" for key, value in properties.items())
    return f"::{level} {listed}::{_data(message)}" if listed else f"::{level}::{_data(message)}"


def _finding(finding: Finding) -> str:
    title = f"{finding.rule_id} {finding.rule_name} ({finding.severity})"
    message = _lines(
        finding.message,
        f"proof: Origin: {finding.proof_origin}" if finding.proof_origin else "",
        f"fix: {finding.fix}" if finding.fix else "",
    )
    properties: dict[str, object] = {}
    loc = finding.location
    if loc is not None:
        properties = {"file": printable(loc.path), "line": loc.line, "col": loc.column}
        if loc.end_line:
            properties["endLine"] = loc.end_line
        if loc.end_line == loc.line and loc.end_column:
            properties["endColumn"] = loc.end_column
    elif finding.target is not None:
        title = f"{title}: {finding.target.method} {printable(finding.target.url)}"
    properties["title"] = title
    return _command(LEVELS.get(finding.severity, "warning"), properties, message)


def render_github(result: ScanResult, color: bool = False) -> str:
    lines = [_finding(f) for f in result.findings]
    lines += [
        _command(
            "error",
            {"file": printable(e.path), "title": "corsproof could not analyse this"},
            _lines(e.message),
        )
        for e in result.errors
    ]
    return "".join(line + "\n" for line in lines)
