"""Static and dynamic verdicts agree: scan an app's source with `scan_paths`, import the very same
source and probe it in-process; the rule ids are the same, except what `PROBE_ONLY` lists with
the reason the scanner does not report it."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from corsproof import scan_paths
from corsproof.probe import ProbeOptions, probe_targets

TRUSTED = "https://www.example.com"

STARLETTE = """\
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route


async def data(request):
    return JSONResponse({{"secret": 42}})


app = Starlette(routes=[Route("/data", data)], middleware=[Middleware(CORSMiddleware, {options})])
"""

FASTAPI = """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, {options})


@app.get("/data")
async def data():
    return {{"secret": 42}}
"""

FLASK = """\
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, {options})


@app.route("/data")
def data():
    return {{"secret": 42}}
"""

HANDWRITTEN = """\
import re

from flask import Flask, request

app = Flask(__name__)
ALLOWED = {{"https://www.example.com", "null"}}


@app.after_request
def cors(response):
    origin = request.headers.get("Origin", "")
    if {check}:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
{extra}    return response


@app.route("/data")
def data():
    return {{"secret": 42}}
"""

QUART = """\
from quart import Quart
from quart_cors import cors

app = cors(Quart(__name__), {options})


@app.route("/data")
async def data():
    return {{"secret": 42}}
"""

LITESTAR = """\
from litestar import Litestar, get
from litestar.config.cors import CORSConfig


@get("/data")
async def data() -> dict:
    return {{"secret": 42}}


app = Litestar([data], cors_config=CORSConfig({options}))
"""

FALCON = """\
import falcon{asgi}


class Data:
    {async_}def on_get(self, req, resp):
        resp.media = {{"secret": 42}}


app = falcon{asgi}.App({options})
app.add_route("/data", Data())
"""

# what the probe sees that the scanner does not report, and why (the rest must agree)
REFLECTS = (
    "Falcon's preflight grants every requested header whatever the configuration says: nothing "
    "in the code to point at or change, so the scanner does not report it"
)
DEFAULT_HEADERS = (
    "the library's default allow_headers ['*'] grants every requested header: the scanner "
    "reports only a `*` written in the code (the default has no line to point at)"
)
PROBE_ONLY: dict[str, tuple[set[str], str]] = {
    "falcon-wsgi-open": ({"CORS201"}, REFLECTS),
    "falcon-asgi-star-and-credentials": ({"CORS201"}, REFLECTS),
    "falcon-wsgi-strict": ({"CORS201"}, REFLECTS),
    "quart-cors-strict": ({"CORS201"}, DEFAULT_HEADERS),
    "litestar-open": ({"CORS201"}, DEFAULT_HEADERS),
}
# (sanic-cors has its own table below, each case probed in a process of its own: a second Sanic
# application cannot start in one process; aiohttp is neither WSGI nor ASGI: its table below
# probes a real server on 127.0.0.1)

CHERRYPY = """\
import cherrypy
import cherrypy_cors

cherrypy_cors.install()


class Root:
    @cherrypy.expose
    @cherrypy.tools.json_out()
    def data(self):
        return {{"secret": 42}}


