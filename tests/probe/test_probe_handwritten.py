"""Hand-written header code with each weak check of the catalogue, probed in-process and over
loopback: exact rule ids per endpoint, the proving origin, and evidence that shows the grant."""

from __future__ import annotations

from probe_apps import (
    EXPECTED_HANDWRITTEN,
    EXPECTED_PROOFS,
    SECOND,
    TRUSTED,
    handwritten_app,
)
from probe_support import assert_no_errors, ids_by_path, run_probe, serve_wsgi

PATHS = [p for p in EXPECTED_HANDWRITTEN if p != "/vary"]


def test_each_weak_check_is_reported_with_its_rule(mode: str) -> None:
    result, base = run_probe(handwritten_app, PATHS, mode, serve=serve_wsgi)
    assert_no_errors(result)
    found = ids_by_path(result, base)
    assert {p: found.get(p, set()) for p in PATHS} == {p: EXPECTED_HANDWRITTEN[p] for p in PATHS}
    assert result.analysed == len(PATHS)


def test_proof_origins_and_evidence(mode: str) -> None:
    result, base = run_probe(handwritten_app, PATHS, mode, serve=serve_wsgi)
    proofs = {
        f.target.url.removeprefix(base): f.proof_origin
        for f in result.findings
        if f.target
        and f.rule_id in ("CORS103", "CORS104", "CORS105", "CORS106")
        and f.target.url.endswith(tuple(EXPECTED_PROOFS))
        and not (f.target.url.endswith("/regex-search"))
    }
    assert proofs == {p: o for p, o in EXPECTED_PROOFS.items()}
    for finding in result.findings:
        assert finding.location is None and finding.target is not None
        assert finding.evidence is not None, finding
        request, response = finding.evidence["request"], finding.evidence["response"]
        if finding.proof_origin:
            assert request["headers"]["Origin"] == finding.proof_origin
            granted = response["headers"]["access-control-allow-origin"]
            assert granted in (finding.proof_origin, "*")


def test_two_trusted_origins_reveal_a_missing_vary(mode: str) -> None:
    result, base = run_probe(
        handwritten_app, ["/vary", "/exact"], mode, serve=serve_wsgi, origins=(TRUSTED, SECOND)
    )
    assert_no_errors(result)
    assert ids_by_path(result, base) == {"/vary": {"CORS202"}}
    (finding,) = result.findings
    assert finding.evidence is not None
    origins = {
        finding.evidence["request"]["headers"]["Origin"],
        finding.evidence["compared_with"]["request"]["headers"]["Origin"],
    }
    assert origins == {TRUSTED, SECOND}
    assert "vary" not in finding.evidence["response"]["headers"]


def test_star_with_credentials_is_any_origin_not_credentialed() -> None:
    result, base = run_probe(
        handwritten_app, ["/star-creds", "/star-cookie"], "in-process", serve=serve_wsgi
    )
    by_path = {f.target.url.removeprefix(base): f for f in result.findings if f.target}
    star = by_path["/star-creds"]
    assert (star.rule_id, star.severity) == ("CORS101", "medium")
    assert "browsers refuse" in star.message
    # the server that turns `*` into an echo once cookies are sent is caught with a dummy cookie
    echo = by_path["/star-cookie"]
    assert (echo.rule_id, echo.severity) == ("CORS102", "critical")
    assert echo.evidence is not None
    assert echo.evidence["request"]["headers"]["Cookie"] == "corsproof=1"


def test_without_origin_the_targets_own_host_is_trusted() -> None:
    """No --origin: the catalogue is derived from the target's own origin (http://localhost)."""
    result, base = run_probe(
        handwritten_app,
        ["/startswith-local", "/echo-creds", "/exact"],
        "in-process",
        serve=serve_wsgi,
        origins=(),
    )
    found = ids_by_path(result, base)
    assert found.get("/echo-creds") == {"CORS102"}
    assert "/exact" not in found


def test_severity_rises_with_the_users_credentials() -> None:
    plain, _ = run_probe(handwritten_app, ["/echo-vary"], "in-process", serve=serve_wsgi)
    keyed, _ = run_probe(
        handwritten_app,
        ["/echo-vary"],
        "in-process",
        serve=serve_wsgi,
        headers=(("X-API-Key", "secret"),),
    )
    bearer, _ = run_probe(
        handwritten_app,
        ["/echo-vary"],
        "in-process",
        serve=serve_wsgi,
        headers=(("Authorization", "Bearer t"),),
    )
    assert [(f.rule_id, f.severity, f.context) for f in plain.findings] == [
        ("CORS101", "medium", [])
    ]
    assert [(f.rule_id, f.severity, f.context) for f in keyed.findings] == [
        ("CORS101", "high", ["api-key"])
    ]
    assert [(f.severity, f.context) for f in bearer.findings] == [
        ("high", ["authorization-header"])
    ]
