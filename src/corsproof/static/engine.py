"""The static pipeline: walk → prefilter bytes → parse once → adapters → policies → rules → findings.

Files are analysed in worker processes (both cores); only small, picklable results come back.
Cross-file facts (authentication context per application, Django split settings) are joined here.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import BinaryIO

import pathspec

from corsproof.auth import auth_facts
from corsproof.deps import Dependency
from corsproof.findings import FileError, ScanResult
from corsproof.judge import judge_policies, rules_judged
from corsproof.policy import CorsPolicy
from corsproof.static._module import (
    MAX_BYTES,
    AnalysisError,
    Module,
    Project,
    decode_source,
    open_source,
    parse_source,
    read_bounded,
)
from corsproof.static._pool import Work, cores, run_batches
from corsproof.static.adapters import all_adapters
from corsproof.static.adapters._base import environment_fallback
from corsproof.static.prefilter import Prefilter
from corsproof.static.semantic import Evaluator
from corsproof.static.suppress import SuppressionComment, SuppressionUse, comments_in
from corsproof.static.walker import FileJob, WalkError, is_dependency_file, walk

BATCH = 48
APP_MARKERS = (
    "manage.py",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    ".git",
    "Pipfile",
)


@dataclass
class FileOutcome:
    display: str
    real: str
    policies: list[CorsPolicy] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)  # requirement and lock files
    auth: frozenset[str] = frozenset()
    error: str | None = None
    too_large: bool = False  # CORS-relevant but over the size limit: not judged
    # other files this one names that could not be read (a requirements file's `-r other.txt`):
    # (display path, why)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    suppressions: list[SuppressionComment] = field(default_factory=list)  # when asked for


@dataclass
class TooLargeError(FileError):
    """A file that mentions CORS but is larger than the size limit: the analysis could not judge
    it, so the command line does not let the run pass as clean (see `--max-file-size`)."""


_UNITS = (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10))  # binary, as --max-file-size reads


def size_text(size: int) -> str:
    """`10 MB`, `512 KB`, `1000 bytes` (binary units, as `--max-file-size` reads them)."""
    for unit, factor in _UNITS:
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def _about(size: int) -> str:
    """`12.0 MB`, `2.5 KB`, `900 bytes`: a file's size, for the message."""
    for unit, factor in _UNITS:
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


# ------------------------------------------------------------------------------ worker side

MAX_PROJECTS = 4


class ScanContext:
    """What one run keeps while it analyses files in this process: the adapters' prefilter, and
    the projects (scan arguments) it has analysed files of, most recent last, each with its cache
    of parsed modules. Made per run and dropped with it: a second run in one process sees none of
    the first one's files. Bounded, since `scan $(git ls-files)` makes one project per
    directory."""

    def __init__(self) -> None:
        self.prefilter = Prefilter(all_adapters())
        self._projects: OrderedDict[tuple[str, str], Project] = OrderedDict()

    def project(self, root: Path, display_root: str) -> Project:
        key = (str(root), display_root)
        project = self._projects.get(key)
        if project is None:
            project = self._projects[key] = Project(root, display_root)
            while len(self._projects) > MAX_PROJECTS:
                self._projects.popitem(last=False)
        else:
            self._projects.move_to_end(key)
        return project


# in a pool's worker process: the context of the run the pool serves (the pool, and so this,
# lives for one run; set by `_start_worker`, which the pool runs first in each worker)
_worker_context: ScanContext | None = None


def _start_worker() -> None:
    global _worker_context
    _worker_context = ScanContext()


def _crashed(job: FileJob) -> FileOutcome:
    return FileOutcome(job.display, str(job.path), error="the analysis crashed on this file")


def _analyse_in_worker(jobs: list[FileJob]) -> list[FileOutcome]:
    return _analyse_batch(jobs, _worker_context or ScanContext())


CHUNK = 4 * 1024 * 1024  # how a file larger than MAX_BYTES is read through, to prefilter all of it
OVERLAP = 64 * 1024  # kept between chunks, so that no byte pattern is cut in two


def _read_through(
    data: bytes, handle: BinaryIO, prefilter: Prefilter
) -> tuple[bool, frozenset[str]]:
    """Prefilter and authentication facts of the rest of a file too large to parse, streamed."""
    relevant = bool(prefilter.matching(data))
    auth = set(auth_facts(data))
    tail = data[-OVERLAP:]
    while True:
        chunk = handle.read(CHUNK)
        if not chunk:
            return relevant, frozenset(auth)
        window = tail + chunk
        relevant = relevant or bool(prefilter.matching(window))
        auth.update(auth_facts(window))
        tail = window[-OVERLAP:]


def _source(job: FileJob) -> BinaryIO:
    """The file's bytes: from disk, or the text given on stdin for its name."""
    return open_source(job.path) if job.content is None else io.BytesIO(job.content)


