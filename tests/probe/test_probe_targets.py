"""Where targets come from: URLs, a targets file, OpenAPI 3 (JSON, YAML) and Swagger 2.0
documents, and imported WSGI/ASGI applications (auto-detected)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from corsproof.findings import Target
from corsproof.probe import (
    BadTarget,
    TargetSourceError,
    file_targets,
    is_asgi,
    load_app,
    openapi_targets,
    url_targets,
)


def test_urls_must_be_absolute_http() -> None:
    out = list(
        url_targets(["https://a.example/x", "ftp://a.example/", "a.example/x", "http://:80"])
    )
    assert out[0] == Target("https://a.example/x", "GET")
    assert all(isinstance(o, BadTarget) for o in out[1:])


def test_targets_file(tmp_path: Path) -> None:
    path = tmp_path / "targets.txt"
    path.write_text(
        "# the public API\n"
        "https://api.example.com/v1/me\n"
        "\n"
        "   https://api.example.com/v1/orders   # trailing comment\n"
        "POST https://api.example.com/v1/orders\n"
        "not a url\n"
        "https://api.example.com/v1/page#frag\n"
    )
    out = list(file_targets(str(path)))
    assert out[:3] == [
        Target("https://api.example.com/v1/me"),
        Target("https://api.example.com/v1/orders"),
        Target("https://api.example.com/v1/orders", "POST"),
    ]
    assert isinstance(out[3], BadTarget) and out[3].path == f"{path}:6"
    assert out[4] == Target("https://api.example.com/v1/page#frag")


def test_missing_targets_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(TargetSourceError):
        file_targets(str(tmp_path / "nope.txt"))


OPENAPI_YAML = """\
openapi: 3.1.0
info: {title: shop, version: "1"}
servers:
  - url: https://{region}.shop.example/api
    variables:
      region: {default: eu}
components:
  parameters:
    OrderId:
      name: order_id
      in: path
      required: true
      schema: {type: string, format: uuid}
paths:
  /users/{user_id}:
    parameters:
      - {name: user_id, in: path, required: true, schema: {type: integer, example: 42}}
    get: {}
    delete: {}
  /orders/{order_id}:
    get:
      parameters: [{$ref: '#/components/parameters/OrderId'}]
  /items/{slug}/{flag}:
    get:
      parameters:
        - {name: slug, in: path, schema: {type: string, default: "red shoes"}}
        - {name: flag, in: path, schema: {type: boolean}}
  /health:
    head: {}
    options: {}
"""


def test_openapi3_yaml(tmp_path: Path) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_text(OPENAPI_YAML)
    base = "https://eu.shop.example/api"
    assert list(openapi_targets(str(path), None)) == [
        Target(f"{base}/users/42", "GET"),
        Target(f"{base}/users/42", "DELETE"),
        Target(f"{base}/orders/00000000-0000-4000-8000-000000000000", "GET"),
        Target(f"{base}/items/red%20shoes/true", "GET"),
        Target(f"{base}/health", "OPTIONS"),
        Target(f"{base}/health", "HEAD"),
    ]
    # --base-url replaces the document's absolute server
    (first, *_) = openapi_targets(str(path), "http://127.0.0.1:8000")
    assert first == Target("http://127.0.0.1:8000/users/42", "GET")


def test_openapi3_json_relative_server_needs_base_url(tmp_path: Path) -> None:
    path = tmp_path / "openapi.json"
    path.write_text(
        json.dumps(
            {
                "openapi": "3.0.0",
                "info": {"title": "t", "version": "1"},
                "servers": [{"url": "/v2"}],
                "paths": {
                    "/pets/{petId}": {
                        "get": {
                            "parameters": [
                                {"name": "petId", "in": "path", "examples": {"a": {"value": 7}}}
                            ]
                        }
                    }
                },
            }
        )
    )
    with pytest.raises(TargetSourceError, match="--base-url"):
        openapi_targets(str(path), None)
    assert list(openapi_targets(str(path), "http://localhost:8000")) == [
        Target("http://localhost:8000/v2/pets/7", "GET")
    ]
    # a base URL that already ends with the document's base path is not doubled
    assert list(openapi_targets(str(path), "http://localhost:8000/v2/")) == [
        Target("http://localhost:8000/v2/pets/7", "GET")
    ]


def test_swagger2(tmp_path: Path) -> None:
    path = tmp_path / "swagger.json"
    path.write_text(
        json.dumps(
            {
                "swagger": "2.0",
                "info": {"title": "t", "version": "1"},
                "host": "api.example.com",
                "basePath": "/v1",
                "schemes": ["http", "https"],
                "parameters": {"Id": {"name": "id", "in": "path", "type": "integer"}},
                "paths": {
                    "/things/{id}": {
                        "get": {"parameters": [{"$ref": "#/parameters/Id"}]},
                        "put": {
                            "parameters": [
                                {"name": "id", "in": "path", "type": "string", "x-example": "abc"}
                            ]
                        },
                    },
                    "/colors/{c}": {
                        "get": {
                            "parameters": [
                                {
                                    "name": "c",
                                    "in": "path",
                                    "type": "string",
                                    "enum": ["teal", "red"],
                                }
                            ]
                        }
                    },
                },
            }
        )
    )
    assert list(openapi_targets(str(path), None)) == [
        Target("https://api.example.com/v1/things/1", "GET"),
        Target("https://api.example.com/v1/things/abc", "PUT"),
        Target("https://api.example.com/v1/colors/teal", "GET"),
    ]


def test_not_an_openapi_document(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("just: [a, list]\n")
    with pytest.raises(TargetSourceError):
        openapi_targets(str(path), "http://localhost")
    path.write_text("{not: yaml: nor json")
    with pytest.raises(TargetSourceError):
        openapi_targets(str(path), "http://localhost")


def test_load_app_and_detect_the_interface(tmp_path: Path) -> None:
    (tmp_path / "corsproof_load_me.py").write_text(
        "from flask import Flask\n"
        "from starlette.applications import Starlette\n"
        "flask_app = Flask(__name__)\n"
        "star = Starlette()\n"
        "def create_app():\n    return Flask('made')\n"
        "def wsgi(environ, start_response):\n    return []\n"
        "async def asgi(scope, receive, send):\n    pass\n"
        "class Holder:\n    app = Starlette()\n"
        "not_an_app = 3\n"
    )
    try:
        load = lambda attr: load_app(f"corsproof_load_me:{attr}", str(tmp_path))  # noqa: E731
        assert not is_asgi(load("flask_app"))
        assert is_asgi(load("star"))
        assert not is_asgi(load("create_app()"))
        assert not is_asgi(load("wsgi"))
        assert is_asgi(load("asgi"))
        assert is_asgi(load("Holder.app"))
        with pytest.raises(TargetSourceError, match="not a WSGI or ASGI"):
            load("not_an_app")
        with pytest.raises(TargetSourceError, match="no attribute"):
            load("missing")
        with pytest.raises(TargetSourceError, match="MODULE:ATTR"):
            load_app("corsproof_load_me", str(tmp_path))
        with pytest.raises(TargetSourceError, match="cannot import"):
            load_app("corsproof_no_such_module:app", str(tmp_path))
    finally:
        sys.modules.pop("corsproof_load_me", None)


def test_django_handlers_are_detected() -> None:
    import django_testapp
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.wsgi import WSGIHandler

    django_testapp.setup()
    assert not is_asgi(WSGIHandler())
    assert is_asgi(ASGIHandler())
