"""Real CORS libraries, probed in-process (httpx's WSGI/ASGI transports) and over loopback
(werkzeug / uvicorn on 127.0.0.1): the exact rule ids per endpoint, nothing on safe endpoints."""

from __future__ import annotations

from typing import Any

import django_testapp
import pytest
from probe_apps import (
    EXPECTED_FLASK,
    STARLETTE_CASES,
    TRUSTED,
    fastapi_app,
    flask_app,
    starlette_app,
)
from probe_support import assert_no_errors, ids_by_path, run_probe, serve_asgi, serve_wsgi

from corsproof.probe import ProbeOptions, probe_targets


def test_flask_cors_configurations(mode: str) -> None:
    result, base = run_probe(flask_app(), list(EXPECTED_FLASK), mode, serve=serve_wsgi)
    assert_no_errors(result)
    found = ids_by_path(result, base)
    assert {p: found.get(p, set()) for p in EXPECTED_FLASK} == EXPECTED_FLASK


def test_flask_cors_regex_is_matched_with_re_match_and_credentials_make_it_critical() -> None:
    result, _ = run_probe(flask_app(), ["/regex"], "in-process", serve=serve_wsgi)
    (finding,) = result.findings
    assert finding.rule_id == "CORS104"
    assert finding.severity == "critical"
    assert finding.proof_origin == "https://www.example.com.corsproof-attacker.example"
    assert finding.context == ["credentials"]


@pytest.mark.parametrize("case", sorted(STARLETTE_CASES))
@pytest.mark.parametrize("factory", [starlette_app, fastapi_app], ids=["starlette", "fastapi"])
def test_starlette_cors_middleware(case: str, factory: Any, mode: str) -> None:
    options, expected = STARLETTE_CASES[case]
    result, base = run_probe(factory(**options), ["/data"], mode, serve=serve_asgi)
    assert_no_errors(result)
    assert ids_by_path(result, base).get("/data", set()) == expected


