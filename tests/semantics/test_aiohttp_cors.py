"""What aiohttp-cors (0.8.1, on aiohttp 3.14) actually does: every fact the `aiohttp_cors` adapter
relies on, re-observed with real aiohttp applications served by `aiohttp.test_utils.TestServer`
on 127.0.0.1 (one event loop per application, driven from these sync tests).

The second half runs each configuration twice: the same source text is executed (the real
library answers requests) and scanned (`corsproof.scan_paths`), and the rules the scan reports
must be exactly the rules the observed responses prove.
"""

from __future__ import annotations

import asyncio
import runpy
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp_cors
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from aiohttp_cors import ResourceOptions
from semantics_support import (
    APP,
    EVIL,
    MADE_UP_HEADER,
    MADE_UP_METHOD,
    Answer,
    Case,
    assert_scan_agrees,
    case,
    observed_rules,
    written_cases,
)


class Client:
    """One real server on 127.0.0.1 per application, on its own event loop."""

    def __init__(self, app: web.Application) -> None:
        self.runner = asyncio.Runner()
        self.client = self.runner.run(self._start(app))

    @staticmethod
    async def _start(app: web.Application) -> TestClient[web.Request, web.Application]:
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        return client

    def send(self, method: str, path: str, headers: dict[str, str]) -> Answer:
        async def run() -> Answer:
            response = await self.client.request(method, path, headers=headers)
            await response.read()
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()})

        return self.runner.run(run())

    def close(self) -> None:
        self.runner.run(self.client.close())
        self.runner.close()


_clients: dict[int, tuple[web.Application, Client]] = {}


@pytest.fixture(autouse=True, scope="module")
def _close_clients() -> Iterator[None]:
    yield
    for _, client in _clients.values():
        client.close()
    _clients.clear()


def send(app: web.Application, method: str, origin: str, path: str = "/", **headers: str) -> Answer:
    sent = {"Origin": origin, **{k.replace("_", "-"): v for k, v in headers.items()}}
    if id(app) not in _clients:
        _clients[id(app)] = (app, Client(app))
    return _clients[id(app)][1].send(method, path, sent)


def get(app: web.Application, origin: str = EVIL, path: str = "/") -> Answer:
    return send(app, "GET", origin, path)


def preflight(
    app: web.Application, origin: str = EVIL, method: str = "GET", **headers: str
) -> Answer:
    return send(app, "OPTIONS", origin, Access_Control_Request_Method=method, **headers)


async def secret(request: web.Request) -> web.Response:
    return web.Response(text="secret", headers={"X-API-Key": "k", "X-Request-Id": "1"})


def make(defaults: Any = None, route: Any = None, add: bool = True) -> web.Application:
    """`setup(app, defaults=defaults)`; GET / added with `cors.add(route, route_config)`."""
    app = web.Application()
    cors = aiohttp_cors.setup(app, defaults=defaults)
    added = app.router.add_route("GET", "/", secret)
    if add:
        cors.add(added, route)
    return app


# ---------------------------------------------------------------- configuration API and defaults


def test_setup_alone_adds_nothing() -> None:
    assert get(make({"*": ResourceOptions()}, add=False)).acao is None


def test_no_defaults_and_no_route_config_allow_nothing() -> None:
    assert get(make()).acao is None
    assert preflight(make()).status == 403


def test_star_echoes_every_origin_never_a_literal_star() -> None:
    app = make({"*": ResourceOptions()})
    for origin in (EVIL, "null"):
        answer = get(app, origin)
        assert answer.acao == origin
        assert not answer.credentials


def test_star_with_credentials_echoes_with_credentials() -> None:
    app = make({"*": ResourceOptions(allow_credentials=True)})
    for answer in (get(app), get(app, "null"), preflight(app)):
        assert answer.status == 200
        assert answer.acao in (EVIL, "null")
        assert answer.credentials


def test_options_as_a_plain_mapping() -> None:
    app = make({"*": {"allow_credentials": True}})
    assert get(app).credentials


