"""Running units on a Dask distributed cluster (`--cluster ADDRESS`, or DASK_SCHEDULER_ADDRESS).

Probe targets are grouped by origin (scheme, host, port), and an origin is in at most one unit in
flight at a time: `--per-host` and `--rate`, which one probe engine enforces, hold across the whole
cluster. Units are submitted as descriptions, a bounded number at a time (the client reads the
targets as it goes: its memory stays flat), and results are written as they complete. A worker
lost mid-unit has the unit run again elsewhere by the scheduler; since only the client writes,
and each future completes once, every target is still reported once."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from corsproof.findings import Target
from corsproof.scale._blocks import Block

INSTALL_HINT = 'install the cluster extra: pip install "corsproof[cluster]"'
REQUESTS_PER_TARGET = 20  # the most a target's plan sends (docs/probe.md): a unit's reservation
BATCH = 32  # targets per probe unit: big enough to amortise a task, small enough to spread
ADDRESS_ENV = "DASK_SCHEDULER_ADDRESS"


class ClusterError(Exception):
    pass


def address(given: str | None) -> str | None:
    """`--cluster ADDRESS`, else the DASK_SCHEDULER_ADDRESS environment variable, else None."""
    return given or os.environ.get(ADDRESS_ENV) or None


def connect(where: str, timeout: float = 30.0) -> Any:
    """A `distributed.Client` for the scheduler at `where`."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(f"--cluster needs Dask distributed: {INSTALL_HINT}") from None
    try:
        return Client(where, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {where}: {exc}") from None


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


class _Units:
    """Targets grouped by origin into units, an origin in at most one unit in flight; at most
    `buffered` targets held back."""

    def __init__(self, targets: Iterable[Target], batch: int, buffered: int) -> None:
        self.source: Iterator[Target] = iter(targets)
        self.batch = batch
        self.buffered = buffered
        self.pending: OrderedDict[tuple[str, str, int | None], list[Target]] = OrderedDict()
        self.held = 0
        self.busy: set[tuple[str, str, int | None]] = set()
        self.exhausted = False

    def _fill(self) -> None:
        while not self.exhausted and self.held < self.buffered:
            try:
                target = next(self.source)
            except StopIteration:
                self.exhausted = True
                return
            self.pending.setdefault(origin(target.url), []).append(target)
            self.held += 1

    def next_unit(self) -> tuple[list[Target], set[tuple[str, str, int | None]]] | None:
        """A batch of one origin's targets when one has a batch; else, once no more targets can
        join (the source is read to its end, or the buffer is full), the targets of several
        origins up to a batch. Only origins not in flight; None when none can go now."""
        self._fill()
        free = [key for key in self.pending if key not in self.busy]
        full = [key for key in free if len(self.pending[key]) >= self.batch]
        if full:
            chosen = [(full[0], self.pending[full[0]][: self.batch])]
        elif free and (self.exhausted or self.held >= self.buffered):
            chosen, size = [], 0
            for key in free:
                if chosen and size + len(self.pending[key]) > self.batch:
                    break
                chosen.append((key, self.pending[key]))
                size += len(self.pending[key])
        else:
            return None
        unit: list[Target] = []
        for key, taken in chosen:
            unit.extend(taken)
            rest = self.pending[key][len(taken) :]
            if rest:
                self.pending[key] = rest
            else:
                del self.pending[key]
        self.held -= len(unit)
        keys = {key for key, _ in chosen}
        self.busy |= keys
        return unit, keys

    def release(self, keys: set[tuple[str, str, int | None]]) -> None:
        self.busy -= keys

    @property
    def finished(self) -> bool:
        return self.exhausted and not self.pending


def probe_on_cluster(
    client: Any,
    targets: Iterable[Target],
    options: dict[str, Any],
    on_block: Callable[[Block], None],
    *,
    batch: int = BATCH,
) -> None:
    """Probe every target on the cluster; `on_block` gets each target's block as its unit ends."""
    from distributed import as_completed

    from corsproof.scale._work import probe_unit

    slots = max(2, 2 * sum(client.nthreads().values()))  # units in flight
    units = _Units(targets, batch, buffered=batch * slots * 2)
    running = as_completed(loop=client.loop)
    # --max-requests holds for the whole run: each unit is given (reserves) part of what is left
    # and gives back what it did not send
    budget, spent = int(options["max_requests"]), 0
    in_flight: dict[Any, tuple[set[tuple[str, str, int | None]], int]] = {}
    while True:
        while len(in_flight) < slots:
            free = budget - spent - sum(share for _, share in in_flight.values())
            if free <= 0 and in_flight:
                break  # wait: a unit in flight may give some back
            unit = units.next_unit()
            if unit is None:
                break
            items, keys = unit
            if free <= 0:
                for target in items:
                    on_block(_not_probed(target, budget))
                units.release(keys)
                continue
            share = min(free, REQUESTS_PER_TARGET * len(items))
            future = client.submit(
                probe_unit,
                [(t.url, t.method) for t in items],
                {**options, "max_requests": share},
                pure=False,
            )
            in_flight[future] = (keys, share)
            running.add(future)
        if not in_flight:
            if units.finished:
                return
            # nothing in flight: no origin is busy and the budget loop above took every unit
            raise RuntimeError("probe_on_cluster: targets left that no unit took")
        future = next(running)
        keys, share = in_flight.pop(future)
        blocks, sent = future.result()
        future.release()
        spent += sent
        units.release(keys)
        for block in blocks:
            for error in block.errors:  # a unit's own share is not the user's limit
                error["message"] = error["message"].replace(
                    f"--max-requests ({share})", f"--max-requests ({budget})"
                )
            on_block(block)


def _not_probed(target: Target, budget: int) -> Block:
    from corsproof.findings import FileError, UnitDone
    from corsproof.probe import target_label

    label = target_label(target)
    message = f"not probed: --max-requests ({budget}) reached"
    return Block.of([], [FileError(label, message)], UnitDone(label, 0, "failed"))


def scan_on_cluster(
    client: Any,
    repositories: Iterable[str],
    options: dict[str, Any],
    on_block: Callable[[Block], None],
) -> None:
    """Scan every repository on the cluster, one unit each; `on_block` as each one ends."""
    from distributed import as_completed

    from corsproof.scale._work import scan_repository

    slots = max(2, 2 * sum(client.nthreads().values()))
    source = iter(repositories)
    running = as_completed(loop=client.loop)
    in_flight = 0
    exhausted = False
    while True:
        while not exhausted and in_flight < slots:
            repository = next(source, None)
            if repository is None:
                exhausted = True
                break
            running.add(client.submit(scan_repository, repository, options, pure=False))
            in_flight += 1
        if not in_flight:
            return
        future = next(running)
        in_flight -= 1
        block = future.result()
        future.release()
        on_block(block)