DJANGO_CASES: dict[str, tuple[dict[str, Any], set[str]]] = {
    "allowed-origins": ({"CORS_ALLOWED_ORIGINS": [TRUSTED]}, set()),
    "allow-all": ({"CORS_ALLOW_ALL_ORIGINS": True}, {"CORS101"}),
    "allow-all-credentials": (
        {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOW_CREDENTIALS": True},
        {"CORS102"},
    ),
    "regex-match": (
        {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://\w+\.example\.com"]},
        {"CORS104"},
    ),
    "private-network": (
        {"CORS_ALLOWED_ORIGINS": [TRUSTED], "CORS_ALLOW_PRIVATE_NETWORK": True},
        {"CORS107"},
    ),
    "allow-headers-star": (
        {"CORS_ALLOWED_ORIGINS": [TRUSTED], "CORS_ALLOW_HEADERS": ["*"]},
        {"CORS201"},
    ),
    "expose-authorization": (
        {"CORS_ALLOWED_ORIGINS": [TRUSTED], "CORS_EXPOSE_HEADERS": ["Authorization"]},
        {"CORS203"},
    ),
    "null-and-http": (
        {"CORS_ALLOWED_ORIGINS": [TRUSTED, "null", "http://www.example.com"]},
        {"CORS103", "CORS105"},
    ),
}


@pytest.mark.parametrize("case", sorted(DJANGO_CASES))
def test_django_cors_headers(case: str, mode: str) -> None:
    settings, expected = DJANGO_CASES[case]
    with django_testapp.cors_settings(**settings):
        # /api/data redirects to /api/data/ (APPEND_SLASH): followed (same origin); the findings
        # name the URL that answered, once for both targets
        result, base = run_probe(
            django_testapp.wsgi_application(), ["/api/data/", "/api/data"], mode, serve=serve_wsgi
        )
    assert_no_errors(result)
    assert result.analysed == 2
    found = ids_by_path(result, base)
    assert found.get("/api/data/", set()) == expected
    assert "/api/data" not in found
    assert len(result.findings) == len(expected)


def test_django_asgi_handler_in_process() -> None:
    from django.core.handlers.asgi import ASGIHandler

    with django_testapp.cors_settings(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=True):
        result = probe_targets(
            ["http://localhost/api/data/"],
            ProbeOptions(origins=(TRUSTED,), timeout=5),
            app=ASGIHandler(),
        )
    assert_no_errors(result)
    assert [f.rule_id for f in result.findings] == ["CORS102"]


def test_asgi_lifespan_runs_around_in_process_probes() -> None:
    """An app whose endpoints need its startup (lifespan) works in-process too."""
    from contextlib import asynccontextmanager

    from fastapi import FastAPI, Request
    from fastapi.middleware.cors import CORSMiddleware

    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        events.append("startup")
        app.state.ready = True
        yield
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)
    app.add_middleware(CORSMiddleware, allow_origins=["*"])

    @app.get("/data")
    async def data(request: Request) -> dict[str, bool]:
        return {"ready": request.app.state.ready}

    result = probe_targets(
        ["http://localhost/data"], ProbeOptions(origins=(TRUSTED,), timeout=5), app=app
    )
    assert_no_errors(result)
    assert [f.rule_id for f in result.findings] == ["CORS101"]
    assert events == ["startup", "shutdown"]


# ------------------------------------------------------------------ origins derived from grants


def _regex_flask(origins: list[str]) -> Any:
    from flask import Flask
    from flask_cors import CORS

    app = Flask(__name__)
    app.add_url_rule("/api", "api", lambda: {"ok": True})
    CORS(app, origins=origins, supports_credentials=True)
    return app


def _proven(result: Any) -> dict[str, str]:
    """rule id -> proof origin; every proof origin was sent and granted (the evidence shows
    the request's Origin sent back in Access-Control-Allow-Origin)."""
    found = {}
    for finding in result.findings:
        evidence = finding.evidence
        assert evidence["request"]["headers"]["Origin"] == finding.proof_origin
        granted = evidence["response"]["headers"]["access-control-allow-origin"]
        assert granted == finding.proof_origin
        found[finding.rule_id] = finding.proof_origin
    return found


def test_a_pattern_under_the_trusted_origin_is_found_from_the_subdomain_it_grants(
    mode: str,
) -> None:
    """`--origin https://example.com` against `https://[a-z]+\\.example\\.com` (re.match): the
    trusted origin itself is refused, a subdomain of it is granted (CORS106), and the attacker
    origins derived from that subdomain find the unanchored end (CORS104)."""
    app = _regex_flask([r"https://[a-z]+\.example\.com"])
    result, _ = run_probe(app, ["/api"], mode, serve=serve_wsgi, origins=("https://example.com",))
    assert_no_errors(result)
    assert _proven(result) == {
        "CORS104": "https://corsproof.example.com.corsproof-attacker.example",
        "CORS106": "https://corsproof.example.com",
    }
    weak = next(f for f in result.findings if f.rule_id == "CORS104")
    assert weak.severity == "critical"
    assert "a subdomain of https://example.com" in weak.message


def test_subdomain_trust_alone_from_a_refused_parent() -> None:
    """An anchored subdomain pattern: the subdomain is granted (CORS106), nothing derived from
    it passes (no CORS104)."""
    app = _regex_flask([r"^https://[a-z0-9-]+\.example\.com$"])
    result, _ = run_probe(
        app, ["/api"], "in-process", serve=serve_wsgi, origins=("https://example.com",)
    )
    assert_no_errors(result)
    assert _proven(result) == {"CORS106": "https://corsproof-attacker.example.com"}


def test_nothing_is_found_when_the_trusted_origin_and_its_subdomains_are_refused() -> None:
    app = _regex_flask(["https://www.example.com"])
    result, _ = run_probe(
        app, ["/api"], "in-process", serve=serve_wsgi, origins=("https://example.com",)
    )
    assert_no_errors(result)
    assert result.findings == []


def test_star_for_some_origins_and_an_echo_for_others_without_vary(mode: str) -> None:
    """Falcon's `CORSMiddleware(allow_origins="*", allow_credentials=[one origin])` answers `*`
    to every origin but the listed one, which gets itself back with credentials, and sends no
    `Vary: Origin`: CORS202 beside CORS101 (a literal `*` is not the reason the value varies, as
    an echo of every origin would be), as the scanner reports it for the same code."""
    import falcon

    class Api:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.media = {"ok": True}

    cors = falcon.CORSMiddleware(allow_origins="*", allow_credentials=[TRUSTED])
    app = falcon.App(middleware=cors)
    app.add_route("/api", Api())
    result, base = run_probe(app, ["/api"], mode, serve=serve_wsgi, origins=(TRUSTED,))
    assert_no_errors(result)
    assert ids_by_path(result, base)["/api"] == {"CORS101", "CORS201", "CORS202"}
    vary = next(f for f in result.findings if f.rule_id == "CORS202")
    assert vary.evidence["request"]["headers"]["Origin"] == TRUSTED
    other = vary.evidence["compared_with"]
    assert other["response"]["headers"]["access-control-allow-origin"] == "*"
    # Falcon sends back the headers asked for (no `*`): the message says what was observed
    (preflight,) = [f for f in result.findings if f.rule_id == "CORS201"]
    assert preflight.message == (
        "the preflight grants every request header (it sends back the headers asked for: "
        "x-api-key, authorization, x-corsproof-probe)"
    )
