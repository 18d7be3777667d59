"""The static pipeline: walk → prefilter bytes → parse once → adapters → policies → rules → findings.

Files are analysed in worker processes (both cores); only small, picklable results come back.
Cross-file facts (authentication context per application, Django split settings) are joined here.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from corsproof.context import auth_facts
from corsproof.findings import FileError, ScanResult
from corsproof.judge import judge_policies
from corsproof.policy import CorsPolicy
from corsproof.static._module import (
    MAX_BYTES,
    AnalysisError,
    Module,
    Project,
    decode_source,
    parse_source,
)
from corsproof.static.adapters import all_adapters
from corsproof.static.suppress import is_suppressed
from corsproof.static.values import Resolver
from corsproof.static.walker import FileJob, WalkError, walk

BATCH = 48
APP_MARKERS = ("manage.py", "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", ".git", "Pipfile")


@dataclass
class FileOutcome:
    display: str
    real: str
    policies: list[CorsPolicy] = field(default_factory=list)
    auth: frozenset[str] = frozenset()
    error: str | None = None


# ------------------------------------------------------------------------------ worker side

_PROJECTS: dict[tuple[str, str], Project] = {}
_PREFILTER: re.Pattern[bytes] | None = None


def _prefilter() -> re.Pattern[bytes]:
    global _PREFILTER
    if _PREFILTER is None:
        _PREFILTER = re.compile(b"|".join(b"(?:" + a.prefilter.pattern + b")" for a in all_adapters()))
    return _PREFILTER


def analyse_file(job: FileJob) -> FileOutcome:
    outcome = FileOutcome(job.display, str(job.path))
    try:
        with open(job.path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        outcome.error = f"cannot read: {exc.strerror or exc}"
        return outcome
    try:
        outcome.auth = auth_facts(data)
        if not _prefilter().search(data):
            return outcome
        if len(data) > MAX_BYTES:
            raise AnalysisError(f"larger than {MAX_BYTES // (1024 * 1024)} MB: not analysed")
        source = decode_source(data)
        tree = parse_source(source, job.display)
        key = (str(job.root), job.display_root)
        project = _PROJECTS.setdefault(key, Project(job.root, job.display_root))
        module = Module(job.path.resolve(), job.display, source, tree, project)
        project.add(module)
        resolver = Resolver(module)
        for adapter_cls in all_adapters():
            if adapter_cls.prefilter.search(data):
                outcome.policies.extend(adapter_cls().analyse(module, resolver))
    except AnalysisError as exc:
        outcome.error = str(exc)
    except RecursionError:
        outcome.error = "too deeply nested to analyse"
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the run
        outcome.error = f"internal error while analysing: {type(exc).__name__}: {exc}"
    return outcome


def _analyse_batch(jobs: list[FileJob]) -> list[FileOutcome]:
    return [analyse_file(job) for job in jobs]


# ------------------------------------------------------------------------------ main side


def _batches(items: Iterable[FileJob | WalkError], errors: list[FileError]) -> Iterator[list[FileJob]]:
    batch: list[FileJob] = []
    for item in items:
        if isinstance(item, WalkError):
            errors.append(FileError(item.display, item.message))
            continue
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_parallel(batches: Iterator[list[FileJob]], workers: int) -> Iterator[FileOutcome]:
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    if second is None or workers <= 1:
        yield from _analyse_batch(first)
        if second is not None:
            yield from _analyse_batch(second)
            for batch in batches:
                yield from _analyse_batch(batch)
        return
    pending: list[tuple[list[FileJob], Future[list[FileOutcome]]]] = []
    pool = ProcessPoolExecutor(max_workers=workers)
    source = iter([first, second, *[]])

    def feed() -> bool:
        batch = next(source, None) or next(batches, None)
        if batch is None:
            return False
        pending.append((batch, pool.submit(_analyse_batch, batch)))
        return True

    try:
        for _ in range(workers * 3):
            if not feed():
                break
        while pending:
            batch, future = pending.pop(0)
            try:
                results = future.result()
            except BrokenProcessPool:
                # a file crashed the interpreter: redo this batch file by file, isolating the culprit
                pool.shutdown(wait=False, cancel_futures=True)
                redo = [batch] + [b for b, _ in pending]
                pending.clear()
                for again in redo:
                    yield from _isolate(again)
                pool = ProcessPoolExecutor(max_workers=workers)
                for _ in range(workers * 3):
                    if not feed():
                        break
                continue
            yield from results
            feed()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _isolate(batch: list[FileJob]) -> Iterator[FileOutcome]:
    for job in batch:
        with ProcessPoolExecutor(max_workers=1) as single:
            try:
                yield single.submit(analyse_file, job).result()
            except BrokenProcessPool:
                yield FileOutcome(job.display, str(job.path), error="the analysis crashed on this file")


class _AppRoots:
    """The application a file belongs to: nearest ancestor with a project marker, within the scan."""

    def __init__(self) -> None:
        self._cache: dict[Path, Path] = {}

    def of(self, path: Path) -> Path:
        directory = path.parent
        chain: list[Path] = []
        found = directory
        while True:
            if directory in self._cache:
                found = self._cache[directory]
                break
            chain.append(directory)
            if any((directory / marker).exists() for marker in APP_MARKERS) or directory.parent == directory:
                found = directory
                break
            directory = directory.parent
        for item in chain:
            self._cache[item] = found
        return found


def scan_paths(
    paths: list[str],
    *,
    include_deps: bool = False,
    select: set[str] | None = None,
    ignore: set[str] | None = None,
    exclude: list[str] | None = None,
    extra_trusted: tuple[str, ...] = (),
    workers: int | None = None,
) -> ScanResult:
    """Run the static analysis on files and directories; never imports the scanned code."""
    started = time.perf_counter()
    result = ScanResult()
    spec = pathspec.PathSpec.from_lines("gitwildmatch", exclude) if exclude else None
    errors: list[FileError] = []
    workers = workers or min(os.cpu_count() or 1, 8)
    roots = _AppRoots()
    auth_by_app: dict[Path, set[str]] = {}
    policies: list[tuple[CorsPolicy, Path]] = []
    outcomes = _run_parallel(_batches(walk(paths, include_deps, spec), errors), workers)
    for outcome in outcomes:
        if outcome.error:
            errors.append(FileError(outcome.display, outcome.error))
            result.files_skipped += 1
        else:
            result.files_scanned += 1
        app = roots.of(Path(outcome.real).resolve())
        if outcome.auth:
            auth_by_app.setdefault(app, set()).update(outcome.auth)
        policies.extend((policy, app) for policy in outcome.policies)
    result.errors = errors
    # Django split settings: a settings module star-imported by another is judged through it
    inherited = {path for policy, _ in policies for path in policy.star_imports}
    result.findings, result.suppressed = judge_policies(
        (
            (policy, frozenset(auth_by_app.get(app, ())))
            for policy, app in policies
            if policy.module_path is None or policy.module_path not in inherited
        ),
        select=select,
        ignore=ignore,
        extra_trusted=extra_trusted,
        suppressed=is_suppressed,
    )
    result.duration_s = round(time.perf_counter() - started, 3)
    return result
