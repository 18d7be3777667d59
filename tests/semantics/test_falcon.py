"""What Falcon's built-in CORS (4.4: `App(cors_enable=True)`, `falcon.CORSMiddleware`) actually does:
every fact the `falcon` adapter relies on, re-observed through `falcon.testing.TestClient` (WSGI and
ASGI apps alike).

The second half runs each configuration twice: the same source text is executed (the real
middleware answers requests) and scanned (`corsproof.scan_paths`), and the rules the scan reports
must be exactly the rules the observed responses prove.
"""

from __future__ import annotations

import runpy
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import falcon
import falcon.asgi
import falcon.testing
import pytest

from corsproof import scan_paths
from corsproof.origins import ARBITRARY, FAMILY_RULE, catalogue
from corsproof.rules.cors203_exposed_sensitive_headers import SENSITIVE

APP = "https://app.example.com"
OTHER = "https://admin.example.com"
EVIL = "https://evil.example"


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


def get(client: falcon.testing.TestClient, origin: str) -> Mapping[str, str]:
    return client.simulate_get("/", headers={"Origin": origin, "Cookie": "session=1"}).headers


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


@dataclass(frozen=True)
class Case:
    name: str
    code: str  # defines `app`
    trusted: tuple[str, ...]
    rules: frozenset[str]


def mw(options: str) -> str:
    return f"app = falcon.App(middleware=[falcon.CORSMiddleware({options})])\napp.add_route('/', Home())\n"


def case(name: str, code: str, rules: set[str], trusted: tuple[str, ...] = (APP,)) -> Case:
    return Case(name, code, trusted, frozenset(rules))


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


def observed_rules(c: falcon.testing.TestClient, trusted: tuple[str, ...]) -> set[str]:
    """The rules the real middleware's answers prove, mirroring the rules' precedence.

    Not CORS201: Falcon grants every requested header whatever the configuration says (pinned by
    `test_preflight_grants_every_requested_header_and_the_resource_methods`); nothing to fix in it.
    """

    def granted(origin: str) -> bool:
        return acao(get(c, origin)) in ("*", origin)

    rules: set[str] = set()
    arbitrary = get(c, ARBITRARY)
    if acao(arbitrary) in ("*", ARBITRARY):
        echoed = acao(arbitrary) == ARBITRARY
        rules.add("CORS102" if echoed and credentials(arbitrary) else "CORS101")
    else:
        families = {a.family for a in catalogue(list(trusted))[1:] if granted(a.origin)}
        if "null" in families:
            rules.add("CORS103")
        if any(FAMILY_RULE[f] == "CORS104" for f in families):
            rules.add("CORS104")
        else:
            if "http-downgrade" in families or any(
                t.startswith("http://") and granted(t) for t in trusted
            ):
                rules.add("CORS105")
            if "any-subdomain" in families:
                rules.add("CORS106")
    origin = next((t for t in trusted if granted(t)), None)
    if origin is None:
        return rules
    # CORS202: two accepted origins get two values without `Vary: Origin` (not for an echo of all)
    answers = [get(c, o) for o in (ARBITRARY, "null", *trusted) if granted(o)]
    values = {acao(h) for h in answers}
    if (
        acao(arbitrary) != ARBITRARY
        and len(values) >= 2
        and any("origin" not in h.get("vary", "").lower() for h in answers)
    ):
        rules.add("CORS202")
    pna = preflight(c, origin, Access_Control_Request_Private_Network="true")
    if pna.headers.get("access-control-allow-private-network") == "true":
        rules.add("CORS107")
    exposed = get(c, origin).get("access-control-expose-headers", "").split(",")
    if any(h.strip() == "*" or SENSITIVE.match(h.strip()) for h in exposed if h.strip()):
        rules.add("CORS203")
    return rules


@pytest.fixture(params=CASES, ids=[c.name for c in CASES])
def written(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Case, Path]]:
    source = tmp_path / "app.py"
    source.write_text(HEADER + textwrap.dedent(request.param.code), encoding="utf-8")
    yield request.param, source


def scanned_rules(source: Path) -> set[str]:
    result = scan_paths([str(source)], workers=1)
    assert not result.errors, result.errors
    return {finding.rule_id for finding in result.findings}


def test_observed_behaviour_is_what_the_scan_reports(written: tuple[Case, Path]) -> None:
    case, source = written
    app = runpy.run_path(str(source))["app"]
    observed = observed_rules(falcon.testing.TestClient(app), case.trusted)
    assert observed == set(case.rules), "the real middleware does not behave as the case says"
    assert scanned_rules(source) == observed


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
    source = tmp_path / "app.py"
    source.write_text(HEADER + code, encoding="utf-8")
    with pytest.raises((TypeError, ValueError)):
        runpy.run_path(str(source))
    assert scanned_rules(source) == set()
