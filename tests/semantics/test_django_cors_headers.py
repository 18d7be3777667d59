"""What django-cors-headers (4.9, on Django 5.2) actually does: every fact the
`django_cors_headers` adapter relies on, re-observed through Django's own test client.

Django is configured in-process once (tests/django_testapp.py: a tiny urlconf, CorsMiddleware first); each
test overrides only the settings it is about, with every other CORS_* setting removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client
from django_testapp import COMMON, CORS, cors_settings, setup

EVIL = "https://evil.example"

setup()


@contextmanager
def cors(middleware: list[str] | None = None, **settings: Any) -> Iterator[Client]:
    """A test client for a project whose only CORS settings are `settings`."""
    with cors_settings(middleware, **settings):
        yield Client()


def get(client: Client, origin: str, url: str = "/api/data/", **headers: str) -> Any:
    return client.get(url, headers={"Origin": origin, **headers})


def preflight(client: Client, origin: str, **headers: str) -> Any:
    return client.options(
        "/api/data/",
        headers={"Origin": origin, "Access-Control-Request-Method": "PUT", **headers},
    )


def acao(response: Any) -> str | None:
    return response.headers.get("Access-Control-Allow-Origin")


def vary(response: Any) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


# ---------------------------------------------------------------- any origin (CORS101/102)


@pytest.mark.parametrize("name", ["CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"])
def test_allow_all_sends_a_literal_star(name: str) -> None:
    with cors(**{name: True}) as client:
        response = get(client, EVIL)
    assert acao(response) == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "origin" in vary(response)


@pytest.mark.parametrize("name", ["CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"])
def test_allow_all_with_credentials_echoes_every_origin(name: str) -> None:
    with cors(**{name: True}, CORS_ALLOW_CREDENTIALS=True) as client:
        evil, null = get(client, EVIL), get(client, "null")
    assert acao(evil) == EVIL
    assert evil.headers["Access-Control-Allow-Credentials"] == "true"
    assert acao(null) == "null"
    assert "origin" in vary(evil)


def test_allow_all_is_python_truthiness() -> None:
    # an env string such as "False" is truthy: the middleware only tests `not value`
    with cors(CORS_ALLOW_ALL_ORIGINS="False") as client:
        assert acao(get(client, EVIL)) == "*"
    with cors(CORS_ALLOW_ALL_ORIGINS=False, CORS_ALLOW_CREDENTIALS="no") as client:
        assert acao(get(client, EVIL)) is None
    with cors(CORS_ALLOWED_ORIGINS=[EVIL], CORS_ALLOW_CREDENTIALS="no") as client:
        assert get(client, EVIL).headers["Access-Control-Allow-Credentials"] == "true"


def test_new_name_takes_precedence_over_old_name() -> None:
    with cors(CORS_ALLOW_ALL_ORIGINS=False, CORS_ORIGIN_ALLOW_ALL=True) as client:
        assert acao(get(client, EVIL)) is None
    with cors(CORS_ALLOWED_ORIGINS=[], CORS_ORIGIN_WHITELIST=[EVIL]) as client:
        assert acao(get(client, EVIL)) is None
    with cors(CORS_ALLOWED_ORIGIN_REGEXES=[], CORS_ORIGIN_REGEX_WHITELIST=[r".*"]) as client:
        assert acao(get(client, EVIL)) is None


# ---------------------------------------------------------------- allow-lists (CORS103/105)


@pytest.mark.parametrize("name", ["CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST"])
def test_allow_list_compares_scheme_and_host(name: str) -> None:
    trusted = ["https://app.example.com/", "http://localhost:3000"]
    with cors(**{name: trusted}) as client:
        assert acao(get(client, "https://app.example.com")) == "https://app.example.com"
        assert acao(get(client, "http://localhost:3000")) == "http://localhost:3000"
        assert acao(get(client, "http://app.example.com")) is None
        assert acao(get(client, "https://app.example.com.evil.net")) is None
        assert acao(get(client, EVIL)) is None
        assert acao(get(client, "null")) is None


def test_null_accepted_when_listed() -> None:
    with cors(CORS_ALLOWED_ORIGINS=["https://app.example.com", "null"]) as client:
        assert acao(get(client, "null")) == "null"
        assert acao(get(client, EVIL)) is None


@pytest.mark.parametrize("entry", ["app.example.com", "", "*", "localhost"])
def test_entry_without_scheme_accepts_null(entry: str) -> None:
    # urlsplit(entry) and urlsplit("null") both have an empty scheme and netloc
    with cors(CORS_ALLOWED_ORIGINS=["https://app.example.com", entry]) as client:
        assert acao(get(client, "null")) == "null"
        assert acao(get(client, EVIL)) is None
        assert acao(get(client, "https://app.example.com")) == "https://app.example.com"


@pytest.mark.parametrize("entry", ["localhost:3000", "file://", "//app.example.com"])
def test_entry_with_a_scheme_or_host_does_not_accept_null(entry: str) -> None:
    with cors(CORS_ALLOWED_ORIGINS=[entry]) as client:
        assert acao(get(client, "null")) is None
        assert acao(get(client, EVIL)) is None


def test_string_setting_accepts_null_and_not_the_origin_it_names() -> None:
    # a str is iterated character by character: every character parses like "null"
    with cors(CORS_ALLOWED_ORIGINS="https://app.example.com") as client:
        assert acao(get(client, "null")) == "null"
        assert acao(get(client, "https://app.example.com")) is None
        assert acao(get(client, EVIL)) is None
    with cors(CORS_ALLOWED_ORIGINS="") as client:
        assert acao(get(client, "null")) is None


def test_env_split_of_an_empty_default_accepts_null() -> None:
    # `os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",")` with the variable unset
    with cors(CORS_ALLOWED_ORIGINS="".split(",")) as client:
        assert acao(get(client, "null")) == "null"


# ---------------------------------------------------------------- regexes (CORS104/106)


@pytest.mark.parametrize("name", ["CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST"])
def test_regex_is_applied_with_re_match(name: str) -> None:
    with cors(**{name: [r"^https://\w+\.example\.com"]}) as client:
        assert acao(get(client, "https://a.example.com")) == "https://a.example.com"
        # not anchored at the end: re.match accepts a longer host
        attack = "https://a.example.com.evil.net"
        assert acao(get(client, attack)) == attack
        assert acao(get(client, EVIL)) is None


def test_regex_match_is_start_anchored_and_case_sensitive() -> None:
    with cors(CORS_ALLOWED_ORIGIN_REGEXES=[r"example\.com$"]) as client:
        assert acao(get(client, "https://example.com")) is None  # re.match, not re.search
    with cors(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://APP\.example\.com$"]) as client:
        assert acao(get(client, "https://app.example.com")) is None


def test_compiled_regex_keeps_its_flags() -> None:
    pattern = re.compile(r"^https://APP\.example\.com$", re.IGNORECASE)
    with cors(CORS_ALLOWED_ORIGIN_REGEXES=[pattern]) as client:
        assert acao(get(client, "https://app.example.com")) == "https://app.example.com"


def test_full_regex_accepts_every_subdomain() -> None:
    with cors(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://[a-z0-9-]+\.example\.com$"]) as client:
        assert acao(get(client, "https://anything.example.com")) == "https://anything.example.com"
        assert acao(get(client, "https://a.example.com.evil.net")) is None


def test_regex_string_setting_applies_each_character() -> None:
    # a str is iterated: its first character "^" is a pattern re.match accepts on any origin
    with cors(CORS_ALLOWED_ORIGIN_REGEXES=r"^https://app\.example\.com$") as client:
        assert acao(get(client, EVIL)) == EVIL
        assert acao(get(client, "null")) == "null"
    with cors(CORS_ALLOWED_ORIGIN_REGEXES="xyz") as client:
        assert acao(get(client, EVIL)) is None
        assert acao(get(client, "https://x.example")) is None  # scheme first: "x" never matches


def test_regexes_apply_to_null() -> None:
    with cors(CORS_ALLOWED_ORIGIN_REGEXES=[r".*"]) as client:
        assert acao(get(client, "null")) == "null"


# ---------------------------------------------------------------- preflight and headers


def test_private_network_grant() -> None:
    trusted = "https://app.example.com"
    with cors(CORS_ALLOWED_ORIGINS=[trusted], CORS_ALLOW_PRIVATE_NETWORK=True) as client:
        granted = preflight(client, trusted, **{"Access-Control-Request-Private-Network": "true"})
        plain = preflight(client, trusted)
    assert granted.headers["Access-Control-Allow-Private-Network"] == "true"
    assert "Access-Control-Allow-Private-Network" not in plain.headers
    with cors(CORS_ALLOWED_ORIGINS=[trusted]) as client:
        default = preflight(client, trusted, **{"Access-Control-Request-Private-Network": "true"})
    assert "Access-Control-Allow-Private-Network" not in default.headers


def test_star_methods_and_headers_are_sent_as_star() -> None:
    with cors(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_METHODS=["*"], CORS_ALLOW_HEADERS=["*"]) as c:
        response = preflight(c, EVIL, **{"Access-Control-Request-Headers": "x-made-up"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Methods"] == "*"
    assert response.headers["Access-Control-Allow-Headers"] == "*"
    with cors(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_HEADERS="*") as client:
        assert preflight(client, EVIL).headers["Access-Control-Allow-Headers"] == "*"


def test_default_methods_and_headers_are_lists() -> None:
    with cors(CORS_ALLOW_ALL_ORIGINS=True) as client:
        response = preflight(client, EVIL)
    assert "*" not in response.headers["Access-Control-Allow-Headers"]
    assert "*" not in response.headers["Access-Control-Allow-Methods"]


def test_expose_headers() -> None:
    with cors(CORS_ALLOW_ALL_ORIGINS=True, CORS_EXPOSE_HEADERS=["Authorization", "X-Id"]) as c:
        assert get(c, EVIL).headers["Access-Control-Expose-Headers"] == "Authorization, X-Id"
    # a string is joined character by character: only "*" survives as a meaningful value
    with cors(CORS_ALLOW_ALL_ORIGINS=True, CORS_EXPOSE_HEADERS="*") as client:
        assert get(client, EVIL).headers["Access-Control-Expose-Headers"] == "*"
    with cors(CORS_ALLOW_ALL_ORIGINS=True, CORS_EXPOSE_HEADERS="X-Id") as client:
        assert get(client, EVIL).headers["Access-Control-Expose-Headers"] == "X, -, I, d"


def test_vary_origin_is_always_sent() -> None:
    with cors(CORS_ALLOWED_ORIGINS=["https://app.example.com"]) as client:
        accepted = get(client, "https://app.example.com")
        rejected = get(client, EVIL)
    assert "origin" in vary(accepted)
    assert "origin" in vary(rejected)


# ---------------------------------------------------------------- scoping and middleware (CORS303)


def test_urls_regex_is_a_prefix_match() -> None:
    with cors(CORS_ALLOW_ALL_ORIGINS=True, CORS_URLS_REGEX=r"^/api") as client:
        assert acao(get(client, EVIL, "/api/data/")) == "*"
        assert acao(get(client, EVIL, "/apiary/")) == "*"
        assert acao(get(client, EVIL, "/other/")) is None


def test_missing_middleware_sends_nothing() -> None:
    with cors(middleware=[COMMON], CORS_ALLOW_ALL_ORIGINS=True) as client:
        response = get(client, EVIL)
    assert response.status_code == 200
    assert acao(response) is None


def test_common_middleware_above_cors_answers_without_cors_headers() -> None:
    # APPEND_SLASH: CommonMiddleware answers /api/data with a redirect of its own
    with cors(middleware=[COMMON, CORS], CORS_ALLOW_ALL_ORIGINS=True) as client:
        below = get(client, EVIL, "/api/data")
    assert below.status_code == 301
    assert acao(below) is None
    with cors(middleware=[CORS, COMMON], CORS_ALLOW_ALL_ORIGINS=True) as client:
        above = get(client, EVIL, "/api/data")
    assert above.status_code == 301
    assert acao(above) == "*"


def test_gzip_above_cors_keeps_cors_headers() -> None:
    gzip = "django.middleware.gzip.GZipMiddleware"
    with cors(middleware=[gzip, COMMON, CORS], CORS_ALLOW_ALL_ORIGINS=True) as client:
        ok = get(client, EVIL, "/api/data/", **{"Accept-Encoding": "gzip"})
    assert acao(ok) == "*"
    with cors(middleware=[gzip, CORS, COMMON], CORS_ALLOW_ALL_ORIGINS=True) as client:
        redirect = get(client, EVIL, "/api/data", **{"Accept-Encoding": "gzip"})
    assert acao(redirect) == "*"


# ---------------------------------------------------------------- the adapter agrees with the library

AGREEMENT = [
    "CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True",
    "CORS_ORIGIN_ALLOW_ALL = True\nCORS_ALLOW_PRIVATE_NETWORK = True",
    'CORS_ALLOWED_ORIGINS = ["https://app.example.com", "app.example.com", "http://localhost:3000"]',
    'CORS_ORIGIN_WHITELIST = ["https://app.example.com", "null"]',
    'CORS_ALLOWED_ORIGINS = "https://app.example.com"',
    'CORS_ALLOWED_ORIGINS = "".split(",")',
    'CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://\\w+\\.example\\.com", r"^https://[a-z-]+\\.example\\.org$"]',
    'CORS_ORIGIN_REGEX_WHITELIST = r"^https://app\\.example\\.com$"',
    'CORS_ALLOWED_ORIGIN_REGEXES = [r"https://www.example.com"]\nCORS_ALLOW_CREDENTIALS = True',
]


@pytest.mark.parametrize("source", AGREEMENT)
def test_every_proof_origin_is_accepted_by_the_library(source: str, tmp_path: Any) -> None:
    from corsproof import scan_paths

    settings_file = tmp_path / "settings.py"
    settings_file.write_text(f'INSTALLED_APPS = ["corsheaders"]\n{source}\n', encoding="utf-8")
    findings = scan_paths([str(settings_file)], workers=1).findings
    proofs = [f for f in findings if f.proof_origin]
    assert proofs, "the adapter reports nothing to prove"
    namespace: dict[str, Any] = {}
    exec(source, namespace)  # our own literal test settings, not scanned code
    with cors(**{k: v for k, v in namespace.items() if k.startswith("CORS_")}) as client:
        for finding in proofs:
            assert finding.proof_origin is not None
            response = get(client, finding.proof_origin)
            assert acao(response) in (finding.proof_origin, "*"), finding.rule_id
            if "credentials" in finding.context:
                assert response.headers["Access-Control-Allow-Credentials"] == "true"
