"""The in-process transports: a WSGI or ASGI application called directly, without a server.

WSGI applications run in worker threads behind `httpx.WSGITransport`; ASGI applications run on
the prober's loop behind `httpx.ASGITransport`, with their lifespan started first and an
application that exits or raises turned into a `ProbeError` for that request only.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any

import httpx

from corsproof.probe._guard import AppFailure, describe, one_line
from corsproof.probe._transport import (
    BODY_CAP,
    USER_AGENT,
    HttpxTransport,
    ProbeError,
    Reply,
    Transport,
    describe_error,
    no_cookies,
)


class AppAborted(Exception):
    """The application ended a request with `SystemExit`, `KeyboardInterrupt` or the like."""


class WsgiTransport(Transport):
    """A WSGI application behind `httpx.WSGITransport`, driven by a sync client in worker threads."""

    in_process = True

    def __init__(self, app: Any, workers: int) -> None:
        self.client = httpx.Client(
            transport=httpx.WSGITransport(app=app, raise_app_exceptions=False),
            follow_redirects=False,
            cookies=no_cookies(),
            headers={"user-agent": USER_AGENT},
        )
        self.pool = ThreadPoolExecutor(
            max_workers=max(1, workers), thread_name_prefix="corsproof-wsgi"
        )

    def _send(self, method: str, url: str, headers: list[tuple[str, str]]) -> Reply:
        try:
            request = self.client.build_request(method, url, headers=headers)
            response = self.client.send(request, stream=True)
            try:
                read = 0
                for chunk in response.iter_raw():
                    read += len(chunk)
                    if read > BODY_CAP:
                        break
            finally:
                response.close()
        except Exception:
            raise
        except BaseException as exc:  # noqa: BLE001 - sys.exit() in a request ends no run
            # a worker thread receives no signal: a KeyboardInterrupt here is the application's
            raise AppAborted(f"the application {describe(exc)} while answering") from None
        return Reply(response.status_code, tuple(response.headers.multi_items()))

    async def send(self, method: str, url: str, headers: list[tuple[str, str]]) -> Reply:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.pool, self._send, method, url, headers)
        except AppAborted as exc:
            raise ProbeError(str(exc)) from exc
        except (httpx.HTTPError, ValueError) as exc:
            raise ProbeError(describe_error(exc)) from exc
        except Exception as exc:  # noqa: BLE001 - the application raised: one target's problem
            raise ProbeError(f"the application raised {type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.client.close()


class _Lifespan:
    """Runs an ASGI app's lifespan startup/shutdown around the probes, when it has one.

    As a server does: an application that raises an `Exception` before its first lifespan message
    does not support the protocol and is probed anyway; one that answers
    `lifespan.startup.failed`, or ends its startup with `SystemExit`, `KeyboardInterrupt` or
    another `BaseException`, is not probed (`start()` raises `AppFailure`)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.started = asyncio.Event()
        self.finished = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.failed = False
        self.failure: str | None = None  # why startup failed, when the app says or aborts

    async def _receive(self) -> dict[str, Any]:
        return await self.queue.get()

    async def _send(self, message: dict[str, Any]) -> None:
        kind = message.get("type", "")
        if kind.startswith("lifespan.startup"):
            self.failed = kind.endswith("failed")
            if self.failed and not self.started.is_set():
                self.failure = _last_line(str(message.get("message") or "")) or "no reason given"
            self.started.set()
        elif kind.startswith("lifespan.shutdown"):
            self.finished.set()

    async def _run(self) -> None:
        try:
            await self.app(
                {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                self._receive,
                self._send,
            )
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - an app without lifespan support raises here
            self.failed = True
        except BaseException as exc:  # noqa: BLE001 - sys.exit() in a startup ends no run
            self.failed = True
            if not self.started.is_set() and self.failure is None:
                self.failure = describe(exc)
        finally:
            self.started.set()
            self.finished.set()

    async def start(self, timeout: float) -> None:
        self.task = asyncio.ensure_future(self._run())
        await self.queue.put({"type": "lifespan.startup"})
        try:
            await asyncio.wait_for(self.started.wait(), timeout)
        except TimeoutError:
            self.failed = True
        if self.failure is not None:
            raise AppFailure(
                f"starting the application (ASGI lifespan) failed: {self.failure}: "
                "the application was not probed"
            )

    async def stop(self, timeout: float) -> None:
        if self.task is None:
            return
        if not self.task.done():
            await self.queue.put({"type": "lifespan.shutdown"})
            try:
                await asyncio.wait_for(self.finished.wait(), timeout)
            except TimeoutError:
                pass
        if not self.task.done():
            self.task.cancel()


def _last_line(text: str) -> str:
    """The last non-empty line of a (traceback) text: `SystemExit: 3`, `RuntimeError: no db`."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return one_line(lines[-1]) if lines else ""


_ABORTED: ContextVar[list[str] | None] = ContextVar("corsproof_app_aborted", default=None)


def _guarded_asgi(app: Any) -> Any:
    """`app`, with `SystemExit`/`KeyboardInterrupt`/other `BaseException`s of a request turned
    into an `Exception` (noted for `AsgiTransport.send`) instead of ending the event loop."""

    async def guarded(scope: Any, receive: Any, send: Any) -> None:
        try:
            await app(scope, receive, send)
        except (Exception, asyncio.CancelledError):
            raise
        except BaseException as exc:  # noqa: BLE001
            reason = f"the application {describe(exc)} while answering"
            box = _ABORTED.get()
            if box is not None:
                box.append(reason)
            raise AppAborted(reason) from None

    return guarded


class AsgiTransport(HttpxTransport):
    def __init__(self, app: Any, timeout: float) -> None:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=_guarded_asgi(app), raise_app_exceptions=False),
            follow_redirects=False,
            cookies=no_cookies(),
            headers={"user-agent": USER_AGENT},
            timeout=httpx.Timeout(timeout),
        )
        super().__init__(client, in_process=True)
        self.lifespan = _Lifespan(app)
        self.timeout = timeout

    async def send(self, method: str, url: str, headers: list[tuple[str, str]]) -> Reply:
        box: list[str] = []
        token = _ABORTED.set(box)
        try:
            reply = await super().send(method, url, headers)
        finally:
            _ABORTED.reset(token)
        if box:
            raise ProbeError(box[0])
        return reply

    async def start(self) -> None:
        await self.lifespan.start(self.timeout)

    async def aclose(self) -> None:
        await self.lifespan.stop(self.timeout)
        await super().aclose()


def in_process_transport(app: Any, *, asgi: bool, timeout: float, workers: int) -> Transport:
    return AsgiTransport(app, timeout) if asgi else WsgiTransport(app, workers)
