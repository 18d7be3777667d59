"""`--format junit`: JUnit XML, validated against Jenkins' junit-10.xsd (vendored unmodified in
tests/data, see tests/data/README.md) for real scans, a real probe, an empty run and runs with
errors, then read back: one failed testcase per finding, one error testcase per error, a passing
one for a clean run, and nothing XML 1.0 cannot carry whatever a file or a server sent."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.dom import minidom

import pytest
import xmlschema
from cli_support import corsproof
from probe_apps import handwritten_app
from probe_support import assert_no_errors, run_probe, serve_wsgi

from corsproof import scan_paths
from corsproof.findings import FileError, Finding, Location, ScanResult, Target
from corsproof.report import render
from corsproof.report.junit import PASSED, render_junit, xml_text

ROOT = Path(__file__).resolve().parent.parent
XSD_PATH = ROOT / "tests" / "data" / "junit-10.xsd"
# of junit-10.xsd in jenkinsci/xunit-plugin at 8c515de2804b3fd591a3b0f1ff8908a1b1a41887
XSD_SHA256 = "a1a816f58d1bf95ebabf371994df0b9246dee66ea9572fbec4f9296f1b2c0ff6"
# XML 1.0 §2.2 Char
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD_PATH))


def parse(text: str, schema: xmlschema.XMLSchema) -> ET.Element:
    """Well-formed (by expat, strictly), valid against the XSD, and its root."""
    assert not NOT_XML.search(text)
    minidom.parseString(text.encode("utf-8"))
    schema.validate(text)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    return root


def cases(root: ET.Element) -> list[ET.Element]:
    (suite,) = root.findall("testsuite")
    return suite.findall("testcase")


def counts(element: ET.Element) -> tuple[int, int, int]:
    return int(element.get("tests")), int(element.get("failures")), int(element.get("errors"))


def test_vendored_xsd_is_the_unmodified_file(schema: xmlschema.XMLSchema) -> None:
    assert hashlib.sha256(XSD_PATH.read_bytes()).hexdigest() == XSD_SHA256
    # and the validation below can fail: a testsuite without its required counts
    assert not schema.is_valid('<testsuites><testsuite name="x" tests="1"/></testsuites>')


def test_examples_scan_is_one_failed_testcase_per_finding(
    monkeypatch: pytest.MonkeyPatch, schema: xmlschema.XMLSchema
) -> None:
    monkeypatch.chdir(ROOT)
    result = scan_paths(["examples"], workers=1)
    root = parse(render("junit", result), schema)
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "corsproof"
    assert counts(root) == counts(suite) == (len(result.findings), len(result.findings), 0)
    assert float(suite.get("time")) == pytest.approx(result.duration_s, abs=0.001)
    listed = cases(root)
    assert len(listed) == len(result.findings) > 0
    for case, finding in zip(listed, result.findings, strict=True):
        loc = finding.location
        assert case.get("name") == f"{finding.rule_id} at {loc.path}:{loc.line}"
        assert case.get("classname") == loc.path
        (failure,) = case
        assert failure.tag == "failure"
        assert failure.get("type") == finding.rule_id
        assert failure.get("message") == finding.message
        detail = failure.text.splitlines()
        assert detail[0] == f"{finding.rule_id} {finding.rule_name} ({finding.severity})"
        assert f"at {loc.path}:{loc.line}:{loc.column}" in detail
        assert f"fix: {finding.fix}" in detail
        if finding.proof_origin:
            assert f"proof: Origin: {finding.proof_origin}" in detail
    assert len({c.get("name") for c in listed}) > len({c.get("classname") for c in listed}) > 4
    advisory = next(c for c in listed if c[0].get("type") == "CORS302")
    # other evidence than an exchange (a library's advisories) is listed, not lost
    assert any(re.match(r"CVE-\d{4}-\d+ ", line) for line in advisory[0].text.splitlines())


def test_clean_run_is_one_passing_testcase(schema: xmlschema.XMLSchema) -> None:
    root = parse(render_junit(ScanResult(analysed=5, duration_s=0.25)), schema)
    assert counts(root) == (1, 0, 0)
    (case,) = cases(root)
    assert case.get("name") == PASSED and len(case) == 0  # no failure, error or skipped child
    assert root.find("testsuite").get("time") == "0.250"


def test_errors_are_error_testcases(schema: xmlschema.XMLSchema) -> None:
    finding = Finding(
        "CORS105", "insecure-origin", "low", "http", location=Location("a.py", 2, 1, 2, 9)
    )
    errors = [FileError("broken.py", "SyntaxError: invalid syntax"), FileError("b.py", "gone")]
    root = parse(render_junit(ScanResult([finding], errors, analysed=1)), schema)
    assert counts(root) == (3, 1, 2)
    failed, *erred = cases(root)
    assert failed[0].tag == "failure"
    assert [
        (c.get("classname"), c[0].tag, c[0].get("type"), c[0].get("message")) for c in erred
    ] == [
        ("broken.py", "error", "FileError", "SyntaxError: invalid syntax"),
        ("b.py", "error", "FileError", "gone"),
    ]
    # errors without findings: the files that were analysed are clean (a passing testcase) ...
    root = parse(render_junit(ScanResult(errors=errors, analysed=2)), schema)
    assert counts(root) == (3, 0, 2) and cases(root)[-1].get("name") == PASSED
    # ... but when nothing could be analysed there is nothing to pass
    root = parse(render_junit(ScanResult(errors=errors, analysed=0)), schema)
    assert counts(root) == (2, 0, 2) and PASSED not in {c.get("name") for c in cases(root)}


def test_hostile_text_is_escaped_and_stays_xml(schema: xmlschema.XMLSchema) -> None:
    hostile = "a \"quote\" 'single' ]]> <tag> & \x00\x07\x1b[2J\x0b\x7f\x85\ufffe\uffff\ud800 end"
    path = 'dir/]]>"q".py\x01'
    result = ScanResult(
        findings=[
            Finding(
                "CORS101",
                "any-origin",
                "medium",
                hostile,
                location=Location(path, 3, 1, 3, 4),
                fix="fix <it> & ]]>",
            ),
            Finding(
                "CORS102",
                "any-origin-with-credentials",
                "critical",
                "echo",
                target=Target("http://h.example/x?a=]]>&b=\"'", "GET"),
                proof_origin="https://evil.example\r\nX-Forged: 1",
                evidence={
                    "request": {"method": "GET", "url": "http://h.example/x", "headers": {}},
                    "response": {"status": 200, "headers": {"x-h": "v\x00\x1b]8;;\x07]]>"}},
                },
                replay="curl -i 'http://h.example/x'",
            ),
        ],
        errors=[FileError("bad\x00.py", "cannot read \ud83d: \x1b[31m")],
        analysed=1,
    )
    text = render_junit(result)
    root = parse(text, schema)
    first, second, error = cases(root)
    assert first.get("classname") == 'dir/]]>"q".py\\x01'
    failure = first[0]
    assert failure.get("message") == xml_text(hostile)
    assert failure.get("message") == (
        "a \"quote\" 'single' ]]> <tag> & "
        "\\x00\\x07\\x1b[2J\\x0b\\x7f\\x85\\ufffe\\uffff\\ud800 end"
    )
    assert "fix: fix <it> & ]]>" in failure.text.splitlines()
    detail = second[0].text.splitlines()
    # a forged line stays on the proof's line; the server's header value is shown escaped
    assert "proof: Origin: https://evil.example\\r\\nX-Forged: 1" in detail
    assert "< x-h: v\\x00\\x1b]8;;\\x07]]>" in detail
    assert "replay: curl -i 'http://h.example/x'" in detail
    assert second.get("classname") == "http://h.example/x?a=]]>&b=\"'"
    assert second.get("name") == "CORS102 at GET http://h.example/x?a=]]>&b=\"'"
    assert error.get("classname") == "bad\\x00.py"
    assert error[0].get("message") == "cannot read \\ud83d: \\x1b[31m"


def test_probe_result_with_evidence_and_replay(schema: xmlschema.XMLSchema) -> None:
    paths = ["/echo-creds", "/null", "/preflight-any"]
    result, _ = run_probe(handwritten_app, paths, "loopback", serve=serve_wsgi)
    assert_no_errors(result)
    root = parse(render_junit(result), schema)
    assert counts(root) == (len(result.findings), len(result.findings), 0)
    for case, finding in zip(cases(root), result.findings, strict=True):
        assert case.get("classname") == finding.target.url
        assert case.get("name") == f"{finding.rule_id} at GET {finding.target.url}"
        detail = case[0].text.splitlines()
        sent = finding.evidence["request"]
        assert f"> {sent['method']} {sent['url']}" in detail
        assert f"replay: {finding.replay}" in detail and finding.replay.startswith("curl ")


def test_command_line_writes_a_valid_report(tmp_path: Path, schema: xmlschema.XMLSchema) -> None:
    (tmp_path / "app.py").write_text(
        "from flask import Flask\n"
        "from flask_cors import CORS\n"
        "app = Flask(__name__)\n"
        'CORS(app, origins="*", supports_credentials=True)\n'
    )
    proc = corsproof("scan", ".", "--format", "junit", "-o", "corsproof.xml", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    root = parse((tmp_path / "corsproof.xml").read_text(encoding="utf-8"), schema)
    assert counts(root)[1] >= 1
    assert {c.get("classname") for c in cases(root)} == {"app.py"}
