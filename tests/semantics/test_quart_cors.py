"""What quart-cors (0.8.0, on Quart 0.22) actually does: every fact the `quart_cors` adapter relies
on, re-observed with real Quart apps through `app.test_client()` (inside `asyncio.run`).

The second half runs each configuration twice: the same source text is executed (the real
extension answers requests) and scanned (`corsproof.scan_paths`), and the rules the scan reports
must be exactly the rules the observed responses prove.
"""

from __future__ import annotations

import asyncio
import logging
import re
import runpy
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from quart import Blueprint, Quart
from quart_cors import cors, route_cors
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

STANDARD_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    # the refused `*` + credentials combination logs a traceback per request
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


def send(app: Quart, method: str, origin: str, path: str = "/", **headers: str) -> Answer:
    sent = {"Origin": origin, **{k.replace("_", "-"): v for k, v in headers.items()}}

    async def run() -> Answer:
        response = await app.test_client().open(path, method=method, headers=sent)
        return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()})

    return asyncio.run(run())


def get(app: Quart, origin: str = EVIL, path: str = "/") -> Answer:
    return send(app, "GET", origin, path)


def preflight(app: Quart, origin: str = EVIL, method: str = "GET", **headers: str) -> Answer:
    return send(app, "OPTIONS", origin, Access_Control_Request_Method=method, **headers)


def bare() -> Quart:
    app = Quart(__name__)

    @app.route("/", methods=["GET", "POST", "PUT", "DELETE"])
    async def index() -> tuple[str, dict[str, str]]:
        return "secret", {"X-API-Key": "k", "X-Request-Id": "1"}

    return app


def make(configure: Callable[[Quart], None] | None = None, **options: Any) -> Quart:
    """An app with `cors(app, **options)`; `configure` writes the app config first."""
    app = bare()
    if configure is not None:
        configure(app)
    return cors(app, **options)


def config(**values: Any) -> Callable[[Quart], None]:
    return lambda app: app.config.update(values)


# ---------------------------------------------------------------- configuration API and defaults


def test_no_origins_sends_a_literal_star_to_every_origin() -> None:
    app = make()
    for origin in (EVIL, "null"):
        answer = get(app, origin)
        assert answer.acao == "*"
        assert not answer.credentials
        assert "Origin" not in answer.vary


def test_star_with_credentials_breaks_every_response() -> None:
    # "Cannot allow credentials with wildcard allowed origins": raised in after_request, every
    # response becomes a 500 without CORS headers (broken, not open)
    app = make(allow_origin="*", allow_credentials=True)
    for answer in (get(app), get(app, "null"), preflight(app), get(app, APP)):
        assert answer.status == 500
        assert answer.acao is None
        assert not answer.credentials


def test_default_origins_with_config_credentials_break_every_response() -> None:
    app = make(config(QUART_CORS_ALLOW_CREDENTIALS=True))
    assert get(app).status == 500


def test_any_truthy_credentials_value_trips_the_star_check() -> None:
    app = make(allow_origin="*", allow_credentials="false")
    assert get(app).status == 500


def test_compiled_dot_star_passes_the_check_and_echoes_with_credentials() -> None:
    app = make(allow_origin=re.compile(".*"), allow_credentials=True)
    for origin in (EVIL, "null"):
        answer = get(app, origin)
        assert answer.status == 200
        assert answer.acao == origin
        assert answer.credentials
        assert "Origin" in answer.vary


def test_send_origin_wildcard_false_argument_is_ignored() -> None:
    # `send_origin_wildcard or config(default True)`: False as an argument changes nothing
    assert get(make(allow_origin="*", send_origin_wildcard=False)).acao == "*"


def test_send_origin_wildcard_config_false_echoes_every_origin() -> None:
    app = make(config(QUART_CORS_SEND_ORIGIN_WILDCARD=False), allow_origin="*")
    for origin in (EVIL, "null"):
        answer = get(app, origin)
        assert answer.acao == origin
        assert not answer.credentials
        assert "Origin" in answer.vary


