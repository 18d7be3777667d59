"""Hand-written CORS headers: the static verdict is true for the running application.

Each snippet is a complete Flask or Starlette/FastAPI application that sets `Access-Control-*`
headers by hand. The test scans the snippet's file (never importing it for the scan), then imports
the application and sends every proof origin the scanner reported through the framework's own test
client: the response must really grant it (`Access-Control-Allow-Origin` is the attacker's origin, or
`*`), with `Access-Control-Allow-Credentials: true` where the finding claims credentials. Safe
snippets produce no finding, and no attacker origin derived from their trusted origins is granted.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from semantics_support import assert_granted, import_file

from corsproof import scan_paths
from corsproof.findings import Finding
from corsproof.origins import ARBITRARY, catalogue

_COUNTER = itertools.count()

Send = Callable[[str], Any]  # origin -> response with `.headers`


def _load(path: Path) -> ModuleType:
    return import_file(path, "corsproof_handwritten_snippet")


def _write(tmp_path: Path, source: str) -> Path:
    # a new name each time: the scanner may keep a file's parse for the process
    path = tmp_path / f"app_{next(_COUNTER)}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def _scan(path: Path) -> list[Finding]:
    result = scan_paths([str(path)], workers=1)
    assert not result.errors, result.errors
    return result.findings


def _flask_sender(module: ModuleType) -> Send:
    client = module.app.test_client()
    return lambda origin: client.get("/", headers={"Origin": origin})


def _starlette_sender(module: ModuleType) -> Send:
    from starlette.testclient import TestClient

    client = TestClient(module.app)
    return lambda origin: client.get("/", headers={"Origin": origin})


SENDERS = {"flask": _flask_sender, "starlette": _starlette_sender}


def flask_app(
    hook: str, *, imports: str = "from flask import Flask, request", prelude: str = ""
) -> str:
    """A complete Flask application whose `after_request` hook runs `hook` on every response."""
    prelude = textwrap.dedent(prelude).strip("\n")
    return (
        f"\n{textwrap.dedent(imports).strip()}\n\napp = Flask(__name__)\n"
        + (f"{prelude}\n" if prelude else "")
        + '\n@app.route("/")\ndef index():\n    return "ok"\n\n'
        + "@app.after_request\ndef cors(response):\n"
        + textwrap.indent(textwrap.dedent(hook).strip("\n") + "\n", "    ")
        + "    return response\n"
    )


# ------------------------------------------------------------------------------ vulnerable apps

VULNERABLE: dict[str, tuple[str, str, set[str]]] = {
    # id: (framework, source, rules the scan must report)
    "flask-echo-credentials": (
        "flask",
        flask_app(
            """
            response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin")
            response.headers["Access-Control-Allow-Credentials"] = "true"
            """,
        ),
        {"CORS102"},
    ),
    "flask-werkzeug-response-properties": (
        "flask",
        flask_app(
            """
            response.access_control_allow_origin = request.origin
            response.access_control_allow_credentials = True
            """,
        ),
        {"CORS102"},
    ),
    "flask-star-tuple": (
        "flask",
        """
        from flask import Flask

        app = Flask(__name__)

        @app.route("/")
        def index():
            return "ok", 200, {"Access-Control-Allow-Origin": "*"}
        """,
        {"CORS101"},
    ),
    "flask-endswith-without-dot": (
        "flask",
        flask_app(
            """
            origin = request.headers.get("Origin", "")
            if origin.endswith("example.com"):
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Allow-Credentials"] = "true"
                response.headers["Vary"] = "Origin"
            """,
        ),
        {"CORS104"},
    ),
    "flask-startswith-early-return": (
        "flask",
        flask_app(
            """
            origin = request.origin or ""
            if not origin.startswith("https://app.example.com"):
                return response
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            """,
        ),
        {"CORS104"},
    ),
    "flask-compiled-match": (
        "flask",
        flask_app(
            """
            origin = request.headers.get("Origin", "")
            if TRUSTED.match(origin):
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Vary"] = "Origin"
            """,
            imports="""
            import re
            from flask import Flask, request
            """,
            prelude=r"""
            TRUSTED = re.compile(r"^https://(www|app)\.example\.com")
            """,
        ),
        {"CORS104"},
    ),
    "flask-unescaped-dot": (
        "flask",
        flask_app(
            """
            origin = request.headers.get("Origin", "")
            if re.fullmatch(r"https://www.example.com", origin):
                response.headers["Access-Control-Allow-Origin"] = origin
            """,
            imports="""
            import re
            from flask import Flask, request
            """,
        ),
        {"CORS104"},
    ),
    "flask-in-a-string": (
        "flask",
        flask_app(
            """
            origin = request.headers.get("Origin", "")
            if origin and origin in FRONTEND:
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Vary"] = "Origin"
            """,
            prelude="""
            FRONTEND = "https://app.example.com"
            """,
        ),
        {"CORS104"},
    ),
    "flask-helper-any": (
        "flask",
        flask_app(
            """
            origin = request.headers.get("Origin", "")
            if trusted(origin):
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Vary"] = "Origin"
            """,
            imports="""
            from urllib.parse import urlparse
            from flask import Flask, request
            """,
            prelude="""
            DOMAINS = ("example.com", "example.org")

            def trusted(origin):
                host = urlparse(origin).hostname or ""
                return any(host.endswith(domain) for domain in DOMAINS)
            """,
        ),
        {"CORS104"},
    ),
    "flask-null-fallback": (
        "flask",
        flask_app(
            """
            origin = request.headers.get("Origin")
            value = origin if origin == "https://app.example.com" else "null"
            response.headers["Access-Control-Allow-Origin"] = value
            response.headers["Vary"] = "Origin"
            """,
        ),
        {"CORS103"},
    ),
    "flask-subdomains-and-http": (
        "flask",
        flask_app(
            """
            origin = request.headers.get("Origin", "")
            host = urlparse(origin).hostname or ""
            if host == "example.com" or host.endswith(".example.com"):
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Vary"] = "Origin"
            """,
            imports="""
            from urllib.parse import urlparse
            from flask import Flask, request
            """,
        ),
        {"CORS105", "CORS106"},
    ),
    "starlette-dispatch-credentials": (
        "starlette",
        """
        from starlette.applications import Starlette
        from starlette.middleware import Middleware
        from starlette.middleware.base import BaseHTTPMiddleware
        from starlette.responses import PlainTextResponse
        from starlette.routing import Route

        class Cors(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                response = await call_next(request)
                origin = request.headers.get("origin")
                if origin:
                    response.headers["Access-Control-Allow-Origin"] = origin
                    response.headers["Access-Control-Allow-Credentials"] = "true"
                return response

        async def index(request):
            return PlainTextResponse("ok")

        app = Starlette(routes=[Route("/", index)], middleware=[Middleware(Cors)])
        """,
        {"CORS102"},
    ),
    "fastapi-header-parameter": (
        "starlette",
        """
        from fastapi import FastAPI, Header
        from fastapi.responses import JSONResponse

        app = FastAPI()

        @app.get("/")
        async def index(origin: str | None = Header(default=None)):
            return JSONResponse({}, headers={"Access-Control-Allow-Origin": origin or "*"})
        """,
        {"CORS101"},
    ),
    "fastapi-search": (
        "starlette",
        """
        import re
        from fastapi import FastAPI, Request
        from fastapi.responses import JSONResponse

        app = FastAPI()

        @app.get("/")
        async def index(request: Request):
            headers = {"Vary": "Origin"}
            origin = request.headers.get("origin", "")
            if re.search(r"app\\.example\\.com", origin):
                headers["Access-Control-Allow-Origin"] = origin
            return JSONResponse({}, headers=headers)
        """,
        {"CORS104"},
    ),
    "asgi-raw-bytes-credentials": (
        "starlette",
        """
        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse
        from starlette.routing import Route

        class RawCors:
            def __init__(self, app):
                self.app = app

            async def __call__(self, scope, receive, send):
                origin = dict(scope["headers"]).get(b"origin", b"")

                async def send_wrapper(message):
                    if message["type"] == "http.response.start":
                        message["headers"] = list(message.get("headers", [])) + [
                            (b"access-control-allow-origin", origin),
                            (b"access-control-allow-credentials", b"true"),
                        ]
                    await send(message)

                await self.app(scope, receive, send_wrapper)

        async def index(request):
            return PlainTextResponse("ok")

        app = RawCors(Starlette(routes=[Route("/", index)]))
        """,
        {"CORS102"},
    ),
}


@pytest.mark.parametrize("case", sorted(VULNERABLE))
def test_reported_origin_is_granted(tmp_path: Path, case: str) -> None:
    framework, source, rules = VULNERABLE[case]
    path = _write(tmp_path, source)
    findings = _scan(path)
    assert rules <= {f.rule_id for f in findings}, [(f.rule_id, f.message) for f in findings]
    send = SENDERS[framework](_load(path))
    proven = [f for f in findings if f.proof_origin]
    assert proven
    for finding in proven:
        assert_granted(send, finding)


# ------------------------------------------------------------------------------ CORS202

VARIES = flask_app(
    """
             origin = request.headers.get("Origin")
             if origin in ALLOWED:
                 response.headers["Access-Control-Allow-Origin"] = origin
             """,
    prelude="""
             ALLOWED = {"https://app.example.com", "https://admin.example.com"}
             """,
)


def test_missing_vary_is_real(tmp_path: Path) -> None:
    path = _write(tmp_path, VARIES)
    assert {f.rule_id for f in _scan(path)} == {"CORS202"}
    send = _flask_sender(_load(path))
    first, second = send("https://app.example.com"), send("https://admin.example.com")
    values = {r.headers.get("Access-Control-Allow-Origin") for r in (first, second)}
    assert values == {"https://app.example.com", "https://admin.example.com"}
    assert "origin" not in (first.headers.get("Vary") or "").lower()
    # and the same app with `Vary: Origin` is not reported
    fixed = _write(
        tmp_path,
        VARIES.replace(
            "    return response", '    response.vary.add("Origin")\n    return response'
        ),
    )
    assert _scan(fixed) == []
    assert "Origin" in _flask_sender(_load(fixed))("https://app.example.com").headers["Vary"]


# ------------------------------------------------------------------------------ facts relied on


def test_credentials_true_boolean_is_not_the_value_browsers_accept(tmp_path: Path) -> None:
    """`= True` is sent as `True`; browsers require exactly `true` (so no CORS102 is claimed)."""
    path = _write(
        tmp_path,
        flask_app(
            """
            response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin")
            response.headers["Access-Control-Allow-Credentials"] = True
            """,
        ),
    )
    assert {f.rule_id for f in _scan(path)} == {"CORS101"}
    response = _flask_sender(_load(path))(ARBITRARY)
    assert response.headers["Access-Control-Allow-Origin"] == ARBITRARY
    assert response.headers["Access-Control-Allow-Credentials"] == "True"


def test_star_with_credentials_sends_a_literal_star(tmp_path: Path) -> None:
    """`*` stays `*` with credentials (browsers then refuse credentials): CORS101, not CORS102."""
    path = _write(
        tmp_path,
        flask_app(
            """
            response.headers.set("Access-Control-Allow-Origin", "*")
            response.headers.set("Access-Control-Allow-Credentials", "true")
            """,
            imports="from flask import Flask",
        ),
    )
    assert {f.rule_id for f in _scan(path)} == {"CORS101"}
    response = _flask_sender(_load(path))(ARBITRARY)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# ------------------------------------------------------------------------------ safe apps

SAFE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # id: (framework, source, trusted origins the attacker catalogue is derived from)
    "flask-exact-set-with-vary": (
        "flask",
        flask_app(
            """
            origin = request.headers.get("Origin")
            if origin not in ALLOWED:
                return response
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Vary"] = "Origin"
            """,
            prelude="""
            ALLOWED = frozenset({"https://app.example.com", "https://admin.example.com"})
            """,
        ),
        ("https://app.example.com", "https://admin.example.com"),
    ),
    "flask-escaped-fullmatch": (
        "flask",
        flask_app(
            r"""
            origin = request.headers.get("Origin", "")
            if re.fullmatch(r"https://app\.example\.com", origin):
                response.headers["Access-Control-Allow-Origin"] = origin
            """,
            imports="""
            import re
            from flask import Flask, request
            """,
        ),
        ("https://app.example.com",),
    ),
    "flask-parsed-scheme-and-host": (
        "flask",
        flask_app(
            """
            origin = request.headers.get("Origin", "")
            parsed = urlparse(origin)
            if parsed.scheme == "https" and parsed.hostname == "example.com":
                response.headers["Access-Control-Allow-Origin"] = origin
            """,
            imports="""
            from urllib.parse import urlparse
            from flask import Flask, request
            """,
        ),
        ("https://example.com",),
    ),
    "starlette-exact-set-with-vary": (
        "starlette",
        """
        from starlette.applications import Starlette
        from starlette.middleware import Middleware
        from starlette.middleware.base import BaseHTTPMiddleware
        from starlette.responses import PlainTextResponse
        from starlette.routing import Route

        TRUSTED = ["https://app.example.com", "https://admin.example.com"]

        class Cors(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                response = await call_next(request)
                origin = request.headers.get("origin")
                for trusted in TRUSTED:
                    if origin == trusted:
                        response.headers["Access-Control-Allow-Origin"] = origin
                        response.headers["Access-Control-Allow-Credentials"] = "true"
                        response.headers.add_vary_header("Origin")
                return response

        async def index(request):
            return PlainTextResponse("ok")

        app = Starlette(routes=[Route("/", index)], middleware=[Middleware(Cors)])
        """,
        ("https://app.example.com", "https://admin.example.com"),
    ),
}


@pytest.mark.parametrize("case", sorted(SAFE))
def test_safe_app_grants_no_attacker(tmp_path: Path, case: str) -> None:
    framework, source, trusted = SAFE[case]
    path = _write(tmp_path, source)
    assert [(f.rule_id, f.message) for f in _scan(path)] == []
    send = SENDERS[framework](_load(path))
    for origin in trusted:  # the legitimate front ends are served
        assert send(origin).headers.get("Access-Control-Allow-Origin") == origin
    for attack in catalogue(list(trusted)):
        granted = send(attack.origin).headers.get("Access-Control-Allow-Origin")
        assert granted not in (attack.origin, "*"), (attack.family, attack.origin)
