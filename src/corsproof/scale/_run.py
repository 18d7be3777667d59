"""Streamed runs: probe targets or scan repositories, here or on a cluster, each finished unit's
lines written as it ends; `--resume` skips what the report already has."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import fields
from typing import Any

from corsproof.findings import FileError, Target, UnitDone
from corsproof.report.jsonl import JsonlStream
from corsproof.scale._blocks import Block


class RepositoryListError(Exception):
    pass


def repositories(path: str) -> Iterator[str]:
    """`--repos FILE`: one local path or git URL a line; blank lines and `#` comments skipped."""
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise RepositoryListError(f"cannot read --repos {path}: {exc.strerror or exc}") from None
    with handle:
        try:
            for line in handle:
                entry = line.strip()
                if entry and not entry.startswith("#"):
                    yield entry
        except UnicodeDecodeError:
            raise RepositoryListError(f"--repos {path}: not UTF-8 text") from None


def probe_options_data(options: Any) -> dict[str, Any]:
    """ProbeOptions as plain data for a worker (no callbacks)."""
    return {
        f.name: getattr(options, f.name)
        for f in fields(options)
        if f.name not in ("progress", "on_target")
    }


def probe_stream(
    targets: Iterable[Any],
    options: Any,
    stream: JsonlStream,
    *,
    app: Any = None,
    skip: set[str] | frozenset[str] = frozenset(),
    cluster: Any = None,
) -> int:
    """Probe every target not in `skip`, writing each one's lines as it ends; the number of
    targets that answered."""
    from corsproof.probe import BadTarget, probe_targets, target_label

    pending = (t for t in targets if target_label(t) not in skip)
    if cluster is None:
        options.on_target = stream.unit_done
        return probe_targets(pending, options, app=app).analysed

    from corsproof.scale._cluster import probe_on_cluster

    answered = 0

    def write(block: Block) -> None:
        nonlocal answered
        answered += block.done.get("status") == "ok"
        stream.block(block.findings, block.errors, block.done)

    def only_targets() -> Iterator[Target]:
        for target in pending:
            if isinstance(target, BadTarget):
                error = FileError(target.path, target.message)
                write(Block.of([], [error], UnitDone(target.path, 0, "failed")))
            else:
                yield target

    probe_on_cluster(cluster, only_targets(), probe_options_data(options), write)
    return answered


def scan_stream(
    repos: Iterable[str],
    options: dict[str, Any],
    stream: JsonlStream,
    *,
    skip: set[str] | frozenset[str] = frozenset(),
    cluster: Any = None,
    progress: Any = None,
) -> int:
    """Scan every repository not in `skip`, one unit each, writing each one's lines as it ends;
    the number scanned."""
    from corsproof.scale._work import scan_repository

    pending = (r for r in repos if r not in skip)
    scanned = 0

    def write(block: Block) -> None:
        nonlocal scanned
        scanned += block.done.get("status") == "ok"
        stream.block(block.findings, block.errors, block.done)
        if progress is not None:
            progress(block.done["target"])

    if cluster is None:
        for repository in pending:
            write(scan_repository(repository, options))
        return scanned
    from corsproof.scale._cluster import scan_on_cluster

    scan_on_cluster(cluster, pending, {**options, "workers": 1}, write)
    return scanned