def test_credentials_false_argument_does_not_override_the_config() -> None:
    app = make(
        config(QUART_CORS_ALLOW_CREDENTIALS=True), allow_origin=[APP], allow_credentials=False
    )
    answer = get(app, APP)
    assert answer.acao == APP
    assert answer.credentials


def test_credentials_header_only_for_true_itself() -> None:
    # werkzeug sends the header only for `True`; a truthy string sends nothing
    answer = get(make(allow_origin=[APP], allow_credentials="yes"), APP)
    assert answer.acao == APP
    assert not answer.credentials
    assert get(make(allow_origin=[APP], allow_credentials=True), APP).credentials


def test_config_origins_apply_when_the_call_has_none() -> None:
    app = make(config(QUART_CORS_ALLOW_ORIGIN=[APP]))
    assert get(app, APP).acao == APP
    assert get(app).acao is None


def test_call_origins_beat_the_config() -> None:
    app = make(config(QUART_CORS_ALLOW_ORIGIN=["*"]), allow_origin=[APP])
    assert get(app).acao is None


def test_config_origin_string_is_a_set_of_characters() -> None:
    # `set("https://app.example.com")`: single characters, never the origin it names …
    app = make(config(QUART_CORS_ALLOW_ORIGIN=APP))
    assert get(app, APP).acao is None
    assert get(app, "a").acao == "a"
    # … and a `*` anywhere in it allows every origin
    app = make(config(QUART_CORS_ALLOW_ORIGIN="https://*.example.com"))
    assert get(app).acao == "*"


def test_config_is_read_on_every_request() -> None:
    app = make(allow_origin=[APP])
    app.config["QUART_CORS_ALLOW_CREDENTIALS"] = True  # written after cors(app)
    assert get(app, APP).credentials


def test_blueprint_reads_the_app_config() -> None:
    app = Quart(__name__)
    blueprint = Blueprint("bp", __name__)

    @blueprint.route("/")
    async def index() -> str:
        return "secret"

    cors(blueprint, allow_origin=[APP])
    app.config["QUART_CORS_ALLOW_CREDENTIALS"] = True
    app.register_blueprint(blueprint)
    assert get(app, APP).credentials


def test_unknown_keyword_raises_at_the_call() -> None:
    with pytest.raises(TypeError):
        cors(bare(), allow_origins=["*"])  # type: ignore[call-arg]


def test_route_cors_under_the_route_decorator_applies() -> None:
    app = Quart(__name__)

    @app.route("/")
    @route_cors()
    async def index() -> str:
        return "secret"

    assert get(app).acao == "*"
    answer = preflight(app, Access_Control_Request_Headers=MADE_UP_HEADER)
    assert answer.acao == "*"
    assert MADE_UP_HEADER in answer.headers["access-control-allow-headers"]


def test_route_cors_above_the_route_decorator_has_no_effect() -> None:
    app = Quart(__name__)

    @route_cors(allow_origin="*")
    @app.route("/")
    async def index() -> str:
        return "secret"

    assert get(app).acao is None


# ---------------------------------------------------------------- origin matching


def test_star_anywhere_in_a_list_allows_every_origin() -> None:
    assert get(make(allow_origin=[APP, "*"])).acao == "*"


def test_strings_are_exact_and_case_sensitive() -> None:
    app = make(allow_origin=APP)
    assert get(app, APP).acao == APP
    for origin in ("HTTPS://APP.EXAMPLE.COM", "https://app.example.co", f"{APP}.evil.example"):
        assert get(app, origin).acao is None, origin


def test_strings_are_never_regexes() -> None:
    for pattern in (r"https://.*\.example\.com", "https://*.example.com"):
        app = make(allow_origin=pattern)
        assert get(app, "https://a.example.com").acao is None
        assert get(app, pattern).acao == pattern  # only the literal text