def test_invalid_options_raise_at_setup() -> None:
    for options in (
        {"allow_credentials": "true"},  # not a bool
        {"expose_headers": "X-API-Key"},  # a string other than "*"
        {"allow_headers": {"X-Token"}},  # a set is not a sequence
    ):
        with pytest.raises(ValueError):
            ResourceOptions(**options)
    with pytest.raises(ValueError):
        make({"*": {"allow_methods": "*"}})  # not accepted in the mapping form
    with pytest.raises(ValueError):
        make({None: ResourceOptions()})  # an origin must be a string


def test_route_config_and_defaults_merge_per_origin() -> None:
    # the route's "*" serves every origin although the defaults list one
    app = make({APP: ResourceOptions()}, {"*": ResourceOptions(allow_credentials=True)})
    assert get(app).credentials
    # the defaults' "*" serves origins the route config does not name
    app = make({"*": ResourceOptions()}, {APP: ResourceOptions(allow_credentials=True)})
    assert get(app).acao == EVIL
    assert not get(app).credentials
    assert get(app, APP).credentials
    # the route's options for an origin replace the defaults' options for it
    app = make({APP: ResourceOptions(allow_credentials=True)}, {APP: ResourceOptions()})
    assert get(app, APP).acao == APP
    assert not get(app, APP).credentials


def test_class_based_view_uses_the_route_config_for_simple_requests() -> None:
    class View(web.View, aiohttp_cors.CorsViewMixin):
        async def get(self) -> web.Response:
            return web.Response(text="secret")

    app = web.Application()
    cors = aiohttp_cors.setup(app)
    cors.add(app.router.add_route("*", "/", View), {"*": ResourceOptions(allow_credentials=True)})
    answer = get(app)
    assert answer.acao == EVIL
    assert answer.credentials
    assert preflight(app).status == 403  # the view's own (empty) config answers preflights


# ---------------------------------------------------------------- origin matching


def test_keys_are_exact_and_case_sensitive() -> None:
    app = make({APP: ResourceOptions()})
    assert get(app, APP).acao == APP
    for origin in ("HTTPS://APP.EXAMPLE.COM", "https://app.example.co", f"{APP}.evil.example"):
        assert get(app, origin).acao is None, origin


def test_wildcard_subdomain_key_is_a_literal() -> None:
    app = make({"https://*.example.com": ResourceOptions()})
    assert get(app, "https://a.example.com").acao is None
    assert get(app, "https://*.example.com").acao == "https://*.example.com"


def test_null_key_is_accepted() -> None:
    app = make({APP: ResourceOptions(), "null": ResourceOptions()})
    assert get(app, "null").acao == "null"
    assert get(app).acao is None


# ---------------------------------------------------------------- preflight, PNA, expose, Vary


def test_star_methods_grant_a_made_up_method() -> None:
    app = make({APP: ResourceOptions(allow_methods="*")})
    answer = preflight(app, APP, MADE_UP_METHOD)
    assert answer.status == 200
    assert answer.headers["access-control-allow-methods"] == MADE_UP_METHOD


def test_default_methods_are_the_added_routes() -> None:
    app = make({APP: ResourceOptions()})
    assert preflight(app, APP, "GET").status == 200
    assert preflight(app, APP, "PUT").status == 403


def test_star_headers_grant_a_made_up_header() -> None:
    app = make({APP: ResourceOptions(allow_headers="*")})
    answer = preflight(app, APP, Access_Control_Request_Headers=MADE_UP_HEADER)
    assert answer.headers["access-control-allow-headers"] == MADE_UP_HEADER.upper()


def test_default_headers_grant_none() -> None:
    app = make({APP: ResourceOptions()})
    assert preflight(app, APP, Access_Control_Request_Headers=MADE_UP_HEADER).status == 403


def test_private_network_is_never_granted() -> None:
    app = make({"*": ResourceOptions(allow_methods="*", allow_headers="*")})
    answer = preflight(app, Access_Control_Request_Private_Network="true")
    assert answer.status == 200
    assert "access-control-allow-private-network" not in answer.headers


def test_expose_star_lists_every_response_header() -> None:
    exposed = get(make({APP: ResourceOptions(expose_headers="*")}), APP).headers
    assert "X-API-Key" in exposed["access-control-expose-headers"].split(",")
    listed = get(make({APP: ResourceOptions(expose_headers=["X-Request-Id"])}), APP).headers
    assert listed["access-control-expose-headers"] == "X-Request-Id"


