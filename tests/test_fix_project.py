"""The issue's acceptance case: one project with a Flask app (`CORS(app, supports_credentials=
True)`), Django settings (`CORS_ALLOW_ALL_ORIGINS = True`), a FastAPI app (`allow_origins=["*"],
allow_credentials=True`), a flask-cors origin regex with an unescaped dot, an environment default
of "*" and a hand-written echo of Origin. After `corsproof fix . --allow-origin
https://app.example.com --unsafe-fixes`: no CORS101/102/104/301 left, every file compiles, the
real Flask, FastAPI and django-cors-headers refuse https://evil.example and grant the front end,
and a second run changes nothing."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fix_support import load

from corsproof import scan_paths

APP_ORIGIN = "https://app.example.com"
EVIL = "https://evil.example"
EVIL_SUBDOMAIN = "https://a.partnerXexample.com"  # passes the unescaped dot

FILES = {
    "flask_app.py": """\
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, supports_credentials=True)  # cookies for the dashboard

partner = Flask("partner")
CORS(partner, origins=[r"https://.*\\.partner.example.com"])


@app.route("/data")
@partner.route("/data")
def data():
    return {"secret": 42}
""",
    "settings.py": """\
INSTALLED_APPS = ["corsheaders"]
MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"]
CORS_ALLOW_ALL_ORIGINS = True  # the front end moves too often
CORS_ALLOW_CREDENTIALS = True
""",
    "main.py": """\
import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
)

internal = FastAPI()
internal.add_middleware(CORSMiddleware, allow_origins=os.getenv("CORS_ORIGINS", "*").split(","))

legacy = FastAPI()


@legacy.middleware("http")
async def reflect(request, call_next):
    response = await call_next(request)
    response.headers["Access-Control-Allow-Origin"] = request.headers.get("origin", "")
    return response


@app.get("/data")
@internal.get("/data")
@legacy.get("/data")
def data():
    return {"secret": 42}
""",
}


def _flask_grants(app: Any, origin: str) -> str | None:
    return (
        app.test_client()
        .get("/data", headers={"Origin": origin})
        .headers.get("Access-Control-Allow-Origin")
    )


def _starlette_grants(app: Any, origin: str) -> str | None:
    from starlette.testclient import TestClient

    with TestClient(app) as client:
        return client.get("/data", headers={"Origin": origin}).headers.get(
            "access-control-allow-origin"
        )


def _django_grants(settings_file: Path, origin: str) -> str | None:
    from django.test import Client
    from django_testapp import CORS_SETTINGS, cors_settings

    values = runpy.run_path(str(settings_file))
    cors = {k: v for k, v in values.items() if k in CORS_SETTINGS}
    with cors_settings(**cors):
        return (
            Client()
            .get("/api/data/", HTTP_ORIGIN=origin)
            .headers.get("Access-Control-Allow-Origin")
        )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    monkeypatch.delenv("CORS_ORIGINS", raising=False)
    return tmp_path


def _fix(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "corsproof", "fix", ".", "--allow-origin", APP_ORIGIN,
         "--unsafe-fixes", "--no-config"],
        capture_output=True, text=True, timeout=300, cwd=project,
    )  # fmt: skip


def test_the_acceptance_project(project: Path) -> None:
    flask_before, main_before = load(project / "flask_app.py"), load(project / "main.py")
    # before: every origin (and the attacker's look-alike host) is granted
    assert _flask_grants(flask_before.app, EVIL) == EVIL
    assert _flask_grants(flask_before.partner, EVIL_SUBDOMAIN) == EVIL_SUBDOMAIN
    assert _starlette_grants(main_before.app, EVIL) == EVIL
    assert _starlette_grants(main_before.internal, EVIL) == "*"
    assert _starlette_grants(main_before.legacy, EVIL) == EVIL
    assert _django_grants(project / "settings.py", EVIL) == EVIL

    proc = _fix(project)
    # left: the partner pattern trusts every subdomain of partner.example.com, as written (CORS106)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Fixed 6 findings (1 remaining)." in proc.stdout

    rules = {f.rule_id for f in scan_paths([str(project)], workers=1).findings}
    assert rules == {"CORS106"}
    for name in FILES:
        compile((project / name).read_text(), name, "exec")

    flask_after, main_after = load(project / "flask_app.py"), load(project / "main.py")
    assert _flask_grants(flask_after.app, EVIL) is None
    assert _flask_grants(flask_after.app, APP_ORIGIN) == APP_ORIGIN
    assert _flask_grants(flask_after.partner, EVIL_SUBDOMAIN) is None
    assert _flask_grants(flask_after.partner, "https://eu.partner.example.com") == (
        "https://eu.partner.example.com"
    )
    assert _starlette_grants(main_after.app, EVIL) is None
    assert _starlette_grants(main_after.app, APP_ORIGIN) == APP_ORIGIN
    assert _starlette_grants(main_after.internal, EVIL) is None  # CORS_ORIGINS unset: none
    assert _starlette_grants(main_after.legacy, EVIL) is None
    assert _starlette_grants(main_after.legacy, APP_ORIGIN) == APP_ORIGIN
    assert _django_grants(project / "settings.py", EVIL) is None
    assert _django_grants(project / "settings.py", APP_ORIGIN) == APP_ORIGIN

    texts = {name: (project / name).read_text() for name in FILES}
    again = _fix(project)
    assert again.returncode == 1 and "Fixed 0 findings (1 remaining)." in again.stdout
    assert {name: (project / name).read_text() for name in FILES} == texts
    # comments survive
    assert "# cookies for the dashboard" in texts["flask_app.py"]
    assert "# the front end moves too often" in texts["settings.py"]


def test_the_environment_variable_still_sets_the_origins(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safe fix of an env default keeps every deployment that sets the variable working."""
    assert _fix(project).returncode == 1
    monkeypatch.setenv("CORS_ORIGINS", f"{APP_ORIGIN},https://admin.example.com")
    main = load(project / "main.py")
    assert _starlette_grants(main.internal, "https://admin.example.com") == (
        "https://admin.example.com"
    )
    assert _starlette_grants(main.internal, EVIL) is None
