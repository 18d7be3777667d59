"""What cherrypy-cors (1.7, on CherryPy 18) actually does: every fact the `cherrypy-cors` adapter
relies on, re-observed by driving the mounted CherryPy application as a WSGI app through
werkzeug's test `Client` (no server, no port).

The second half runs each configuration twice: the same source text is executed (the real tool
answers requests) and scanned (`corsproof.scan_paths`), and the rules the scan reports must be
exactly the rules the observed responses prove.
"""

from __future__ import annotations

import re
import runpy
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import cherrypy
import cherrypy_cors
import pytest
from semantics_support import (
    APP,
    EVIL,
    MADE_UP_HEADER,
    Case,
    answering,
    assert_scan_agrees,
    case,
    observed_rules,
    written_cases,
)
from werkzeug.test import Client, TestResponse

cherrypy.config.update({"environment": "embedded", "log.screen": False})


class Root:
    @cherrypy.expose
    def index(self) -> str:
        return "secret"

    @cherrypy.expose
    def other(self) -> str:
        return "secret"

    @cherrypy.expose
    def called(self) -> str:
        cherrypy_cors.expose(allow_credentials=True)
        return "secret"

    @cherrypy.expose
    @cherrypy_cors.tools.expose(origins=[APP, re.compile(r"https://.*\.example\.com")])
    def decorated(self) -> str:
        return "secret"

    @cherrypy.expose
    @cherrypy_cors.tools.expose_public()
    def public(self) -> str:
        return "public"

    @cherrypy.expose
    def strings(self) -> str:
        cherrypy_cors.expose(origins=APP, expose_headers=["X-API-Key"])
        return "secret"

    @cherrypy.expose
    def listed(self) -> str:
        cherrypy_cors.expose(origins=[APP, "null"], expose_headers="X-API-Key, X-Request-Id")
        return "secret"

    @cherrypy.expose
    def pre(self) -> str:
        if cherrypy.request.method == "OPTIONS":
            cherrypy_cors.preflight(allowed_methods=["GET", "PUT"])
        return "secret"

    @cherrypy.expose
    def pre_star(self) -> str:
        if cherrypy.request.method == "OPTIONS":
            cherrypy_cors.preflight(allowed_methods="*", allowed_headers="*")
        return "secret"


@pytest.fixture(autouse=True)
def installed() -> Iterator[None]:
    """`cherrypy_cors.install()` registers the `cors` toolbox for every Application."""
    saved = dict(cherrypy._cptree.Application.toolboxes)
    cherrypy_cors.install()
    yield
    cherrypy._cptree.Application.toolboxes.clear()
    cherrypy._cptree.Application.toolboxes.update(saved)


def client(config: dict[str, Any] | None = None, root: Any = None) -> Client:
    return Client(cherrypy.Application(root or Root(), "", config or {}))


def fetch(c: Client, path: str, origin: str, **headers: str) -> TestResponse:
    return c.get(path, headers={"Origin": origin, **headers})


def preflight(
    c: Client, path: str, origin: str, method: str = "GET", **headers: str
) -> TestResponse:
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return c.options(path, headers=sent)


def acao(response: TestResponse) -> str | None:
    return response.headers.get("Access-Control-Allow-Origin")


def credentials(response: TestResponse) -> bool:
    return response.headers.get("Access-Control-Allow-Credentials") == "true"


# ---------------------------------------------------------------- no origins: an echo of every origin


def test_expose_without_origins_echoes_every_origin_with_vary() -> None:
    c = client({"/": {"cors.expose.on": True}})
    for origin in (EVIL, "null"):
        response = fetch(c, "/", origin)
        assert acao(response) == origin
        assert response.headers["Vary"] == "Origin"
        assert not credentials(response)


def test_expose_with_credentials_echoes_every_origin_with_credentials() -> None:
    c = client({"/": {"cors.expose.on": True, "cors.expose.allow_credentials": True}})
    for origin in (EVIL, "null"):
        response = fetch(c, "/", origin)
        assert acao(response) == origin and credentials(response)
    called = fetch(client(), "/called", EVIL)  # cherrypy_cors.expose(allow_credentials=True)
    assert acao(called) == EVIL and credentials(called)


