"""`corsproof fix` per library, checked against the real library: for each (library, rule) case a
small app is written, fixed with `--allow-origin https://app.example.com --unsafe-fixes`, and
driven through the library's own test client before and after. Before, the attacker's origin is
granted (`Access-Control-Allow-Origin` echoes it or is `*`); after, it is refused and the trusted
origin (and every origin the code listed beside the bad entry) is granted. The fixed file
compiles, the re-scan no longer reports the rule, and a second run changes nothing. A few fixed
texts are compared whole, so that the layout a fix writes is locked; the cases a fixer cannot do
correctly are left untouched.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fix_support import load

from corsproof import scan_paths
from corsproof.fix import SAFE, UNSAFE, FixOptions, fix_paths

APP = "https://app.example.com"
ADMIN = "https://admin.example.com"
EVIL = "https://evil.example"
NULL = "null"
OPTIONS = FixOptions(allow_origins=(APP,), unsafe=True, scan={"workers": 1})

Headers = Mapping[str, str]
Driver = Callable[[ModuleType, str, list[str]], dict[str, Headers]]


# ---------------------------------------------------------------- the apps, loaded fresh


def lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def flask_driver(module: ModuleType, path: str, origins: list[str]) -> dict[str, Headers]:
    client = module.app.test_client()
    return {o: lower(client.get(path, headers={"Origin": o}).headers) for o in origins}


def quart_driver(module: ModuleType, path: str, origins: list[str]) -> dict[str, Headers]:
    async def run() -> dict[str, Headers]:
        client = module.app.test_client()
        out = {}
        for origin in origins:
            response = await client.get(path, headers={"Origin": origin})
            out[origin] = lower(response.headers)
        return out

    return asyncio.run(run())


def sanic_driver(module: ModuleType, path: str, origins: list[str]) -> dict[str, Headers]:
    from sanic_testing.testing import SanicASGITestClient

    async def run() -> dict[str, Headers]:
        client = SanicASGITestClient(module.app)
        out = {}
        for origin in origins:
            _, response = await client.get(path, headers={"Origin": origin})
            out[origin] = lower(response.headers)
        return out

    return asyncio.run(run())


def starlette_driver(module: ModuleType, path: str, origins: list[str]) -> dict[str, Headers]:
    from starlette.testclient import TestClient

    with TestClient(module.app) as client:
        return {o: lower(client.get(path, headers={"Origin": o}).headers) for o in origins}


def litestar_driver(module: ModuleType, path: str, origins: list[str]) -> dict[str, Headers]:
    from litestar.testing import TestClient

    with TestClient(module.app) as client:
        return {o: lower(client.get(path, headers={"Origin": o}).headers) for o in origins}


def falcon_driver(module: ModuleType, path: str, origins: list[str]) -> dict[str, Headers]:
    import falcon.testing

    client = falcon.testing.TestClient(module.app)
    return {o: lower(client.simulate_get(path, headers={"Origin": o}).headers) for o in origins}


def aiohttp_driver(module: ModuleType, path: str, origins: list[str]) -> dict[str, Headers]:
    from aiohttp.test_utils import TestClient, TestServer

    async def run() -> dict[str, Headers]:
        out = {}
        async with TestClient(TestServer(module.app, host="127.0.0.1")) as client:
            for origin in origins:
                response = await client.get(path, headers={"Origin": origin})
                await response.read()
                out[origin] = lower(response.headers)
        return out

    return asyncio.run(run())


def cherrypy_driver(module: ModuleType, path: str, origins: list[str]) -> dict[str, Headers]:
    """The module's `root` and `config` mounted as a WSGI application, driven by werkzeug."""
    import cherrypy
    from werkzeug.test import Client

    client = Client(cherrypy.Application(module.root, "", getattr(module, "config", None)))
    return {o: lower(client.get(path, headers={"Origin": o}).headers) for o in origins}


def django_driver(module: ModuleType, path: str, origins: list[str]) -> dict[str, Headers]:
    """The module's CORS_* settings on tests/django_testapp.py's project (CorsMiddleware first)."""
    from django.test import Client
    from django_testapp import cors_settings

    settings = {k: getattr(module, k) for k in dir(module) if k.startswith("CORS_")}
    with cors_settings(**settings):
        client = Client()
        return {o: lower(client.get(path, headers={"Origin": o}).headers) for o in origins}


