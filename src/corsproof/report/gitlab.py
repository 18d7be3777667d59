"""GitLab SAST report (`gl-sast-report.json`), for `artifacts: reports: sast:` in `.gitlab-ci.yml`:
findings appear in the merge request's security widget, the pipeline's Security tab and the
vulnerability report.

Syntax: GitLab's Security Report Schemas, `dist/sast-report-format.json` of release 15.1.4 (JSON
Schema draft-07; gitlab.com/gitlab-org/security-products/security-report-schemas; the file is
vendored unmodified as tests/data/gitlab-sast-report-format-15.1.4.json; GitLab validates a
report against the release its `version` names). Mapping:

- `scan`: analyzer and scanner are both corsproof; `start_time`/`end_time` in the schema's
  `yyyy-mm-ddThh:mm:ss` UTC form (the end is when the report is written, the start that minus the
  run's duration); `status` is `failure` only when nothing could be analysed (no file or target
  was, and there are errors: the run the command line ends with exit 2 for), `success` otherwise;
  each `errors` entry is a `warn` message (the schema's "partial error"), plus one `fatal`
  message on failure. `primary_identifiers` lists every rule: what the analyzer can report, by
  which GitLab tells a vulnerability no longer found from one whose rule no longer exists.
- one vulnerability per finding: `id` a UUID (version 5) of the finding's fingerprint, so it is
  the same in every run and distinct between findings; `name` the rule (`CORS102
  any-origin-with-credentials`: never finding-specific, as the schema asks); severity
  critical/high/medium/low as Critical/High/Medium/Low; `identifiers` the rule id first (the
  primary identifier, linked to the rule's documentation), then one `cwe` identifier per CWE of
  the rule; `solution` the fix; `links` the rule's documentation.
- `description` is GitLab Flavored Markdown: the message and the proof origin with every ASCII
  punctuation character backslash-escaped (a scanned file or a probed server cannot add links,
  images or HTML), the evidence (a probe's request and response, a library's advisories) and the
  replay command in fenced code blocks longer than any backtick run inside; all of it made
  printable first (no control character, no line a header value forged), as are the messages.
- `location` is `{file, start_line, end_line}` with the path relative to the working directory
  (GitLab links it into the repository). A probe finding has no file; the schema does not require
  one, but GitLab tells vulnerabilities of one rule apart by their location, so `file` is the
  probed URL: each endpoint stays its own vulnerability (its link into the repository leads
  nowhere; the name and description say which request proved it).

Every string is made encodable (a non-UTF-8 file name's bytes as `\\xe9`): json.dumps escapes the
rest.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from corsproof._terminal import encodable, printable
from corsproof._version import __version__
from corsproof.findings import Finding, RuleInfo, ScanResult
from corsproof.report._evidence import evidence_lines

SCHEMA_VERSION = "15.1.4"
SCHEMA_URL = (
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
    f"v{SCHEMA_VERSION}/dist/sast-report-format.json"
)
INFORMATION_URI = "https://github.com/corsproof/corsproof"
SEVERITY = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
# the namespace of the vulnerability ids: uuid5(NAMESPACE, fingerprint)
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, INFORMATION_URI)
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
PRIMARY_TYPE = "corsproof"

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def _now() -> datetime:
    return datetime.now(UTC)


def _markdown_text(text: str) -> str:
    """Untrusted text as literal Markdown: printable, every ASCII punctuation escaped."""
    return _PUNCTUATION.sub(r"\\\1", printable(text))


def _code_block(lines: list[str]) -> str:
    """A fenced code block longer than any backtick run inside it (lines already printable)."""
    body = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{body}\n{fence}"


def _relative(path: str) -> str:
    """The path relative to the working directory with forward slashes (as GitLab links files
    into the repository); a path outside it stays absolute."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.resolve().relative_to(Path.cwd().resolve())
        except (ValueError, OSError):
            return candidate.as_posix()
    return str(PurePosixPath(candidate.as_posix()))


def _docs_url(rule_id: str) -> str:
    return f"{INFORMATION_URI}/blob/main/docs/rules/{rule_id}.md"


def _primary_identifier(rule_id: str, known: bool) -> dict[str, str]:
    identifier = {"type": PRIMARY_TYPE, "name": rule_id, "value": rule_id}
    if known:
        identifier["url"] = _docs_url(rule_id)
    return identifier


def _cwe_identifier(cwe: int) -> dict[str, str]:
    return {
        "type": "cwe",
        "name": f"CWE-{cwe}",
        "value": str(cwe),
        "url": f"https://cwe.mitre.org/data/definitions/{cwe}.html",
    }