def test_expose_public_sends_a_literal_star() -> None:
    response = fetch(client(), "/public", EVIL)
    assert acao(response) == "*"
    assert "Vary" not in response.headers
    c = client({"/": {"cors.expose_public.on": True}})
    assert acao(fetch(c, "/", "null")) == "*"


# ---------------------------------------------------------------- origin matching


def test_string_entries_are_exact_and_case_sensitive() -> None:
    c = client()
    assert acao(fetch(c, "/listed", APP)) == APP
    assert acao(fetch(c, "/listed", "null")) == "null"
    for origin in (EVIL, APP.upper(), APP + ".evil.net", "https://app.example.co"):
        assert acao(fetch(c, "/listed", origin)) is None, origin


def test_compiled_entries_use_match_without_an_end_anchor() -> None:
    c = client()
    attacker = "https://x.example.com.evil.net"
    assert acao(fetch(c, "/decorated", attacker)) == attacker
    assert acao(fetch(c, "/decorated", EVIL)) is None


def test_a_string_for_origins_is_read_one_character_at_a_time() -> None:
    c = client()
    assert acao(fetch(c, "/strings", APP)) is None
    assert acao(fetch(c, "/strings", "h")) == "h"  # never a browser's origin


def test_expose_headers_string_is_sent_a_list_is_sent_as_its_repr() -> None:
    c = client()
    listed = fetch(c, "/listed", APP)
    assert listed.headers["Access-Control-Expose-Headers"] == "X-API-Key, X-Request-Id"
    # `['X-API-Key']` is not a header list a browser can parse: nothing is exposed
    repr_sent = fetch(c, "/strings", "h")
    assert repr_sent.headers["Access-Control-Expose-Headers"] == "['X-API-Key']"


# ---------------------------------------------------------------- configuration


def test_configuration_keys_and_decorators_need_the_toolbox() -> None:
    cherrypy._cptree.Application.toolboxes.pop("cors")
    c = client({"/": {"cors.expose.on": True}})
    assert acao(fetch(c, "/", EVIL)) is None
    assert acao(fetch(c, "/decorated", APP)) is None
    assert acao(fetch(c, "/called", EVIL)) == EVIL  # a direct call needs nothing


def test_an_application_toolbox_works_like_install() -> None:
    cherrypy._cptree.Application.toolboxes.pop("cors")
    app = cherrypy.Application(Root(), "", {"/": {"cors.expose.on": True}})
    app.toolboxes["cors"] = cherrypy_cors.tools
    assert acao(fetch(Client(app), "/", EVIL)) == EVIL


def test_sections_inherit_from_the_sections_above() -> None:
    c = client({"/": {"cors.expose.on": True}, "/index": {"cors.expose.origins": [APP]}})
    assert acao(fetch(c, "/other", EVIL)) == EVIL  # section "/": every origin
    assert acao(fetch(c, "/index", EVIL)) is None  # "/index" inherits `on`, adds origins
    assert acao(fetch(c, "/index", APP)) == APP
    off = client({"/": {"cors.expose.on": True}, "/index": {"cors.expose.on": False}})
    assert acao(fetch(off, "/index", EVIL)) is None
    more = client({"/": {"cors.expose.on": True}, "/index": {"cors.expose.allow_credentials": 1}})
    assert credentials(fetch(more, "/index", EVIL)) and not credentials(fetch(more, "/other", EVIL))


def test_class_cp_config_and_global_config() -> None:
    class Configured(Root):
        _cp_config = {"cors.expose.on": True, "cors.expose.origins": [APP]}

    c = client(root=Configured())
    assert acao(fetch(c, "/", APP)) == APP and acao(fetch(c, "/", EVIL)) is None
    cherrypy.config.update({"cors.expose.on": True})
    try:
        assert acao(fetch(client(), "/", EVIL)) == EVIL
    finally:
        cherrypy.config.pop("cors.expose.on")


# ---------------------------------------------------------------- preflight


def test_preflight_echoes_origins_and_requested_headers_by_default() -> None:
    answer = preflight(client(), "/pre", EVIL, "PUT", Access_Control_Request_Headers=MADE_UP_HEADER)
    assert acao(answer) == EVIL
    assert answer.headers["Access-Control-Allow-Headers"] == MADE_UP_HEADER
    assert answer.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    refused = preflight(client(), "/pre", EVIL, "DELETE")
    assert acao(refused) is None


