"""An application probed in-process may write to stdout at import, at start-up and on every
request (a print, `sys.stdout.write`, a logging handler on stdout, a write to file descriptor 1,
Sanic's banner): all of it goes to stderr, and stdout carries the report alone, for every
framework the prober drives in-process. `-o FILE` writes the same report.

(aiohttp is not here: an aiohttp application is neither WSGI nor ASGI, so it is probed over the
network, not in-process.)"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# every application: `NOISE(where)` writes one marker per kind of write; /api lets every origin in
NOISE = """
import logging, os, sys
_log = logging.getLogger("noisy")
_log.addHandler(logging.StreamHandler(sys.stdout))
_log.setLevel(logging.INFO)

def NOISE(where):
    print(f"print-{where}")
    sys.stdout.write(f"write-{where}\\n")
    sys.stdout.flush()
    _log.info(f"log-{where}")
    os.write(1, f"fd-{where}\\n".encode())

NOISE("import")
"""

APPS = {
    "flask": """
from flask import Flask
from flask_cors import CORS
app = Flask(__name__)
CORS(app)
@app.get("/api")
def api():
    NOISE("request")
    return {"ok": True}
""",
    "starlette": """
from contextlib import asynccontextmanager
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route
async def api(request):
    NOISE("request")
    return JSONResponse({"ok": True})
@asynccontextmanager
async def lifespan(app):
    NOISE("startup")
    yield
app = Starlette(routes=[Route("/api", api)], lifespan=lifespan,
                middleware=[Middleware(CORSMiddleware, allow_origins=["*"])])
""",
    "fastapi": """
from contextlib import asynccontextmanager
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
@asynccontextmanager
async def lifespan(app):
    NOISE("startup")
    yield
app = FastAPI(lifespan=lifespan)
app.add_middleware(CORSMiddleware, allow_origins=["*"])
@app.get("/api")
def api():
    NOISE("request")
    return {"ok": True}
""",
    "quart": """
from quart import Quart
from quart_cors import cors
app = cors(Quart(__name__), allow_origin="*")
@app.before_serving
async def startup():
    NOISE("startup")
@app.get("/api")
async def api():
    NOISE("request")
    return {"ok": True}
""",
    "sanic": """
from sanic import Sanic
from sanic.response import json as reply
from sanic_cors import CORS
app = Sanic("noisy")
CORS(app, origins="*")
@app.before_server_start
async def startup(app, loop=None):
    NOISE("startup")
@app.get("/api")
async def api(request):
    NOISE("request")
    return reply({"ok": True})
""",
    "litestar": """
from litestar import Litestar, get
from litestar.config.cors import CORSConfig
@get("/api")
async def api() -> dict:
    NOISE("request")
    return {"ok": True}
app = Litestar([api], cors_config=CORSConfig(allow_origins=["*"]),
               on_startup=[lambda: NOISE("startup")])
""",
    "falcon-wsgi": """
import falcon
class Api:
    def on_get(self, req, resp):
        NOISE("request")
        resp.media = {"ok": True}
app = falcon.App(cors_enable=True)
app.add_route("/api", Api())
""",
    "falcon-asgi": """
import falcon.asgi
class Api:
    async def on_get(self, req, resp):
        NOISE("request")
        resp.media = {"ok": True}
class Startup:
    async def process_startup(self, scope, event):
        NOISE("startup")
app = falcon.asgi.App(cors_enable=True, middleware=[Startup()])
app.add_route("/api", Api())
""",
    "django": """
import django
from django.conf import settings
settings.configure(
    DEBUG=False, SECRET_KEY="x", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__,
    INSTALLED_APPS=["corsheaders"],
    MIDDLEWARE=["corsheaders.middleware.CorsMiddleware"],
    CORS_ALLOW_ALL_ORIGINS=True,
)
django.setup()
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path
def api(request):
    NOISE("request")
    return JsonResponse({"ok": True})