def test_compiled_patterns_use_match_not_end_anchored() -> None:
    app = make(allow_origin=re.compile(r"https://.*\.example\.com"))
    bypass = "https://a.example.com.evil.example"
    assert get(app, bypass).acao == bypass
    assert get(app, "evil https://a.example.com").acao is None


def test_compiled_patterns_keep_their_flags() -> None:
    app = make(allow_origin=[re.compile(r"https://app\.example\.com$", re.IGNORECASE)])
    assert get(app, "HTTPS://APP.EXAMPLE.COM").acao == "HTTPS://APP.EXAMPLE.COM"
    assert (
        get(
            make(allow_origin=[re.compile(r"https://app\.example\.com$")]),
            "HTTPS://APP.EXAMPLE.COM",
        ).acao
        is None
    )


def test_null_listed_is_accepted() -> None:
    app = make(allow_origin=[APP, "null"])
    assert get(app, "null").acao == "null"
    assert get(app).acao is None


# ---------------------------------------------------------------- preflight, PNA, expose, Vary


def test_star_methods_grant_a_made_up_method() -> None:
    answer = preflight(make(allow_origin=[APP], allow_methods=["*"]), APP, MADE_UP_METHOD)
    assert answer.acao == APP
    assert answer.headers["access-control-allow-methods"] == "*"


def test_default_methods_are_the_standard_list() -> None:
    app = make(allow_origin=[APP])
    granted = preflight(app, APP, "PUT").headers["access-control-allow-methods"]
    assert [m.strip() for m in granted.split(",")] == list(STANDARD_METHODS)
    assert "access-control-allow-methods" not in preflight(app, APP, MADE_UP_METHOD).headers


def test_default_and_star_headers_grant_a_made_up_header() -> None:
    for options in ({}, {"allow_headers": ["*"]}):
        app = make(allow_origin=[APP], **options)
        answer = preflight(app, APP, Access_Control_Request_Headers=MADE_UP_HEADER)
        assert MADE_UP_HEADER in answer.headers["access-control-allow-headers"]


def test_listed_headers_only() -> None:
    app = make(allow_origin=[APP], allow_headers=["X-Token"])
    answer = preflight(app, APP, Access_Control_Request_Headers=f"{MADE_UP_HEADER}, x-token")
    assert answer.headers["access-control-allow-headers"] == "x-token"


def test_private_network_is_never_granted() -> None:
    app = make(allow_origin="*")
    answer = preflight(app, Access_Control_Request_Private_Network="true")
    assert answer.acao == "*"
    assert "access-control-allow-private-network" not in answer.headers


def test_expose_headers_are_sent_as_written() -> None:
    answer = get(make(allow_origin=[APP], expose_headers=["X-API-Key"]), APP)
    assert answer.headers["access-control-expose-headers"] == "X-API-Key"
    answer = get(make(allow_origin=[APP], expose_headers="*"), APP)
    assert answer.headers["access-control-expose-headers"] == "*"


def test_vary_origin_on_every_answer_but_a_literal_star() -> None:
    app = make(allow_origin=[APP, "https://b.example.com"])
    assert "Origin" in get(app, APP).vary
    assert "Origin" in get(app, EVIL).vary  # refused answers too
    assert "Origin" in get(make(allow_origin=re.compile(r"https://.*")), EVIL).vary
    assert "Origin" not in get(make()).vary


# ---------------------------------------------------------------- observed behaviour == scan

HEADER = """\
import re

from quart import Quart
from quart_cors import cors, route_cors


def bare():
    app = Quart(__name__)

    @app.route("/", methods=["GET", "POST"])
    async def index():
        return "secret", {"X-API-Key": "k"}

    return app


"""


def call(options: str, before: str = "") -> str:
    return f"app = bare()\n{before}app = cors(app, {options})\n"


