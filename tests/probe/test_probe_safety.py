"""Safety, checked with a recording server: only GET/HEAD/OPTIONS unless --allow-method,
`--max-requests` bounds the run, preflights carry no credentials, bodies are not read."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

from probe_support import Recorder, serve_raw, serve_wsgi

from corsproof.probe import ProbeOptions, openapi_targets, probe_targets

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/items": {"get": {}, "post": {}},
        "/items/{id}": {
            "parameters": [{"name": "id", "in": "path", "schema": {"type": "integer"}}],
            "delete": {},
            "put": {},
            "patch": {},
        },
    },
}


def _spec(tmp_path: Path) -> str:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(SPEC))
    return str(path)


def test_only_safe_methods_are_sent(tmp_path: Path) -> None:
    recorder = Recorder()
    with serve_wsgi(recorder) as base:
        result = probe_targets(
            openapi_targets(_spec(tmp_path), base),
            ProbeOptions(origins=("https://app.example.com",), timeout=5, trust_env=False),
        )
    assert result.analysed == 5
    methods = {r.method for r in recorder.requests}
    assert methods <= {"GET", "HEAD", "OPTIONS"}, methods
    # the documented method is still asked about in the preflight
    asked = {r.headers.get("access-control-request-method") for r in recorder.requests}
    assert {"POST", "DELETE", "PUT", "PATCH"} <= asked
    assert {r.path for r in recorder.requests} == {"/items", "/items/1"}


def test_allow_method_lets_a_documented_method_through(tmp_path: Path) -> None:
    recorder = Recorder()
    with serve_wsgi(recorder) as base:
        probe_targets(
            openapi_targets(_spec(tmp_path), base),
            ProbeOptions(
                origins=("https://app.example.com",),
                timeout=5,
                trust_env=False,
                allow_methods=frozenset({"GET", "HEAD", "OPTIONS", "POST"}),
            ),
        )
    methods = {r.method for r in recorder.requests}
    assert methods == {"GET", "OPTIONS", "POST"}
    assert {r.path for r in recorder.requests if r.method == "POST"} == {"/items"}


def test_max_requests_bounds_the_whole_run() -> None:
    recorder = Recorder()
    with serve_wsgi(recorder) as base:
        result = probe_targets(
            [f"{base}/t{i}" for i in range(6)],
            ProbeOptions(
                origins=("https://app.example.com",),
                timeout=5,
                trust_env=False,
                max_requests=10,
                concurrency=2,
            ),
        )
    assert len(recorder.requests) <= 10
    assert result.requests_sent == len(recorder.requests)
    assert any("--max-requests (10)" in e.message for e in result.errors)
    assert result.skipped >= 1


def test_credentials_go_with_simple_requests_never_with_preflights() -> None:
    recorder = Recorder()
    with serve_wsgi(recorder) as base:
        probe_targets(
            [base + "/me"],
            ProbeOptions(
                origins=("https://app.example.com",),
                headers=(("X-API-Key", "k3y"),),
                cookie="session=abc",
                timeout=5,
                trust_env=False,
            ),
        )
    preflights = [r for r in recorder.requests if r.method == "OPTIONS"]
    simple = [r for r in recorder.requests if r.method == "GET"]
    assert preflights and simple
    assert all("x-api-key" not in r.headers and "cookie" not in r.headers for r in preflights)
    assert all(r.headers.get("x-api-key") == "k3y" for r in simple)
    assert all(r.headers.get("cookie") == "session=abc" for r in simple)
    # the origin header is the prober's, whatever -H says
    assert all("origin" in r.headers for r in recorder.requests)


def test_response_bodies_are_not_read_beyond_a_small_cap() -> None:
    sent = {"bytes": 0}
    total = 64 << 20

    def endless_body(conn: socket.socket, path: str, stop: threading.Event) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\n"
            + f"Content-Length: {total}\r\n\r\n".encode()
        )
        chunk = b"x" * 65536
        conn.settimeout(2)
        try:
            while sent["bytes"] < total and not stop.is_set():
                conn.sendall(chunk)
                sent["bytes"] += len(chunk)
        except OSError:
            pass

    with serve_raw(endless_body) as base:
        started = time.monotonic()
        result = probe_targets(
            [base + "/"], ProbeOptions(timeout=5, trust_env=False, max_requests=3)
        )
        elapsed = time.monotonic() - started
    assert [f.rule_id for f in result.findings] == ["CORS101"]
    assert sent["bytes"] < total // 4, sent
    assert elapsed < 5


def test_rate_limits_requests_per_host() -> None:
    recorder = Recorder()
    with serve_wsgi(recorder) as base:
        started = time.monotonic()
        result = probe_targets(
            [base + "/a"],
            ProbeOptions(origins=("https://app.example.com",), timeout=5, trust_env=False, rate=40),
        )
        elapsed = time.monotonic() - started
    sent = result.requests_sent
    assert sent == len(recorder.requests) > 5
    assert elapsed >= (sent - 1) / 40 * 0.9, (sent, elapsed)


def test_a_cookie_given_with_dash_h_is_the_cookie() -> None:
    recorder = Recorder()
    with serve_wsgi(recorder) as base:
        probe_targets(
            [base + "/me"],
            ProbeOptions(
                origins=("https://app.example.com",),
                headers=(("Cookie", "sid=1"), ("Origin", "https://ignored.example")),
                timeout=5,
                trust_env=False,
            ),
        )
    simple = [r for r in recorder.requests if r.method == "GET"]
    assert simple and all(r.headers.get("cookie") == "sid=1" for r in simple)
    assert all(r.headers.get("origin") != "https://ignored.example" for r in recorder.requests)
    assert all("cookie" not in r.headers for r in recorder.requests if r.method == "OPTIONS")