@contextmanager
def cherrypy_state() -> Iterator[None]:
    """cherrypy-cors' `install()` (run by the app files) changes a class-wide toolbox: restored."""
    import cherrypy

    cherrypy.config.update({"environment": "embedded", "log.screen": False})
    saved = dict(cherrypy._cptree.Application.toolboxes)
    try:
        yield
    finally:
        cherrypy._cptree.Application.toolboxes.clear()
        cherrypy._cptree.Application.toolboxes.update(saved)


DRIVERS: dict[str, Driver] = {
    "flask-cors": flask_driver,
    "quart-cors": quart_driver,
    "sanic-cors": sanic_driver,
    "starlette": starlette_driver,
    "litestar": litestar_driver,
    "falcon": falcon_driver,
    "aiohttp-cors": aiohttp_driver,
    "cherrypy-cors": cherrypy_driver,
    "django-cors-headers": django_driver,
}


def answers(library: str, path: Path, url: str, origins: list[str]) -> dict[str, Headers]:
    if library == "sanic-cors":
        from sanic import Sanic

        Sanic.test_mode = True  # several apps in one process
    if library == "cherrypy-cors":
        with cherrypy_state():
            return DRIVERS[library](load(path), url, origins)
    return DRIVERS[library](load(path), url, origins)


def granted(headers: Headers, origin: str) -> bool:
    return headers.get("access-control-allow-origin") in (origin, "*")


# ---------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    name: str
    library: str
    rule: str
    source: str
    url: str = "/"
    also: tuple[str, ...] = ()  # origins the code listed beside the bad entry: granted after too
    safe: bool = False  # the fix keeps every origin the code meant (CORS103's always does)

    @property
    def attacker(self) -> str:
        """Who the finding says is let in: any origin, or `null` (CORS103)."""
        return NULL if self.rule == "CORS103" else EVIL

    @property
    def applicability(self) -> str:
        return SAFE if self.safe or self.rule == "CORS103" else UNSAFE


FLASK = """\
from flask import Flask
from flask_cors import CORS, cross_origin

app = Flask(__name__)


@app.route("/")
@app.route("/api/data")
def index():
    return "secret"


"""
QUART = """\
import re

from quart import Quart
from quart_cors import cors, route_cors

app = Quart(__name__)


"""
QUART_ROUTE = """

@app.route("/")
async def index():
    return "secret"
"""
SANIC = """\
import uuid

from sanic import Sanic
from sanic.response import text
from sanic_cors import CORS

app = Sanic("t" + uuid.uuid4().hex)


@app.get("/")
async def index(request):
    return text("secret")


@app.get("/api/data")
async def data(request):
    return text("secret")


"""
STARLETTE = """\
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def index(request):
    return PlainTextResponse("secret")


"""
LITESTAR = """\
from litestar import Litestar, get
from litestar.config.cors import CORSConfig


@get("/")
async def index() -> str:
    return "secret"


"""
FALCON = """\
import falcon


class Resource:
    def on_get(self, req, resp):
        resp.text = "secret"


class Timing:
    def process_response(self, req, resp, resource, req_succeeded):
        resp.set_header("X-Timing", "1")


"""
FALCON_ROUTE = '\napp.add_route("/", Resource())\n'
AIOHTTP = """\
import aiohttp_cors
from aiohttp import web
from aiohttp_cors import ResourceOptions


async def handler(request):
    return web.Response(text="secret")


app = web.Application()
route = app.router.add_get("/", handler)
"""
CHERRYPY = """\
import cherrypy
import cherrypy_cors
from cherrypy_cors import tools

cherrypy_cors.install()


"""

