"""Reproductions for the hand-written header analysis, replayed against the running application.

Each vulnerable fixture under tests/fixtures/handwritten/ used here is a complete Flask module. The
test scans the fixture (never importing it for the scan), then imports it and sends every proof
origin the scanner reported to the view or `after_request` hook the finding is in, through Flask's
own test client: the response must really grant that origin (`Access-Control-Allow-Origin` is the
attacker's origin, or `*`), with `Access-Control-Allow-Credentials: true` where the finding claims
credentials. Safe fixtures produce no finding, and no attacker origin derived from their trusted
origins is granted.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from semantics_support import assert_granted, import_file

from corsproof import scan_paths
from corsproof.findings import Finding
from corsproof.origins import catalogue

FIXTURES = Path(__file__).parent / "fixtures" / "handwritten"
_COUNTER = itertools.count()

Send = Callable[[str], Any]  # origin -> response with `.headers`


def _load(path: Path) -> ModuleType:
    return import_file(path, "corsproof_handwritten_repro")


def _scan(path: Path) -> list[Finding]:
    result = scan_paths([str(path)], workers=1)
    assert not result.errors, result.errors
    return result.findings


def _sender(path: Path, scope: str) -> Send:
    """Requests to the view `scope` of a freshly imported fixture, or to a probe route served with
    only the `after_request` hook `scope` (the fixture's other hooks would answer too)."""
    module = _load(path)
    app = module.app
    rules = [r.rule for r in app.url_map.iter_rules() if r.endpoint == scope]
    if rules:
        url = rules[0]
    else:
        hook = getattr(module, scope)
        app.after_request_funcs = {None: [hook]}
        app.add_url_rule("/__corsproof_probe", "__corsproof_probe", lambda: "ok")
        url = "/__corsproof_probe"
    client = app.test_client()
    return lambda origin: client.get(url, headers={"Origin": origin})


# ------------------------------------------------------------------------------ vulnerable fixtures

VULNERABLE: dict[str, dict[str, set[str]]] = {
    # fixture: {view or hook: rules reported in it}
    "tuple_responses.py": {
        "made_from_a_tuple": {"CORS101"},
        "returned_tuple": {"CORS101"},
        "echoed_without_status": {"CORS101"},
        "list_of_pairs": {"CORS101"},
        "echoed_with_credentials": {"CORS102"},
        "tuple_through_a_name": {"CORS101"},
    },
    "regex_lists.py": {
        # `PATTERNS = [re.compile(f"https://{re.escape(h)}") for h in HOSTS]`: needs the
        # resolver to evaluate the comprehension and `re.escape`
        "comprehension_any": {"CORS104"},
        "comprehension_loop": {"CORS104"},
        # literal lists: string patterns with `re.match(p, origin)`, compiled ones in a loop
        "string_patterns_any": {"CORS104"},
        "compiled_loop": {"CORS104"},
    },
}

CASES = [(fixture, scope) for fixture, scopes in VULNERABLE.items() for scope in scopes]


@pytest.mark.parametrize(("fixture", "scope"), CASES, ids=[f"{f}::{s}" for f, s in CASES])
def test_reported_origin_is_granted(fixture: str, scope: str) -> None:
    path = FIXTURES / fixture
    findings = [f for f in _scan(path) if f.location is not None and f.location.scope == scope]
    assert {f.rule_id for f in findings} == VULNERABLE[fixture][scope], [
        (f.rule_id, f.message) for f in findings
    ]
    for finding in findings:
        assert_granted(_sender(path, scope), finding)


def test_weak_pattern_proof_is_a_longer_host() -> None:
    """Patterns without an end anchor are proven with a host that merely starts with a trusted
    one (`https://example.com.attacker…`), not with something the code never accepted."""
    findings = [f for f in _scan(FIXTURES / "regex_lists.py") if f.rule_id == "CORS104"]
    assert len(findings) == 4
    for finding in findings:
        assert finding.proof_origin is not None
        assert finding.proof_origin.startswith(("https://example.com.", "https://api.example.com."))


# ------------------------------------------------------------------------------ safe fixtures

SAFE: dict[str, dict[str, tuple[str, ...]]] = {
    # fixture: {view or hook: trusted origins the attacker catalogue is derived from}
    "regex_lists_anchored.py": {
        "anchored_match": ("https://example.com", "https://api.example.com"),
        "fullmatch": ("https://example.com", "https://api.example.com"),
        "anchored_strings_loop": ("https://example.com", "https://api.example.com"),
    },
}

SAFE_CASES = [(fixture, scope) for fixture, scopes in SAFE.items() for scope in scopes]


@pytest.mark.parametrize(("fixture", "scope"), SAFE_CASES, ids=[f"{f}::{s}" for f, s in SAFE_CASES])
def test_safe_fixture_grants_no_attacker(fixture: str, scope: str) -> None:
    path = FIXTURES / fixture
    assert [(f.rule_id, f.message) for f in _scan(path)] == []
    send = _sender(path, scope)
    trusted = SAFE[fixture][scope]
    for origin in trusted:  # the legitimate front ends are served
        assert send(origin).headers.get("Access-Control-Allow-Origin") == origin
    for attack in catalogue(list(trusted)):
        granted = send(attack.origin).headers.get("Access-Control-Allow-Origin")
        assert granted not in (attack.origin, "*"), (attack.family, attack.origin)


# ------------------------------------------------------------------------------ mocks


def test_mocked_responses_are_not_the_applications() -> None:
    """HTTP mocking libraries and unittest.mock fake *other* services' responses: nothing to report
    (the libraries need not be installed: the fixture is only scanned)."""
    assert [(f.rule_id, f.location) for f in _scan(FIXTURES / "http_mocks.py")] == []


MOCKED_BESIDE_A_VIEW = """
from unittest.mock import Mock, patch

from flask import Flask, Response

app = Flask(__name__)


def fetch_upstream():
    raise RuntimeError("not in tests")


@app.route("/")
def index():
    return Response("ok", headers={"Access-Control-Allow-Origin": "*"})


def test_upstream():
    fake = Mock(status_code=200, headers={"Access-Control-Allow-Origin": "https://a.example"})
    fake.headers["Access-Control-Allow-Credentials"] = "true"
    with patch(__name__ + ".fetch_upstream", return_value=fake):
        assert fetch_upstream().headers["Access-Control-Allow-Origin"] == "https://a.example"
"""


def test_view_response_beside_mocks_is_reported_and_real(tmp_path: Path) -> None:
    path = tmp_path / f"app_{next(_COUNTER)}.py"
    path.write_text(textwrap.dedent(MOCKED_BESIDE_A_VIEW), encoding="utf-8")
    findings = _scan(path)
    assert [(f.rule_id, f.location.scope if f.location else None) for f in findings] == [
        ("CORS101", "index")
    ]
    assert_granted(_sender(path, "index"), findings[0])
    # and the module's own test, whose mock carries those headers, runs as written
    _load(path).test_upstream()
