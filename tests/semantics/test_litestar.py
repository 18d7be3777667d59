"""What Litestar's `CORSConfig` (2.25) actually does: every fact the `litestar` adapter relies on,
re-observed through `litestar.testing.TestClient`.

The second half runs each configuration twice: the same source text is executed (the real
middleware answers requests) and scanned (`corsproof.scan_paths`), and the rules the scan reports
must be exactly the rules the observed responses prove.
"""

from __future__ import annotations

import logging
import re
import runpy
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, get
from litestar.config.cors import CORSConfig
from litestar.testing import TestClient
from semantics_support import (
    APP,
    EVIL,
    MADE_UP_HEADER,
    OTHER,
    Case,
    answering,
    assert_scan_agrees,
    case,
    observed_rules,
    scanned_rules,
    write_app,
    written_cases,
)

from corsproof.static.adapters.litestar_cors import _translate

STANDARD_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
logging.getLogger("httpx").setLevel(logging.WARNING)


@get("/")
async def home() -> str:
    return "secret"


_OPEN: list[TestClient[Any]] = []


@pytest.fixture(scope="module", autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().__exit__(None, None, None)


def client_for(app: Litestar) -> TestClient[Any]:
    client = TestClient(app, raise_server_exceptions=False)
    client.__enter__()
    _OPEN.append(client)
    return client


def make(**options: Any) -> TestClient[Any]:
    return client_for(Litestar([home], cors_config=CORSConfig(**options)))


def fetch(client: TestClient[Any], origin: str, cookie: bool = False) -> httpx.Response:
    headers = {"Origin": origin}
    if cookie:
        headers["Cookie"] = "session=1"
    return client.get("/", headers=headers)


def preflight(
    client: TestClient[Any], origin: str, method: str = "GET", **headers: str
) -> httpx.Response:
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return client.options("/", headers=sent)


def acao(response: httpx.Response) -> str | None:
    return response.headers.get("access-control-allow-origin")


def credentials(response: httpx.Response) -> bool:
    return response.headers.get("access-control-allow-credentials") == "true"


# ---------------------------------------------------------------- defaults: `*`, an echo with a cookie


def test_default_config_sends_a_literal_star_without_a_cookie() -> None:
    client = make()
    for origin in (EVIL, "null"):
        response = fetch(client, origin)
        assert acao(response) == "*"
        assert not credentials(response)


def test_default_config_echoes_any_origin_when_the_request_carries_a_cookie() -> None:
    client = make()
    for origin in (EVIL, "null"):
        response = fetch(client, origin, cookie=True)
        assert acao(response) == origin
        assert response.headers["vary"] == "Origin"
        assert not credentials(response)


def test_star_with_credentials_echoes_cookie_bearing_requests_with_credentials() -> None:
    client = make(allow_credentials=True)
    plain = fetch(client, EVIL)
    assert acao(plain) == "*" and credentials(plain)  # browsers refuse credentials with `*`
    with_cookie = fetch(client, EVIL, cookie=True)
    assert acao(with_cookie) == EVIL and credentials(with_cookie)  # readable, as the victim
    assert acao(fetch(client, "null", cookie=True)) == "null"
    answer = preflight(client, EVIL)  # the preflight keeps `*`: only simple requests work
    assert answer.status_code == 204 and acao(answer) == "*"


def test_star_in_a_string_allows_all_and_a_string_otherwise_allows_nothing() -> None:
    assert acao(fetch(make(allow_origins=f"{APP},*"), EVIL)) == "*"
    client = make(allow_origins=APP)  # iterated character by character
    for origin in (APP, "https://app.example.co"):
        assert acao(fetch(client, origin)) is None, origin
    assert acao(fetch(client, "h")) == "h"  # one character: never a browser's origin


# ---------------------------------------------------------------- origin matching


def test_listed_origins_are_exact_and_case_sensitive() -> None:
    client = make(allow_origins=[APP, OTHER, "null"])
    for origin in (APP, OTHER, "null"):
        response = fetch(client, origin)
        assert acao(response) == origin
        assert response.headers["vary"] == "Origin"
    for origin in (EVIL, APP.upper(), APP + ".evil.net", "https://app.example.co"):
        assert acao(fetch(client, origin)) is None, origin


def test_wildcard_entries_become_dot_star_and_are_fullmatched() -> None:
    client = make(allow_origins=["https://*.example.com"])
    assert acao(fetch(client, "https://x.example.com")) == "https://x.example.com"
    assert acao(fetch(client, "https://a.b.example.com")) == "https://a.b.example.com"
    assert acao(fetch(client, "https://x.example.com.evil.net")) is None
    client = make(allow_origins=["https://app.example.*"])
    attacker = "https://app.example.com.evil.net"
    assert acao(fetch(client, attacker)) == attacker


@pytest.mark.parametrize("entry", ["https://*.example.com", "https://app.example.*", "*", "a(b)*"])
def test_entries_compile_as_the_adapter_translates_them(entry: str) -> None:
    compiled = CORSConfig(allow_origins=[entry, "null"]).allowed_origins_regex.pattern
    assert compiled == f"{_translate(entry)}|null"


def test_allow_origin_regex_is_fullmatched_case_sensitively() -> None:
    client = make(allow_origins=[], allow_origin_regex=r"https://.*\.example\.com")
    assert acao(fetch(client, "https://x.example.com")) == "https://x.example.com"
    assert acao(fetch(client, "https://x.example.com.evil.net")) is None
    assert acao(fetch(client, "HTTPS://X.EXAMPLE.COM")) is None
    unescaped = make(allow_origins=[], allow_origin_regex=r"https://www.example.com")
    assert acao(fetch(unescaped, "https://wwwxexample.com")) == "https://wwwxexample.com"


def test_regex_is_joined_with_the_origins() -> None:
    # entries and regex are one alternation: a global inline flag after an entry does not compile
    client = make(allow_origins=[APP], allow_origin_regex=r"(?i)https://x\.example\.com")
    assert fetch(client, APP).status_code == 500
    assert acao(fetch(client, APP)) is None
    alone = make(allow_origins=[], allow_origin_regex=r"(?i)https://x\.example\.com")
    assert acao(fetch(alone, "HTTPS://X.EXAMPLE.COM")) == "HTTPS://X.EXAMPLE.COM"


def test_compiled_regex_fails_every_request_with_an_origin() -> None:
    client = make(allow_origins=[APP], allow_origin_regex=re.compile(r"https://x\.example\.com"))
    for origin in (APP, "null"):
        assert fetch(client, origin).status_code == 500
        assert preflight(client, origin).status_code == 500


# ---------------------------------------------------------------- preflight, expose, private network


def test_default_methods_and_headers_grant_everything() -> None:
    client = make(allow_origins=[APP])
    answer = preflight(client, APP, "DELETE", Access_Control_Request_Headers=MADE_UP_HEADER)
    assert answer.status_code == 204
    assert MADE_UP_HEADER in answer.headers["access-control-allow-headers"]
    assert answer.headers["access-control-allow-methods"] == ", ".join(STANDARD_METHODS)


def test_listed_methods_and_headers_restrict_the_preflight() -> None:
    client = make(allow_origins=[APP], allow_methods=["GET"], allow_headers=["content-type"])
    assert preflight(client, APP, "DELETE").status_code == 400
    assert preflight(client, APP, Access_Control_Request_Headers=MADE_UP_HEADER).status_code == 400
    assert preflight(client, APP, "GET").status_code == 204
    assert preflight(client, EVIL, "GET").status_code == 400


def test_expose_headers_list_is_sent_a_string_is_split_into_characters() -> None:
    listed = fetch(make(allow_origins=[APP], expose_headers=["X-API-Key"]), APP)
    assert listed.headers["access-control-expose-headers"] == "X-API-Key"
    string = fetch(make(allow_origins=[APP], expose_headers="Authorization"), APP)
    assert "Authorization" not in string.headers["access-control-expose-headers"]


def test_no_private_network_support() -> None:
    answer = preflight(make(), APP, Access_Control_Request_Private_Network="true")
    assert "access-control-allow-private-network" not in answer.headers


# ---------------------------------------------------------------- observed behaviour == scan

HEADER = """\
import os
import re

from litestar import Litestar, get
from litestar.config.cors import CORSConfig


@get("/")
async def home() -> str:
    return "secret"


"""
SAFE_PREFLIGHT = 'allow_methods=["GET", "POST"], allow_headers=["content-type"]'


def config(options: str, preflight: str = SAFE_PREFLIGHT) -> str:
    joined = ", ".join(part for part in (options, preflight) if part)
    return f"app = Litestar([home], cors_config=CORSConfig({joined}))\n"


CASES = [
    case("star", config('allow_origins=["*"]'), {"CORS101"}),
    case("default-origins", config(""), {"CORS101"}),
    case("star-credentials", config('allow_origins=["*"], allow_credentials=True'), {"CORS102"}),
    case("star-in-string", config(f'allow_origins="{APP},*"'), {"CORS101"}),
    case("string", config(f'allow_origins="{APP}"'), set()),
    case("exact", config(f'allow_origins=["{APP}", "{OTHER}"], allow_credentials=True'), set()),
    case("null", config(f'allow_origins=["{APP}", "null"]'), {"CORS103"}),
    case("wildcard-subdomain", config('allow_origins=["https://*.example.com"]'), {"CORS106"}),
    case("wildcard-suffix", config('allow_origins=["https://app.example.*"]'), {"CORS104"}),
    case(
        "regex-subdomain",
        config(r'allow_origins=[], allow_origin_regex=r"https://[a-z0-9-]+\.example\.com"'),
        {"CORS106"},
    ),
    case(
        "regex-unescaped-dots",
        config('allow_origins=[], allow_origin_regex="https://www.example.com"'),
        {"CORS104"},
        ("https://www.example.com",),
    ),
    case(
        "regex-dot-star",
        config('allow_origins=[], allow_origin_regex=".*", allow_credentials=True'),
        {"CORS102"},
    ),
    case(
        "regex-http",
        config(r'allow_origins=[], allow_origin_regex=r"https?://app\.example\.com"'),
        {"CORS105"},
    ),
    case(
        "positional",
        f'app = Litestar([home], cors_config=CORSConfig(["{APP}", "null"], ["GET"], ["*"]))\n',
        {"CORS103", "CORS201"},
    ),
    case("any-method", config(f'allow_origins=["{APP}"]', 'allow_methods=["*"]'), {"CORS201"}),
    case(
        "any-header",
        config(f'allow_origins=["{APP}"]', 'allow_methods=["GET"], allow_headers=["*"]'),
        {"CORS201"},
    ),
    case("expose", config(f'allow_origins=["{APP}"], expose_headers=["X-API-Key"]'), {"CORS203"}),
    case("expose-string", config(f'allow_origins=["{APP}"], expose_headers="X-API-Key"'), set()),
]


def observe(app: Litestar, trusted: tuple[str, ...]) -> set[str]:
    """The rules the real middleware's answers prove (see `semantics_support.observed_rules`).
    Simple requests carry a cookie, as the victim's browser sends them."""
    client = client_for(app)
    return observed_rules(
        trusted,
        answering(partial(fetch, client, cookie=True)),
        answering(partial(preflight, client)),
        probe_from_arbitrary=False,
        preflight_ok=204,
        made_up_header=True,
        header_listed=False,
        every_method=STANDARD_METHODS,
        vary_origins=(*trusted, "null"),
    )


written = written_cases(HEADER, CASES)


def test_observed_behaviour_is_what_the_scan_reports(written: tuple[Case, Path]) -> None:
    case, source = written
    app = runpy.run_path(str(source))["app"]
    assert_scan_agrees(case, source, observe(app, case.trusted), "middleware")


@pytest.mark.parametrize(
    "options",
    [
        f'allow_origins=["{APP}"], allow_origin_regex=re.compile("https://x.example.com")',
        rf'allow_origins=["{APP}", "null"], allow_origin_regex=r"(?i)https://x\.example\.com"',
    ],
    ids=["compiled-regex", "inline-flag-after-entries"],
)
def test_configurations_that_fail_every_request_are_not_reported(
    options: str, tmp_path: Path
) -> None:
    source = write_app(tmp_path, HEADER + config(options))
    client = client_for(runpy.run_path(str(source))["app"])
    response = fetch(client, "null")
    assert response.status_code == 500 and acao(response) is None
    assert scanned_rules(source) == set()