def analyse_file(job: FileJob, context: ScanContext | None = None) -> FileOutcome:
    """What one file holds: its policies, authentication facts, suppressions, or why it could
    not be analysed. `context`: the run's (a new one when not given)."""
    outcome = FileOutcome(job.display, str(job.path))
    context = context or ScanContext()
    name = job.path.name
    if not name.endswith((".py", ".pyw")) and is_dependency_file(name, job.path.parent.name):
        return _analyse_dependencies(job, outcome)
    limit = job.max_bytes or MAX_BYTES
    try:
        with _source(job) as handle:
            data = read_bounded(handle, limit)
            if len(data) > limit:
                relevant, outcome.auth = _read_through(data, handle, context.prefilter)
                if relevant:
                    size = handle.tell()
                    outcome.error = f"larger than {size_text(limit)} ({_about(size)}): not analysed"
                    outcome.too_large = True
                return outcome
    except AnalysisError as exc:
        outcome.error = str(exc)
        return outcome
    except OSError as exc:
        outcome.error = f"cannot read: {exc.strerror or exc}"
        return outcome
    if job.suppressions:
        outcome.suppressions = comments_in(data, job.display)
    # (`_analyse_batch` keeps the cyclic collector off around this)
    module: Module | None = None
    cached: Module | None = None
    project: Project | None = None
    try:
        lowered = data.lower()
        outcome.auth = auth_facts(data, lowered)
        adapters = context.prefilter.matching(data, lowered)
        del lowered
        if not adapters:
            return outcome
        project = context.project(job.root, job.display_root)
        real = job.path.resolve()
        # already parsed here as another file's import: not twice (text from stdin: what is
        # on disk at its name may be older)
        module = cached = project.cached(real) if job.content is None else None
        if module is None:
            source = decode_source(data)
            # not cached: a file analysed is rarely imported by the next ones, and a cached
            # module's tree and model cost some 30-40 times its source for as long as it stays
            module = Module(real, job.display, source, parse_source(source, job.display), project)
        elif module.display != job.display:
            module = Module(real, job.display, module.source, module.tree, project)
        del data
        evaluator = Evaluator(module)
        for adapter_cls in adapters:
            for policy in adapter_cls().analyse(module, evaluator):
                environment_fallback(module, policy)
                outcome.policies.append(policy)
    except AnalysisError as exc:
        outcome.error = str(exc)
    except RecursionError:
        outcome.error = "too deeply nested to analyse"
    except MemoryError:
        outcome.error = "out of memory while analysing"
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the run
        outcome.error = f"internal error while analysing: {type(exc).__name__}: {exc}"
    finally:
        # what the analysis built is freed now, by reference counting, not left to the cyclic
        # collector (which would walk it, a dozen objects per node, at its next collections)
        if module is not None and module is not cached:
            module.release()
        if project is not None:
            project.release_evicted()
    return outcome


def _analyse_dependencies(job: FileJob, outcome: FileOutcome) -> FileOutcome:
    """A requirement or lock file: its `Dependency` facts (no adapter, no authentication facts)."""
    from corsproof.deps import _analyse as dependencies  # loaded by the first such file only

    limit = job.max_bytes or MAX_BYTES
    try:
        with _source(job) as handle:
            data = read_bounded(handle, limit)
        if len(data) > limit:
            if dependencies.relevant(job.path.name, data):
                outcome.error = f"larger than {size_text(limit)}: not analysed"
                outcome.too_large = True
            return outcome
        if job.suppressions:
            outcome.suppressions = comments_in(data, job.display)
        outcome.dependencies = dependencies.analyse(job.path, job.display, data, outcome.unreadable)
    except AnalysisError as exc:
        outcome.error = str(exc)
    except OSError as exc:
        outcome.error = f"cannot read: {exc.strerror or exc}"
    except RecursionError:
        outcome.error = "too deeply nested to analyse"
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the run
        outcome.error = f"internal error while analysing: {type(exc).__name__}: {exc}"
    return outcome


def _analyse_batch(jobs: list[FileJob], context: ScanContext) -> list[FileOutcome]:
    # the cyclic collector stays off for the whole batch: it would walk every tree and model
    # being built again and again (a parse takes 2-5 times as long with it on), each file's model
    # is freed by reference counting (`Module.release`), and collections between files would
    # walk the process's caches again and again
    collecting = gc.isenabled()
    gc.disable()
    try:
        outcomes = [analyse_file(job, context) for job in jobs]
    finally:
        if collecting:
            gc.enable()
    if multiprocessing.parent_process() is not None:
        # in a worker: whatever a batch left in cycles that `Module.release` does not break (a
        # caught exception's traceback, say) is collected before the next one. (Not in the
        # caller's process, whose heap may be large and is not ours to walk.)
        gc.collect(1)
    return outcomes


# ------------------------------------------------------------------------------ main side


def _batches(
    items: Iterable[FileJob | WalkError], errors: list[FileError]
) -> Iterator[list[FileJob]]:
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


class _AppRoots:
    """The application a file belongs to, for authentication context: the nearest directory,
    from the file's own upwards, that has a project marker (`manage.py`, `pyproject.toml`, …) or
    is not a Python package itself (the source root the application's modules import from).
    So `tests/` and a sibling service do not lend their API-key checks to this application."""

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
            if (
                any((directory / marker).exists() for marker in APP_MARKERS)
                or not (directory / "__init__.py").is_file()
                or directory.parent == directory
            ):
                found = directory
                break
            directory = directory.parent
        for item in chain:
            self._cache[item] = found
        return found


