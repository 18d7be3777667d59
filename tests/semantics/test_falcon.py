"""What Falcon's built-in CORS (4.4: `App(cors_enable=True)`, `falcon.CORSMiddleware`) actually does:
every fact the `falcon` adapter relies on, re-observed through `falcon.testing.TestClient` (WSGI and
ASGI apps alike).

The second half runs each configuration twice: the same source text is executed (the real
middleware answers requests) and scanned (`corsproof.scan_paths`), and the rules the scan reports
must be exactly the rules the observed responses prove.
"""

from __future__ import annotations

import runpy
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import falcon
import falcon.asgi
import falcon.testing
import pytest
from semantics_support import (
    APP,
    EVIL,
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

from corsproof.origins import ARBITRARY


class Home:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.text = "secret"


class AsyncHome:
    async def on_get(self, req: Any, resp: Any) -> None:
        resp.text = "secret"


def client(
    cors_enable: bool = False, asgi: bool = False, **options: Any
) -> falcon.testing.TestClient:
    middleware = [falcon.CORSMiddleware(**options)] if options or not cors_enable else []
    if asgi:
        app: Any = falcon.asgi.App(cors_enable=cors_enable, middleware=middleware)
        app.add_route("/", AsyncHome())
    else:
        app = falcon.App(cors_enable=cors_enable, middleware=middleware)
        app.add_route("/", Home())
    return falcon.testing.TestClient(app)


def simulate_get(client: falcon.testing.TestClient, origin: str) -> falcon.testing.Result:
    return client.simulate_get("/", headers={"Origin": origin, "Cookie": "session=1"})


def get(client: falcon.testing.TestClient, origin: str) -> Mapping[str, str]:
    return simulate_get(client, origin).headers


def preflight(
    client: falcon.testing.TestClient, origin: str, method: str = "GET", **headers: str
) -> falcon.testing.Result:
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return client.simulate_options("/", headers=sent)


def acao(headers: Mapping[str, str]) -> str | None:
    return headers.get("access-control-allow-origin")


def credentials(headers: Mapping[str, str]) -> bool:
    return headers.get("access-control-allow-credentials") == "true"


# ---------------------------------------------------------------- defaults: a literal `*`


@pytest.mark.parametrize("asgi", [False, True], ids=["wsgi", "asgi"])
def test_cors_enable_sends_a_literal_star_to_every_origin(asgi: bool) -> None:
    c = client(cors_enable=True, asgi=asgi)
    for origin in (EVIL, "null"):
        headers = get(c, origin)
        assert acao(headers) == "*"
        assert not credentials(headers)
        assert "vary" not in headers


def test_cors_middleware_without_options_is_the_same_literal_star() -> None:
    headers = get(client(), EVIL)
    assert acao(headers) == "*"
    assert not credentials(headers)


def test_cors_enable_with_a_cors_middleware_refuses_to_start() -> None:
    with pytest.raises(ValueError, match="cors_enable"):
        falcon.App(cors_enable=True, middleware=[falcon.CORSMiddleware()])


# ---------------------------------------------------------------- `*` plus credentials


def test_star_with_credentials_star_echoes_every_origin_with_credentials() -> None:
    c = client(allow_origins="*", allow_credentials="*")
    for origin in (EVIL, "null"):
        headers = get(c, origin)
        assert acao(headers) == origin
        assert credentials(headers)
        assert "vary" not in headers
    answer = preflight(c, EVIL)
    assert acao(answer.headers) == EVIL and credentials(answer.headers)


def test_credentials_listed_origins_get_an_echo_the_others_keep_the_star() -> None:
    c = client(allow_origins="*", allow_credentials=[APP])
    assert acao(get(c, EVIL)) == "*" and not credentials(get(c, EVIL))
    assert acao(get(c, APP)) == APP and credentials(get(c, APP))
    assert "vary" not in get(c, APP)  # two values, no Vary


def test_credentials_only_for_allowed_origins() -> None:
    c = client(allow_origins=[APP], allow_credentials=[APP, EVIL])
    assert acao(get(c, EVIL)) is None
    headers = get(c, APP)
    assert acao(headers) == APP and credentials(headers)
    c = client(allow_origins=[APP, OTHER], allow_credentials=[APP])
    assert acao(get(c, OTHER)) == OTHER and not credentials(get(c, OTHER))


@pytest.mark.parametrize("value", [True, ["*"]], ids=["bool", "star-in-list"])
def test_credentials_as_a_bool_or_star_in_a_list_raises(value: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        falcon.CORSMiddleware(allow_credentials=value)


def test_credentials_string_true_names_an_origin_called_true() -> None:
    headers = get(client(allow_origins="*", allow_credentials="true"), EVIL)
    assert acao(headers) == "*" and not credentials(headers)


# ---------------------------------------------------------------- origin matching


def test_listed_origins_are_exact_and_case_sensitive() -> None:
    c = client(allow_origins=[APP, OTHER])
    assert acao(get(c, APP)) == APP
    assert acao(get(c, OTHER)) == OTHER
    for origin in (EVIL, "null", APP.upper(), APP + ".evil.net", "https://app.example.co"):
        assert acao(get(c, origin)) is None, origin
    assert "vary" not in get(c, APP)


def test_a_string_is_one_origin_not_a_substring_or_pattern() -> None:
    c = client(allow_origins=APP)
    assert acao(get(c, APP)) == APP
    assert acao(get(c, "https://app.example.co")) is None
    c = client(allow_origins=f"{APP},*")
    assert acao(get(c, EVIL)) is None
    c = client(allow_origins="https://*.example.com")
    assert acao(get(c, "https://x.example.com")) is None


def test_star_inside_a_list_raises() -> None:
    with pytest.raises(ValueError, match="wildcard"):
        falcon.CORSMiddleware(allow_origins=["*"])


def test_null_listed_is_accepted() -> None:
    assert acao(get(client(allow_origins=[APP, "null"]), "null")) == "null"


# ---------------------------------------------------------------- preflight, private network, expose


def test_preflight_grants_every_requested_header_and_the_resource_methods() -> None:
    answer = preflight(
        client(allow_origins=[APP]), APP, "DELETE", Access_Control_Request_Headers="x-made-up"
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-headers"] == "x-made-up"
    assert answer.headers["access-control-allow-methods"] == "GET"  # what Home answers


def test_private_network_only_when_enabled() -> None:
    pna = {"Access_Control_Request_Private_Network": "true"}
    off = preflight(client(allow_origins=[APP]), APP, **pna)
    assert "access-control-allow-private-network" not in off.headers
    on = preflight(client(allow_origins=[APP], allow_private_network=True), APP, **pna)
    assert on.headers["access-control-allow-private-network"] == "true"
    refused = preflight(client(allow_origins=[APP], allow_private_network=True), EVIL, **pna)
    assert "access-control-allow-private-network" not in refused.headers


def test_expose_headers_string_as_written_list_joined() -> None:
    assert (
        get(client(expose_headers="X-API-Key"), APP)["access-control-expose-headers"] == "X-API-Key"
    )
    joined = get(client(expose_headers=["X-API-Key", "Authorization"]), APP)
    assert joined["access-control-expose-headers"] == "X-API-Key, Authorization"


# ---------------------------------------------------------------- observed behaviour == scan

HEADER = """\
import os

import falcon
import falcon.asgi


class Home:
    def on_get(self, req, resp):
        resp.text = "secret"


class AsyncHome:
    async def on_get(self, req, resp):
        resp.text = "secret"


"""


def mw(options: str) -> str:
    return f"app = falcon.App(middleware=[falcon.CORSMiddleware({options})])\napp.add_route('/', Home())\n"


CASES = [
    case(
        "cors-enable",
        "app = falcon.App(cors_enable=True)\napp.add_route('/', Home())\n",
        {"CORS101"},
    ),
    case(
        "cors-enable-asgi",
        "app = falcon.asgi.App(cors_enable=True)\napp.add_route('/', AsyncHome())\n",
        {"CORS101"},
    ),
    case("default", mw(""), {"CORS101"}),
    case("star", mw('allow_origins="*"'), {"CORS101"}),
    case("star-credentials", mw('allow_origins="*", allow_credentials="*"'), {"CORS102"}),
    case("star-positional-credentials", mw('"*", None, "*"'), {"CORS102"}),
    case(
        "star-credentials-listed",
        mw(f'allow_origins="*", allow_credentials=["{APP}"]'),
        {"CORS101", "CORS202"},
    ),
    case("one-origin", mw(f'allow_origins=["{APP}"], allow_credentials="*"'), set()),
    case("string-origin", mw(f'allow_origins="{APP}"'), set()),
    case("string-with-star", mw(f'allow_origins="{APP},*"'), set()),
    case("two-origins", mw(f'allow_origins=["{APP}", "{OTHER}"]'), {"CORS202"}, (APP, OTHER)),
    case("null", mw(f'allow_origins=["{APP}", "null"]'), {"CORS103", "CORS202"}),
    case(
        "null-without-credentials",
        mw(f'allow_origins=["{APP}", "null"], allow_credentials=["{APP}"]'),
        {"CORS103", "CORS202"},
    ),
    case(
        "http-localhost",
        mw(f'allow_origins=["{APP}", "http://localhost:3000"]'),
        {"CORS105", "CORS202"},
        (APP, "http://localhost:3000"),
    ),
    case(
        "private-network", mw(f'allow_origins=["{APP}"], allow_private_network=True'), {"CORS107"}
    ),
    case("expose", mw(f'allow_origins=["{APP}"], expose_headers=["Authorization"]'), {"CORS203"}),
    case(
        "expose-string",
        mw(f'allow_origins="{APP}", expose_headers="X-Request-Id, X-API-Key"'),
        {"CORS203"},
    ),
    case(
        "everything",
        mw('allow_credentials="*", allow_private_network=True, expose_headers="Set-Cookie"'),
        {"CORS102", "CORS107", "CORS203"},
    ),
]


def observe(c: falcon.testing.TestClient, trusted: tuple[str, ...]) -> set[str]:
    """The rules the real middleware's answers prove (see `semantics_support.observed_rules`).

    Not CORS201: Falcon grants every requested header whatever the configuration says (pinned by
    `test_preflight_grants_every_requested_header_and_the_resource_methods`); nothing to fix in it.
    CORS202: two accepted origins get two values without `Vary: Origin` (not for an echo of all).
    """
    return observed_rules(
        trusted,
        answering(partial(simulate_get, c)),
        answering(partial(preflight, c)),
        probe_from_arbitrary=False,
        private_network=True,
        vary_origins=(ARBITRARY, "null", *trusted),
        vary_star=True,
        vary_two_values=True,
        vary_unless="echoed",
    )


written = written_cases(HEADER, CASES)


def test_observed_behaviour_is_what_the_scan_reports(written: tuple[Case, Path]) -> None:
    case, source = written
    app = runpy.run_path(str(source))["app"]
    assert_scan_agrees(
        case, source, observe(falcon.testing.TestClient(app), case.trusted), "middleware"
    )


@pytest.mark.parametrize(
    "code",
    [
        mw('allow_origins=["*"]'),
        mw("allow_credentials=True"),
        "app = falcon.App(cors_enable=True, middleware=[falcon.CORSMiddleware()])\n",
    ],
    ids=["star-in-list", "credentials-bool", "cors-enable-and-middleware"],
)
def test_configurations_that_refuse_to_start_are_not_reported(code: str, tmp_path: Path) -> None:
    source = write_app(tmp_path, HEADER + code)
    with pytest.raises((TypeError, ValueError)):
        runpy.run_path(str(source))
    assert scanned_rules(source) == set()