def test_vary_origin_is_never_sent() -> None:
    app = make({APP: ResourceOptions(), "https://b.example.com": ResourceOptions()})
    for origin in (APP, "https://b.example.com"):
        answer = get(app, origin)
        assert answer.acao == origin
        assert "vary" not in answer.headers
    assert "vary" not in get(make({"*": ResourceOptions()})).headers


# ---------------------------------------------------------------- observed behaviour == scan

HEADER = """\
import aiohttp_cors
from aiohttp import web
from aiohttp_cors import ResourceOptions


async def secret(request):
    return web.Response(text="secret", headers={"X-API-Key": "k"})


app = web.Application()
route = app.router.add_route("GET", "/", secret)
"""


def setup(defaults: str, route: str = "") -> str:
    add = f"cors.add(route, {route})" if route else "cors.add(route)"
    return f"cors = aiohttp_cors.setup(app, defaults={{{defaults}}})\n{add}\n"


def opts(options: str = "") -> str:
    return f"ResourceOptions({options})"


B = "https://b.example.com"

CASES = [
    case("star", setup(f'"*": {opts()}'), {"CORS101"}),
    case("star-credentials", setup(f'"*": {opts("allow_credentials=True")}'), {"CORS102"}),
    case(
        "readme-route-star",
        "cors = aiohttp_cors.setup(app)\ncors.add(route, {'*': ResourceOptions("
        "allow_credentials=True, expose_headers='*', allow_headers='*')})\n",
        {"CORS102", "CORS201", "CORS203"},
    ),
    case("not-added", f"cors = aiohttp_cors.setup(app, defaults={{'*': {opts()}}})\n", set()),
    case(
        "route-star-over-exact-defaults",
        setup(f'"{APP}": {opts()}', f'{{"*": {opts()}}}'),
        {"CORS101"},
    ),
    case("mapping-options", setup('"*": {"allow_credentials": True}'), {"CORS102"}),
    case(
        "null", setup(f'"{APP}": {opts()}, "null": {opts()}'), {"CORS103", "CORS202"}, (APP, "null")
    ),
    case(
        "http",
        setup(f'"{APP}": {opts()}, "http://localhost:8080": {opts()}'),
        {"CORS105", "CORS202"},
        (APP, "http://localhost:8080"),
    ),
    case("wildcard-literal", setup(f'"https://*.example.com": {opts()}'), set()),
    case(
        "two-origins",
        setup(f'"{APP}": {opts("allow_credentials=True")}, "{B}": {opts()}'),
        {"CORS202"},
        (APP, B),
    ),
    case(
        "two-origins-split",
        setup(f'"{APP}": {opts()}', f'{{"{B}": {opts()}}}'),
        {"CORS202"},
        (APP, B),
    ),
    case("any-method", setup(f'"{APP}": ' + opts("allow_methods='*'")), {"CORS201"}),
    case("expose-star", setup(f'"{APP}": ' + opts("expose_headers='*'")), {"CORS203"}),
    case("invalid-credentials", setup('"*": ' + opts("allow_credentials='true'")), set()),
    case(
        "safe",
        setup(
            f'"{APP}": '
            + opts(
                "allow_credentials=True, allow_headers=['X-Token'], expose_headers=['X-Request-Id']"
            )
        ),
        set(),
    ),
]


def observe(app: web.Application, trusted: tuple[str, ...]) -> set[str]:
    """The rules the real library's answers prove (see `semantics_support.observed_rules`).
    Two accepted origins get two values: without `Vary: Origin` a cache mixes them up."""
    return observed_rules(
        trusted,
        partial(get, app),
        partial(preflight, app),
        made_up_method=True,
        made_up_header=True,
        private_network=True,
        vary_origins=trusted,
        vary_two_values=True,
        vary_unless="granted",
    )


written = written_cases(HEADER, CASES)


def test_observed_behaviour_is_what_the_scan_reports(written: tuple[Case, Path]) -> None:
    case, source = written
    try:
        app = runpy.run_path(str(source))["app"]
    except ValueError:  # the configuration raises at setup: nothing is served
        observed: set[str] = set()
    else:
        observed = observe(app, case.trusted)
    assert_scan_agrees(case, source, observed, "library")
