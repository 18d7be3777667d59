"""Running the code of an in-process application without letting it end or silence corsproof.

Importing the application, calling its factory, starting it (ASGI lifespan) and answering a request
run the user's code inside corsproof's process. That code may raise anything: `sys.exit(0)`
(`SystemExit`), a `KeyboardInterrupt`, a bare `BaseException`. Each of them becomes an
`AppFailure` with a one-line message, so that the run reports it for that target and goes on.

A `KeyboardInterrupt` is either the application's (`raise KeyboardInterrupt` in its code) or the
user's Ctrl-C (SIGINT delivered to the process). They are told apart by the signal itself: while
guarded code runs in the main thread, a SIGINT handler records that a signal arrived before it
raises the usual `KeyboardInterrupt`. A `KeyboardInterrupt` without a recorded signal is the
application's and is contained; after a real SIGINT it is re-raised and the run stops. A SIGINT the
application sends itself (`os.kill(os.getpid(), SIGINT)`, `_thread.interrupt_main()`) is a signal
too and stops the run. In worker threads (WSGI requests) and inside the event loop (ASGI requests,
lifespan) no signal turns into a `KeyboardInterrupt` — asyncio turns Ctrl-C into a cancellation
of the run — so one raised there is always the application's.

`os._exit()` ends the process at once and cannot be intercepted: `--isolate` runs the application
in a child process instead (`corsproof.probe._isolate`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")
MESSAGE_LIMIT = 300


class AppFailure(Exception):
    """The application's code ended what it was asked to do; `str()` is a one-line reason."""


def one_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text` on one line (whitespace runs collapsed), cut at `limit` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe(exc: BaseException) -> str:
    """What the application did, in a few words: `called sys.exit(3)`, `raised ValueError: x`."""
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})" if exc.code is not None else "called sys.exit()"
    if isinstance(exc, KeyboardInterrupt):
        return "raised KeyboardInterrupt"
    text = one_line(str(exc))
    return f"raised {type(exc).__name__}" + (f": {text}" if text else "")


class _SigintWatch:
    """Records whether a real SIGINT arrived while guarded code ran (main thread only)."""

    def __init__(self) -> None:
        self.fired = False
        self.previous: Any = None
        self.installed = False

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.fired = True
        if callable(self.previous):
            self.previous(signum, frame)
        raise KeyboardInterrupt

    def __enter__(self) -> _SigintWatch:
        if threading.current_thread() is not threading.main_thread():
            return self
        try:
            previous = signal.getsignal(signal.SIGINT)
            # only where Ctrl-C raises KeyboardInterrupt now: an ignored or default (fatal) SIGINT
            # is left alone, and so is a handler installed outside Python (getsignal: None)
            if callable(previous):
                self.previous = previous
                signal.signal(signal.SIGINT, self._handler)
                self.installed = True
        except (ValueError, OSError):  # not the main interpreter, or no signals here
            pass
        return self

    def __exit__(self, *exc: object) -> None:
        if self.installed:
            # the application may have installed its own handler meanwhile: Ctrl-C is ours again
            try:
                signal.signal(signal.SIGINT, self.previous)
            except (ValueError, OSError):
                pass


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """What the application writes to stdout goes to stderr, for as long as it runs: stdout
    carries only the report (`--format json` stays valid JSON). Python-level writes
    (`sys.stdout`, a logging handler made meanwhile) and writes to file descriptor 1 alike
    (`os.write(1, …)`, a C extension, a child process, a handler that kept the original
    `sys.stdout`)."""
    with _descriptors_to(2, 1), redirect_stdout(sys.stderr):
        yield


@contextmanager
def app_output_to(sink: Any) -> Iterator[None]:
    """Everything written to stdout or stderr while the block runs goes to `sink` (a file opened
    for writing: `probe --app-log FILE`): `sys.stdout`, `sys.stderr` and file descriptors 1 and 2
    alike. For the application's own noise only: the caller writes its report and messages after
    the block."""
    with _descriptors_to(sink.fileno(), 1, 2), redirect_stdout(sink), redirect_stderr(sink):
        try:
            yield
        finally:
            _flush(sink)


@contextmanager
def _descriptors_to(target: int, *fds: int) -> Iterator[None]:
    """File descriptors `fds` point at `target` while the block runs. What `sys.stdout` and
    `sys.stderr` (as they are on entry) hold in their buffers is flushed on entry, to where it
    was written, and on the way out, to where the block's writes went."""
    originals = (sys.stdout, sys.stderr)
    for stream in originals:
        _flush(stream)
    saved = [(fd, _point(fd, target)) for fd in fds]
    try:
        yield
    finally:
        for stream in originals:
            _flush(stream)
        for fd, copy in saved:
            if copy is not None:
                os.dup2(copy, fd)
                os.close(copy)


def _flush(stream: Any) -> None:
    try:
        stream.flush()
    except (AttributeError, OSError, ValueError):
        pass


def _point(fd: int, to: int) -> int | None:
    """Make `fd` a copy of `to`; a copy of what `fd` was (to restore), or None when either
    descriptor is not open (nothing to redirect at that level)."""
    try:
        saved = os.dup(fd)
    except OSError:
        return None
    try:
        os.dup2(to, fd)
    except OSError:
        os.close(saved)
        return None
    return saved


def run_guarded(what: str, call: Callable[[], T]) -> T:
    """`call()`; whatever it raises becomes `AppFailure("<what> <describe(exc)>")`.

    A `KeyboardInterrupt` caused by a real SIGINT (the user's Ctrl-C) is re-raised."""
    watch = _SigintWatch()
    try:
        with watch, stdout_to_stderr():
            return call()
    except KeyboardInterrupt as exc:
        if watch.fired:
            raise
        raise AppFailure(f"{what} {describe(exc)}") from exc
    except BaseException as exc:  # noqa: BLE001 - SystemExit and the rest: the app's doing
        raise AppFailure(f"{what} {describe(exc)}") from exc
