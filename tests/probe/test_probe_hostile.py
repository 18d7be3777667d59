"""Hostile servers: each one is a per-target error within the timeout, and the other targets are
still probed and reported."""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import trustme
from probe_apps import TRUSTED, handwritten_app
from probe_support import serve_raw, serve_wsgi

from corsproof.findings import Target
from corsproof.probe import ProbeOptions, probe_targets

TIMEOUT = 1.0


def never_answers(conn: socket.socket, path: str, stop: threading.Event) -> None:
    stop.wait(10)


def drips_headers(conn: socket.socket, path: str, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    while not stop.is_set():
        conn.sendall(b"X")  # one byte of a header every 0.2 s: never a complete answer
        stop.wait(0.2)


def resets(conn: socket.socket, path: str, stop: threading.Event) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def huge_header(conn: socket.socket, path: str, stop: threading.Event) -> None:
    head = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nX-Big: " + b"a" * (1 << 20)
    try:
        conn.sendall(head + b"\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        pass


def invalid_http(conn: socket.socket, path: str, stop: threading.Event) -> None:
    conn.sendall(b"this is not HTTP at all\r\n\r\n")


def redirect_loop(conn: socket.socket, path: str, stop: threading.Event) -> None:
    there = "/b" if path != "/b" else "/a"
    conn.sendall(
        f"HTTP/1.1 302 Found\r\nLocation: {there}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
    )


def endless_redirects(conn: socket.socket, path: str, stop: threading.Event) -> None:
    step = int(path.rsplit("/", 1)[-1] or 0) if path.rsplit("/", 1)[-1].isdigit() else 0
    conn.sendall(
        f"HTTP/1.1 307 Temporary Redirect\r\nLocation: /r/{step + 1}\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
    )


def other_host(conn: socket.socket, path: str, stop: threading.Event) -> None:
    conn.sendall(
        b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://elsewhere.example/\r\n"
        b"Access-Control-Allow-Origin: *\r\nContent-Length: 0\r\n\r\n"
    )


def tls_answer(conn: socket.socket, path: str, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 0\r\n\r\n")


HOSTILE = {
    "never answers": (never_answers, "timed out"),
    "drips headers": (drips_headers, "timed out"),
    "resets": (resets, ""),
    "1 MB header": (huge_header, ""),
    "invalid HTTP": (invalid_http, "invalid HTTP"),
    "redirect loop": (redirect_loop, "redirect loop"),
    "endless redirects": (endless_redirects, "more than 5 redirects"),
    "redirect to another host": (other_host, "another host"),
}


@pytest.fixture
def wrong_tls(tmp_path: Path) -> Iterator[str]:
    """A TLS server whose certificate comes from a CA the client does not trust."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    with serve_raw(tls_answer, tls=context) as base:
        yield base


def test_each_hostile_server_is_a_per_target_error_and_the_others_are_probed(
    wrong_tls: str,
) -> None:
    with ExitStack() as stack:
        bases = {name: stack.enter_context(serve_raw(h)) for name, (h, _) in HOSTILE.items()}
        good = stack.enter_context(serve_wsgi(handwritten_app))
        targets = [Target(f"{base}/a") for base in bases.values()]
        targets.insert(len(targets) // 2, Target(good + "/echo-creds"))
        targets.append(Target(wrong_tls + "/"))
        targets.append(Target(good + "/null"))
        started = time.monotonic()
        result = probe_targets(
            targets,
            ProbeOptions(origins=(TRUSTED,), timeout=TIMEOUT, trust_env=False, concurrency=16),
        )
        elapsed = time.monotonic() - started
    errors = {e.path: e.message for e in result.errors}
    for name, (_, words) in HOSTILE.items():
        message = errors.get(f"{bases[name]}/a")
        assert message is not None, f"{name}: no error ({errors})"
        assert words.lower() in message.lower(), (name, message)
    assert "certificate" in errors[wrong_tls + "/"]
    assert len(errors) == len(HOSTILE) + 1
    found = {(f.target.url if f.target else "", f.rule_id) for f in result.findings}
    assert found == {(good + "/echo-creds", "CORS102"), (good + "/null", "CORS103")}
    assert result.analysed == 2
    # every hostile target gives up after one request bounded by the timeout; all run at once
    assert elapsed < 6 * TIMEOUT, elapsed


def test_a_dead_port_is_a_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        result = probe_targets(
            [f"http://127.0.0.1:{port}/"], ProbeOptions(timeout=TIMEOUT, trust_env=False)
        )
    (error,) = result.errors
    assert "connect" in error.message.lower()
    assert result.analysed == 0
