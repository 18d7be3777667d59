"""`--format gitlab`: GitLab's SAST report, validated against GitLab's own schema (release 15.1.4,
vendored unmodified in tests/data, see tests/data/README.md) for real scans, a real probe, an
empty run and runs with errors; and read back for what the schema cannot check: severities, ids
stable across runs and distinct between findings, CWE identifiers, Markdown made literal."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cli_support import corsproof
from probe_apps import handwritten_app
from probe_support import assert_no_errors, run_probe, serve_wsgi

from corsproof import scan_paths
from corsproof.findings import FileError, Finding, Location, ScanResult, Target
from corsproof.report import gitlab
from corsproof.report.gitlab import NAMESPACE, SCHEMA_VERSION, render_gitlab, to_gitlab
from corsproof.rules import all_rules, get_rule

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "tests" / "data" / "gitlab-sast-report-format-15.1.4.json"
# of dist/sast-report-format.json at tag v15.1.4 of GitLab's security-report-schemas
SCHEMA_SHA256 = "2d488750975f48c816dffb81a0a582c0579843f9b52b86b61791d8c0c157304c"
SEVERITY = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def validate(document: dict[str, Any]) -> None:
    """Valid against the vendored schema, with the draft it declares and format checking."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    assert validator_class is jsonschema.Draft7Validator
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_vendored_schema_is_the_unmodified_release() -> None:
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == SCHEMA_SHA256
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["self"]["version"] == SCHEMA_VERSION
    assert gitlab.SCHEMA_URL.endswith(f"/v{SCHEMA_VERSION}/dist/sast-report-format.json")


def test_schema_rejects_what_gitlab_rejects() -> None:
    """The validation used below can fail: a wrong severity, a time with a zone, a missing id."""
    document = to_gitlab(
        ScanResult(findings=[Finding("CORS101", "any-origin", "medium", "open", target=_t())])
    )
    validate(document)
    for path, value in [
        (("vulnerabilities", 0, "severity"), "medium"),
        (("scan", "end_time"), "2024-01-01T00:00:00Z"),
        (("vulnerabilities", 0, "identifiers"), []),
        (("scan", "status"), "partial"),
    ]:
        broken = json.loads(json.dumps(document))
        *parents, key = path
        target = broken
        for part in parents:
            target = target[part]
        target[key] = value
        with pytest.raises(AssertionError):
            validate(broken)


def _t(url: str = "https://api.example/x") -> Target:
    return Target(url, "GET")


def _scan_examples() -> ScanResult:
    return scan_paths(["examples"], workers=1)


def test_examples_scan_is_valid_with_one_vulnerability_per_finding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    result = _scan_examples()
    assert len({Path(f.location.path).parts[1] for f in result.findings}) >= 4  # frameworks
    document = json.loads(render_gitlab(result))
    validate(document)
    assert document["version"] == SCHEMA_VERSION
    scan = document["scan"]
    assert scan["status"] == "success" and scan["type"] == "sast" and "messages" not in scan
    assert scan["analyzer"]["id"] == scan["scanner"]["id"] == "corsproof"
    assert [i["value"] for i in scan["primary_identifiers"]] == [r.id for r in all_rules()]
    vulnerabilities = document["vulnerabilities"]
    assert len(vulnerabilities) == len(result.findings) > 0
    for vulnerability, finding in zip(vulnerabilities, result.findings, strict=True):
        rule = get_rule(finding.rule_id)
        assert vulnerability["severity"] == SEVERITY[finding.severity]
        assert vulnerability["name"] == f"{rule.id} {rule.name}"
        assert vulnerability["location"] == {
            "file": finding.location.path,  # relative, forward slashes
            "start_line": finding.location.line,
            "end_line": finding.location.end_line,
        }
        primary, *cwes = vulnerability["identifiers"]
        assert primary == {
            "type": "corsproof",
            "name": rule.id,
            "value": rule.id,
            "url": f"https://github.com/corsproof/corsproof/blob/main/docs/rules/{rule.id}.md",
        }
        assert primary in scan["primary_identifiers"]
        assert [(c["type"], c["name"], c["value"]) for c in cwes] == [
            ("cwe", f"CWE-{n}", str(n)) for n in rule.cwe
        ]
        assert vulnerability["solution"] == finding.fix
        assert vulnerability["id"] == str(uuid.uuid5(NAMESPACE, finding.fingerprint))
    assert {v["severity"] for v in vulnerabilities} == {"Critical", "High", "Medium", "Low"}
    assert any(c["name"] == "CWE-942" for v in vulnerabilities for c in v["identifiers"])


def test_ids_are_stable_across_runs_and_distinct_between_findings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    first = [v["id"] for v in to_gitlab(_scan_examples())["vulnerabilities"]]
    second = [v["id"] for v in to_gitlab(_scan_examples())["vulnerabilities"]]
    assert first == second
    assert len(set(first)) == len(first)
    for value in first:
        assert uuid.UUID(value).version == 5
    # findings without a fingerprint (made by hand): two identical ones still get distinct ids
    twin = Finding("CORS101", "any-origin", "medium", "open", location=Location("a.py", 1, 1, 1, 2))
    ids = [v["id"] for v in to_gitlab(ScanResult(findings=[twin, twin]))["vulnerabilities"]]
    assert len(set(ids)) == 2
    again = [v["id"] for v in to_gitlab(ScanResult(findings=[twin, twin]))["vulnerabilities"]]
    assert ids == again


