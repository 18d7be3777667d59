"""`--isolate`: the in-process application imported and run in a child process.

In-process probing runs the application's code inside corsproof; `corsproof.probe._guard` contains
everything that code may raise, but `os._exit()` (or a crash of a C extension) ends the process
at once. With isolation, a child Python (the same interpreter and environment, `-P`: no current
directory on `sys.path`) imports the application, starts it and answers the requests; corsproof
talks to it over a pipe, one JSON object per line:

    child → parent   {"event": "loaded", "asgi": true}  |  {"event": "usage"|"failed", "message"}
    parent → child   {"start": {"timeout": 10.0, "workers": 32}}
    child → parent   {"event": "started"}  |  {"event": "failed", "message": "..."}
    parent → child   {"id": 1, "method": "GET", "url": "...", "headers": [["Origin", "..."]]}
    child → parent   {"id": 1, "status": 200, "headers": [...]}  |  {"id": 1, "error": "..."}

The child's own stdout is redirected to its stderr (what the application prints goes where its
logs go) and its stdin is `/dev/null`; the pipe uses duplicates of the original descriptors. When
the child ends — `os._exit()` while importing, starting or answering — the parent reports that
for the application (nothing imported: not probed) or for the requests it was answering, and goes
on. Closing the pipe ends the child; it is killed if it has not ended a few seconds later, and
when corsproof exits. The trade-off: a second Python process (its start-up and the application's
import, typically a fraction of a second to a few seconds), and every request crosses a pipe.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import weakref
from typing import IO, Any

from corsproof.probe._guard import AppFailure, one_line
from corsproof.probe._transport import ProbeError, Reply, Transport

STOP_GRACE = 5.0  # seconds the child gets to run its shutdown after the pipe is closed


def _ended(code: int | None) -> str:
    if code is None:
        return "the application process stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"the application process was killed by {name}"
    return f"the application process exited with code {code}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Close the pipe, give the child `STOP_GRACE` seconds, then kill it."""
    if process.poll() is not None:
        return
    try:
        if process.stdin is not None:
            process.stdin.close()
    except OSError:
        pass
    try:
        process.wait(STOP_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class IsolatedApp:
    """An application imported in a child process, ready to be started and probed (once)."""

    def __init__(self, spec: str, process: subprocess.Popen[bytes], asgi: bool) -> None:
        self.spec = spec
        self.process = process
        self.asgi = asgi
        self._finalizer = weakref.finalize(self, _stop, process)

    @classmethod
    def start(cls, spec: str, directory: str) -> Any:
        """The child with the application imported: an `IsolatedApp`, or a `FailedApp`.

        Raises `TargetSourceError` for what the command line got wrong, as `load_app` does."""
        from corsproof.probe._targets import FailedApp, TargetSourceError

        process = subprocess.Popen(
            [
                sys.executable,
                "-P",
                "-c",
                "from corsproof.probe._isolate import child_main; child_main()",
                spec,
                directory,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,  # Ctrl-C goes to corsproof, which then ends the child
        )
        assert process.stdout is not None
        try:
            line = process.stdout.readline()
        except BaseException:
            process.kill()
            process.wait()
            raise
        message = _decode(line)
        if message is None:
            _stop(process)
            return FailedApp(
                spec,
                f"importing {spec} in a child process (--isolate): "
                f"{_ended(process.returncode)}: the application was not probed",
            )
        if message.get("event") != "loaded":
            _stop(process)
            text = one_line(str(message.get("message") or "unknown failure"))
            if message.get("event") == "usage":
                raise TargetSourceError(text)
            return FailedApp(spec, text)
        return cls(spec, process, bool(message.get("asgi")))


def _decode(line: bytes) -> dict[str, Any] | None:
    if not line:
        return None
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


class IsolatedTransport(Transport):
    """Requests to an `IsolatedApp`'s child; an ended child fails its requests, not the run."""

    in_process = True

    def __init__(self, app: IsolatedApp, *, timeout: float, workers: int) -> None:
        self.app = app
        self.process = app.process
        self.label = app.spec
        self.timeout = timeout
        self.workers = workers
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.next_id = 0
        self.dead: str | None = None
        self.control: asyncio.Future[dict[str, Any]] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.reader: threading.Thread | None = None

    # ------------------------------------------------------------------ the pipe
    def _write(self, message: dict[str, Any]) -> None:
        stdin = self.process.stdin
        if stdin is None or stdin.closed:
            raise BrokenPipeError
        stdin.write(json.dumps(message).encode() + b"\n")
        stdin.flush()

    def _read(self) -> None:
        """Reader thread: hands every line to the event loop; at the end, the exit code."""
        stdout = self.process.stdout
        assert stdout is not None and self.loop is not None
        try:
            for line in stdout:
                self.loop.call_soon_threadsafe(self._dispatch, line)
        except (OSError, ValueError):
            pass
        try:
            code: int | None = self.process.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            code = None
        try:
            self.loop.call_soon_threadsafe(self._ended, code)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    def _dispatch(self, line: bytes) -> None:
        message = _decode(line)
        if message is None:
            return
        if "id" in message:
            future = self.pending.pop(message["id"], None)
            if future is not None and not future.done():
                future.set_result(message)
        elif self.control is not None and not self.control.done():
            self.control.set_result(message)

    def _ended(self, code: int | None) -> None:
        self.dead = _ended(code)
        for future in self.pending.values():
            if not future.done():
                future.set_exception(ProbeError(f"{self.dead} while answering"))
        self.pending.clear()
        if self.control is not None and not self.control.done():
            self.control.set_result(
                {
                    "event": "failed",
                    "message": f"starting {self.label} in a child process (--isolate): "
                    f"{self.dead}: the application was not probed",
                }
            )

    # ------------------------------------------------------------------ Transport
    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.control = self.loop.create_future()
        self.reader = threading.Thread(
            target=self._read, name="corsproof-isolate-reader", daemon=True
        )
        self.reader.start()
        try:
            self._write({"start": {"timeout": self.timeout, "workers": self.workers}})
        except OSError:
            pass  # the child is gone: the reader reports how
        message = await self.control
        if message.get("event") != "started":
            raise AppFailure(one_line(str(message.get("message") or "unknown failure")))

    async def send(self, method: str, url: str, headers: list[tuple[str, str]]) -> Reply:
        if self.dead is not None:
            raise ProbeError(f"{self.dead} earlier: not sent")
        assert self.loop is not None
        self.next_id += 1
        ident = self.next_id
        future: asyncio.Future[dict[str, Any]] = self.loop.create_future()
        self.pending[ident] = future
        try:
            self._write({"id": ident, "method": method, "url": url, "headers": headers})
            message = await future
        except OSError:
            raise ProbeError(
                f"{self.dead or 'the application process is gone'}: not sent"
            ) from None
        finally:
            self.pending.pop(ident, None)
        if "error" in message:
            raise ProbeError(one_line(str(message["error"])))
        return Reply(
            int(message["status"]),
            tuple((str(k), str(v)) for k, v in message.get("headers") or ()),
        )

    async def aclose(self) -> None:
        await asyncio.to_thread(_stop, self.process)
        if self.reader is not None:
            await asyncio.to_thread(self.reader.join, STOP_GRACE)
        self.app._finalizer.detach()


# ---------------------------------------------------------------------------------- the child


class _Pipe:
    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.lock = threading.Lock()

    def write(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode() + b"\n"
        with self.lock:
            self.out.write(data)
            self.out.flush()


def child_main() -> None:
    """The child: import (guarded, as in-process), report, start on request, answer, exit."""
    spec, directory = sys.argv[1], sys.argv[2]
    # the pipe keeps the original descriptors; the application's prints go to stderr
    pipe = _Pipe(os.fdopen(os.dup(1), "wb"))
    requests = os.fdopen(os.dup(0), "rb")
    os.dup2(2, 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    code = 0
    try:
        _child(spec, directory, pipe, requests)
    except BaseException as exc:  # noqa: BLE001 - reported, then the child ends
        code = 70
        try:
            pipe.write({"event": "failed", "message": f"internal error: {exc!r}"})
        except (OSError, ValueError):
            pass
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os._exit(code)  # the application's threads must not keep the child alive


def _child(spec: str, directory: str, pipe: _Pipe, requests: IO[bytes]) -> None:
    from corsproof.probe._targets import FailedApp, TargetSourceError, is_asgi, load_app, unwrap

    try:
        app = load_app(spec, directory)
    except TargetSourceError as exc:
        pipe.write({"event": "usage", "message": str(exc)})
        return
    if isinstance(app, FailedApp):
        pipe.write({"event": "failed", "message": app.message})
        return
    asgi = is_asgi(app)
    pipe.write({"event": "loaded", "asgi": asgi})
    line = requests.readline()
    message = _decode(line)
    if message is None or not isinstance(message.get("start"), dict):
        return
    options = message["start"]
    asyncio.run(
        _serve(
            unwrap(app),
            asgi=asgi,
            timeout=float(options.get("timeout") or 10.0),
            workers=int(options.get("workers") or 1),
            pipe=pipe,
            requests=requests,
        )
    )


async def _serve(
    app: Any, *, asgi: bool, timeout: float, workers: int, pipe: _Pipe, requests: IO[bytes]
) -> None:
    from corsproof.probe._in_process import in_process_transport

    transport = in_process_transport(app, asgi=asgi, timeout=timeout, workers=workers)
    try:
        start = getattr(transport, "start", None)
        if start is not None:
            try:
                await start()
            except AppFailure as exc:
                pipe.write({"event": "failed", "message": str(exc)})
                return
        pipe.write({"event": "started"})
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()

        def read() -> None:
            for line in requests:
                loop.call_soon_threadsafe(queue.put_nowait, line)
            loop.call_soon_threadsafe(queue.put_nowait, None)

        threading.Thread(target=read, name="corsproof-isolate-requests", daemon=True).start()
        tasks: set[asyncio.Task[None]] = set()

        async def answer(request: dict[str, Any]) -> None:
            ident = request.get("id")
            try:
                reply = await transport.send(
                    str(request["method"]),
                    str(request["url"]),
                    [(str(k), str(v)) for k, v in request.get("headers") or ()],
                )
            except ProbeError as exc:
                pipe.write({"id": ident, "error": str(exc)})
            except Exception as exc:  # noqa: BLE001 - one request's problem
                pipe.write({"id": ident, "error": f"{type(exc).__name__}: {exc}"})
            else:
                pipe.write({"id": ident, "status": reply.status, "headers": list(reply.headers)})

        while (line := await queue.get()) is not None:
            request = _decode(line)
            if request is None:
                continue
            task = asyncio.create_task(answer(request))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        for task in list(tasks):
            task.cancel()
    finally:
        await transport.aclose()