def test_preflight_star_grants_nothing_more() -> None:
    # `"DELETE" in "*"` and `header in "*"` are substring tests that fail
    c = client()
    assert acao(preflight(c, "/pre_star", EVIL, "DELETE")) is None
    made_up = preflight(c, "/pre_star", EVIL, "*", Access_Control_Request_Headers=MADE_UP_HEADER)
    assert acao(made_up) is None


# ---------------------------------------------------------------- observed behaviour == scan

HEADER = """\
import os
import re

import cherrypy
import cherrypy_cors

cherrypy_cors.install()


class Root:
    @cherrypy.expose
    def index(self):
        return "secret"


"""


def mount(config: str) -> str:
    return f"app = cherrypy.tree.mount(Root(), '/', {{'/': {{{config}}}}})\n"


def handler(call: str) -> str:
    return (
        "class Handler:\n    @cherrypy.expose\n    def index(self):\n"
        f"        {call}\n        return 'secret'\n\n\n"
        "app = cherrypy.tree.mount(Handler(), '/')\n"
    )


def decorated(decorator: str) -> str:
    return (
        f"class Handler:\n    @cherrypy.expose\n    @{decorator}\n    def index(self):\n"
        "        return 'secret'\n\n\napp = cherrypy.tree.mount(Handler(), '/')\n"
    )


CASES = [
    case("config-any", mount("'cors.expose.on': True"), {"CORS101"}),
    case(
        "config-any-credentials",
        mount("'cors.expose.on': True, 'cors.expose.allow_credentials': True"),
        {"CORS102"},
    ),
    case("config-public", mount("'cors.expose_public.on': True"), {"CORS101"}),
    case(
        "config-listed",
        mount(f"'cors.expose.on': True, 'cors.expose.origins': ['{APP}', 'null']"),
        {"CORS103"},
    ),
    case(
        "config-regex",
        mount(
            r"'cors.expose.on': True, 'cors.expose.origins': [re.compile(r'https://app\.example\.com')]"
        ),
        {"CORS104"},
    ),
    case("config-string", mount(f"'cors.expose.on': True, 'cors.expose.origins': '{APP}'"), set()),
    case("call-any", handler("cherrypy_cors.expose()"), {"CORS101"}),
    case("call-positional-credentials", handler("cherrypy_cors.expose(True)"), {"CORS102"}),
    case("call-exact", handler(f"cherrypy_cors.expose(True, None, ['{APP}'])"), set()),
    case(
        "call-expose-string",
        handler(f"cherrypy_cors.expose(origins=['{APP}'], expose_headers='Authorization')"),
        {"CORS203"},
    ),
    case(
        "call-expose-list",
        handler(f"cherrypy_cors.expose(origins=['{APP}'], expose_headers=['Authorization'])"),
        set(),
    ),
    case("call-public", handler("cherrypy_cors.expose_public()"), {"CORS101"}),
    case(
        "decorator-http",
        decorated(f"cherrypy_cors.tools.expose(origins=['{APP}', 'http://localhost:8080'])"),
        {"CORS105"},
        (APP, "http://localhost:8080"),
    ),
    case(
        "decorator-subdomains",
        decorated(
            r"cherrypy_cors.tools.expose(origins=[re.compile(r'https://[a-z0-9-]+\.example\.com$')])"
        ),
        {"CORS106"},
    ),
    case(
        "decorator-credentials",
        decorated("cherrypy_cors.tools.expose(allow_credentials=True)"),
        {"CORS102"},
    ),
]


def observe(app: Any, trusted: tuple[str, ...]) -> set[str]:
    """The rules the real tool's answers prove (see `semantics_support.observed_rules`; responses
    only: the preflight is a separate tool, see the module docstring of the adapter)."""
    return observed_rules(
        trusted, answering(partial(fetch, Client(app), "/")), probe_from_arbitrary=False
    )


written = written_cases(HEADER, CASES)


def test_observed_behaviour_is_what_the_scan_reports(written: tuple[Case, Path]) -> None:
    case, source = written
    app = runpy.run_path(str(source))["app"]
    assert_scan_agrees(case, source, observe(app, case.trusted), "tool")
