"""Redirects: followed only within the target's origin (scheme, host, port), never from https to
http, at most 5 times; the API key, the cookie and the client certificate never reach another
server; a redirect that is not followed is an error naming its target; findings and evidence name
the URL that answered.

Every server here is a real socket server on 127.0.0.1 that records each connection and each
request (headers, and whether a client certificate came with the TLS handshake). A TLS server
also records a cleartext request sent to its port: that is what a followed https → http redirect
to the same port would look like.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from probe_support import Pki, accepting

from corsproof.cli import main
from corsproof.probe import ProbeOptions, probe_targets
from corsproof.probe._plan import MAX_REDIRECTS, redirect_refusal

TRUSTED = "https://app.example.com"
KEY, COOKIE = "s3cret-api-key", "session=c00kie"

Answer = Callable[[str, dict[str, str]], tuple[int, list[tuple[str, str]]]]


@dataclass
class Seen:
    scheme: str  # how the request arrived: "https", or "http" (cleartext, also on a TLS port)
    method: str
    path: str
    headers: dict[str, str]
    client_cert: bool


@dataclass
class Server:
    base: str
    port: int
    connections: int = 0
    requests: list[Seen] = field(default_factory=list)

    @property
    def secrets_seen(self) -> bool:
        return any(
            r.headers.get("x-api-key") == KEY or COOKIE in r.headers.get("cookie", "")
            for r in self.requests
        )


def _read_request(conn: socket.socket) -> tuple[str, str, dict[str, str]] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
        if len(data) > 65536:
            return None
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    parts = head[0].split()
    if len(parts) < 2:
        return None
    headers: dict[str, str] = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return parts[0], parts[1], headers


@contextmanager
def recording_server(answer: Answer, *, tls: ssl.SSLContext | None = None) -> Iterator[Server]:
    """Answers every request of a connection (keep-alive) and records it; with `tls`, a plain
    HTTP request on the same port is recorded and refused (400)."""
    server = Server("", 0)
    lock = threading.Lock()
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with lock:
            server.connections += 1
        conn.settimeout(3)
        scheme, cert = "http", False
        try:
            if tls is not None:
                first = conn.recv(1, socket.MSG_PEEK)
                if first == b"\x16":  # a TLS ClientHello
                    conn = tls.wrap_socket(conn, server_side=True)
                    scheme, cert = "https", bool(conn.getpeercert())  # type: ignore[attr-defined]
            while not stop.is_set():
                request = _read_request(conn)
                if request is None:
                    return
                method, path, headers = request
                with lock:
                    server.requests.append(Seen(scheme, method, path, headers, cert))
                if tls is not None and scheme == "http":
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    return
                status, extra = answer(path, headers)
                lines = [f"HTTP/1.1 {status} X", *(f"{k}: {v}" for k, v in extra)]
                conn.sendall(("\r\n".join([*lines, "Content-Length: 0", "", ""])).encode())
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    with accepting(serve, stop) as port:
        server.base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        server.port = port
        yield server


def redirecting(routes: dict[str, str], *, echo: bool = False) -> Answer:
    """Paths in `routes` answer 302 to their URL; others grant the trusted origin (or echo any)."""

    def answer(path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
        if path in routes:
            return 302, [("Location", routes[path])]
        origin = headers.get("origin", "")
        out = [("Vary", "Origin")]
        if echo or origin == TRUSTED:
            out += [("Access-Control-Allow-Origin", origin)]
            if echo:
                out += [("Access-Control-Allow-Credentials", "true")]
        return 200, out

    return answer


def options(**extra: object) -> ProbeOptions:
    return ProbeOptions(
        origins=(TRUSTED,),
        headers=(("X-API-Key", KEY),),
        cookie=COOKIE,
        timeout=3,
        trust_env=False,
        **extra,  # type: ignore[arg-type]
    )


def pki_options(pki: Pki, **extra: object) -> ProbeOptions:
    return options(
        cacert=str(pki.ca_file), cert=str(pki.client_cert), key=str(pki.client_key), **extra
    )


@contextmanager
def origin_and_elsewhere() -> Iterator[tuple[Server, Server]]:
    """The target server, whose `/jump` redirects to `elsewhere`: a recorder on another port."""
    with recording_server(redirecting({})) as elsewhere:
        with recording_server(redirecting({"/jump": elsewhere.base + "/landing"})) as origin:
            yield origin, elsewhere


# ------------------------------------------------------------------------------------ the policy


@pytest.mark.parametrize(
    "current, following, refusal",
    [
        ("http://h.example/a", "http://h.example/b", None),
        ("http://h.example/a", "http://H.EXAMPLE:80/b", None),  # default port, host case
        ("https://h.example/a", "https://h.example:443/b?x=1", None),
        ("http://h.example:8000/a", "http://h.example:8001/b", "another origin"),
        ("http://h.example/a", "https://h.example/b", "another origin"),  # even an upgrade
        ("https://h.example/a", "http://h.example/b", "downgrade"),
        ("https://h.example:8443/a", "http://h.example:8443/b", "downgrade"),
        ("http://h.example/a", "http://other.example/b", "another host"),
        ("http://h.example/a", "ftp://h.example/b", "not an absolute http"),
        ("http://h.example/a", "http://h.example:99999/b", "not a valid URL"),
        ("http://h.example/a", "http://[::1/b", "not a valid URL"),
        ("http://h.example/a", "//h.example:8080/b", "another origin"),  # scheme-relative
    ],
)
def test_redirect_policy(current: str, following: str, refusal: str | None) -> None:
    found = redirect_refusal(current, following)
    if refusal is None:
        assert found is None
    else:
        assert found is not None and refusal in found


# ------------------------------------------------------------------------------- real servers


def test_the_issue_another_port_of_the_same_host_gets_nothing() -> None:
    """302 to http://127.0.0.1:<other port>/landing: not followed, nothing reaches that port."""
    with origin_and_elsewhere() as (origin, elsewhere):
        result = probe_targets([origin.base + "/jump"], options())
    assert elsewhere.connections == 0 and elsewhere.requests == []
    # the target itself got the secrets (once: the baseline)
    assert [r.path for r in origin.requests] == ["/jump"]
    assert origin.secrets_seen
    (error,) = result.errors
    assert error.path == origin.base + "/jump"
    assert "redirect not followed" in error.message
    assert elsewhere.base + "/landing" in error.message
    assert "another origin" in error.message
    assert result.findings == [] and result.analysed == 0


