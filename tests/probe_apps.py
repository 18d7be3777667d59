"""Applications the probe tests run for real: hand-written header code with each weak check of the
catalogue, Flask + flask-cors, Starlette/FastAPI `CORSMiddleware` — each endpoint with the rule ids
`corsproof probe --origin https://www.example.com` must report on it (`EXPECTED_*`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

TRUSTED = "https://www.example.com"
SECOND = "https://app.example.com"

Check = Callable[[str], bool]
Headers = list[tuple[str, str]]


def _host_of(origin: str) -> str | None:
    match = re.match(r"https://([a-z0-9.-]+)", origin)  # stops at the first odd character
    return match.group(1) if match else None


# path -> (origin check, extra behaviour) for the hand-written WSGI app
HANDWRITTEN_CHECKS: dict[str, Check] = {
    "/exact": lambda o: o == TRUSTED,
    "/endswith": lambda o: o.endswith("example.com"),
    "/startswith": lambda o: o.startswith("https://www.example.com"),
    "/contains": lambda o: "example.com" in o,
    "/regex-match": lambda o: re.match(r"https://www\.example\.com", o) is not None,
    "/regex-dot": lambda o: re.fullmatch(r"https://www.example.com", o) is not None,
    "/regex-search": lambda o: re.search(r"www\.example\.com$", o) is not None,
    "/subdomain": lambda o: re.fullmatch(r"https://[a-z0-9-]+\.example\.com", o) is not None,
    "/http": lambda o: o in (TRUSTED, "http://www.example.com"),
    "/null": lambda o: o in (TRUSTED, "null"),
    "/special": lambda o: _host_of(o) == "www.example.com",
    "/truncated": lambda o: o in "https://www.example.com",  # a string, not a list: substring test
    "/echo": lambda o: True,
    "/echo-vary": lambda o: True,
    "/echo-creds": lambda o: True,
    "/pna": lambda o: o == TRUSTED,
    "/preflight-any": lambda o: o == TRUSTED,
    "/expose": lambda o: o == TRUSTED,
    "/vary": lambda o: o in (TRUSTED, SECOND),
    "/star": lambda o: True,
    "/star-creds": lambda o: True,
    "/star-cookie": lambda o: True,
}

EXPECTED_HANDWRITTEN: dict[str, set[str]] = {
    "/exact": set(),
    "/endswith": {"CORS104"},
    "/startswith": {"CORS104"},
    "/contains": {"CORS104"},
    "/regex-match": {"CORS104"},
    "/regex-dot": {"CORS104"},
    "/regex-search": {"CORS105", "CORS106"},
    "/subdomain": {"CORS106"},
    "/http": {"CORS105"},
    "/null": {"CORS103"},
    "/special": {"CORS104"},
    "/truncated": {"CORS104"},
    "/echo": {"CORS101"},  # CORS202 is implied by the unchecked echo
    "/echo-vary": {"CORS101"},
    "/echo-creds": {"CORS102"},
    "/pna": {"CORS107"},
    "/preflight-any": {"CORS201"},
    "/expose": {"CORS203"},
    "/vary": {"CORS202"},
    "/star": {"CORS101"},
    "/star-creds": {"CORS101"},
    "/star-cookie": {"CORS102"},
}

EXPECTED_PROOFS = {
    "/endswith": "https://corsproof-attackerexample.com",
    "/startswith": "https://www.example.com.corsproof-attacker.example",
    "/contains": "https://www.example.com.corsproof-attacker.example",
    "/regex-match": "https://www.example.com.corsproof-attacker.example",
    "/regex-dot": "https://wwwxexample.com",
    "/special": "https://www.example.com_.corsproof-attacker.example",
    "/truncated": "https://www.example.co",
    "/null": "null",
    "/http": "http://www.example.com",
    "/subdomain": "https://corsproof-attacker.example.com",
}


def handwritten_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Hand-written CORS headers, one weak check per path (a plain WSGI callable)."""
    path = environ.get("PATH_INFO", "")
    origin = environ.get("HTTP_ORIGIN")
    method = environ["REQUEST_METHOD"]
    check = HANDWRITTEN_CHECKS.get(path)
    if check is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    headers: Headers = [("Content-Type", "application/json")]
    if path not in ("/echo", "/vary"):
        headers.append(("Vary", "Origin"))
    if origin is not None and check(origin):
        if path in ("/star", "/star-creds", "/star-cookie"):
            has_cookie = "HTTP_COOKIE" in environ
            if path == "/star-cookie" and has_cookie:
                headers.append(("Access-Control-Allow-Origin", origin))
            else:
                headers.append(("Access-Control-Allow-Origin", "*"))
            if path in ("/star-creds", "/star-cookie"):
                headers.append(("Access-Control-Allow-Credentials", "true"))
        else:
            headers.append(("Access-Control-Allow-Origin", origin))
        if path == "/echo-creds":
            headers.append(("Access-Control-Allow-Credentials", "true"))
        if path == "/expose":
            headers.append(("Access-Control-Expose-Headers", "X-Request-Id, Authorization"))
        if method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
            if path == "/preflight-any":
                headers.append(
                    ("Access-Control-Allow-Methods", environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"])
                )
                requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
                if requested:
                    headers.append(("Access-Control-Allow-Headers", requested))
            else:
                headers.append(("Access-Control-Allow-Methods", "GET, POST"))
                headers.append(("Access-Control-Allow-Headers", "Content-Type"))
            if path == "/pna" and environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"):
                headers.append(("Access-Control-Allow-Private-Network", "true"))
    status = "204 No Content" if method == "OPTIONS" else "200 OK"
    start_response(status, headers)
    return [] if method == "OPTIONS" else [b'{"secret": 42}']


# ---------------------------------------------------------------------------- Flask + flask-cors


def flask_app() -> Any:
    """One Flask app, one blueprint-free route per flask-cors configuration (resources=...)."""
    from flask import Flask
    from flask_cors import CORS

    app = Flask("corsproof_probe_flask")

    for name in ("default", "strict", "regex", "credentials", "pna", "expose"):
        app.add_url_rule(f"/{name}", name, lambda: {"secret": 42})

    CORS(
        app,
        resources={
            r"/default": {},
            r"/strict": {"origins": [TRUSTED], "allow_headers": ["Content-Type"]},
            r"/regex": {
                "origins": [r"https://.*\.example\.com"],
                "supports_credentials": True,
                "allow_headers": ["Content-Type"],
            },
            r"/credentials": {"origins": "*", "supports_credentials": True},
            r"/pna": {
                "origins": [TRUSTED],
                "allow_private_network": True,
                "allow_headers": ["Content-Type"],
            },
            r"/expose": {
                "origins": [TRUSTED],
                "expose_headers": ["X-API-Key"],
                "allow_headers": ["Content-Type"],
            },
        },
    )
    return app


EXPECTED_FLASK: dict[str, set[str]] = {
    # flask-cors defaults: origins "*" echoed back, every requested header allowed
    "/default": {"CORS101", "CORS201"},
    "/strict": set(),
    "/regex": {"CORS104"},
    "/credentials": {"CORS102", "CORS201"},
    "/pna": {"CORS107"},
    "/expose": {"CORS203"},
}


# ----------------------------------------------------------------------- Starlette / FastAPI


def starlette_app(**cors: Any) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def data(request: Any) -> JSONResponse:
        return JSONResponse({"secret": 42})

    return Starlette(routes=[Route("/data", data)], middleware=[Middleware(CORSMiddleware, **cors)])


def fastapi_app(**cors: Any) -> Any:
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    app = FastAPI()

    @app.get("/data")
    async def data() -> dict[str, int]:
        return {"secret": 42}

    app.add_middleware(CORSMiddleware, **cors)
    return app


STARLETTE_CASES: dict[str, tuple[dict[str, Any], set[str]]] = {
    "strict": ({"allow_origins": [TRUSTED]}, set()),
    "star": ({"allow_origins": ["*"]}, {"CORS101"}),
    "star-credentials": ({"allow_origins": ["*"], "allow_credentials": True}, {"CORS102"}),
    "regex-dot": ({"allow_origin_regex": r"https://www.example.com"}, {"CORS104"}),
    "string-origins": ({"allow_origins": "https://www.example.com"}, {"CORS104"}),
    "any-subdomain": (
        {
            "allow_origins": [TRUSTED],
            "allow_origin_regex": r"https://.*\.example\.com",
            "allow_credentials": True,
            "allow_headers": ["*"],
            "expose_headers": ["X-API-Key"],
        },
        {"CORS106", "CORS201", "CORS203"},
    ),
    "private-network": (
        {"allow_origins": [TRUSTED], "allow_private_network": True},
        {"CORS107"},
    ),
}
