"""Hand-written headers in a Django view, fixed and driven through Django's own test client:
the weak suffix check (CORS104, safe), the missing Vary (CORS202, safe) and an unchecked echo
(CORS101, unsafe) — before, the attacker's origin is granted; after, refused, and the front end
still granted with Vary: Origin on every answer."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path
from typing import Any

from django.test import Client, override_settings
from django.urls import path
from django_testapp import setup

from corsproof import scan_paths
from corsproof.fix import FixOptions, fix_paths

APP = "https://app.example-shop.com"
VIEWS = """\
from django.http import JsonResponse


def legacy_widget(request):
    response = JsonResponse({"widget": "ok"})
    origin = request.META.get("HTTP_ORIGIN", "")
    if origin.endswith("example-shop.com"):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Credentials"] = "true"
    return response


def open_feed(request):
    response = JsonResponse({"feed": []})
    response["Access-Control-Allow-Origin"] = request.META.get("HTTP_ORIGIN", "")
    return response
"""


def _urlconf(views_file: Path) -> str:
    """A urlconf module for the views in `views_file` (a fresh module each time)."""
    name = f"views_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, views_file)
    assert spec is not None and spec.loader is not None
    views = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(views)
    urls = type(sys)(f"urls_{name}")
    urls.urlpatterns = [  # type: ignore[attr-defined]
        path("widget/", views.legacy_widget),
        path("feed/", views.open_feed),
    ]
    sys.modules[urls.__name__] = urls
    return urls.__name__


def _get(views_file: Path, url: str, origin: str) -> Any:
    setup()
    with override_settings(ROOT_URLCONF=_urlconf(views_file), MIDDLEWARE=[], ALLOWED_HOSTS=["*"]):
        return Client().get(url, HTTP_ORIGIN=origin)


def test_django_view_fixes_close_the_hole_and_keep_the_front_end(tmp_path: Path) -> None:
    views = tmp_path / "views.py"
    views.write_text(VIEWS)
    found = {f.rule_id: f for f in scan_paths([str(tmp_path)], workers=1).findings}
    assert {"CORS104", "CORS202", "CORS101"} <= set(found)
    lookalike = found["CORS104"].proof_origin
    assert (
        lookalike and _get(views, "/widget/", lookalike)["Access-Control-Allow-Origin"] == lookalike
    )
    evil = "https://evil.example"
    assert _get(views, "/feed/", evil)["Access-Control-Allow-Origin"] == evil

    outcome = fix_paths(
        [str(tmp_path)], FixOptions(allow_origins=(APP,), unsafe=True, scan={"workers": 1})
    )
    assert {a.finding.rule_id for a in outcome.applied} >= {"CORS104", "CORS202", "CORS101"}
    text = views.read_text()
    compile(text, str(views), "exec")
    left = {f.rule_id for f in scan_paths([str(tmp_path)], workers=1).findings}
    assert not left & {"CORS101", "CORS104", "CORS202"}, (left, text)

    refused = _get(views, "/widget/", lookalike)
    assert "Access-Control-Allow-Origin" not in refused and "Origin" in refused["Vary"]
    granted = _get(views, "/widget/", APP)
    assert granted["Access-Control-Allow-Origin"] == APP and "Origin" in granted["Vary"]
    assert "Access-Control-Allow-Origin" not in _get(views, "/feed/", evil)
    assert _get(views, "/feed/", APP)["Access-Control-Allow-Origin"] == APP

    again = fix_paths(
        [str(tmp_path)], FixOptions(allow_origins=(APP,), unsafe=True, scan={"workers": 1})
    )
    assert again.applied == [] and views.read_text() == text
