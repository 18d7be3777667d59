"""SARIF 2.1.0: schema-valid (the official schema), GitHub's own requirements, one result per finding."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from corsproof import scan_paths
from corsproof.findings import FileError, Finding, Location, ScanResult, Target
from corsproof.report.sarif import SECURITY_SEVERITY, artifact_uri, to_sarif
from corsproof.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATHS = [
    ROOT.parent / "shared" / "schemas" / "sarif-2.1.0.json",
    ROOT / "tests" / "data" / "sarif-2.1.0.json",
]


def validate(document: dict) -> None:
    schema_path = next(p for p in SCHEMA_PATHS if p.is_file())
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(document)
    # GitHub's own limits, which the schema does not check
    driver = document["runs"][0]["tool"]["driver"]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and len(rule["shortDescription"]["text"]) <= 1024
        assert rule["fullDescription"]["text"] and len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert "security" in rule["properties"]["tags"]
        float(rule["properties"]["security-severity"])
    for result in document["runs"][0]["results"]:
        assert result["partialFingerprints"]["primaryLocationLineHash"]
        assert result["message"]["text"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_examples_sarif_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = scan_paths(["examples"], workers=1)
    document = to_sarif(result)
    validate(document)
    results = document["runs"][0]["results"]
    assert len(results) == len(result.findings) > 0
    for sarif, finding in zip(results, result.findings, strict=True):
        assert sarif["ruleId"] == finding.rule_id
        uri = sarif["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == finding.location.path  # relative, forward slashes
        assert (
            sarif["locations"][0]["physicalLocation"]["region"]["startLine"]
            == finding.location.line
        )
        assert sarif["partialFingerprints"]["corsproof/v1"] == finding.fingerprint


def test_rules_carry_docs_severity_and_cwe_tags() -> None:
    from corsproof.judge import rules_judged

    driver = to_sarif(ScanResult(rules=rules_judged(None)))["runs"][0]["tool"]["driver"]
    assert driver["name"] == "corsproof" and driver["version"] and driver["informationUri"]
    by_id = {rule["id"]: rule for rule in driver["rules"]}
    assert list(by_id) == [rule.id for rule in all_rules()]
    for rule in all_rules():
        descriptor = by_id[rule.id]
        assert descriptor["name"] == rule.name
        assert descriptor["properties"]["security-severity"] == SECURITY_SEVERITY[rule.severity]
        assert {f"external/cwe/cwe-{c}" for c in rule.cwe} <= set(descriptor["properties"]["tags"])
        assert "## Fix" in descriptor["help"]["markdown"]
    assert SECURITY_SEVERITY == {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def test_probe_findings_are_located_by_url_and_errors_are_notifications() -> None:
    result = ScanResult(
        findings=[
            Finding(
                "CORS102",
                "any-origin-with-credentials",
                "critical",
                "echoes",
                target=Target("https://api.example.com/me", "GET"),
                proof_origin="https://corsproof-attacker.example",
                fingerprint="a" * 32,
            ),
            Finding(
                "CORS101",
                "any-origin",
                "medium",
                "star",
                location=Location("app dir/x.py", 3, 1, 3, 9, source="x"),
                fingerprint="b" * 32,
            ),
        ],
        errors=[
            FileError("broken.py", "SyntaxError: invalid syntax (line 1)"),
            FileError("https://down.example/", "timed out"),
        ],
    )
    document = to_sarif(result)
    validate(document)
    first, second = document["runs"][0]["results"]
    assert (
        first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "https://api.example.com/me"
    )
    assert first["level"] == "error" and second["level"] == "warning"
    assert second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app%20dir/x.py"
    assert len(document["runs"][0]["invocations"][0]["toolExecutionNotifications"]) == 2


def test_artifact_uri_outside_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert artifact_uri(str(tmp_path / "a.py")).startswith("file:///")
    assert artifact_uri(str(ROOT / "examples" / "x.py")) == "examples/x.py"


def test_reports_describe_the_rules_the_run_judged_with(tmp_path: Path) -> None:
    """Reporters receive the rule catalogue with the result (they do not import the rules): a
    run with --select CORS1 describes only those rules."""
    from corsproof import scan_paths

    result = scan_paths([str(tmp_path)], workers=1, select={"CORS101", "CORS102"})
    driver = to_sarif(result)["runs"][0]["tool"]["driver"]
    assert [rule["id"] for rule in driver["rules"]] == ["CORS101", "CORS102"]