app = cherrypy.tree.mount(Root(), "/", {{"/": {config}}})
"""

CASES: dict[str, tuple[str, set[str]]] = {
    # cherrypy.tree.mount() returns a WSGI application: probed in-process
    "cherrypy-cors-expose": (CHERRYPY.format(config='{"cors.expose.on": True}'), {"CORS101"}),
    "cherrypy-no-cors": (CHERRYPY.format(config="{}"), set()),
    "litestar-open": (LITESTAR.format(options='allow_origins=["*"]'), {"CORS101"}),
    "litestar-strict": (
        LITESTAR.format(options='allow_origins=["https://www.example.com"], allow_headers=["x-a"]'),
        set(),
    ),
    "falcon-wsgi-open": (
        FALCON.format(asgi="", async_="", options="cors_enable=True"),
        {"CORS101"},
    ),
    "falcon-asgi-star-and-credentials": (
        FALCON.format(
            asgi=".asgi",
            async_="async ",
            options='middleware=falcon.CORSMiddleware(allow_origins="*", '
            'allow_credentials=["https://www.example.com"])',
        ),
        {"CORS101", "CORS202"},
    ),
    "falcon-wsgi-strict": (
        FALCON.format(
            asgi="",
            async_="",
            options='middleware=falcon.CORSMiddleware(allow_origins="https://www.example.com")',
        ),
        set(),
    ),
    "quart-cors-strict": (QUART.format(options='allow_origin=["https://www.example.com"]'), set()),
    # quart-cors raises at each request ("Cannot allow credentials with wildcard allowed
    # origins"): no CORS header is ever sent, and the scanner models that too
    "quart-cors-star-with-credentials": (
        QUART.format(options='allow_origin="*", allow_credentials=True'),
        set(),
    ),
    "starlette-strict": (
        STARLETTE.format(options='allow_origins=["https://www.example.com"]'),
        set(),
    ),
    "starlette-open-credentials": (
        STARLETTE.format(options='allow_origins=["*"], allow_credentials=True'),
        {"CORS102"},
    ),
    "starlette-regex-dot": (
        STARLETTE.format(options='allow_origin_regex=r"https://www.example.com"'),
        {"CORS104"},
    ),
    "starlette-string-origins": (
        STARLETTE.format(options='allow_origins="https://www.example.com"'),
        {"CORS104"},
    ),
    "starlette-star-private-network": (
        STARLETTE.format(options='allow_origins=["*"], allow_private_network=True'),
        {"CORS101", "CORS107"},
    ),
    "fastapi-subdomains-headers-expose": (
        FASTAPI.format(
            options='allow_origins=["https://www.example.com"], '
            'allow_origin_regex=r"https://.*\\.example\\.com", allow_credentials=True, '
            'allow_headers=["*"], expose_headers=["X-API-Key"]'
        ),
        {"CORS106", "CORS201", "CORS203"},
    ),
    "flask-cors-credentials": (
        FLASK.format(
            options='origins="*", supports_credentials=True, allow_headers=["Content-Type"]'
        ),
        {"CORS102"},
    ),
    "flask-cors-regex": (
        FLASK.format(
            options='origins=[r"https://.*\\.example\\.com"], allow_headers=["Content-Type"]'
        ),
        {"CORS104"},
    ),
    "flask-cors-strict": (
        FLASK.format(options='origins=["https://www.example.com"], allow_headers=["Content-Type"]'),
        set(),
    ),
    "handwritten-endswith": (
        HANDWRITTEN.format(check='origin.endswith("example.com")', extra=""),
        {"CORS104"},
    ),
    "handwritten-re-match": (
        HANDWRITTEN.format(check='re.match(r"https://www.example.com", origin)', extra=""),
        {"CORS104"},
    ),
    "handwritten-null": (
        HANDWRITTEN.format(
            check="origin in ALLOWED",
            extra='        response.headers["Access-Control-Allow-Credentials"] = "true"\n',
        ),
        {"CORS103"},
    ),
    "handwritten-exact": (
        HANDWRITTEN.format(check='origin == "https://www.example.com"', extra=""),
        set(),
    ),
}


def _import(path: Path) -> Any:
    name = f"corsproof_agree_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # (Litestar reads handler annotations through it)
    spec.loader.exec_module(module)
    return module.app


@pytest.mark.parametrize("case", sorted(CASES))
def test_scan_and_probe_agree(case: str, tmp_path: Path) -> None:
    source, expected = CASES[case]
    path = tmp_path / f"{case.replace('-', '_')}.py"
    path.write_text(source)
    static = scan_paths([str(path)], workers=1)
    assert not static.errors, static.errors
    static_ids = {f.rule_id for f in static.findings}
    dynamic = probe_targets(
        ["http://localhost/data"], ProbeOptions(origins=(TRUSTED,), timeout=5), app=_import(path)
    )
    assert not dynamic.errors, dynamic.errors
    dynamic_ids = {f.rule_id for f in dynamic.findings}
    probe_only, _why = PROBE_ONLY.get(case, (set(), ""))
    assert (static_ids, dynamic_ids) == (expected, expected | probe_only)


DJANGO_SETTINGS = """\
SECRET_KEY = "agree"
DEBUG = False
ALLOWED_HOSTS = ["localhost"]
ROOT_URLCONF = "mysite.urls"
INSTALLED_APPS = ["corsheaders"]
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]
CORS_ALLOWED_ORIGINS = ["https://www.example.com"]
CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://\\w+\\.example\\.com"]
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_PRIVATE_NETWORK = True
"""


def django_project(root: Path) -> Path:
    site = root / "mysite"
    site.mkdir()
    (site / "__init__.py").write_text("")
    (site / "settings.py").write_text(DJANGO_SETTINGS)
    (site / "urls.py").write_text(
        textwrap.dedent(
            """\
            from django.http import JsonResponse
            from django.urls import path

            urlpatterns = [path("api/data/", lambda request: JsonResponse({"secret": 42}))]
            """
        )
    )
    (site / "wsgi.py").write_text(
        textwrap.dedent(
            """\
            import os

            from django.core.wsgi import get_wsgi_application

            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
            application = get_wsgi_application()
            """
        )
    )
    (root / "manage.py").write_text("")
    return root


def test_django_project_scan_and_probe_agree(tmp_path: Path) -> None:
    """A real project directory: scanned, then `corsproof probe --app mysite.wsgi:application`."""
    root = django_project(tmp_path)
    static = scan_paths([str(root)], workers=1)
    static_ids = {f.rule_id for f in static.findings}
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    proc = subprocess.run(
        [
            sys.executable, "-m", "corsproof", "probe", "--app", "mysite.wsgi:application",
            "--app-dir", str(root), "--path", "/api/data/", "--origin", TRUSTED,
            "--format", "json", "--no-progress",
        ],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    doc = json.loads(proc.stdout)
    assert not doc["errors"], doc["errors"]
    dynamic_ids = {f["rule_id"] for f in doc["findings"]}
    assert static_ids == dynamic_ids == {"CORS104", "CORS107"}
    assert proc.returncode == 1


SANIC = """\
from sanic import Sanic
from sanic.response import json
from sanic_cors import CORS

