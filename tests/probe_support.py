"""Real servers on 127.0.0.1 for the probe tests, each started and stopped by its test.

- `serve_asgi(app)`: uvicorn `Server` in a thread (optionally TLS, optionally requiring a client
  certificate), stopped with `should_exit`;
- `serve_wsgi(app)`: werkzeug's threaded `make_server` in a thread, stopped with `shutdown()`;
- `serve_raw(handler)`: a bare socket server whose `handler(conn, path, stop)` misbehaves as told;
- `Recorder`: a WSGI app that records every request (method, path, headers) it gets.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
import uvicorn
from werkzeug.serving import make_server

logging.getLogger("werkzeug").setLevel(logging.ERROR)


@contextmanager
def serve_asgi(
    app: Any,
    *,
    certfile: str | None = None,
    keyfile: str | None = None,
    ca_certs: str | None = None,
    require_client_cert: bool = False,
) -> Iterator[str]:
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="error",
        lifespan="off",
        access_log=False,
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        ssl_ca_certs=ca_certs,
        ssl_cert_reqs=ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_NONE,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    scheme = "https" if certfile else "http"
    try:
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Pki:
    """A test CA (trustme) and what the probe tests need from it, as files and as a server
    context: a certificate for 127.0.0.1/localhost, a client certificate, one for another name."""

    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA()
        self.ca_file = directory / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        server = self.ca.issue_cert("127.0.0.1", "localhost")
        self.server_cert, self.server_key = _write(server, directory, "server")
        self.server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.configure_cert(self.server_context)
        # ask every client for a certificate, and record whether one came
        self.ca.configure_trust(self.server_context)
        self.server_context.verify_mode = ssl.CERT_OPTIONAL
        client = self.ca.issue_cert("client@example.org")
        self.client_cert, self.client_key = _write(client, directory, "client")
        # a certificate for another name, from the same CA
        other = self.ca.issue_cert("other.example")
        self.other_cert, self.other_key = _write(other, directory, "other")


def _write(cert: trustme.LeafCert, directory: Path, name: str) -> tuple[Path, Path]:
    pem, key = directory / f"{name}.pem", directory / f"{name}.key"
    cert.cert_chain_pems[0].write_to_path(str(pem))
    cert.private_key_pem.write_to_path(str(key))
    return pem, key


RawHandler = Callable[[socket.socket, str, threading.Event], None]


def _read_head(conn: socket.socket) -> str:
    """The request line's path ('' when the client sent nothing usable)."""
    data = b""
    conn.settimeout(2)
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        return ""
    parts = data.split(b"\r\n", 1)[0].split()
    return parts[1].decode("latin-1") if len(parts) >= 2 else ""


@contextmanager
def accepting(
    serve: Callable[[socket.socket], None], stop: threading.Event | None = None
) -> Iterator[int]:
    """A listening socket on 127.0.0.1 whose connections are each handed to `serve` in a thread
    of their own; yields the port. On the way out `stop` is set (so that handlers waiting on it
    end) before everything is joined."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.05)
    stop = stop or threading.Event()
    workers: list[threading.Thread] = []

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=serve, args=(conn,), daemon=True)
            worker.start()
            workers.append(worker)

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        for worker in workers:
            worker.join(timeout=5)


@contextmanager
def serve_raw(handler: RawHandler, *, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """A socket server: each connection's request head is read, then `handler` answers (or not)."""
    stop = threading.Event()

    def serve_one(conn: socket.socket) -> None:
        try:
            if tls is not None:
                try:
                    conn = tls.wrap_socket(conn, server_side=True)
                except (OSError, ssl.SSLError):
                    return
            handler(conn, _read_head(conn), stop)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    with accepting(serve_one, stop) as port:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Recorder:
    """A WSGI app that grants the arbitrary origin nothing and records every request."""

    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        with self.lock:
            self.requests.append(
                Recorded(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), headers)
            )
        origin = headers.get("origin")
        out = [("Content-Type", "text/plain"), ("Vary", "Origin")]
        if origin == "https://app.example.com":
            out.append(("Access-Control-Allow-Origin", origin))
        start_response("200 OK", out)
        return [b"ok"]


# ------------------------------------------------------------------------ running the prober


def ids_by_path(result: Any, base: str) -> dict[str, set[str]]:
    """`{path: {rule ids}}` for the GET targets under `base`."""
    from corsproof.probe import findings_by_target

    return {
        url.removeprefix(base): ids
        for (url, method), ids in findings_by_target(result).items()
        if method == "GET"
    }


def run_probe(
    app: Any,
    paths: Any,
    mode: str,
    *,
    serve: Callable[[Any], Any],
    origins: tuple[str, ...] = ("https://www.example.com",),
    **options: Any,
) -> tuple[Any, str]:
    """Probe `paths` of `app` in-process, or through a real server on 127.0.0.1 (`serve`)."""
    from corsproof.findings import Target
    from corsproof.probe import ProbeOptions, probe_targets

    opts = ProbeOptions(origins=origins, timeout=5, trust_env=False, **options)
    if mode == "in-process":
        base = "http://localhost"
        return probe_targets([Target(base + p) for p in paths], opts, app=app), base
    with serve(app) as base:
        return probe_targets([Target(base + p) for p in paths], opts), base


def assert_no_errors(result: Any) -> None:
    assert not result.errors, [(e.path, e.message) for e in result.errors]
