"""Where the files of a scan are analysed: in this process, or in a pool of worker processes
that a file crashing the interpreter cannot take down with it.

Batches go to the workers, up to three per worker in flight; outcomes come back in walk order.
When a worker dies, the batches that had not finished are redone apart (the batch in a process
of its own, then each of its files), so one bad file costs only its own outcome.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Generic, TypeVar

Job = TypeVar("Job")
Outcome = TypeVar("Outcome")


@dataclass(frozen=True)
class Work(Generic[Job, Outcome]):
    """How a batch is analysed: `here` in this process; `in_worker` (a module-level function, so
    that it pickles) in a worker process, after `start_worker` ran there once; `crashed`: the
    outcome of a job whose analysis took its process down."""

    here: Callable[[list[Job]], list[Outcome]]
    in_worker: Callable[[list[Job]], list[Outcome]]
    start_worker: Callable[[], None]
    crashed: Callable[[Job], Outcome]


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _quiet_worker(start: Callable[[], None]) -> None:
    # Ctrl-C is the main process's to handle: workers finish their batch, without tracebacks
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()  # what start-up made lives as long as the worker: never scanned again
    start()


def _pool(workers: int, work: Work[Job, Outcome]) -> ProcessPoolExecutor | None:
    try:
        return ProcessPoolExecutor(
            max_workers=workers, initializer=_quiet_worker, initargs=(work.start_worker,)
        )
    except (OSError, ImportError, NotImplementedError):
        return None  # no working multiprocessing here (no sem_open, …): analyse in this process


def run_batches(
    batches: Iterator[list[Job]], workers: int, work: Work[Job, Outcome]
) -> Iterator[Outcome]:
    """Outcomes in walk order. Up to `workers * 3` batches in flight, so memory does not grow
    with the number of files; a small tree (two batches or fewer) is analysed in this process."""
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    pool = _pool(workers, work) if second is not None and workers > 1 else None
    if pool is None:
        yield from work.here(first)
        if second is not None:
            yield from work.here(second)
        for batch in batches:
            yield from work.here(batch)
        return
    queued: list[list[Job]] = [first, second]
    pending: list[tuple[list[Job], Future[list[Outcome]]]] = []

    def feed() -> bool:
        batch = queued.pop(0) if queued else next(batches, None)
        if batch is None:
            return False
        try:
            future = pool.submit(work.in_worker, batch)
        except BrokenProcessPool as exc:  # a worker died since the last result
            future = Future()
            future.set_exception(exc)
        pending.append((batch, future))
        return True

    try:
        while len(pending) < workers * 3 and feed():
            pass
        while pending:
            batch, future = pending.pop(0)
            try:
                results = future.result()
            except BrokenProcessPool:
                # a worker died (a file crashed the interpreter, or it was killed): the batches
                # that had not finished are redone apart, the culprit's file by file; the
                # outcomes keep the walk order
                pool.shutdown(wait=False, cancel_futures=True)
                stale = [(batch, future), *pending]
                pending.clear()
                fresh = _pool(workers, work)
                for again, done in stale:
                    if _finished(done):
                        yield from done.result()
                    else:
                        yield from _isolate(again, work)
                if fresh is None:  # no new pool could be made: the rest in this process
                    for rest in [*queued, *batches]:
                        yield from work.here(rest)
                    return
                pool = fresh
                while len(pending) < workers * 3 and feed():
                    pass
                continue
            yield from results
            feed()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _finished(future: Future[list[Outcome]]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _isolate(batch: list[Job], work: Work[Job, Outcome]) -> Iterator[Outcome]:
    """Redo a batch in a process of its own; if that dies too, each file in its own process."""
    try:
        with ProcessPoolExecutor(
            max_workers=1, initializer=_quiet_worker, initargs=(work.start_worker,)
        ) as single:
            results = single.submit(work.in_worker, batch).result()
    except BrokenProcessPool:
        pass
    else:
        yield from results
        return
    for job in batch:
        try:
            with ProcessPoolExecutor(
                max_workers=1, initializer=_quiet_worker, initargs=(work.start_worker,)
            ) as single:
                yield from single.submit(work.in_worker, [job]).result()
        except BrokenProcessPool:
            yield work.crashed(job)
