"""SARIF 2.1.0 for GitHub code scanning: every rule with its documentation and security severity,
exactly one result per finding, physical locations (relative file URI, or the probed URL)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from corsproof._version import __version__
from corsproof.findings import Finding, ScanResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/corsproof/corsproof"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def _rule_descriptor(rule: Any) -> dict[str, Any]:
    doc = rule.markdown
    what = doc.split("## Why it matters", 1)[0].replace("## What it finds", "").strip()
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary[:1024]},
        "fullDescription": {"text": " ".join(what.split())[:1024]},
        "help": {"text": doc, "markdown": f"# {rule.id} {rule.name}\n\n{doc}"},
        "helpUri": f"{INFORMATION_URI}/blob/main/docs/rules/{rule.id}.md",
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": "high",
            "tags": ["security", *(f"external/cwe/cwe-{cwe}" for cwe in rule.cwe)],
        },
    }


def artifact_uri(path: str) -> str:
    """A relative URI for paths inside the working directory, a file: URI otherwise."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            return candidate.resolve().as_uri()
    return quote(candidate.as_posix().removeprefix("./"))


def _line_hash(finding: Finding) -> str:
    loc = finding.location
    text = " ".join(loc.source.split()) if loc else (finding.target.url if finding.target else "")
    return hashlib.sha256(f"{finding.rule_id}\x1f{text}".encode()).hexdigest()[:16]


def _result(finding: Finding, index: dict[str, int], occurrences: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message},
    }
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if finding.location is not None:
        loc = finding.location
        region: dict[str, Any] = {
            "startLine": loc.line,
            "startColumn": loc.column,
            "endLine": loc.end_line,
            "endColumn": max(loc.end_column, 1),
        }
        if loc.source:
            region["snippet"] = {"text": loc.source}
        physical = {"artifactLocation": {"uri": artifact_uri(loc.path)}, "region": region}
    else:
        assert finding.target is not None
        physical = {"artifactLocation": {"uri": finding.target.url}}
    result["locations"] = [{"physicalLocation": physical}]
    line_hash = _line_hash(finding)
    occurrences[line_hash] = occurrences.get(line_hash, 0) + 1
    result["partialFingerprints"] = {
        "primaryLocationLineHash": f"{line_hash}:{occurrences[line_hash]}",
        "corsproof/v1": finding.fingerprint,
    }
    properties: dict[str, Any] = {"severity": finding.severity, "context": list(finding.context)}
    if finding.proof_origin:
        properties["proof_origin"] = finding.proof_origin
    if finding.target is not None:
        properties["target"] = finding.target.to_json()
    if finding.evidence is not None:
        properties["evidence"] = finding.evidence
    if finding.replay is not None:
        properties["replay"] = finding.replay
    result["properties"] = properties
    if finding.fix_edit is not None:
        result["fixes"] = [_fix(finding.fix_edit)]
    return result


def _fix(fix: Any) -> dict[str, Any]:
    """SARIF §3.55: a fix as artifact changes, one per file, each a list of replacements
    (deleted region + inserted content; an insertion deletes an empty region)."""
    changes: dict[str, list[dict[str, Any]]] = {}
    for edit in fix.edits:
        region = {
            "startLine": edit.line,
            "startColumn": edit.column,
            "endLine": edit.end_line,
            "endColumn": edit.end_column,
        }
        changes.setdefault(edit.path, []).append(
            {"deletedRegion": region, "insertedContent": {"text": edit.replacement}}
        )
    return {
        "description": {"text": f"{fix.description} ({fix.applicability} fix)"},
        "artifactChanges": [
            {"artifactLocation": {"uri": artifact_uri(path)}, "replacements": replacements}
            for path, replacements in changes.items()
        ],
    }


def to_sarif(result: ScanResult) -> dict[str, Any]:
    rules = result.rules
    index = {rule.id: i for i, rule in enumerate(rules)}
    occurrences: dict[str, int] = {}
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{error.path}: {error.message}"},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": _error_uri(error.path)}}}
            ],
        }
        for error in result.errors
    ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "corsproof",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(rule) for rule in rules],
                    }
                },
                "automationDetails": {"id": "corsproof/"},
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                        "workingDirectory": {"uri": Path.cwd().resolve().as_uri()},
                    }
                ],
                "results": [_result(f, index, occurrences) for f in result.findings],
            }
        ],
    }


def _error_uri(path: str) -> str:
    return path if "://" in path else artifact_uri(path)


def render_sarif(result: ScanResult, color: bool = False) -> str:
    return json.dumps(to_sarif(result), indent=2) + "\n"


__all__ = ["render_sarif", "to_sarif"]
