"""What sanic-cors (2.2.0, on Sanic 25.12, without sanic-ext) actually does: every fact the
`sanic_cors` adapter relies on, re-observed with real Sanic apps through `app.asgi_client`
(inside `asyncio.run`).

The second half runs each configuration twice: the same source text is executed (the real
extension answers requests) and scanned (`corsproof.scan_paths`), and the rules the scan reports
must be exactly the rules the observed responses prove.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import itertools
import logging
import re
import runpy
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
import sanic_cors.extension
from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, text
from sanic_cors import CORS, cross_origin
from sanic_testing.testing import SanicASGITestClient
from semantics_support import (
    APP,
    EVIL,
    MADE_UP_HEADER,
    Answer,
    Case,
    assert_scan_agrees,
    case,
    observed_rules,
    written_cases,
)

BYPASS = "https://a.example.com.evil.example"
PATHS = ("/", "/api/data", "/apiary", "/other")

Sanic.test_mode = True  # several apps per process
_names = itertools.count()


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


class Client:
    """Requests through Sanic's ASGI test client on one event loop: the app starts once (the
    stock `asgi_client.request` restarts it for every request, too slow for the catalogue)."""

    def __init__(self, app: Sanic) -> None:
        self.runner = asyncio.Runner()
        self.client = SanicASGITestClient(app)
        self.runner.run(self.client.request("GET", "/"))  # start-up, once

    def send(self, method: str, path: str, headers: dict[str, str]) -> Answer:
        async def run() -> Answer:
            response = await httpx.AsyncClient.request(self.client, method, path, headers=headers)
            return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()})

        return self.runner.run(run())


_clients: dict[int, tuple[Sanic, Client]] = {}


@pytest.fixture(autouse=True, scope="module")
def _close_clients() -> Iterator[None]:
    yield
    for _, client in _clients.values():
        client.runner.close()
    _clients.clear()


def send(app: Sanic, method: str, origin: str, path: str = "/", **headers: str) -> Answer:
    sent = {"Origin": origin, **{k.replace("_", "-"): v for k, v in headers.items()}}
    if id(app) not in _clients:
        _clients[id(app)] = (app, Client(app))
    return _clients[id(app)][1].send(method, path, sent)


def get(app: Sanic, origin: str = EVIL, path: str = "/") -> Answer:
    return send(app, "GET", origin, path)


def preflight(app: Sanic, origin: str = EVIL, method: str = "GET", **headers: str) -> Answer:
    return send(app, "OPTIONS", origin, Access_Control_Request_Method=method, **headers)


async def secret(request: Request) -> HTTPResponse:
    return text("secret", headers={"X-API-Key": "k", "X-Request-Id": "1"})


def bare() -> Sanic:
    app = Sanic(f"corsproof_{next(_names)}")
    for number, path in enumerate(PATHS):
        app.add_route(secret, path, methods=["GET", "POST", "PUT"], name=f"view{number}")
    return app


def make(configure: Callable[[Sanic], None] | None = None, **options: Any) -> Sanic:
    """An app with `CORS(app, **options)`; `configure` writes the app config first."""
    app = bare()
    if configure is not None:
        configure(app)
    CORS(app, **options)
    return app


def config(**values: Any) -> Callable[[Sanic], None]:
    return lambda app: app.config.update(values)


def decorated(app: Sanic, methods: tuple[str, ...] = ("GET",), **options: Any) -> Sanic:
    @app.route("/view", methods=list(methods))
    @cross_origin(app, **options)
    async def view(request: Request) -> HTTPResponse:
        return text("secret")

    return app


# ---------------------------------------------------------------- the environment


def test_sanic_does_not_pull_sanic_ext() -> None:
    # with sanic-ext installed, a plain sanic-cors `CORS(app)` adds nothing (observed by hand with
    # sanic-ext 25.12.0); `pip install sanic` installs it only with the `ext` extra
    requirements = importlib.metadata.requires("sanic") or []
    assert all("extra ==" in r for r in requirements if r.startswith("sanic-ext"))
    assert sanic_cors.extension.use_ext is False


# ---------------------------------------------------------------- configuration API and defaults


def test_no_options_echo_every_origin() -> None:
    app = make()
    for origin in (EVIL, "null"):
        answer = get(app, origin)
        assert answer.acao == origin
        assert not answer.credentials
        assert "Origin" in answer.vary


def test_credentials_echo_every_origin_with_credentials() -> None:
    app = make(supports_credentials=True)
    for answer in (get(app), get(app, "null"), preflight(app)):
        assert answer.acao in (EVIL, "null")
        assert answer.credentials


def test_any_truthy_credentials_value_sends_credentials() -> None:
    assert get(make(supports_credentials="false")).credentials


def test_send_wildcard_sends_a_literal_star() -> None:
    answer = get(make(send_wildcard=True), "null")
    assert answer.acao == "*"
    assert "Origin" not in answer.vary


def test_send_wildcard_with_credentials_raises_at_setup() -> None:
    with pytest.raises(ValueError):
        make(send_wildcard=True, supports_credentials=True)
    app = decorated(bare(), ("GET",), send_wildcard=True, supports_credentials=True)
    answer = get(app, path="/view")
    assert answer.status == 500
    assert answer.acao is None


def test_misspelled_options_are_ignored() -> None:
    assert get(make(origin=[APP], support_credentials=True)).acao == EVIL


def test_config_is_read_when_cors_runs() -> None:
    app = make(config(CORS_SUPPORTS_CREDENTIALS=True, CORS_ORIGINS=[APP]))
    assert get(app, APP).credentials
    assert get(app).acao is None
    later = make()
    later.config.CORS_SUPPORTS_CREDENTIALS = True  # written after CORS(app): ignored
    assert not get(later).credentials


def test_config_attribute_and_update_config_forms() -> None:
    def attribute(app: Sanic) -> None:
        app.config.CORS_ORIGINS = APP

    assert get(make(attribute)).acao is None
    assert get(make(attribute), APP).acao == APP
    app = make(lambda app: app.config.update_config({"CORS_SUPPORTS_CREDENTIALS": True}))
    assert get(app).credentials


def test_keyword_arguments_beat_the_config() -> None:
    app = make(config(CORS_ORIGINS="*"), origins=[APP])
    assert get(app).acao is None


def test_config_none_values_are_skipped() -> None:
    assert get(make(config(CORS_ORIGINS=None))).acao == EVIL


def test_positional_config_is_read_only_without_options() -> None:
    app = bare()
    CORS(app, {"CORS_OPTIONS": {"origins": APP}})
    assert get(app).acao is None
    assert get(app, APP).acao == APP
    app = bare()
    CORS(app, {"origins": APP})  # no CORS_OPTIONS key: the defaults
    assert get(app).acao == EVIL
    app = bare()
    CORS(app, {"CORS_OPTIONS": {"origins": APP}}, supports_credentials=True)  # ignored
    assert get(app).acao == EVIL


def test_no_startup_adds_nothing() -> None:
    assert get(make(no_startup=True)).acao is None


def test_blueprint_ignores_the_app_config() -> None:
    app = bare()
    blueprint = Blueprint("bp", url_prefix="/bp")
    blueprint.add_route(secret, "/")
    app.config.CORS_SUPPORTS_CREDENTIALS = True
    CORS(blueprint)
    app.blueprint(blueprint)
    answer = get(app, path="/bp")
    assert answer.acao == EVIL
    assert not answer.credentials


def test_cross_origin_reads_the_config_on_every_request() -> None:
    app = decorated(bare())
    app.config.CORS_SUPPORTS_CREDENTIALS = True
    answer = get(app, path="/view")
    assert answer.acao == EVIL
    assert answer.credentials


def test_cross_origin_needs_the_app() -> None:
    with pytest.raises(TypeError):
        cross_origin(origins="*")  # type: ignore[call-arg]


def test_cross_origin_above_the_route_decorator_has_no_effect() -> None:
    app = bare()

    @cross_origin(app)
    @app.route("/view")
    async def view(request: Request) -> HTTPResponse:
        return text("secret")

    assert get(app, path="/view").acao is None


def test_cross_origin_preflight_needs_options_in_the_route_methods() -> None:
    assert preflight(decorated(bare()), EVIL).status == 405
    answer = send(decorated(bare(), ("GET", "OPTIONS")), "OPTIONS", EVIL, "/view")
    assert answer.acao == EVIL


def test_resource_patterns_are_prefix_regexes_with_their_own_options() -> None:
    app = make(resources={r"/api/*": {"origins": "*", "supports_credentials": True}}, origins=[APP])
    for path in ("/api/data", "/apiary"):
        answer = get(app, path=path)
        assert answer.acao == EVIL
        assert answer.credentials
    assert get(app, path="/other").acao is None
    assert get(app, APP, path="/other").acao is None  # not covered by any resource


def test_broken_origins_send_nothing() -> None:
    assert get(make(origins=None)).acao is None
    assert get(make(origins=[r"https://(a|b\.example\.com"])).acao is None


# ---------------------------------------------------------------- origin matching


def test_regex_hints_are_fewer_than_flask_cors() -> None:
    # `* \ ] ?` make a regex; `^ $ ( ) [` alone do not (flask-cors counts them too)
    app = make(origins="^https://app.example.com$")
    assert get(app, APP).acao is None
    assert get(app, "^https://app.example.com$").acao == "^https://app.example.com$"


def test_regexes_use_match_case_insensitively() -> None:
    assert get(make(origins=r"https://.*\.example\.com"), BYPASS).acao == BYPASS
    app = make(origins=r"https://app\.example\.com$")
    assert get(app, "HTTPS://APP.EXAMPLE.COM").acao == "HTTPS://APP.EXAMPLE.COM"
    assert get(app, f"x{APP}").acao is None


def test_wildcard_subdomain_string_is_a_broken_regex() -> None:
    app = make(origins="https://*.example.com")
    assert get(app, "https://a.example.com").acao is None
    assert get(app, "https://xexample.com").acao == "https://xexample.com"


def test_compiled_patterns_keep_their_flags() -> None:
    app = make(origins=[re.compile(r"https://app\.example\.com$")])
    assert get(app, APP).acao == APP
    assert get(app, "HTTPS://APP.EXAMPLE.COM").acao is None


def test_plain_strings_are_exact_and_case_insensitive() -> None:
    app = make(origins=APP)
    assert get(app, "HTTPS://APP.EXAMPLE.COM").acao == "HTTPS://APP.EXAMPLE.COM"
    for origin in ("https://app.example.co", f"{APP}.evil.example", "null", EVIL):
        assert get(app, origin).acao is None
    # a comma-separated string is one origin
    assert get(make(origins=f"{APP}, https://b.example.com"), APP).acao is None


def test_star_and_dot_star_allow_every_origin() -> None:
    for origins in ("*", ".*", [APP, "*"]):
        app = make(origins=origins)
        assert get(app).acao == EVIL
        assert get(app, "null").acao == "null"


def test_null_listed_is_accepted() -> None:
    app = make(origins=[APP, "null"])
    assert get(app, "null").acao == "null"
    assert get(app).acao is None


# ---------------------------------------------------------------- preflight, PNA, expose, Vary


def test_default_and_star_headers_grant_a_made_up_header() -> None:
    for options in ({}, {"allow_headers": "*"}):
        answer = preflight(make(**options), Access_Control_Request_Headers=MADE_UP_HEADER)
        assert answer.headers["access-control-allow-headers"] == MADE_UP_HEADER


def test_listed_headers_only() -> None:
    app = make(origins=[APP], allow_headers=["X-Token"])
    answer = preflight(app, APP, Access_Control_Request_Headers=f"{MADE_UP_HEADER}, x-token")
    assert answer.headers["access-control-allow-headers"] == "x-token"


def test_methods_star_grants_no_method() -> None:
    answer = preflight(make(origins=[APP], methods="*"), APP, "PUT")
    assert answer.acao == APP
    assert "access-control-allow-methods" not in answer.headers


def test_private_network_is_never_granted() -> None:
    app = make(allow_private_network=True)  # an unknown option: ignored
    answer = preflight(app, Access_Control_Request_Private_Network="true")
    assert answer.acao == EVIL
    assert "access-control-allow-private-network" not in answer.headers


def test_expose_headers_are_sent_as_written() -> None:
    answer = get(make(origins=[APP], expose_headers=["X-API-Key", "X-Request-Id"]), APP)
    assert answer.headers["access-control-expose-headers"] == "X-API-Key, X-Request-Id"


def test_vary_origin_only_when_the_value_can_change() -> None:
    assert "Origin" in get(make(origins=[APP, "https://b.example.com"]), APP).vary
    assert "Origin" in get(make(origins=r"https://.*\.example\.com"), APP).vary
    assert "vary" not in get(make(origins=[APP]), APP).headers  # one constant value


def test_vary_header_false_drops_vary() -> None:
    app = make(origins=[APP, "https://b.example.com"], vary_header=False)
    assert get(app, APP).acao == APP
    assert "vary" not in get(app, APP).headers
    assert "vary" not in get(make(vary_header=False)).headers


# ---------------------------------------------------------------- observed behaviour == scan

HEADER = """\
import re