urlpatterns = [path("api", api)]
app = get_wsgi_application()
""",
}
STARTS = {"starlette", "fastapi", "quart", "sanic", "litestar", "falcon-asgi"}


def _probe(directory: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "corsproof", "probe", "--app", "noisy:app"]
    command += ["--app-dir", str(directory), "--path", "/api", "--no-progress", *extra]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


def _without_duration(document: dict) -> dict:
    document["stats"].pop("duration_s", None)
    return document


@pytest.mark.parametrize("framework", sorted(APPS))
def test_what_an_application_writes_never_reaches_the_report(
    framework: str, tmp_path: Path
) -> None:
    source = textwrap.dedent(NOISE) + textwrap.dedent(APPS[framework])
    (tmp_path / "noisy.py").write_text(source, encoding="utf-8")
    proc = _probe(tmp_path, "--format", "json")
    assert proc.returncode == 1, proc.stderr  # a finding, no crash
    document = json.loads(proc.stdout)  # nothing but the report
    assert not document["errors"], document["errors"]
    assert {f["rule_id"] for f in document["findings"]} & {"CORS101", "CORS102"}
    wheres = ["import", "request", *(["startup"] if framework in STARTS else [])]
    for where in wheres:
        for kind in ("print", "write", "log", "fd"):
            assert f"{kind}-{where}" in proc.stderr, (kind, where, proc.stderr[-2000:])
    report = tmp_path / "report.json"
    written = _probe(tmp_path, "--format", "json", "-o", str(report))
    assert written.returncode == 1 and written.stdout == ""
    assert _without_duration(json.loads(report.read_text())) == _without_duration(document)
    sarif = _probe(tmp_path, "--format", "sarif")
    assert json.loads(sarif.stdout)["runs"][0]["results"]


def test_an_isolated_application_writes_to_stderr_too(tmp_path: Path) -> None:
    source = textwrap.dedent(NOISE) + textwrap.dedent(APPS["flask"])
    (tmp_path / "noisy.py").write_text(source, encoding="utf-8")
    proc = _probe(tmp_path, "--isolate", "--format", "json")
    assert {f["rule_id"] for f in json.loads(proc.stdout)["findings"]} >= {"CORS101"}
    assert "fd-import" in proc.stderr and "fd-request" in proc.stderr


TO_STDERR = """
def NOISE_ERR(where):
    print(f"stderr-{where}", file=sys.stderr)
    os.write(2, f"fd2-{where}\\n".encode())

NOISE_ERR("import")
"""


@pytest.mark.parametrize("isolate", [False, True], ids=["in-process", "isolated"])
def test_app_log_takes_all_the_application_writes(tmp_path: Path, isolate: bool) -> None:
    """`--app-log FILE`: stdout and stderr of the application, at every level, go to FILE; stdout
    keeps the report, stderr corsproof's own messages."""
    app = textwrap.dedent(APPS["starlette"]).replace(
        'NOISE("request")', 'NOISE("request"); NOISE_ERR("request")'
    )
    source = textwrap.dedent(NOISE) + textwrap.dedent(TO_STDERR) + app
    (tmp_path / "noisy.py").write_text(source, encoding="utf-8")
    log = tmp_path / "app.log"
    extra = ["--isolate"] if isolate else []
    proc = _probe(tmp_path, "--format", "json", "--app-log", str(log), *extra)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["findings"]
    written = log.read_text()
    for marker in ("print-import", "fd-import", "log-import", "stderr-import", "fd2-import",
                   "print-startup", "fd-request", "stderr-request", "fd2-request"):  # fmt: skip
        assert marker in written, (marker, written)
        assert marker not in proc.stderr, (marker, proc.stderr)


def test_app_log_needs_an_application(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "corsproof", "probe", "https://a.example/", "--app-log", "x.log"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 2 and "--app-log applies to an in-process application" in proc.stderr
    assert not (tmp_path / "x.log").exists()