CASES = [
    case("default", call(""), {"CORS101"}),
    case("star", call('allow_origin="*"'), {"CORS101"}),
    case("star-credentials", call('allow_origin="*", allow_credentials=True'), set()),
    case(
        "default-config-credentials",
        call("", 'app.config["QUART_CORS_ALLOW_CREDENTIALS"] = True\n'),
        set(),
    ),
    case(
        "compiled-dot-star-credentials",
        call('allow_origin=re.compile(".*"), allow_credentials=True'),
        {"CORS102"},
    ),
    case(
        "config-no-wildcard",
        call('allow_origin="*"', 'app.config["QUART_CORS_SEND_ORIGIN_WILDCARD"] = False\n'),
        {"CORS101"},
    ),
    case(
        "config-origins",
        call("", f'app.config.update({{"QUART_CORS_ALLOW_ORIGIN": ["{APP}", "null"]}})\n'),
        {"CORS103"},
    ),
    case(
        "config-origin-string",
        call("", f'app.config["QUART_CORS_ALLOW_ORIGIN"] = "{APP}"\n'),
        set(),
    ),
    case(
        "config-origin-string-star",
        call("", 'app.config["QUART_CORS_ALLOW_ORIGIN"] = "https://*.example.com"\n'),
        {"CORS101"},
    ),
    case("string-regex-is-literal", call(r'allow_origin=r"https://.*\.example\.com"'), set()),
    case(
        "compiled-subdomain",
        call(r'allow_origin=re.compile(r"https://[a-z0-9-]+\.example\.com$")'),
        {"CORS106"},
    ),
    case(
        "compiled-open-ended",
        call(r'allow_origin=[re.compile(r"https://app\.example\.com")], allow_credentials=True'),
        {"CORS104"},
    ),
    case("null", call(f'allow_origin=["{APP}", "null"]'), {"CORS103"}),
    case(
        "http",
        call(f'allow_origin=["{APP}", "http://localhost:3000"]'),
        {"CORS105"},
        (APP, "http://localhost:3000"),
    ),
    case("any-method", call(f'allow_origin=["{APP}"], allow_methods=["*"]'), {"CORS201"}),
    case("any-header", call(f'allow_origin=["{APP}"], allow_headers="*"'), {"CORS201"}),
    case("expose-key", call(f'allow_origin=["{APP}"], expose_headers=["X-API-Key"]'), {"CORS203"}),
    case(
        "route-cors",
        "app = Quart(__name__)\n\n\n@app.route('/')\n@route_cors(allow_origin=re.compile('.*'),"
        " allow_credentials=True)\nasync def index():\n    return 'secret'\n",
        {"CORS102"},
    ),
    case(
        "route-cors-above-route",
        "app = Quart(__name__)\n\n\n@route_cors()\n@app.route('/')\nasync def index():\n"
        "    return 'secret'\n",
        set(),
    ),
    case(
        "safe",
        call(
            f'allow_origin=["{APP}", re.compile(r"https://admin\\.example\\.com$")], '
            'allow_credentials=True, allow_methods=["GET"], allow_headers=["Content-Type"], '
            'expose_headers=["X-Request-Id"]'
        ),
        set(),
    ),
]


def observe(app: Quart, trusted: tuple[str, ...], default_headers: bool) -> set[str]:
    """The rules the real extension's answers prove (see `semantics_support.observed_rules`).

    The default `allow_headers=["*"]` grants every requested header too; like flask-cors's default,
    only an explicit `*` is reported, so with `default_headers` a granted made-up header is not
    counted (`test_default_and_star_headers_grant_a_made_up_header` pins that it is granted).
    """
    return observed_rules(
        trusted,
        partial(get, app),
        partial(preflight, app),
        made_up_method=True,
        star_methods=True,
        made_up_header=not default_headers,
        private_network=True,
        vary_origins=trusted,
        vary_unless="granted",
    )


written = written_cases(HEADER, CASES)


def test_observed_behaviour_is_what_the_scan_reports(written: tuple[Case, Path]) -> None:
    case, source = written
    app = runpy.run_path(str(source))["app"]
    default_headers = "allow_headers" not in case.code and "ALLOW_HEADERS" not in case.code
    assert_scan_agrees(case, source, observe(app, case.trusted, default_headers), "extension")
