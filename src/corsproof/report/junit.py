"""JUnit XML, for the test panels of CI systems (GitLab's `artifacts: reports: junit:`, Jenkins'
JUnit and xUnit plugins, the JUnit reporters of GitHub Actions): each finding is a failed test.

Syntax: the JUnit XML that Ant and Maven Surefire write, as Jenkins' xUnit plugin states it in
`junit-10.xsd` (jenkinsci/xunit-plugin; vendored unmodified as tests/data/junit-10.xsd):
`<testsuites>` around one `<testsuite name="corsproof" tests failures errors skipped time>`,
`<testcase name classname>` with a `<failure message type>` or `<error message type>` whose text
is the detail. Mapping:

- a finding is a testcase with a `<failure>`: `name` is `RULE_ID at PATH:LINE` (or `RULE_ID at
  METHOD URL` for a probe finding), so every test reads differently in a panel and the location is
  in plain sight; `classname` is the file's path (or the probed URL) exactly as reported: GitLab
  shows it in its Suite column, GitHub Actions' JUnit reporters find the file by it, and Jenkins
  groups by it (splitting at its last dot, so `app.py` shows as class `py` of package `app`: the
  price of a path that stays a path). The failure's `type` is the rule id, its `message` the
  finding's message, its text the rule and severity, the message, location, proof origin, fix,
  the evidence (a probe's request and response, a library's advisories) and the command that
  sends the proof again.
- each `errors` entry (a file or target that could not be analysed) is a testcase with an
  `<error>` whose `type` is the kind of error (`FileError`, `TooLargeError`).
- a run without findings has one passing testcase, `no CORS findings`, so that the panel shows a
  green run rather than an empty one; not when nothing at all could be analysed (no file or
  target was, and there are errors): then the errors alone are the report.
- the suite's `time` is the run's duration in seconds.

Everything is built with xml.etree.ElementTree (it escapes `<`, `&`, quotes and `]]>`), and every
string from a scanned file or a probed server is made printable first and then rid of anything
else XML 1.0 cannot carry (U+FFFE, U+FFFF): no control character, no lone surrogate reaches the
file, and a line of the detail cannot be forged by a header value.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from corsproof._terminal import printable
from corsproof._version import __version__
from corsproof.findings import FileError, Finding, ScanResult
from corsproof.report._evidence import evidence_lines

SUITE = "corsproof"
PASSED = "no CORS findings"

# what XML 1.0 cannot carry (§2.2 Char), beyond what `printable` already escapes
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: object) -> str:
    """`text` made printable (one line) with every character XML 1.0 cannot carry escaped."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(text))


def _lines(*parts: str) -> str:
    """The detail: each part made XML-safe on its own line; only the joining newlines remain."""
    return "\n".join(xml_text(part) for part in parts if part)


def _where(finding: Finding) -> str:
    if finding.location is not None:
        return f"{finding.location.path}:{finding.location.line}"
    if finding.target is not None:
        return f"{finding.target.method} {finding.target.url}"
    return ""


def _classname(finding: Finding) -> str:
    if finding.location is not None:
        return finding.location.path
    if finding.target is not None:
        return finding.target.url
    return SUITE


def _finding(finding: Finding) -> ET.Element:
    where = _where(finding)
    case = ET.Element(
        "testcase",
        name=xml_text(f"{finding.rule_id} at {where}" if where else finding.rule_id),
        classname=xml_text(_classname(finding)),
    )
    failure = ET.SubElement(
        case, "failure", message=xml_text(finding.message), type=xml_text(finding.rule_id)
    )
    loc = finding.location
    evidence = evidence_lines(finding.evidence) if finding.evidence else []
    failure.text = _lines(
        f"{finding.rule_id} {finding.rule_name} ({finding.severity})",
        finding.message,
        f"at {loc.path}:{loc.line}:{loc.column}" if loc is not None else "",
        f"probed: {where}" if loc is None and where else "",
        f"proof: Origin: {finding.proof_origin}" if finding.proof_origin else "",
        f"fix: {finding.fix}" if finding.fix else "",
        *evidence,
        f"replay: {finding.replay}" if finding.replay else "",
    )
    return case


def _error(error: FileError) -> ET.Element:
    case = ET.Element(
        "testcase",
        name=xml_text(f"corsproof could not analyse {error.path}"),
        classname=xml_text(error.path),
    )
    element = ET.SubElement(
        case, "error", message=xml_text(error.message), type=type(error).__name__
    )
    element.text = _lines(f"{error.path}: {error.message}")
    return case


def to_junit(result: ScanResult) -> ET.Element:
    """The `<testsuites>` element of the report."""
    cases = [_finding(finding) for finding in result.findings]
    cases += [_error(error) for error in result.errors]
    nothing_analysed = result.analysed == 0 and bool(result.errors)
    if not result.findings and not nothing_analysed:
        cases.append(ET.Element("testcase", name=PASSED, classname=SUITE))
    counts = {
        "tests": str(len(cases)),
        "failures": str(len(result.findings)),
        "errors": str(len(result.errors)),
    }
    time = f"{max(result.duration_s, 0.0):.3f}"
    root = ET.Element("testsuites", name=SUITE, time=time, **counts)
    suite = ET.SubElement(root, "testsuite", name=SUITE, skipped="0", time=time, **counts)
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="corsproof.version", value=__version__)
    suite.extend(cases)
    return root


def render_junit(result: ScanResult, color: bool = False) -> str:
    root = to_junit(result)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


__all__ = ["render_junit", "to_junit", "xml_text"]