CASES = [
    # ------------------------------------------------------------------ flask-cors
    Case("default", "flask-cors", "CORS101", FLASK + "CORS(app)\n"),
    Case(
        "star-with-credentials",
        "flask-cors",
        "CORS102",
        FLASK + 'CORS(app, origins="*", supports_credentials=True)\n',
    ),
    Case(
        "star-in-a-list",
        "flask-cors",
        "CORS102",
        FLASK + f'CORS(app, origins=["{ADMIN}", "*"], supports_credentials=True)\n',
        also=(ADMIN,),
    ),
    Case("catch-all-regex", "flask-cors", "CORS101", FLASK + 'CORS(app, origins=r".*")\n'),
    Case(
        "resources",
        "flask-cors",
        "CORS101",
        FLASK + 'CORS(app, resources={r"/api/*": {"origins": "*"}})\n',
        url="/api/data",
    ),
    Case(
        "resource-without-origins",
        "flask-cors",
        "CORS101",
        FLASK + 'CORS(app, resources={r"/api/*": {}})\n',
        url="/api/data",
    ),
    Case(
        "app-config",
        "flask-cors",
        "CORS101",
        FLASK + 'app.config["CORS_ORIGINS"] = "*"\nCORS(app)\n',
    ),
    Case(
        "cross-origin",
        "flask-cors",
        "CORS101",
        FLASK.replace('@app.route("/api/data")\n', '@app.route("/api/data")\n@cross_origin()\n'),
    ),
    Case(
        "null",
        "flask-cors",
        "CORS103",
        FLASK + f'CORS(app, origins=["{APP}", "null"])\n',
        also=(APP,),
    ),
    # ------------------------------------------------------------------ quart-cors
    Case("default", "quart-cors", "CORS101", QUART + "app = cors(app)\n" + QUART_ROUTE),
    Case(
        "pattern-with-credentials",
        "quart-cors",
        "CORS102",
        QUART
        + 'app = cors(app, allow_origin=re.compile(".*"), allow_credentials=True)\n'
        + QUART_ROUTE,
    ),
    Case(
        "star-in-a-list",
        "quart-cors",
        "CORS101",
        QUART + f'app = cors(app, allow_origin=["{ADMIN}", "*"])\n' + QUART_ROUTE,
        also=(ADMIN,),
    ),
    Case(
        "config-string",
        "quart-cors",
        "CORS101",
        QUART
        + 'app.config["QUART_CORS_ALLOW_ORIGIN"] = "https://*.example.com"\napp = cors(app)\n'
        + QUART_ROUTE,
    ),
    Case(
        "route-cors",
        "quart-cors",
        "CORS101",
        QUART + QUART_ROUTE.replace('@app.route("/")\n', '@app.route("/")\n@route_cors()\n'),
    ),
    Case(
        "null",
        "quart-cors",
        "CORS103",
        QUART + f'app = cors(app, allow_origin=["{APP}", "null"])\n' + QUART_ROUTE,
        also=(APP,),
    ),
    # ------------------------------------------------------------------ sanic-cors
    Case("default", "sanic-cors", "CORS101", SANIC + "CORS(app)\n"),
    Case(
        "default-with-credentials",
        "sanic-cors",
        "CORS102",
        SANIC + "CORS(app, supports_credentials=True)\n",
    ),
    Case(
        "resource-without-origins",
        "sanic-cors",
        "CORS101",
        SANIC + 'CORS(app, resources={r"/api/*": {}})\n',
        url="/api/data",
    ),
    Case(
        "null",
        "sanic-cors",
        "CORS103",
        SANIC + f'CORS(app, origins=["{APP}", "null"])\n',
        also=(APP,),
    ),
    # ------------------------------------------------------------------ starlette
    Case(
        "star",
        "starlette",
        "CORS101",
        STARLETTE
        + 'app = Starlette(routes=[Route("/", index)], middleware=[Middleware(CORSMiddleware, '
        'allow_origins=["*"])])\n',
    ),
    Case(
        "star-in-a-string-with-credentials",
        "starlette",
        "CORS102",
        STARLETTE
        + 'app = Starlette(routes=[Route("/", index)])\n'
        + f'app.add_middleware(CORSMiddleware, allow_origins="{ADMIN},*", allow_credentials=True)\n',
    ),
    Case(
        "null",
        "starlette",
        "CORS103",
        STARLETTE
        + 'app = Starlette(routes=[Route("/", index)])\n'
        + f'app.add_middleware(CORSMiddleware, allow_origins=["{APP}", "null"])\n',
        also=(APP,),
    ),
    Case(
        "null-in-a-constant",
        "starlette",
        "CORS103",
        STARLETTE
        + f'ORIGINS = ["{APP}", "null", "{ADMIN}"]\n'
        + 'app = Starlette(routes=[Route("/", index)])\n'
        + "app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)\n",
        also=(APP, ADMIN),
    ),
    # ------------------------------------------------------------------ litestar
    Case(
        "default",
        "litestar",
        "CORS101",
        LITESTAR + "app = Litestar([index], cors_config=CORSConfig())\n",
    ),
    Case(
        "star-with-credentials",
        "litestar",
        "CORS102",
        LITESTAR
        + 'app = Litestar([index], cors_config=CORSConfig(allow_origins=["*"], allow_credentials=True))\n',
    ),
    Case(
        "null",
        "litestar",
        "CORS103",
        LITESTAR + f'app = Litestar([index], cors_config=CORSConfig(["{APP}", "null"]))\n',
        also=(APP,),
    ),
    # ------------------------------------------------------------------ falcon
    Case(
        "cors-enable",
        "falcon",
        "CORS101",
        FALCON + "app = falcon.App(cors_enable=True)" + FALCON_ROUTE,
    ),
    Case(
        "cors-enable-beside-middleware",
        "falcon",
        "CORS101",
        FALCON + "app = falcon.App(middleware=[Timing()], cors_enable=True)" + FALCON_ROUTE,
    ),
    Case(
        "default-with-credentials",
        "falcon",
        "CORS102",
        FALCON
        + 'app = falcon.App(middleware=[falcon.CORSMiddleware(allow_credentials="*")])'
        + FALCON_ROUTE,
    ),
    Case(
        "star",
        "falcon",
        "CORS101",
        FALCON
        + 'app = falcon.App(middleware=falcon.CORSMiddleware(allow_origins="*"))'
        + FALCON_ROUTE,
    ),
    Case(
        "null",
        "falcon",
        "CORS103",
        FALCON
        + f'app = falcon.App(middleware=[falcon.CORSMiddleware(allow_origins=("{APP}", "null"))])'
        + FALCON_ROUTE,
        also=(APP,),
    ),
    # ------------------------------------------------------------------ aiohttp-cors
    Case(
        "defaults",
        "aiohttp-cors",
        "CORS102",
        AIOHTTP
        + 'cors = aiohttp_cors.setup(app, defaults={"*": ResourceOptions(allow_credentials=True)})\n'
        + "cors.add(route)\n",
    ),
    Case(
        "route-mapping",
        "aiohttp-cors",
        "CORS102",
        AIOHTTP
        + f'cors = aiohttp_cors.setup(app, defaults={{"{ADMIN}": ResourceOptions()}})\n'
        + 'cors.add(route, {"*": ResourceOptions(allow_credentials=True)})\n',
        also=(ADMIN,),
    ),
    Case(
        "null",
        "aiohttp-cors",
        "CORS103",
        AIOHTTP
        + f'cors = aiohttp_cors.setup(app, defaults={{"{APP}": ResourceOptions(), "null": ResourceOptions()}})\n'
        + "cors.add(route)\n",
        also=(APP,),
    ),
    # ------------------------------------------------------------------ cherrypy-cors
    Case(
        "config",
        "cherrypy-cors",
        "CORS101",
        CHERRYPY
        + "class Root:\n    @cherrypy.expose\n    def index(self):\n        return 'secret'\n\n\n"
        + 'root = Root()\nconfig = {"/": {"cors.expose.on": True}}\n',
    ),
    Case(
        "config-public",
        "cherrypy-cors",
        "CORS101",
        CHERRYPY
        + "class Root:\n    @cherrypy.expose\n    def index(self):\n        return 'secret'\n\n\n"
        + 'root = Root()\nconfig = {"/": {"cors.expose_public.on": True}}\n',
    ),
    Case(
        "expose-with-credentials",
        "cherrypy-cors",
        "CORS102",
        CHERRYPY
        + "class Root:\n    @cherrypy.expose\n    def index(self):\n"
        + "        cherrypy_cors.expose(allow_credentials=True)\n        return 'secret'\n\n\n"
        + "root = Root()\n",
    ),
    Case(
        "expose-public",
        "cherrypy-cors",
        "CORS101",
        CHERRYPY
        + "class Root:\n    @cherrypy.expose\n    def index(self):\n"
        + "        cherrypy_cors.expose_public()\n        return 'public'\n\n\n"
        + "root = Root()\n",
    ),
    Case(
        "expose-public-tool",
        "cherrypy-cors",
        "CORS101",
        CHERRYPY
        + "class Root:\n    @cherrypy.expose\n"
        + '    @tools.expose_public(expose_headers="X-Request-Id")\n'
        + "    def index(self):\n        return 'public'\n\n\n"
        + "root = Root()\n",
    ),
    Case(
        "null",
        "cherrypy-cors",
        "CORS103",
        CHERRYPY
        + "class Root:\n    @cherrypy.expose\n    def index(self):\n"
        + f'        cherrypy_cors.expose(origins=["{APP}", "null"])\n'
        + "        return 'secret'\n\n\nroot = Root()\n",
        also=(APP,),
    ),
    # ------------------------------------------------------------------ django-cors-headers
    Case(
        "allow-all-with-credentials",
        "django-cors-headers",
        "CORS102",
        'INSTALLED_APPS = ["corsheaders"]\nCORS_ALLOW_ALL_ORIGINS = True\n'
        "CORS_ALLOW_CREDENTIALS = True\n",
        url="/api/data/",
    ),
    Case(
        "old-allow-all-beside-a-list",
        "django-cors-headers",
        "CORS101",
        'INSTALLED_APPS = ["corsheaders"]\nCORS_ORIGIN_ALLOW_ALL = True\n'
        f'CORS_ORIGIN_WHITELIST = ("{APP}", "{ADMIN}")\n',
        url="/api/data/",
        also=(ADMIN,),
    ),
    Case(
        "regex-string",
        "django-cors-headers",
        "CORS101",
        'INSTALLED_APPS = ["corsheaders"]\n'
        'CORS_ALLOWED_ORIGIN_REGEXES = r"^https://app\\.example\\.com$"\n',
        url="/api/data/",
        safe=True,
    ),
    Case(
        "null",
        "django-cors-headers",
        "CORS103",
        f'INSTALLED_APPS = ["corsheaders"]\nCORS_ALLOWED_ORIGINS = [\n    "{APP}",\n'
        '    "null",  # the file: pages\n]\n',
        url="/api/data/",
        also=(APP,),
    ),
    Case(
        "entry-without-scheme",
        "django-cors-headers",
        "CORS103",
        f'INSTALLED_APPS = ["corsheaders"]\nCORS_ALLOWED_ORIGINS = ["{APP}", "admin.example.com"]\n',
        url="/api/data/",
        also=(APP,),
    ),
    Case(
        "string-setting",
        "django-cors-headers",
        "CORS103",
        f'INSTALLED_APPS = ["corsheaders"]\nCORS_ALLOWED_ORIGINS = ("{APP}")\n',
        url="/api/data/",
        also=(APP,),
    ),
]