def _fingerprints(findings: list[Finding]) -> list[str]:
    """Each finding's fingerprint; for one that has none (not assigned by a run), the same hash
    `assign_fingerprints` would give it, so that ids stay distinct."""
    seen: dict[str, int] = {}
    prints = []
    for finding in findings:
        key = finding.fingerprint_key()
        seen[key] = seen.get(key, 0) + 1
        prints.append(
            finding.fingerprint or hashlib.sha256(f"{key}\x1e{seen[key]}".encode()).hexdigest()[:32]
        )
    return prints


def _description(finding: Finding) -> str:
    parts = [_markdown_text(finding.message)]
    if finding.target is not None:
        target = finding.target
        parts.append(f"Probed: {_markdown_text(f'{target.method} {target.url}')}")
    if finding.proof_origin:
        parts.append(f"Proof: {_markdown_text(f'Origin: {finding.proof_origin}')}")
    if finding.evidence:
        parts.append("Evidence:\n\n" + _code_block(evidence_lines(finding.evidence)))
    if finding.replay:
        parts.append("Send the proof again:\n\n" + _code_block([printable(finding.replay)]))
    return "\n\n".join(parts)


def _location(finding: Finding) -> dict[str, Any]:
    if finding.location is not None:
        loc = finding.location
        return {
            "file": _relative(loc.path),
            "start_line": loc.line,
            "end_line": max(loc.end_line, loc.line),
        }
    if finding.target is not None:
        return {"file": finding.target.url}
    return {}


def _vulnerability(
    finding: Finding, fingerprint: str, catalogue: dict[str, RuleInfo]
) -> dict[str, Any]:
    rule = catalogue.get(finding.rule_id)
    identifiers = [_primary_identifier(finding.rule_id, rule is not None)]
    identifiers += [_cwe_identifier(cwe) for cwe in (rule.cwe if rule else ())]
    vulnerability: dict[str, Any] = {
        "id": str(uuid.uuid5(NAMESPACE, fingerprint)),
        "name": f"{finding.rule_id} {finding.rule_name}"[:255],
        "description": _description(finding)[:1048576],
        "severity": SEVERITY.get(finding.severity, "Unknown"),
        "identifiers": identifiers,
        "location": _location(finding),
    }
    if finding.fix:
        vulnerability["solution"] = finding.fix[:7000]
    if rule is not None:
        vulnerability["links"] = [
            {"name": f"{rule.id} {rule.name}", "url": _docs_url(rule.id)},
        ]
    return vulnerability


def _messages(result: ScanResult, failed: bool) -> list[dict[str, str]]:
    messages = [
        {"level": "warn", "value": printable(f"{error.path}: {error.message}")}
        for error in result.errors
    ]
    if failed:
        unit = getattr(result, "unit", "file")
        messages.append(
            {"level": "fatal", "value": f"no {unit} could be analysed (each one is listed above)"}
        )
    return messages


def _encodable(value: Any) -> Any:
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, dict):
        return {key: _encodable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encodable(item) for item in value]
    return value


def to_gitlab(result: ScanResult) -> dict[str, Any]:
    """The report as a JSON-ready dict, valid against the schema of SCHEMA_VERSION."""
    end = _now().replace(microsecond=0)
    start = end - timedelta(seconds=int(result.duration_s + 0.999))
    failed = result.analysed == 0 and bool(result.errors)
    catalogue = {rule.id: rule for rule in result.rules}
    tool = {
        "id": "corsproof",
        "name": "corsproof",
        "url": INFORMATION_URI,
        "version": __version__,
        "vendor": {"name": "corsproof"},
    }
    scan: dict[str, Any] = {
        "analyzer": dict(tool),
        "scanner": dict(tool),
        "type": "sast",
        "start_time": start.strftime(TIME_FORMAT),
        "end_time": end.strftime(TIME_FORMAT),
        "status": "failure" if failed else "success",
        "primary_identifiers": [_primary_identifier(rule.id, True) for rule in result.rules],
    }
    messages = _messages(result, failed)
    if messages:
        scan["messages"] = messages
    document = {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URL,
        "scan": scan,
        "vulnerabilities": [
            _vulnerability(finding, fingerprint, catalogue)
            for finding, fingerprint in zip(
                result.findings, _fingerprints(result.findings), strict=True
            )
        ],
    }
    return _encodable(document)


def render_gitlab(result: ScanResult, color: bool = False) -> str:
    return json.dumps(to_gitlab(result), indent=2) + "\n"


__all__ = ["render_gitlab", "to_gitlab"]