def test_empty_result_and_scan_times(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gitlab, "_now", lambda: datetime(2025, 3, 4, 5, 6, 7, 890000, tzinfo=UTC))
    document = to_gitlab(ScanResult(analysed=3, duration_s=2.2))
    validate(document)
    assert document["vulnerabilities"] == []
    scan = document["scan"]
    assert scan["status"] == "success" and "messages" not in scan
    assert (scan["start_time"], scan["end_time"]) == ("2025-03-04T05:06:04", "2025-03-04T05:06:07")
    # unpatched: the current UTC time, in the schema's form without zone or fraction
    scan = to_gitlab(ScanResult())["scan"]
    assert TIME.fullmatch(scan["start_time"]) and TIME.fullmatch(scan["end_time"])


def test_errors_are_messages_and_failure_only_when_nothing_was_analysed() -> None:
    finding = Finding(
        "CORS105", "insecure-origin", "low", "http", location=Location("a.py", 2, 1, 2, 9)
    )
    errors = [
        FileError("broken.py", "SyntaxError: invalid syntax\x1b[2J"),
        FileError("x.py", "gone"),
    ]
    partial = to_gitlab(ScanResult(findings=[finding], errors=errors, analysed=1))
    validate(partial)
    assert partial["scan"]["status"] == "success"
    assert partial["scan"]["messages"] == [
        {"level": "warn", "value": "broken.py: SyntaxError: invalid syntax\\x1b[2J"},
        {"level": "warn", "value": "x.py: gone"},
    ]
    assert len(partial["vulnerabilities"]) == 1
    nothing = to_gitlab(ScanResult(errors=errors[:1], analysed=0))
    validate(nothing)
    assert nothing["scan"]["status"] == "failure"
    assert [m["level"] for m in nothing["scan"]["messages"]] == ["warn", "fatal"]


def test_probe_findings_are_located_by_url_with_their_evidence() -> None:
    paths = ["/echo-creds", "/null", "/endswith", "/preflight-any"]
    # over a real socket: network targets carry a replay command too
    result, _ = run_probe(handwritten_app, paths, "loopback", serve=serve_wsgi)
    assert_no_errors(result)
    assert len({f.target.url for f in result.findings}) == len(paths)
    document = to_gitlab(result)
    validate(document)
    assert len(document["vulnerabilities"]) == len(result.findings)
    for vulnerability, finding in zip(document["vulnerabilities"], result.findings, strict=True):
        assert vulnerability["location"] == {"file": finding.target.url}
        assert vulnerability["severity"] == SEVERITY[finding.severity]
        description = vulnerability["description"]
        sent = finding.evidence["request"]
        assert f"\n```\n> {sent['method']} {sent['url']}\n" in description
        assert finding.replay and f"\n```\n{finding.replay}\n```" in description
    assert len({v["id"] for v in document["vulnerabilities"]}) == len(result.findings)


def test_description_is_literal_markdown_and_evidence_is_fenced() -> None:
    hostile = "[click](https://evil.example) ![x](https://evil.example/p.png) <img src=x> @all\n# h"
    finding = Finding(
        "CORS101",
        "any-origin",
        "medium",
        hostile,
        target=_t(),
        proof_origin="https://a.example/<b>",
        evidence={
            "request": {"method": "GET", "url": "https://api.example/x", "headers": {}},
            "response": {"status": 200, "headers": {"x-note": "```\x1b]8;;https://evil\x07"}},
        },
    )
    document = to_gitlab(ScanResult(findings=[finding]))
    validate(document)
    description = document["vulnerabilities"][0]["description"]
    prose, _, block = description.partition("Evidence:\n\n")
    message, probed, proof = prose.strip().split("\n\n")
    assert probed.startswith("Probed: GET ") and proof.startswith("Proof: ")
    # every ASCII punctuation character of the message and the proof origin is escaped
    for text in (message, proof.removeprefix("Proof: ")):
        assert not re.search(r"(?<!\\)[\[\]()!<>#@:/]", text), text
    assert message.endswith(r"@all\\n\# h")  # the newline shown (escaped), not a heading
    assert block.startswith("````\n") and block.endswith("\n````")  # longer than ``` inside
    assert "\x1b" not in description and "\\x1b]8;;https://evil\\x07" in block


def test_non_utf8_file_name_stays_encodable() -> None:
    name = b"caf\xe9.py".decode("utf-8", "surrogateescape")
    finding = Finding("CORS101", "any-origin", "medium", "m", location=Location(name, 1, 1, 1, 2))
    text = render_gitlab(ScanResult(findings=[finding], errors=[FileError(name, "unreadable")]))
    text.encode("utf-8")  # no lone surrogate left
    document = json.loads(text)
    validate(document)
    assert document["vulnerabilities"][0]["location"]["file"] == "caf\\xe9.py"


def test_command_line_writes_a_valid_report(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from fastapi import FastAPI\n"
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app = FastAPI()\n"
        'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)\n'
    )
    proc = corsproof("scan", ".", "--format", "gitlab", "-o", "gl-sast-report.json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    document = json.loads((tmp_path / "gl-sast-report.json").read_text(encoding="utf-8"))
    validate(document)
    (vulnerability,) = document["vulnerabilities"]
    assert vulnerability["location"]["file"] == "app.py"
    assert vulnerability["severity"] == "Critical"