def _id(case: Case) -> str:
    return f"{case.library}-{case.rule}-{case.name}"


def write(directory: Path, source: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "app.py"
    path.write_text(source, encoding="utf-8")
    return path


def rules_in(path: Path) -> list[str]:
    result = scan_paths([str(path)], workers=1)
    assert not result.errors, result.errors
    return [f.rule_id for f in result.findings]


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_fix_makes_the_real_library_refuse_the_attacker_and_grant_the_trusted_origins(
    tmp_path: Path, case: Case
) -> None:
    path = write(tmp_path / "app", case.source)
    assert case.rule in rules_in(path)
    trusted = [APP, *case.also]
    before = answers(case.library, path, case.url, [case.attacker, *trusted])
    assert granted(before[case.attacker], case.attacker), "the app as written is not open"

    outcome = fix_paths([str(path.parent)], OPTIONS)
    assert not outcome.errors, outcome.errors
    fixed = [a for a in outcome.applied if a.finding.rule_id == case.rule]
    assert fixed, [(f.rule_id, f.message) for f in outcome.remaining]
    assert {a.fix.applicability for a in fixed} == {case.applicability}
    text = path.read_text(encoding="utf-8")
    compile(text, str(path), "exec")
    assert case.rule not in rules_in(path), text

    after = answers(case.library, path, case.url, [case.attacker, *trusted])
    assert not granted(after[case.attacker], case.attacker), text
    for origin in trusted:
        assert after[origin].get("access-control-allow-origin") == origin, (origin, text)

    again = fix_paths([str(path.parent)], OPTIONS)
    assert again.applied == [] and path.read_text(encoding="utf-8") == text


def test_aiohttp_a_route_keeps_the_defaults_options_for_an_origin_the_defaults_name(
    tmp_path: Path,
) -> None:
    # the route's "*" never applied to ADMIN (the defaults name it): after the fix ADMIN still gets
    # the defaults' options (no credentials), not the route's
    case = next(c for c in CASES if c.name == "route-mapping")
    path = write(tmp_path / "app", case.source)
    fix_paths(
        [str(path.parent)], FixOptions(allow_origins=(ADMIN,), unsafe=True, scan={"workers": 1})
    )
    assert "cors.add(route, {})" in path.read_text(encoding="utf-8")
    after = answers(case.library, path, case.url, [ADMIN, EVIL])
    assert after[ADMIN].get("access-control-allow-origin") == ADMIN
    assert "access-control-allow-credentials" not in after[ADMIN]
    assert not granted(after[EVIL], EVIL)


# ---------------------------------------------------------------- origins from the environment


ENV_CASES = [c for c in CASES if c.rule != "CORS103" and c.applicability == UNSAFE]


@pytest.mark.parametrize(
    "case",
    [c for c in ENV_CASES if c.name in ("default", "star-in-a-list", "defaults", "config")],
    ids=_id,
)
def test_without_origins_the_fix_reads_the_environment_and_fails_closed(
    tmp_path: Path, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "app", case.source)
    outcome = fix_paths([str(path.parent)], FixOptions(unsafe=True, scan={"workers": 1}))
    assert [a.finding.rule_id for a in outcome.applied] == [case.rule]
    text = path.read_text(encoding="utf-8")
    assert 'os.environ.get("CORS_ALLOWED_ORIGINS", "")' in text and "import os\n" in text
    assert case.rule not in rules_in(path), text
    monkeypatch.delenv("CORS_ALLOWED_ORIGINS", raising=False)
    unset = answers(case.library, path, case.url, [EVIL, APP])
    assert not granted(unset[EVIL], EVIL) and not granted(unset[APP], APP), "not closed when unset"
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", f"{APP},{ADMIN}")
    listed = answers(case.library, path, case.url, [EVIL, APP, ADMIN])
    assert not granted(listed[EVIL], EVIL)
    assert listed[APP].get("access-control-allow-origin") == APP
    assert listed[ADMIN].get("access-control-allow-origin") == ADMIN


# ---------------------------------------------------------------- the fixed text, whole


SNAPSHOTS = [
    (
        "flask-call-over-lines",
        """\
        from flask import Flask
        from flask_cors import CORS

        app = Flask(__name__)
        CORS(
            app,
            supports_credentials=True,  # the session cookie
        )
        """,
        """\
        from flask import Flask
        from flask_cors import CORS

        app = Flask(__name__)
        CORS(
            app,
            supports_credentials=True,  # the session cookie
            origins=["https://app.example.com"],
        )
        """,
    ),
    (
        "null-on-its-own-line-and-inline",
        """\
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        app = FastAPI()
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[
                "https://app.example.com",
                "null",  # sandboxed previews
                "https://admin.example.com",
            ],
        )
        other = FastAPI()
        other.add_middleware(CORSMiddleware, allow_origins=("null", "https://app.example.com"))
        """,
        """\
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        app = FastAPI()
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[
                "https://app.example.com",
                "https://admin.example.com",
            ],
        )
        other = FastAPI()
        other.add_middleware(CORSMiddleware, allow_origins=("https://app.example.com",))
        """,
    ),
    (
        "cherrypy-expose-public",
        """\
        import cherrypy
        import cherrypy_cors


        class Root:
            @cherrypy.expose
            @cherrypy_cors.tools.expose_public(expose_headers="X-Request-Id")
            def index(self):
                return "public"

            @cherrypy.expose
            def other(self):
                cherrypy_cors.expose_public("X-Request-Id")
                return "public"


        config = {
            "/static": {
                "tools.staticdir.on": True,
                "cors.expose_public.on": True,
            },
        }
        """,
        """\
        import cherrypy
        import cherrypy_cors


        class Root:
            @cherrypy.expose
            @cherrypy_cors.tools.expose(expose_headers="X-Request-Id", origins=["https://app.example.com"])
            def index(self):
                return "public"

            @cherrypy.expose
            def other(self):
                cherrypy_cors.expose(expose_headers="X-Request-Id", origins=["https://app.example.com"])
                return "public"


        config = {
            "/static": {
                "tools.staticdir.on": True,
                "cors.expose.on": True,
                "cors.expose.origins": ["https://app.example.com"],
            },
        }
        """,
    ),
    (
        "falcon-cors-enable",
        """\
        import falcon.asgi

        app = falcon.asgi.App(cors_enable=True, media_type="application/json")
        """,
        """\
        import falcon.asgi

        app = falcon.asgi.App(middleware=[falcon.CORSMiddleware(allow_origins=["https://app.example.com"])], media_type="application/json")
        """,
    ),
    (
        "django-allow-all",
        """\
        \"\"\"Settings.\"\"\"

        INSTALLED_APPS = ["corsheaders"]
        CORS_ALLOW_ALL_ORIGINS = True  # for the SPA
        CORS_ALLOW_CREDENTIALS = True
        """,
        """\
        \"\"\"Settings.\"\"\"

        INSTALLED_APPS = ["corsheaders"]
        CORS_ALLOW_ALL_ORIGINS = False  # for the SPA
        CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
        CORS_ALLOW_CREDENTIALS = True
        """,
    ),
]


@pytest.mark.parametrize(("name", "before", "expected"), SNAPSHOTS, ids=[s[0] for s in SNAPSHOTS])
def test_the_fixed_text_is_exactly_this(
    tmp_path: Path, name: str, before: str, expected: str
) -> None:
    path = write(tmp_path / "app", textwrap.dedent(before))
    fix_paths([str(path.parent)], OPTIONS)
    assert path.read_text(encoding="utf-8") == textwrap.dedent(expected)


def test_the_aiohttp_environment_fix_keys_the_options_by_each_origin_exactly(
    tmp_path: Path,
) -> None:
    before = """\
    import aiohttp_cors
    from aiohttp import web

    async def handler(request):
        return web.Response(text="secret")


    app = web.Application()
    cors = aiohttp_cors.setup(
        app,
        defaults={
            "*": aiohttp_cors.ResourceOptions(allow_credentials=True),  # the SPA
        },
    )
    cors.add(app.router.add_get("/", handler))
    """
    path = write(tmp_path / "app", textwrap.dedent(before))
    fix_paths([str(path.parent)], FixOptions(unsafe=True, scan={"workers": 1}))
    env = '[o for o in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",") if o]'
    assert path.read_text(encoding="utf-8") == textwrap.dedent(before).replace(
        "import aiohttp_cors\n", "import os\nimport aiohttp_cors\n", 1
    ).replace(
        '"*": aiohttp_cors.ResourceOptions(allow_credentials=True),',
        "**{trusted_origin: aiohttp_cors.ResourceOptions(allow_credentials=True) "
        f"for trusted_origin in {env}}},",
    )


# ---------------------------------------------------------------- what is left alone


LEFT_ALONE = [
    # only "null": what to trust instead is a person's call
    ("only-null", FLASK + 'CORS(app, origins=["null"])\n', "CORS103"),
    # a pattern parameter: a list of origins does not go there
    (
        "litestar-regex",
        LITESTAR
        + 'app = Litestar([index], cors_config=CORSConfig(allow_origins=[], allow_origin_regex=".*"))\n',
        "CORS101",
    ),
    # `CORS(app, config)` without keyword options reads config["CORS_OPTIONS"]: a keyword drops it
    (
        "sanic-positional-config",
        SANIC + 'CORS(app, {"CORS_OPTIONS": {"supports_credentials": True}})\n',
        "CORS102",
    ),
    # options unpacked from a mapping: `origins=` may be in it (a duplicate keyword is a TypeError)
    ("flask-unpacked-options", FLASK + "OPTIONS = {}\nCORS(app, **OPTIONS)\n", "CORS101"),
    # cherrypy-cors `expose_public` imported by name: `expose` is not
    (
        "cherrypy-bare-expose-public",
        CHERRYPY.replace(
            "from cherrypy_cors import tools", "from cherrypy_cors import expose_public"
        )
        + "class Root:\n    @cherrypy.expose\n    def index(self):\n"
        + "        expose_public()\n        return 'public'\n",
        "CORS101",
    ),
]


@pytest.mark.parametrize(("name", "source", "rule"), LEFT_ALONE, ids=[c[0] for c in LEFT_ALONE])
def test_a_case_no_fixer_can_do_correctly_stays_a_remaining_finding(
    tmp_path: Path, name: str, source: str, rule: str
) -> None:
    path = write(tmp_path / "app", source)
    assert rule in rules_in(path), "the case is not reported: it tests nothing"
    outcome = fix_paths([str(path.parent)], OPTIONS)
    assert rule in [f.rule_id for f in outcome.remaining]
    assert rule not in [a.finding.rule_id for a in outcome.applied]
    assert path.read_text(encoding="utf-8") == source
