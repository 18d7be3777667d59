"""What Starlette's `CORSMiddleware` (1.10, also FastAPI's re-export) actually does: every fact the
`starlette` adapter relies on, re-observed through Starlette's own `TestClient`.

The second half runs each configuration twice: the same source text is executed (the real
middleware answers requests) and scanned (`corsproof.scan_paths`), and the rules the scan reports
must be exactly the rules the observed responses prove.
"""

from __future__ import annotations

import re
import runpy
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from semantics_support import (
    APP,
    EVIL,
    MADE_UP_HEADER,
    MADE_UP_METHOD,
    Case,
    answering,
    assert_scan_agrees,
    case,
    observed_rules,
    written_cases,
)
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import ALL_METHODS, CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

# ---------------------------------------------------------------- a tiny application


async def home(request: Request) -> Response:
    return PlainTextResponse("secret", headers={"X-Request-Id": "1", "X-API-Key": "k"})


class Deny:
    """A middleware that answers on its own (as authentication, rate limiting or a host check do)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/deny":
            await PlainTextResponse("no", status_code=401)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def starlette(*middleware: Middleware) -> Starlette:
    return Starlette(routes=[Route("/", home)], middleware=list(middleware))


def client_for(**options: Any) -> TestClient:
    return TestClient(starlette(Middleware(CORSMiddleware, **options)))


def get(client: TestClient, origin: str, path: str = "/") -> httpx.Response:
    return client.get(path, headers={"Origin": origin})


def preflight(
    client: TestClient, origin: str, method: str = "GET", **headers: str
) -> httpx.Response:
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return client.options("/", headers=sent)


def acao(response: httpx.Response) -> str | None:
    return response.headers.get("access-control-allow-origin")


def credentials(response: httpx.Response) -> bool:
    return response.headers.get("access-control-allow-credentials") == "true"


# ---------------------------------------------------------------- origins


def test_star_sends_a_literal_star() -> None:
    client = client_for(allow_origins=["*"])
    response = get(client, EVIL)
    assert acao(response) == "*"
    assert not credentials(response)
    assert acao(get(client, "null")) == "*"


def test_star_with_credentials_echoes_every_origin_with_credentials() -> None:
    client = client_for(allow_origins=["*"], allow_credentials=True)
    for origin in (EVIL, "null"):
        response = get(client, origin)
        assert acao(response) == origin
        assert credentials(response)
    answer = preflight(client, EVIL)
    assert answer.status_code == 200
    assert acao(answer) == EVIL
    assert credentials(answer)


def test_star_is_an_exact_list_entry() -> None:
    # `"*" in allow_origins`: an entry with spaces around it is not the wildcard
    client = client_for(allow_origins=[" *", "* "])
    assert acao(get(client, EVIL)) is None
    assert acao(get(client, "*")) is None


def test_origin_regex_is_fullmatched() -> None:
    client = client_for(allow_origin_regex=r"https://.*\.example\.com")
    assert acao(get(client, "https://a.example.com")) == "https://a.example.com"
    # any subdomain is accepted (CORS106) …
    attacker = "https://corsproof-attacker.example.com"
    assert acao(get(client, attacker)) == attacker
    # … but nothing may follow or precede the match (no CORS104 suffix bypass)
    assert acao(get(client, "https://a.example.com.corsproof-attacker.example")) is None
    assert acao(get(client, "https://a.example.com_.corsproof-attacker.example")) is None
    assert acao(get(client, "evil https://a.example.com")) is None


def test_origin_regex_string_has_no_flags() -> None:
    client = client_for(allow_origin_regex=r"https://app\.example\.com")
    assert acao(get(client, APP)) == APP
    assert acao(get(client, "HTTPS://APP.EXAMPLE.COM")) is None


def test_origin_regex_unescaped_dot_matches_any_character() -> None:
    client = client_for(allow_origin_regex=r"https://www.example.com")
    assert acao(get(client, "https://wwwxexample.com")) == "https://wwwxexample.com"


def test_compiled_origin_regex_keeps_its_flags() -> None:
    # Starlette calls `re.compile(allow_origin_regex)`, which returns a compiled pattern unchanged
    client = client_for(allow_origin_regex=re.compile(r"https://app\.example\.com", re.IGNORECASE))
    assert acao(get(client, "HTTPS://APP.EXAMPLE.COM")) == "HTTPS://APP.EXAMPLE.COM"
    assert acao(get(client, "https://app.example.com.corsproof-attacker.example")) is None


def test_regex_applies_alongside_the_list() -> None:
    client = client_for(allow_origins=[APP], allow_origin_regex=r"https://.*\.example\.org")
    assert acao(get(client, APP)) == APP
    assert acao(get(client, "https://x.example.org")) == "https://x.example.org"


def test_null_listed_is_accepted() -> None:
    client = client_for(allow_origins=[APP, "null"])
    assert acao(get(client, "null")) == "null"
    assert acao(get(client, EVIL)) is None


def test_list_entries_are_exact() -> None:
    client = client_for(allow_origins=[APP])
    assert acao(get(client, APP)) == APP
    for origin in (
        "https://app.example.co",
        "https://app.example.com.corsproof-attacker.example",
        "http://app.example.com",
        "null",
        EVIL,
    ):
        assert acao(get(client, origin)) is None, origin


def test_string_allow_origins_is_a_substring_test() -> None:
    client = client_for(allow_origins=APP)
    # `origin in "https://app.example.com"`: the registrable https://app.example.co passes
    assert acao(get(client, "https://app.example.co")) == "https://app.example.co"
    assert acao(get(client, "https://app.example.c")) == "https://app.example.c"
    assert acao(get(client, APP)) == APP
    assert acao(get(client, EVIL)) is None
    assert acao(get(client, "null")) is None


def test_star_anywhere_in_a_string_allows_all() -> None:
    client = client_for(allow_origins=f"{APP},*")
    assert acao(get(client, EVIL)) == "*"


def test_positional_allow_origins() -> None:
    app = starlette()
    app.add_middleware(CORSMiddleware, ["*"])
    assert acao(get(TestClient(app), EVIL)) == "*"


def test_nothing_configured_allows_nothing() -> None:
    client = client_for()
    assert acao(get(client, EVIL)) is None
    assert acao(get(client, "null")) is None


# ---------------------------------------------------------------- preflight, PNA, exposed headers, Vary


def test_star_methods_grant_every_standard_method() -> None:
    client = client_for(allow_origins=[APP], allow_methods=["*"])
    for method in (*ALL_METHODS, "DELETE", "PUT", "PATCH"):
        assert preflight(client, APP, method).status_code == 200, method
    # "*" means Starlette's list of standard methods, not any token
    answer = preflight(client, APP, MADE_UP_METHOD)
    assert answer.status_code == 400
    assert "method" in answer.text


def test_listed_methods_only() -> None:
    client = client_for(allow_origins=[APP], allow_methods=["GET", "POST"])
    assert preflight(client, APP, "POST").status_code == 200
    assert preflight(client, APP, "DELETE").status_code == 400


def test_star_headers_grant_a_made_up_header() -> None:
    client = client_for(allow_origins=[APP], allow_headers=["*"])
    answer = preflight(
        client, APP, Access_Control_Request_Headers=f"{MADE_UP_HEADER}, authorization"
    )
    assert answer.status_code == 200
    granted = answer.headers["access-control-allow-headers"].lower()
    assert MADE_UP_HEADER in granted
    assert "authorization" in granted


def test_listed_headers_only() -> None:
    client = client_for(allow_origins=[APP], allow_headers=["X-Token"])
    assert preflight(client, APP, Access_Control_Request_Headers="x-token").status_code == 200
    answer = preflight(client, APP, Access_Control_Request_Headers=MADE_UP_HEADER)
    assert answer.status_code == 400


def test_private_network_is_granted_only_when_enabled() -> None:
    pna = {"Access_Control_Request_Private_Network": "true"}
    off = preflight(client_for(allow_origins=[APP]), APP, **pna)
    assert off.status_code == 400
    assert "access-control-allow-private-network" not in off.headers
    on = preflight(client_for(allow_origins=[APP], allow_private_network=True), APP, **pna)
    assert on.status_code == 200
    assert on.headers["access-control-allow-private-network"] == "true"


def test_expose_headers_are_sent_on_responses() -> None:
    client = client_for(allow_origins=[APP], expose_headers=["X-API-Key", "X-Request-Id"])
    response = get(client, APP)
    assert response.headers["access-control-expose-headers"] == "X-API-Key, X-Request-Id"


def test_vary_origin_is_sent_whenever_the_origin_is_echoed() -> None:
    for options in (
        {"allow_origins": [APP, "https://b.example.com"]},
        {"allow_origin_regex": r"https://.*\.example\.com"},
        {"allow_origins": ["*"], "allow_credentials": True},
    ):
        client = client_for(**options)
        response = get(client, APP)
        assert acao(response) == APP
        assert "Origin" in response.headers["vary"]
    # and with a literal `*` too, so CORS202 never applies to this library
    assert "Origin" in get(client_for(allow_origins=["*"]), EVIL).headers["vary"]


# ---------------------------------------------------------------- middleware order (CORS303)


def test_add_middleware_wraps_the_middleware_added_before() -> None:
    # CORSMiddleware added first, Deny added later: Deny is outermost, its 401 has no CORS headers
    shadowed = starlette()
    shadowed.add_middleware(CORSMiddleware, allow_origins=[APP])
    shadowed.add_middleware(Deny)
    response = get(TestClient(shadowed), APP, "/deny")
    assert response.status_code == 401
    assert acao(response) is None
    # CORSMiddleware added last is outermost: the same 401 carries them
    outermost = starlette()
    outermost.add_middleware(Deny)
    outermost.add_middleware(CORSMiddleware, allow_origins=[APP])
    response = get(TestClient(outermost), APP, "/deny")
    assert response.status_code == 401
    assert acao(response) == APP


def test_middleware_list_first_entry_is_outermost() -> None:
    client = TestClient(
        starlette(Middleware(CORSMiddleware, allow_origins=[APP]), Middleware(Deny))
    )
    assert acao(get(client, APP, "/deny")) == APP
    client = TestClient(
        starlette(Middleware(Deny), Middleware(CORSMiddleware, allow_origins=[APP]))
    )
    assert acao(get(client, APP, "/deny")) is None


def test_add_middleware_wraps_the_constructor_list() -> None:
    app = starlette(Middleware(CORSMiddleware, allow_origins=[APP]))
    app.add_middleware(Deny)
    assert acao(get(TestClient(app), APP, "/deny")) is None


def test_trusted_host_answers_without_cors_headers_when_outermost() -> None:
    app = starlette()
    app.add_middleware(CORSMiddleware, allow_origins=[APP])
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=["api.example.com"])
    response = get(TestClient(app), APP)
    assert response.status_code == 400
    assert acao(response) is None


def test_gzip_and_sessions_wrapping_cors_change_nothing() -> None:
    # GZipMiddleware and SessionMiddleware never answer on their own: CORS headers survive
    app = starlette()
    app.add_middleware(CORSMiddleware, allow_origins=[APP])
    app.add_middleware(GZipMiddleware, minimum_size=1)
    app.add_middleware(SessionMiddleware, secret_key="corsproof")
    client = TestClient(app)
    response = client.get("/", headers={"Origin": APP, "Accept-Encoding": "gzip"})
    assert acao(response) == APP
    assert response.headers["content-encoding"] == "gzip"
    assert preflight(client, APP).status_code == 200
    assert acao(get(client, APP, "/missing")) == APP  # a 404 from the router


def test_stacked_cors_middleware_outer_one_answers_every_preflight() -> None:
    inner = "https://inner.example.com"
    app = starlette()
    app.add_middleware(CORSMiddleware, allow_origins=[inner])
    app.add_middleware(CORSMiddleware, allow_origins=[APP])
    client = TestClient(app)
    # the inner configuration never answers a preflight …
    answer = preflight(client, inner)
    assert answer.status_code == 400
    assert acao(answer) is None
    assert preflight(client, APP).status_code == 200
    # … though its headers still reach simple responses through the outer one
    assert acao(get(client, inner)) == inner


# ---------------------------------------------------------------- FastAPI


def test_fastapi_reexports_starlette_cors_middleware() -> None:
    import fastapi.middleware.cors
    import starlette.middleware.cors

    assert fastapi.middleware.cors.CORSMiddleware is starlette.middleware.cors.CORSMiddleware


def test_fastapi_add_middleware_and_decorator_order() -> None:
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/")
    async def root() -> dict[str, int]:
        return {"secret": 42}

    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)

    @app.middleware("http")
    async def deny(request: Request, call_next: Any) -> Response:
        return PlainTextResponse("no", status_code=401)

    response = get(TestClient(app), EVIL)
    assert response.status_code == 401
    assert acao(response) is None  # the decorator declared later wraps CORSMiddleware


# ---------------------------------------------------------------- observed behaviour == scan

HEADER = """\
import re

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def home(request):
    return PlainTextResponse("secret")


