"""One async HTTP client interface (`Transport`), and its network implementation.

The in-process implementations (a WSGI/ASGI application called directly) are in `_in_process.py`.

The engine sees `Transport.send(method, url, headers) -> Reply`: status and headers only. Bodies
are streamed and dropped after a small cap (enough to keep a keep-alive connection reusable for
ordinary answers); redirects are never followed here; cookies are never stored.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import os
import ssl
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from corsproof._version import __version__
from corsproof.probe._guard import AppFailure

BODY_CAP = 64 * 1024
USER_AGENT = f"corsproof/{__version__} (+CORS probe)"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...]  # lower-cased names, in order, repeated names kept

    def get_all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name]

    def get(self, name: str) -> str | None:
        values = self.get_all(name)
        return values[0] if values else None


class ProbeError(Exception):
    """A request that produced no usable HTTP answer; `str()` is the user-facing reason."""


def no_cookies() -> httpx.Cookies:
    """A cookie jar that never stores a cookie: every probe carries only what the user gave."""
    return httpx.Cookies(
        http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    )


class TlsFileError(OSError):
    """A --cert/--key/--cacert file that cannot be used; `str()` names the option and the file."""


def _check_file(option: str, path: str) -> None:
    if not os.path.exists(path):
        raise TlsFileError(f"{option} {path}: no such file (check the path)")
    if not os.path.isfile(path):
        raise TlsFileError(f"{option} {path}: not a file (name the PEM file itself)")
    if not os.access(path, os.R_OK):
        raise TlsFileError(f"{option} {path}: not readable (check its permissions)")


def tls_context(
    *, cacert: str | None, cert: str | None, key: str | None, insecure: bool
) -> ssl.SSLContext:
    """Raises `OSError` (`TlsFileError`, naming the option and the file) for files that cannot be
    used: missing, unreadable, not PEM, or a key that does not match the certificate."""
    for option, path in (("--cacert", cacert), ("--cert", cert), ("--key", key)):
        if path:
            _check_file(option, path)
    try:
        context = ssl.create_default_context(cafile=cacert)
    except (ssl.SSLError, OSError) as exc:
        raise TlsFileError(
            f"--cacert {cacert}: not a PEM bundle of CA certificates ({_ssl_reason(exc)})"
        ) from exc
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if cert:
        try:
            context.load_cert_chain(cert, key)
        except (ssl.SSLError, OSError) as exc:
            files = f"--cert {cert}" + (f" with --key {key}" if key else "")
            hint = (
                "the key does not belong to the certificate"
                if "mismatch" in str(exc).lower()
                else "expected a PEM certificate"
                + (" and a PEM private key" if key else " followed by its private key (or --key)")
            )
            raise TlsFileError(f"{files}: {hint} ({_ssl_reason(exc)})") from exc
    return context


def _ssl_reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
    return " ".join(str(reason).split())


class Transport:
    in_process = False
    label = ""  # how errors name an in-process application (its --app spec)

    async def send(self, method: str, url: str, headers: list[tuple[str, str]]) -> Reply:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


class HttpxTransport(Transport):
    """An `httpx.AsyncClient`: to the network, or through `httpx.ASGITransport` to an ASGI app."""

    def __init__(self, client: httpx.AsyncClient, *, in_process: bool = False) -> None:
        self.client = client
        self.in_process = in_process

    async def send(self, method: str, url: str, headers: list[tuple[str, str]]) -> Reply:
        try:
            request = self.client.build_request(method, url, headers=headers)
            response = await self.client.send(request, stream=True)
            try:
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read > BODY_CAP:
                        break
            finally:
                await response.aclose()
        except (httpx.HTTPError, httpx.InvalidURL, ssl.SSLError, OSError, ValueError) as exc:
            raise ProbeError(describe_error(exc)) from exc
        return Reply(response.status_code, tuple(response.headers.multi_items()))

    async def aclose(self) -> None:
        await self.client.aclose()


class FailedTransport(Transport):
    """For a `FailedApp`: `start()` reports why, nothing is sent."""

    in_process = True

    def __init__(self, label: str, message: str) -> None:
        self.label = label
        self.message = message

    async def start(self) -> None:
        raise AppFailure(self.message)

    async def send(self, method: str, url: str, headers: list[tuple[str, str]]) -> Reply:
        raise ProbeError(self.message)


class NetworkTransport(Transport):
    """`httpx.AsyncClient`s to the network: per host, `per_host` clients of one connection each.

    A client per connection slot (rather than one client with a shared pool) keeps keep-alive
    connections and costs about half the CPU per request: httpcore's pool rescans every
    connection on every request. The clients of the least recently used hosts are closed when more
    than `MAX_HOSTS` hosts are open.
    """

    MAX_HOSTS = 64

    def __init__(
        self,
        *,
        context: Callable[[], ssl.SSLContext],
        timeout: float,
        per_host: int,
        trust_env: bool = True,
        has_cert: bool = False,
    ) -> None:
        self.context = context()
        self.diagnostic_context = context  # a fresh one: the diagnosis hooks into it
        self.has_cert = has_cert
        self.timeout = timeout
        self.per_host = max(1, per_host)
        self.trust_env = trust_env
        self.hosts: OrderedDict[str, _Slots] = OrderedDict()

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            verify=self.context,
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            cookies=no_cookies(),
            headers={"user-agent": USER_AGENT},
            trust_env=self.trust_env,
        )

    async def send(self, method: str, url: str, headers: list[tuple[str, str]]) -> Reply:
        try:
            key = _host_key(url)
        except ValueError as exc:
            raise ProbeError(describe_error(exc)) from exc
        slots = self.hosts.get(key)
        if slots is None:
            slots = self.hosts[key] = _Slots(self.per_host, self._client)
            await self._evict()
        self.hosts.move_to_end(key)
        client = await slots.acquire()
        try:
            return await HttpxTransport(client).send(method, url, headers)
        except ProbeError as exc:
            cause = exc.__cause__
            if key.startswith("https:") and isinstance(
                cause, (httpx.RemoteProtocolError, httpx.ReadError)
            ):
                # TLS 1.3 reports a refused client certificate only after the handshake: the
                # HTTP layer sees a closed connection; a bare TLS exchange shows the real alert
                found = await asyncio.to_thread(
                    _tls_diagnosis, url, self.diagnostic_context(), self.timeout, self.has_cert
                )
                if isinstance(found, TlsDiagnosis):
                    raise ProbeError(str(found)) from exc
                if found is not None:
                    raise ProbeError(describe_error(found)) from found
            raise
        finally:
            slots.release(client)

    async def _evict(self) -> None:
        while len(self.hosts) > self.MAX_HOSTS:
            idle = next((k for k, v in self.hosts.items() if v.busy == 0), None)
            if idle is None:
                return
            await self.hosts.pop(idle).aclose()

    async def aclose(self) -> None:
        hosts, self.hosts = self.hosts, OrderedDict()
        for slots in hosts.values():
            await slots.aclose()


class TlsDiagnosis(Exception):
    """What a bare TLS exchange showed about a connection the server closed without answering."""


def _tls_diagnosis(
    url: str, context: ssl.SSLContext, timeout: float, has_cert: bool
) -> TlsDiagnosis | ssl.SSLError | None:
    """Why a TLS server closed the connection without an HTTP answer, when TLS explains it.

    With TLS 1.3 a refused client certificate surfaces only after the handshake, and many servers
    then just close the connection: the HTTP layer sees an empty answer. OpenSSL's message hook
    shows whether the server asked for a certificate in the handshake.
    """
    import socket

    parts = urlsplit(url)
    host = parts.hostname or ""
    requested: list[bool] = []

    def hook(*args: Any) -> None:
        _conn, direction, _version, content_type, msg_type, _data = args
        if direction == "read" and content_type == ssl._TLSContentType.HANDSHAKE:  # type: ignore[attr-defined]
            if msg_type == ssl._TLSMessageType.CERTIFICATE_REQUEST:  # type: ignore[attr-defined]
                requested.append(True)

    try:
        context._msg_callback = hook  # type: ignore[attr-defined]
    except (AttributeError, TypeError):
        pass
    try:
        with socket.create_connection((host, parts.port or 443), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                tls.sendall(f"HEAD / HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
                answer = tls.recv(1)
    except ssl.SSLError as exc:
        return exc
    except (OSError, ValueError):
        answer = b""
    if answer or not requested:
        return None
    if has_cert:
        return TlsDiagnosis(
            "TLS error: the server asked for a client certificate and closed the connection "
            "after receiving --cert (not accepted by the server?)"
        )
    return TlsDiagnosis(
        "TLS error: the server requires a client certificate (pass --cert/--key): it asked for "
        "one in the handshake and closed the connection without an answer"
    )


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port}"


class _Slots:
    """Up to `size` one-connection clients for one host, handed out one request at a time."""

    def __init__(self, size: int, make: Callable[[], httpx.AsyncClient]) -> None:
        self.size = size
        self.make = make
        self.free: list[httpx.AsyncClient] = []
        self.made = 0
        self.busy = 0
        self.waiting: deque[asyncio.Future[httpx.AsyncClient]] = deque()

    async def acquire(self) -> httpx.AsyncClient:
        self.busy += 1
        if self.free:
            return self.free.pop()
        if self.made < self.size:
            self.made += 1
            return self.make()
        future: asyncio.Future[httpx.AsyncClient] = asyncio.get_running_loop().create_future()
        self.waiting.append(future)
        try:
            return await future
        except BaseException:
            if future.done() and not future.cancelled():
                self.release(future.result())  # handed over just as we were cancelled
                self.busy += 1
            self.busy -= 1
            raise

    def release(self, client: httpx.AsyncClient) -> None:
        self.busy -= 1
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_result(client)
                return
        self.free.append(client)

    async def aclose(self) -> None:
        for client in self.free:
            await client.aclose()
        self.free.clear()


def network_transport(
    *,
    context: Callable[[], ssl.SSLContext],
    timeout: float,
    per_host: int,
    trust_env: bool = True,
    has_cert: bool = False,
) -> NetworkTransport:
    """`context` makes the TLS context (called once, and again for a diagnosis)."""
    return NetworkTransport(
        context=context,
        timeout=timeout,
        per_host=per_host,
        trust_env=trust_env,
        has_cert=has_cert,
    )


# ------------------------------------------------------------------------------ error messages

_TLS_HINTS: tuple[tuple[tuple[str, ...], Callable[[str], str]], ...] = (
    (
        ("certificate_required", "certificate required", "alert_certificate_required"),
        lambda m: "TLS error: the server requires a client certificate (pass --cert/--key): " + m,
    ),
    (
        ("certificate_verify_failed", "certificate verify failed"),
        lambda m: (
            "TLS error: the server's certificate cannot be verified "
            "(pass --cacert, or --insecure to skip verification): " + m
        ),
    ),
    (
        ("alert_bad_certificate", "bad certificate", "unknown_ca", "unknown ca"),
        lambda m: "TLS error: the server rejected the client certificate: " + m,
    ),
    (
        ("handshake", "wrong version number", "ssl"),
        lambda m: "TLS error: " + m,
    ),
)


def _chain(exc: BaseException) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text = str(current).strip()
        if text and text not in parts:
            parts.append(text)
        current = current.__cause__ or current.__context__
    return "; ".join(parts) or type(exc).__name__


def describe_error(exc: BaseException) -> str:
    """A short, user-facing reason for a failed request."""
    text = _chain(exc)
    low = text.lower()
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    for needles, build in _TLS_HINTS:
        if any(n in low for n in needles) and (
            "ssl" in low or "tls" in low or "certificate" in low
        ):
            return build(text)
    if "receive buffer too long" in low or "too large" in low or "too long" in low:
        return f"response headers too large: {text}"
    if isinstance(exc, httpx.RemoteProtocolError):
        if "without sending" in low or "disconnected" in low:
            return f"the server closed the connection without an answer: {text}"
        return f"invalid HTTP response: {text}"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {text}"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)) or "reset" in low:
        return f"connection error: {text}"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"unsupported URL: {text}"
    return f"{type(exc).__name__}: {text}"
