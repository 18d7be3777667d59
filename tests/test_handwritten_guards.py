"""Guards around hand-written CORS headers, replayed against the real frameworks.

A guard restricts *who* gets a header only when the request's Origin flows into it; anything else
(an object that exists, a valid form, a signed-in user, a method, a path, a token, a feature flag)
restricts *when*, and the header's own value decides the finding. Each fixture under
tests/fixtures/handwritten/ used here is scanned (never imported for the scan), then imported and
run with the framework's own test tooling (Django's RequestFactory, Flask's test client, Starlette's
TestClient for raw ASGI apps): every reported proof origin must really be granted, with
credentials where the finding says so, under the conditions the guards ask for. The safe handlers
beside them grant no attacker origin derived from their trusted front ends. Checks the analysis
cannot evaluate, and CORS settings the code cannot see, are listed as unresolved, never dropped
and never claimed.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from semantics_support import import_file

from corsproof import scan_paths
from corsproof.findings import Finding
from corsproof.origins import catalogue

FIXTURES = Path(__file__).parent / "fixtures" / "handwritten"
_COUNTER = itertools.count()

Headers = Callable[[str], Any]  # origin -> response headers (a mapping with .get)


def _load(path: Path, **fakes: ModuleType) -> ModuleType:
    """Import a fixture afresh, with stand-ins for the project modules it imports."""
    saved = {name: sys.modules.get(name) for name in fakes}
    sys.modules.update(fakes)
    try:
        return import_file(path, "corsproof_handwritten_guards")
    finally:
        for fake, previous in saved.items():
            if previous is None:
                sys.modules.pop(fake, None)
            else:
                sys.modules[fake] = previous


def _fake(name: str, **attributes: Any) -> ModuleType:
    module = ModuleType(name)
    module.__dict__.update(attributes)
    return module


def _scan(path: Path) -> tuple[list[Finding], list[Any]]:
    result = scan_paths([str(path)], workers=1)
    assert not result.errors, result.errors
    return result.findings, result.unresolved


def _by_scope(findings: list[Finding]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for finding in findings:
        assert finding.location is not None
        out.setdefault(finding.location.scope, set()).add(finding.rule_id)
    return out


def _assert_granted(headers: Headers, finding: Finding) -> None:
    if finding.rule_id == "CORS201":  # every method / header, for any requesting page
        got = headers("https://corsproof-attacker.example")
        granted = (got.get("Access-Control-Allow-Methods"), got.get("Access-Control-Allow-Headers"))
        assert "*" in granted, granted
        return
    assert finding.proof_origin, finding
    got = headers(finding.proof_origin)
    granted = got.get("Access-Control-Allow-Origin")
    assert granted in (finding.proof_origin, "*"), (finding.rule_id, finding.proof_origin, granted)
    if finding.rule_id == "CORS102" or "credentials" in finding.context:
        assert granted == finding.proof_origin  # an echo: `*` carries no credentials
        assert got.get("Access-Control-Allow-Credentials") == "true"


def _assert_only_trusted(headers: Headers, trusted: tuple[str, ...]) -> None:
    for origin in trusted:  # the legitimate front ends are served
        assert headers(origin).get("Access-Control-Allow-Origin") == origin
    for attack in catalogue(list(trusted)):
        granted = headers(attack.origin).get("Access-Control-Allow-Origin")
        assert granted not in (attack.origin, "*"), (attack.family, attack.origin)


# ------------------------------------------------------------------------------ Django


@pytest.fixture(scope="module")
def django_views() -> Iterator[ModuleType]:
    import django_testapp

    django_testapp.setup()
    yield _load(FIXTURES / "guards_not_on_origin_django.py")


class _Form:
    def is_valid(self) -> bool:
        return True


_MEMBER = SimpleNamespace(is_authenticated=True, is_staff=True)

# view: (rules, keyword arguments that let its guards through, the request's user)
DJANGO = {
    "ping": ({"CORS101"}, {"check": object()}, None),  # healthchecks: a model object
    "preflight": ({"CORS101", "CORS201"}, {"check": object()}, None),
    "submit": ({"CORS101"}, {"form": _Form()}, None),
    "signed_in": ({"CORS101"}, {}, _MEMBER),
    "get_only": ({"CORS101"}, {}, None),
    "staff_only": ({"CORS101"}, {}, _MEMBER),
    "small_body": ({"CORS101"}, {}, None),
    "echo_for_members": ({"CORS102"}, {}, _MEMBER),
}


def _django_headers(view: Callable[..., Any], kwargs: dict[str, Any], user: Any) -> Headers:
    from django.test import RequestFactory

    factory = RequestFactory()

    def send(origin: str) -> Any:
        request = factory.get("/", HTTP_ORIGIN=origin)
        request.user = user or SimpleNamespace(is_authenticated=False, is_staff=False)
        return view(request, **kwargs)

    return send


@pytest.mark.parametrize("view", sorted(DJANGO))
def test_django_guard_not_on_origin_is_reported_and_real(
    django_views: ModuleType, view: str
) -> None:
    findings, _ = _scan(FIXTURES / "guards_not_on_origin_django.py")
    rules, kwargs, user = DJANGO[view]
    mine = [f for f in findings if f.location is not None and f.location.scope == view]
    assert {f.rule_id for f in mine} == rules
    for finding in mine:
        _assert_granted(_django_headers(getattr(django_views, view), kwargs, user), finding)


@pytest.mark.parametrize("view", ["listed_sender", "listed_host", "listed_and_signed_in"])
def test_django_origin_checks_stay_silent_and_hold(django_views: ModuleType, view: str) -> None:
    findings, unresolved = _scan(FIXTURES / "guards_not_on_origin_django.py")
    assert view not in _by_scope(findings)
    assert unresolved == []
    trusted = ("https://app.example.com", "https://admin.example.com")
    _assert_only_trusted(_django_headers(getattr(django_views, view), {}, _MEMBER), trusted)


# ------------------------------------------------------------------------------ Flask


def _flask_headers(module: ModuleType, endpoint: str, query: str = "") -> Headers:
    app = module.app
    app.after_request_funcs = {}
    rule = next(r.rule for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    client = app.test_client()
    return lambda origin: client.get(f"{rule}{query}", headers={"Origin": origin}).headers


FLASK = {
    # endpoint: (rules, query string that lets its guards through)
    "status": ({"CORS101"}, ""),
    "token_checked": ({"CORS101"}, ""),  # the 403 of a wrong token carries the header
    "feature_flag": ({"CORS101"}, ""),
    "configured_elsewhere": ({"CORS101"}, ""),
    "valid_payload": ({"CORS101"}, "?id=42"),
    "session_echo": ({"CORS102"}, "?demo=1"),
}


@pytest.mark.parametrize("endpoint", sorted(FLASK))
def test_flask_guard_not_on_origin_is_reported_and_real(endpoint: str) -> None:
    path = FIXTURES / "guards_not_on_origin_flask.py"
    findings, unresolved = _scan(path)
    assert unresolved == []
    rules, query = FLASK[endpoint]
    mine = [f for f in findings if f.location is not None and f.location.scope == endpoint]
    assert {f.rule_id for f in mine} == rules
    for finding in mine:
        _assert_granted(_flask_headers(_load(path), endpoint, query), finding)


def test_flask_exact_checks_beside_them_hold() -> None:
    path = FIXTURES / "guards_not_on_origin_flask.py"
    findings, _ = _scan(path)
    assert not {"listed", "listed_lower"} & set(_by_scope(findings))
    trusted = ("https://app.example.com", "https://admin.example.com")
    _assert_only_trusted(_flask_headers(_load(path), "listed"), trusted)


ON_ORIGIN_FAKES = {
    "myproject": _fake("myproject"),
    "myproject.security": _fake(
        "myproject.security",
        origin_is_allowed=lambda origin: origin == "https://app.example.com",
        verify=lambda request: request.headers.get("Origin") == "https://app.example.com",
    ),
}


@pytest.mark.parametrize(
    ("endpoint", "rule"), [("redash_star", "CORS102"), ("pattern_flag", "CORS106")]
)
def test_translated_origin_checks_are_real(endpoint: str, rule: str) -> None:
    """redash's `set(["*", origin]) & ALLOWED` with `*` configured, and saleor's flag set in a
    loop over fnmatch patterns (`https://*.example.com`: every subdomain)."""
    path = FIXTURES / "guards_on_origin.py"
    findings, _ = _scan(path)
    mine = [f for f in findings if f.location is not None and f.location.scope == endpoint]
    assert [f.rule_id for f in mine] == [rule]
    _assert_granted(_flask_headers(_load(path, **ON_ORIGIN_FAKES), endpoint), mine[0])


@pytest.mark.parametrize("endpoint", ["redash_listed", "listed_flag", "parsed_with_try"])
def test_exact_origin_checks_stay_silent_and_hold(endpoint: str) -> None:
    path = FIXTURES / "guards_on_origin.py"
    findings, _ = _scan(path)
    assert endpoint not in _by_scope(findings)
    trusted = ("https://app.example.com", "https://admin.example.com")
    _assert_only_trusted(_flask_headers(_load(path, **ON_ORIGIN_FAKES), endpoint), trusted)


def test_checks_the_analysis_cannot_evaluate_are_listed() -> None:
    """Not silence: an imported check, the request handed to a function, a helper that reads the
    global request, a Referer check. Each one listed where it is, as an origin check."""
    path = FIXTURES / "guards_on_origin.py"
    findings, unresolved = _scan(path)
    scopes = _by_scope(findings)
    for endpoint in ("imported_check", "request_handed", "helper_reads_the_origin"):
        assert endpoint not in scopes
    listed = {(u.what, u.reason.split(": ", 1)[1]) for u in unresolved}
    assert listed == {
        ("origin check", "`origin_is_allowed(sender)`"),
        ("origin check", "`verify(request)`"),
        ("origin check", "`looks_fine()`"),
        (
            "origin check",
            '`request.headers.get("Referer", "").startswith("https://app.example.com/")`',
        ),
    }
    assert all(u.reason.startswith("a check the analysis cannot evaluate: ") for u in unresolved)


# ------------------------------------------------------------------------------ CORS settings


def test_cors_settings_are_unresolved_and_library_flags_silent() -> None:
    path = FIXTURES / "cors_config_flags.py"
    findings, unresolved = _scan(path)
    assert findings == []
    lines = path.read_text(encoding="utf-8").splitlines()
    listed = {lines[u.line - 1].strip(): u for u in unresolved}
    assert set(listed) == {
        'response.headers["Access-Control-Allow-Origin"] = "*"',  # ckan
        'response.headers["Access-Control-Allow-Origin"] = origin',  # settings.CORS_ALLOW_ALL
    }
    ckan = listed['response.headers["Access-Control-Allow-Origin"] = "*"']
    assert "ckan.cors.origin_allow_all" in ckan.reason
    assert "every origin (Access-Control-Allow-Origin: *)" in ckan.reason


@pytest.mark.parametrize("allow_all", [True, False])
def test_ckan_setting_decides_for_real(allow_all: bool) -> None:
    """What the unresolved entry says: under one value of the setting, every origin gets `*`."""
    ckan = _fake("ckan")
    common = _fake("ckan.common", config={"ckan.cors.origin_allow_all": allow_all})
    fakes = {"ckan": ckan, "ckan.common": common}
    module = _load(FIXTURES / "cors_config_flags.py", **fakes)
    app = module.app
    app.after_request_funcs = {None: [module.ckan_style]}
    app.add_url_rule("/__probe", "__probe", lambda: "ok")
    got = app.test_client().get(
        "/__probe", headers={"Origin": "https://corsproof-attacker.example"}
    )
    assert got.headers.get("Access-Control-Allow-Origin") == ("*" if allow_all else None)


# ------------------------------------------------------------------------------ ASGI


@pytest.fixture
def asgi_module(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.delenv("ALLOWED_ORIGINS", raising=False)  # the `*` default the finding is about
    return _load(FIXTURES / "asgi_handlers.py")


def _asgi_headers(app: Any, method: str = "GET") -> Headers:
    from starlette.testclient import TestClient

    client = TestClient(app)

    def send(origin: str) -> Any:
        headers = {"Origin": origin}
        if method == "OPTIONS":
            headers["Access-Control-Request-Method"] = "POST"
        return client.request(method, "/", headers=headers).headers

    return send


ASGI = {
    # scope of the finding: (the ASGI app to run, the method that reaches the header)
    "cors_handler.cors_wrapper": ("app", "OPTIONS"),
    "cors_handler.cors_wrapper.send_with_origin": ("app", "GET"),
    "echo_app": ("echo_app", "GET"),
    "star_app": ("star_app", "GET"),
}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("scope", sorted(ASGI))
def test_asgi_handler_is_reported_and_real(asgi_module: ModuleType, scope: str) -> None:
    findings, _ = _scan(FIXTURES / "asgi_handlers.py")
    mine = [f for f in findings if f.location is not None and f.location.scope == scope]
    assert len(mine) == 1, [(f.rule_id, f.location) for f in findings]
    app, method = ASGI[scope]
    _assert_granted(_asgi_headers(getattr(asgi_module, app), method), mine[0])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_asgi_listed_origins_stay_silent_and_hold(asgi_module: ModuleType) -> None:
    findings, _ = _scan(FIXTURES / "asgi_handlers.py")
    assert "listed_app" not in _by_scope(findings)
    trusted = ("https://app.example.com", "https://admin.example.com")
    _assert_only_trusted(_asgi_headers(asgi_module.listed_app), trusted)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_expected_events_in_tests_are_not_responses() -> None:
    """saleor/asgi/tests/test_cors.py: the headers a test expects are not the application's; the
    application beside them still is (and really sends `*`)."""
    path = FIXTURES / "expected_in_tests.py"
    findings, _ = _scan(path)
    assert [(f.rule_id, f.location.scope if f.location else None) for f in findings] == [
        ("CORS101", "public_app")
    ]
    _assert_granted(_asgi_headers(_load(path).public_app), findings[0])


# ------------------------------------------------------------------------------ libraries


def test_cors_libraries_own_middleware_is_not_reported() -> None:
    """The CORS libraries' own middleware sets headers under its configuration flags: no finding
    (their configuration is judged where it is used, by their adapters)."""
    roots = []
    for package in ("starlette", "corsheaders", "flask_cors"):
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations
        roots.extend(spec.submodule_search_locations)
    result = scan_paths(roots, include_deps=True, workers=1)
    assert not result.errors
    assert result.findings == []