def _stdin_job(name: str, data: bytes, max_bytes: int | None) -> FileJob:
    path = Path(name)
    return FileJob(
        path, name, path.resolve().parent, os.path.dirname(name), max_bytes, content=data
    )


def scan_paths(
    paths: list[str],
    *,
    include_deps: bool = False,
    select: set[str] | None = None,
    ignore: set[str] | None = None,
    exclude: list[str] | None = None,
    extra_trusted: tuple[str, ...] = (),
    workers: int | None = None,
    force_exclude: bool = False,
    progress: Callable[[str], None] | None = None,
    max_file_size: int | None = None,
    report_unused_suppressions: bool = False,
    stdin: tuple[str, bytes] | None = None,
    fixes: bool = False,
) -> ScanResult:
    """Run the static analysis on files and directories; never imports the scanned code.

    Files larger than `max_file_size` bytes (default `MAX_BYTES`, 10 MB: a parsed tree takes
    about 20 times its source) are not parsed; those that mention CORS are listed under `errors`
    as `TooLargeError`.

    `stdin`: (file name, text) of one file read from standard input, analysed as if it were at
    that name (its directory's project resolves its imports); `paths` are not walked then.
    `fixes`: give each fixable finding its `Fix` (`corsproof.fix`; JSON `fix`, SARIF `fixes`),
    which parses the files with findings again with libcst."""
    started = time.perf_counter()
    result = ScanResult()
    spec = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
    errors: list[FileError] = []
    named: list[tuple[str, str]] = []  # files named by those analysed that could not be read
    workers = 1 if stdin else workers or min(cores(), 8)
    roots = _AppRoots()
    auth_by_app: dict[Path, set[str]] = {}
    policies: list[tuple[CorsPolicy, Path]] = []
    dependencies: list[Dependency] = []
    jobs: Iterable[FileJob | WalkError] = (
        walk(paths, include_deps, spec, force_exclude, max_file_size)
        if stdin is None
        else [_stdin_job(*stdin, max_file_size)]
    )
    comments: list[SuppressionComment] = []
    if report_unused_suppressions:
        jobs = (
            replace(job, suppressions=True) if isinstance(job, FileJob) else job for job in jobs
        )
    context = ScanContext()  # this run's: files may change between two runs in one process
    work = Work(
        partial(_analyse_batch, context=context), _analyse_in_worker, _start_worker, _crashed
    )
    for outcome in run_batches(_batches(jobs, errors), workers, work):
        if progress is not None:
            progress(outcome.display)
        if outcome.error:
            kind = TooLargeError if outcome.too_large else FileError
            errors.append(kind(outcome.display, outcome.error))
            result.skipped += 1
        else:
            result.analysed += 1
        named.extend(outcome.unreadable)
        comments.extend(outcome.suppressions)
        dependencies.extend(outcome.dependencies)
        if not (outcome.auth or outcome.policies):
            continue  # the common case: nothing to join across files
        app = roots.of(Path(outcome.real).resolve())
        if outcome.auth:
            auth_by_app.setdefault(app, set()).update(outcome.auth)
        policies.extend((policy, app) for policy in outcome.policies)
    # a file named by another that the walk reported already (a FIFO in the tree) is listed once
    listed = {error.path for error in errors}
    for display, message in named:
        if display not in listed:
            listed.add(display)
            errors.append(FileError(display, message))
    result.errors = sorted(errors, key=lambda e: e.path)
    result.unresolved = sorted(
        {item for policy, _ in policies for item in policy.unresolved},
        key=lambda u: (u.path, u.line, u.column, u.what),
    )
    # Django split settings: a settings module star-imported by another is judged through it
    inherited = {path for policy, _ in policies for path in policy.star_imports}
    result.given = {stdin[0]: stdin[1]} if stdin else {}
    use = SuppressionUse(result.given)
    result.rules = rules_judged(select, ignore)
    judged: list[tuple[CorsPolicy | Dependency, frozenset[str]]] = [
        (policy, frozenset(auth_by_app.get(app, ())))
        for policy, app in policies
        if policy.module_path is None or policy.module_path not in inherited
    ]
    judged.extend((dependency, frozenset()) for dependency in dependencies)
    result.findings, result.suppressed = judge_policies(
        judged,
        select=select,
        ignore=ignore,
        extra_trusted=extra_trusted,
        suppressed=use,
    )
    if report_unused_suppressions:
        from corsproof.rules._select import rule_ids

        result.unused_suppressions = use.unused(
            sorted(comments, key=lambda c: (c.path, c.line)), set(rule_ids()), select
        )
    if fixes and result.findings:
        # how to fix each finding (JSON `fix`, SARIF `fixes`): only files with findings are read
        from corsproof.fix import FixContext, attach_fixes

        attach_fixes(result.findings, FixContext(tuple(extra_trusted)), result.given)
    result.duration_s = round(time.perf_counter() - started, 3)
    return result