class Deny:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/deny":
            await PlainTextResponse("no", status_code=401)(scope, receive, send)
            return
        await self.app(scope, receive, send)


"""


def add(options: str) -> str:
    return f"app = Starlette(routes=[Route('/', home)])\napp.add_middleware(CORSMiddleware, {options})\n"


CASES = [
    case("star", add('allow_origins=["*"]'), {"CORS101"}),
    case("star-credentials", add('allow_origins=["*"], allow_credentials=True'), {"CORS102"}),
    case("star-in-string", add(f'allow_origins="{APP},*"'), {"CORS101"}),
    case("star-positional", add('["*"]'), {"CORS101"}),
    case("star-with-spaces", add(f'allow_origins=["{APP}", " *"]'), set()),
    case("dot-star-regex", add('allow_origin_regex=".*"'), {"CORS101"}),
    case(
        "dot-star-regex-credentials",
        add('allow_origin_regex="https?://.*", allow_credentials=True'),
        {"CORS102"},
    ),
    case("subdomain-regex", add(r'allow_origin_regex=r"https://.*\.example\.com"'), {"CORS106"}),
    case(
        "subdomain-regex-compiled",
        add(r'allow_origin_regex=re.compile(r"https://[a-z0-9-]+\.example\.com")'),
        {"CORS106"},
    ),
    case(
        "compiled-ignorecase",
        add(r'allow_origin_regex=re.compile(r"https://app\.example\.com", re.IGNORECASE)'),
        set(),
    ),
    case(
        "unescaped-dots",
        add('allow_origin_regex=r"https://www.example.com"'),
        {"CORS104"},
        ("https://www.example.com",),
    ),
    case(
        "open-ended-regex", add(r'allow_origin_regex=r"https://app\.example\.com.*"'), {"CORS104"}
    ),
    case("http-too", add(r'allow_origin_regex=r"https?://app\.example\.com"'), {"CORS105"}),
    case("null", add(f'allow_origins=["{APP}", "null"]'), {"CORS103"}),
    case(
        "http-localhost",
        add(f'allow_origins=["{APP}", "http://localhost:3000"]'),
        {"CORS105"},
        (APP, "http://localhost:3000"),
    ),
    case("string", add(f'allow_origins="{APP}"'), {"CORS104"}),
    case(
        "string-net",
        add('allow_origins="https://api.example.net"'),
        {"CORS104"},
        ("https://api.example.net",),
    ),
    case(
        "any-method-and-header",
        add(f'allow_origins=["{APP}"], allow_methods=["*"], allow_headers=["*"]'),
        {"CORS201"},
    ),
    case(
        "private-network", add(f'allow_origins=["{APP}"], allow_private_network=True'), {"CORS107"}
    ),
    case(
        "expose-api-key", add(f'allow_origins=["{APP}"], expose_headers=["X-API-Key"]'), {"CORS203"}
    ),
    case(
        "everything",
        add(
            'allow_origins=["*"], allow_credentials=True, allow_methods=["*"], '
            'allow_headers=["*"], allow_private_network=True, expose_headers=["Authorization"]'
        ),
        {"CORS102", "CORS201", "CORS107", "CORS203"},
    ),
    case(
        "safe",
        add(
            f'allow_origins=("{APP}", "https://admin.example.com"), '
            r'allow_origin_regex=r"https://(app|admin)\.example\.com", allow_credentials=True, '
            'allow_methods=["GET", "POST"], allow_headers=["Content-Type"], '
            'expose_headers=["X-Request-Id"]'
        ),
        set(),
    ),
    case(
        "added-before-deny",
        add(f'allow_origins=["{APP}"]') + "app.add_middleware(Deny)\n",
        {"CORS303"},
    ),
    case(
        "added-after-deny",
        "app = Starlette(routes=[Route('/', home)])\napp.add_middleware(Deny)\n"
        + f'app.add_middleware(CORSMiddleware, allow_origins=["{APP}"])\n',
        set(),
    ),
    case(
        "added-before-gzip",
        add(f'allow_origins=["{APP}"]') + "app.add_middleware(GZipMiddleware)\n",
        set(),
    ),
    case(
        "stacked",
        add(f'allow_origins=["{APP}"]')
        + 'app.add_middleware(CORSMiddleware, allow_origins=["https://b.example.com"])\n',
        {"CORS303"},
    ),
    case(
        "fastapi-decorator-after",
        "from fastapi import FastAPI\n\napp = FastAPI()\napp.add_route('/', home)\n"
        + f'app.add_middleware(CORSMiddleware, allow_origins=["{APP}"])\n\n\n'
        + '@app.middleware("http")\nasync def deny(request, call_next):\n'
        + '    if request.url.path == "/deny":\n'
        + '        return PlainTextResponse("no", status_code=401)\n'
        + "    return await call_next(request)\n",
        {"CORS303"},
    ),
    case(
        "fastapi-decorator-before",
        "from fastapi import FastAPI\n\napp = FastAPI()\napp.add_route('/', home)\n\n\n"
        + '@app.middleware("http")\nasync def deny(request, call_next):\n'
        + '    if request.url.path == "/deny":\n'
        + '        return PlainTextResponse("no", status_code=401)\n'
        + "    return await call_next(request)\n\n\n"
        + f'app.add_middleware(CORSMiddleware, allow_origins=["{APP}"])\n',
        set(),
    ),
    case(
        "listed-after-deny",
        "app = Starlette(routes=[Route('/', home)], middleware=[Middleware(Deny), "
        + f'Middleware(CORSMiddleware, allow_origins=["{APP}"])])\n',
        {"CORS303"},
    ),
    case(
        "listed-first",
        "app = Starlette(routes=[Route('/', home)], middleware=["
        + f'Middleware(CORSMiddleware, allow_origins=["{APP}"]), Middleware(Deny)])\n',
        set(),
    ),
    case(
        "listed-then-added",
        "app = Starlette(routes=[Route('/', home)], middleware=["
        + f'Middleware(CORSMiddleware, allow_origins=["{APP}"])])\n'
        + "app.add_middleware(Deny)\n",
        {"CORS303"},
    ),
]


def observe(app: ASGIApp, trusted: tuple[str, ...]) -> set[str]:
    """The rules the real middleware's answers prove (see `semantics_support.observed_rules`)."""
    client = TestClient(app)

    def shadowed(origin: str) -> bool:
        # a response answered by another middleware (401 on /deny) lacks the CORS headers, or a
        # preflight answered by an outer CORSMiddleware refuses what the simple response grants
        return acao(get(client, origin, "/deny")) not in ("*", origin) or acao(
            preflight(client, origin)
        ) not in ("*", origin)

    return observed_rules(
        trusted,
        answering(partial(get, client)),
        answering(partial(preflight, client)),
        preflight_ok=200,
        made_up_header=True,
        every_method=ALL_METHODS,
        private_network=True,
        shadowed=shadowed,
    )


written = written_cases(HEADER, CASES)


def test_observed_behaviour_is_what_the_scan_reports(written: tuple[Case, Path]) -> None:
    case, source = written
    app = runpy.run_path(str(source))["app"]
    assert_scan_agrees(case, source, observe(app, case.trusted), "middleware")