def test_a_redirect_later_in_the_plan_is_never_followed() -> None:
    """A server that redirects only the attacker's requests elsewhere: never followed either."""
    with recording_server(redirecting({})) as elsewhere:

        def answer(path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
            if headers.get("origin") != TRUSTED:
                return 307, [("Location", elsewhere.base + path)]
            return 200, [("Access-Control-Allow-Origin", TRUSTED), ("Vary", "Origin")]

        with recording_server(answer) as origin:
            result = probe_targets([origin.base + "/data"], options())
    assert elsewhere.connections == 0
    assert len(origin.requests) > 5
    assert result.analysed == 1 and result.findings == []


def test_same_origin_redirects_are_followed_and_findings_name_the_url_that_answered() -> None:
    with recording_server(redirecting({"/old": "/mid", "/mid": "/new"}, echo=True)) as origin:
        result = probe_targets([origin.base + "/old"], options())
    assert not result.errors
    (finding,) = result.findings
    assert finding.rule_id == "CORS102"
    assert finding.target is not None and finding.target.url == origin.base + "/new"
    assert finding.evidence is not None
    assert finding.evidence["request"]["url"] == origin.base + "/new"
    paths = [r.path for r in origin.requests]
    assert paths[:3] == ["/old", "/mid", "/new"] and set(paths[3:]) == {"/new"}
    # the same server: the credentials go with every simple request, as without a redirect
    assert all(r.headers.get("x-api-key") == KEY for r in origin.requests if r.method == "GET")


def test_at_most_five_redirects_are_followed() -> None:
    hops = {f"/r/{i}": f"/r/{i + 1}" for i in range(MAX_REDIRECTS)}
    too_many = {f"/s/{i}": f"/s/{i + 1}" for i in range(MAX_REDIRECTS + 1)}
    with recording_server(redirecting(hops | too_many, echo=True)) as origin:
        result = probe_targets([origin.base + "/r/0", origin.base + "/s/0"], options())
    assert MAX_REDIRECTS == 5
    assert [f.target.url for f in result.findings if f.target] == [origin.base + "/r/5"]
    (error,) = result.errors
    assert error.path == origin.base + "/s/0" and "more than 5 redirects" in error.message
    assert f"/s/{MAX_REDIRECTS + 1}" not in {r.path for r in origin.requests}


@pytest.mark.parametrize("port", ["same", "other"])
def test_https_to_http_is_never_followed(pki: Pki, port: str) -> None:
    """Neither to the same port (a cleartext request there would be recorded) nor another one."""
    with recording_server(redirecting({})) as plain:
        table: dict[str, str] = {}
        with recording_server(redirecting(table), tls=pki.server_context) as origin:
            table["/down"] = (
                f"http://127.0.0.1:{origin.port}/landing"
                if port == "same"
                else plain.base + "/landing"
            )
            result = probe_targets([origin.base + "/down"], pki_options(pki))
    assert [(r.scheme, r.path) for r in origin.requests] == [("https", "/down")]
    assert plain.connections == 0
    (error,) = result.errors
    assert "downgrade from https to http" in error.message
    assert "/landing" in error.message


def test_client_certificate_and_secrets_go_only_to_the_target_origin(pki: Pki) -> None:
    with recording_server(redirecting({}), tls=pki.server_context) as elsewhere:
        table: dict[str, str] = {}
        with recording_server(redirecting(table), tls=pki.server_context) as origin:
            table["/jump"] = elsewhere.base + "/landing"
            # the same server under another host name is another origin too
            table["/rename"] = f"https://localhost:{origin.port}/landing"
            result = probe_targets(
                [origin.base + "/jump", origin.base + "/rename"], pki_options(pki)
            )
    # the target got the certificate and the secrets: the set-up works
    assert origin.requests and all(r.client_cert for r in origin.requests)
    assert origin.secrets_seen
    assert "/landing" not in {r.path for r in origin.requests}
    assert elsewhere.connections == 0
    errors = {e.path.removeprefix(origin.base): e.message for e in result.errors}
    assert set(errors) == {"/jump", "/rename"}
    assert "another origin" in errors["/jump"]
    assert "another host" in errors["/rename"]


def test_cli_reports_the_redirect_that_was_not_followed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with origin_and_elsewhere() as (origin, elsewhere):
        code = main(
            [
                "probe", origin.base + "/jump", "-H", f"X-API-Key: {KEY}", "--cookie", COOKIE,
                "--origin", TRUSTED, "--format", "json", "--no-progress", "--timeout", "3",
            ]
        )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2
    assert elsewhere.connections == 0
    (error,) = json.loads(out)["errors"]
    assert error["path"] == origin.base + "/jump"
    assert error["message"].startswith(f"redirect not followed: 302 to {elsewhere.base}/landing")
    assert len(err.strip().splitlines()) == 1