from sanic import Sanic
from sanic.response import text
from sanic_cors import CORS, cross_origin


async def secret(request):
    return text("secret", headers={"X-API-Key": "k"})


def bare():
    app = Sanic("corsproof_case")
    app.add_route(secret, "/", methods=["GET", "POST"])
    return app


"""


def call(options: str, before: str = "") -> str:
    return f"app = bare()\n{before}CORS(app, {options})\n"


TWO = f'"{APP}", "https://admin.example.com"'

CASES = [
    case("default", call(""), {"CORS101"}),
    case("credentials", call("supports_credentials=True"), {"CORS102"}),
    case("send-wildcard", call('origins="*", send_wildcard=True'), {"CORS101"}),
    case(
        "config-credentials",
        call("", "app.config.CORS_SUPPORTS_CREDENTIALS = True\n"),
        {"CORS102"},
    ),
    case(
        "config-after",
        f'app = bare()\nCORS(app, origins=["{APP}"])\napp.config["CORS_ORIGINS"] = "*"\n',
        set(),
    ),
    case("misspelled", call(f'origin=["{APP}"]'), {"CORS101"}),
    case("regex-open-ended", call(r'origins=r"https://app\.example\.com"'), {"CORS104"}),
    case("regex-subdomain", call(r'origins=r"https://[a-z0-9-]+\.example\.com$"'), {"CORS106"}),
    case("wildcard-subdomain", call('origins="https://*.example.com"'), {"CORS104"}),
    case("caret-dollar-literal", call('origins="^https://app.example.com$"'), set()),
    case(
        "compiled-exact",
        call(r'origins=[re.compile(r"https://app\.example\.com$")], supports_credentials=True'),
        set(),
    ),
    case("null", call(f'origins=["{APP}", "null"]'), {"CORS103"}),
    case(
        "http",
        call(f'origins=["{APP}", "http://{APP[8:]}"]'),
        {"CORS105"},
        (APP, "http://" + APP[8:]),
    ),
    case("any-header", call(f'origins=["{APP}"], allow_headers="*"'), {"CORS201"}),
    case("methods-star", call(f'origins=["{APP}"], methods="*"'), set()),
    case("private-network", call(f'origins=["{APP}"], allow_private_network=True'), set()),
    case("expose-key", call(f'origins=["{APP}"], expose_headers="X-API-Key"'), {"CORS203"}),
    case(
        "no-vary",
        call(f"origins=[{TWO}], vary_header=False"),
        {"CORS202"},
        (APP, "https://admin.example.com"),
    ),
    case("one-origin-no-vary", call(f'origins=["{APP}"], vary_header=False'), set()),
    case(
        "resources",
        call(f'resources={{r"/*": {{"origins": ["{APP}", "null"]}}}}, origins="*"'),
        {"CORS103"},
    ),
    case(
        "positional-config",
        f'app = bare()\nCORS(app, {{"CORS_OPTIONS": {{"origins": ["{APP}", "null"]}}}})\n',
        {"CORS103"},
    ),
    case(
        "cross-origin",
        "app = Sanic('corsproof_case')\n\n\n@app.route('/')\n"
        "@cross_origin(app, supports_credentials=True)\nasync def view(request):\n"
        "    return text('secret')\n",
        {"CORS102"},
    ),
    case(
        "cross-origin-above-route",
        "app = Sanic('corsproof_case')\n\n\n@cross_origin(app)\n@app.route('/')\n"
        "async def view(request):\n    return text('secret')\n",
        set(),
    ),
    case(
        "safe",
        call(
            f'origins=[{TWO}], supports_credentials=True, methods=["GET"], '
            'allow_headers=["Content-Type"], expose_headers=["X-Request-Id"]'
        ),
        set(),
    ),
]


def observe(app: Sanic, trusted: tuple[str, ...], default_headers: bool) -> set[str]:
    """The rules the real extension's answers prove (see `semantics_support.observed_rules`).

    The default `allow_headers="*"` grants every requested header too; like flask-cors's default,
    only an explicit `*` is reported, so with `default_headers` a granted made-up header is not
    counted (`test_default_and_star_headers_grant_a_made_up_header` pins that it is granted).
    Two accepted origins get two values: without `Vary: Origin` a cache mixes them up.
    """
    return observed_rules(
        trusted,
        partial(get, app),
        partial(preflight, app),
        made_up_method=True,
        made_up_header=not default_headers,
        private_network=True,
        vary_origins=trusted,
        vary_two_values=True,
        vary_unless="granted",
    )


written = written_cases(HEADER, CASES)


def test_observed_behaviour_is_what_the_scan_reports(written: tuple[Case, Path]) -> None:
    case, source = written
    app = runpy.run_path(str(source))["app"]
    default_headers = "allow_headers" not in case.code and "ALLOW_HEADERS" not in case.code
    assert_scan_agrees(case, source, observe(app, case.trusted, default_headers), "extension")