app = Sanic("agree")
CORS(app, {options})


@app.get("/data")
async def data(request):
    return json({{"secret": 42}})
"""

# (source, scanner's ids, what only the probe sees)
SANIC_CASES: dict[str, tuple[str, set[str], set[str]]] = {
    "open": (SANIC.format(options='origins="*"'), {"CORS101"}, {"CORS201"}),
    "regex": (
        SANIC.format(options='origins=[r"https://.*\\.example\\.com"]'),
        {"CORS104"},
        {"CORS201"},
    ),
    "strict": (
        SANIC.format(options='origins=["https://www.example.com"], allow_headers=["x-a"]'),
        set(),
        set(),
    ),
}


@pytest.mark.parametrize("case", sorted(SANIC_CASES))
def test_sanic_cors_scan_and_probe_agree(case: str, tmp_path: Path) -> None:
    """As above, the probe in a process of its own. What only the probe sees: sanic-cors's
    default allow_headers grants every requested header (DEFAULT_HEADERS)."""
    source, expected, probe_only = SANIC_CASES[case]
    (tmp_path / "sanic_agree.py").write_text(source)
    static = scan_paths([str(tmp_path / "sanic_agree.py")], workers=1)
    assert not static.errors, static.errors
    proc = subprocess.run(
        [
            sys.executable, "-m", "corsproof", "probe", "--app", "sanic_agree:app",
            "--app-dir", str(tmp_path), "--path", "/data", "--origin", TRUSTED,
            "--format", "json", "--no-progress",
        ],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    doc = json.loads(proc.stdout)
    assert not doc["errors"], doc["errors"]
    dynamic_ids = {f["rule_id"] for f in doc["findings"]}
    assert ({f.rule_id for f in static.findings}, dynamic_ids) == (expected, expected | probe_only)


AIOHTTP = """\
import aiohttp_cors
from aiohttp import web


async def data(request):
    return web.json_response({{"secret": 42}})


app = web.Application()
cors = aiohttp_cors.setup(app, defaults={{{origin!r}: aiohttp_cors.ResourceOptions({options})}})
cors.add(app.router.add_get("/data", data))
"""

# (source, the ids both report)
AIOHTTP_CASES: dict[str, tuple[str, set[str]]] = {
    "star-credentials-any-header": (
        AIOHTTP.format(origin="*", options='allow_credentials=True, allow_headers="*"'),
        {"CORS102", "CORS201"},
    ),
    "one-origin": (
        AIOHTTP.format(origin="https://www.example.com", options='allow_headers=("X-A",)'),
        set(),
    ),
}


@contextmanager
def _serve_aiohttp(app: Any) -> Iterator[str]:
    """The aiohttp application on 127.0.0.1 (its own event loop, in a thread)."""
    from aiohttp import web

    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    ready = threading.Event()
    port: list[int] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port.append(runner.addresses[0][1])
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield f"http://127.0.0.1:{port[0]}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@pytest.mark.parametrize("case", sorted(AIOHTTP_CASES))
def test_aiohttp_cors_scan_and_probe_agree(case: str, tmp_path: Path) -> None:
    """aiohttp is neither WSGI nor ASGI: the same source is served on 127.0.0.1 and probed over
    the network."""
    source, expected = AIOHTTP_CASES[case]
    path = tmp_path / f"aiohttp_{case.replace('-', '_')}.py"
    path.write_text(source)
    static = scan_paths([str(path)], workers=1)
    assert not static.errors, static.errors
    with _serve_aiohttp(_import(path)) as base:
        dynamic = probe_targets(
            [base + "/data"], ProbeOptions(origins=(TRUSTED,), timeout=5, trust_env=False)
        )
    assert not dynamic.errors, dynamic.errors
    assert ({f.rule_id for f in static.findings}, {f.rule_id for f in dynamic.findings}) == (
        expected,
        expected,
    )
