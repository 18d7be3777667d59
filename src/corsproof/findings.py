"""Locations, findings and the result of a run: what every reporter consumes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {name: rank for rank, name in enumerate(reversed(SEVERITIES))}  # low=0 … critical=3


def at_least(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


@dataclass(frozen=True)
class Location:
    """A span in a source file; lines and columns are 1-based, `end_column` is exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    # the statement that contains the span: suppression comments anywhere in it count
    stmt_line: int = 0
    stmt_end_line: int = 0
    source: str = ""  # the text of `line`, for reports and fingerprints
    scope: str = ""  # enclosing function/class qualname, for fingerprints

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


@dataclass(frozen=True)
class Target:
    url: str
    method: str = "GET"

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "method": self.method}


# where a policy part was found: a span of source code (scan) or a probed endpoint (probe)
Where = Location | Target


@dataclass
class Finding:
    rule_id: str
    rule_name: str
    severity: str
    message: str
    location: Location | None = None
    target: Target | None = None
    proof_origin: str | None = None
    context: list[str] = field(default_factory=list)
    fix: str = ""  # one-line hint for the text report
    fingerprint: str = ""
    evidence: dict[str, Any] | None = None
    replay: str | None = None  # a curl command line that sends the proof again (network targets)
    # who made the policy: an adapter's name (`flask-cors`, `django-cors-headers`, `handwritten`…),
    # `dependencies` (CORS302) or `probe`; reports pick the fix for it (not in the JSON contract)
    framework: str = ""
    # how to fix it (corsproof.fix.Fix), when a fixer knows: JSON `fix`, SARIF `fixes`
    fix_edit: Any = None

    def fingerprint_key(self) -> str:
        """What identifies this finding independent of line numbers and unrelated edits."""
        if self.location is not None:
            code = " ".join(self.location.source.split())
            return "\x1f".join((self.rule_id, self.location.scope, code, self.proof_origin or ""))
        assert self.target is not None
        return "\x1f".join((self.rule_id, self.target.method, self.target.url))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "severity": self.severity,
            "message": self.message,
            "location": self.location.to_json() if self.location else None,
            "target": self.target.to_json() if self.target else None,
            "proof_origin": self.proof_origin,
            "context": list(self.context),
            "fingerprint": self.fingerprint,
        }
        if self.evidence is not None:
            data["evidence"] = self.evidence
        if self.replay is not None:
            data["replay"] = self.replay
        if self.fix_edit is not None:
            data["fix"] = self.fix_edit.to_json()
        return data


def assign_fingerprints(findings: list[Finding]) -> None:
    """Stable ids: hash of the line-independent key plus its occurrence number among equals.

    The path is left out so that a file moved within the tree keeps its fingerprints; two identical
    findings (same rule, same code, same scope) are told apart by their order of appearance.
    """
    seen: dict[str, int] = {}
    for finding in findings:
        key = finding.fingerprint_key()
        seen[key] = seen.get(key, 0) + 1
        digest = hashlib.sha256(f"{key}\x1e{seen[key]}".encode()).hexdigest()
        finding.fingerprint = digest[:32]


@dataclass
class FileError:
    path: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass(frozen=True)
class RuleInfo:
    """What a report says about a rule the run judged with (reporters receive these; they do not
    import the rule catalogue)."""

    id: str
    name: str
    severity: str  # default severity
    cwe: tuple[int, ...]
    summary: str
    markdown: str  # the rule's documentation


@dataclass(frozen=True)
class UnitDone:
    """One finished unit of work: a probed target (its URL as given) or a scanned path or
    repository, with how many findings it gave; `status` "failed" when nothing could be analysed
    in it. A `done` line of `--format jsonl`."""

    target: str
    findings: int
    status: str  # "ok" | "failed"

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "findings": self.findings, "status": self.status}


@dataclass(frozen=True)
class UnusedSuppression:
    """A corsproof suppression comment that hid nothing (`--report-unused-suppressions`)."""

    path: str
    line: int
    column: int
    comment: str
    rules: tuple[str, ...]  # the ids (or "*") that hid nothing
    reason: str

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "comment": self.comment,
            "rules": list(self.rules),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Unresolved:
    """A CORS-relevant value the analysis could not determine: never taken as safe, listed."""

    path: str
    line: int
    column: int
    what: str  # the option or setting (`allow_origins`, `CORS_ALLOWED_ORIGINS`)
    reason: str  # why it is unknown (`environment variable ORIGINS (no default)`)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "what": self.what,
            "reason": self.reason,
        }


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    # what was analysed and what could not be: files (`scan`) or targets (`probe`), as `unit`
    # says; the JSON report calls them `files_scanned` and `files_skipped` for both
    analysed: int = 0
    skipped: int = 0
    unit: str = "file"
    suppressed: int = 0
    duration_s: float = 0.0
    unresolved: list[Unresolved] = field(default_factory=list)
    show_unresolved: bool = False  # text report: list them (the summary always counts them)
    # with --report-unused-suppressions: the corsproof suppression comments that hid nothing
    unused_suppressions: list[UnusedSuppression] | None = None
    # the rules the run judged with, for the reports that describe them (SARIF, GitLab, HTML)
    rules: tuple[RuleInfo, ...] = ()
    # the units of work finished (probe targets, scanned paths), for `done` lines
    units_done: list[UnitDone] = field(default_factory=list)
    # files whose text came from stdin (`scan -`), by path: code frames are cut from this text
    given: dict[str, bytes] = field(default_factory=dict)
