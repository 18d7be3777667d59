"""Find the files to scan: directories walked with .gitignore respected, dependencies skipped.

The walk streams (one directory listing in memory at a time, plus the set of directories seen, to
break symbolic-link loops) and works on plain strings: a `Path` is built only for a file to scan.
Every `.py`/`.pyw` file and every requirement or lock file (`is_dependency_file`) found is either
yielded as a `FileJob` or reported as a `WalkError` with the reason (dangling or looping symbolic
link, FIFO/socket/device, unreadable directory): nothing is dropped silently except what the user
asked to skip (.gitignore, `--exclude`, dependencies).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

SKIP_DIRS = {
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache",
    ".ruff_cache", ".pytest_cache", ".venv", "venv", ".eggs", "site-packages", "dist-packages",
}  # fmt: skip
DEP_DIRS = {"site-packages", "dist-packages", ".venv", "venv", "node_modules", ".tox", ".nox"}


@dataclass(frozen=True)
class FileJob:
    path: Path  # as found (may be a symlink)
    display: str
    root: Path  # real path of the scan argument's directory
    display_root: str
    max_bytes: int | None = None  # larger files are not parsed (None: the engine's default)
    suppressions: bool = False  # also list its corsproof suppression comments
    content: bytes | None = None  # the file's bytes when they do not come from disk (stdin)


@dataclass(frozen=True)
class WalkError:
    display: str
    message: str


def is_source(name: str) -> bool:
    return name.endswith(".py") or name.endswith(".pyw")


# requirement and lock files (read for CORS302 by corsproof.deps)
DEPENDENCY_FILES = frozenset(
    {"pyproject.toml", "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock", "setup.cfg"}
)


def is_dependency_file(name: str, directory: str = "") -> bool:
    """`requirements*.txt`, any `*.txt` in a directory named `requirements`, or a file of
    `DEPENDENCY_FILES`; `directory` is the name of the file's directory."""
    if name.endswith(".txt"):
        return name.startswith("requirements") or directory == "requirements"
    return name in DEPENDENCY_FILES


def _is_venv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def _reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "dangling symbolic link"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return f"cannot read: {exc.strerror or exc}"


class _Ignores:
    """.gitignore files found on the way down, each applying below its directory.

    Keyed by the directory's path relative to the walk's top ("" for the top); a path is matched
    against the .gitignore files of its own ancestors only, so the cost per file is its depth, not
    the number of .gitignore files in the tree.
    """

    def __init__(self) -> None:
        self._specs: dict[str, pathspec.PathSpec] = {}

    def load(self, directory: str, rel_dir: str) -> None:
        try:
            with open(os.path.join(directory, ".gitignore"), "rb") as handle:
                lines = handle.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return
        self._specs[rel_dir] = pathspec.GitIgnoreSpec.from_lines(lines)

    def ignored(self, rel: str, is_dir: bool) -> bool:
        if not self._specs:
            return False
        suffix = "/" if is_dir else ""
        spec = self._specs.get("")
        if spec is not None and spec.match_file(rel + suffix):
            return True
        slash = rel.find("/")
        while slash != -1:
            spec = self._specs.get(rel[:slash])
            if spec is not None and spec.match_file(rel[slash + 1 :] + suffix):
                return True
            slash = rel.find("/", slash + 1)
        return False


def explicitly_excluded(argument: str, exclude: pathspec.PathSpec | None) -> bool:
    """For a file named on the command line (pre-commit passes them): do `--exclude` globs or a
    `.gitignore` between the working directory and the file exclude it? (Ruff's --force-exclude.)"""
    try:
        rel = Path(os.path.relpath(Path(argument).absolute(), Path.cwd()))
    except ValueError:
        return False
    if rel.parts and rel.parts[0] == "..":
        return False
    if exclude is not None and exclude.match_file(rel.as_posix()):
        return True
    base = Path.cwd()
    for depth in range(len(rel.parts)):
        directory = base.joinpath(*rel.parts[:depth])
        gitignore = directory / ".gitignore"
        if gitignore.is_file():
            try:
                lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            spec = pathspec.GitIgnoreSpec.from_lines(lines)
            if spec.match_file(Path(*rel.parts[depth:]).as_posix()):
                return True
    return False


def walk(
    arguments: list[str],
    include_deps: bool = False,
    exclude: pathspec.PathSpec | None = None,
    force_exclude: bool = False,
    max_bytes: int | None = None,
) -> Iterator[FileJob | WalkError]:
    for argument in arguments:
        path = Path(argument)
        if force_exclude and path.is_file() and explicitly_excluded(argument, exclude):
            continue
        try:
            st = path.stat()
        except OSError as exc:
            if isinstance(exc, FileNotFoundError) and not path.is_symlink():
                yield WalkError(argument, "no such file or directory")
            else:
                yield WalkError(argument, _reason(exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk_dir(path, argument, include_deps, exclude, max_bytes)
        elif stat.S_ISREG(st.st_mode):
            root = path.resolve().parent
            yield FileJob(path, argument, root, os.path.dirname(argument), max_bytes)
        else:
            yield WalkError(argument, "not a regular file (FIFO, socket or device): skipped")


def _walk_dir(
    top: Path,
    display_top: str,
    include_deps: bool,
    exclude: pathspec.PathSpec | None,
    max_bytes: int | None = None,
) -> Iterator[FileJob | WalkError]:
    root = top.resolve()
    root_s = str(root)
    root_prefix = root_s.rstrip(os.sep) + os.sep
    ignores = _Ignores()
    visited: set[tuple[int, int]] = set()
    # (directory as reached, its path relative to top, inside a dependency directory asked for
    # with --include-deps: there .gitignore does not apply, since `lib/`, `env/`… are ignored by
    # most Python projects' .gitignore and would hide the very packages asked for)
    stack: list[tuple[str, str, bool]] = [(os.fspath(top), "", False)]
    while stack:
        directory, rel_dir, in_deps = stack.pop()
        try:
            dst = os.stat(directory)
        except OSError as exc:
            yield WalkError(_display(display_top, rel_dir), _reason(exc))
            continue
        key = (dst.st_dev, dst.st_ino)
        if key in visited:
            continue  # symlink loop or a directory reached twice
        visited.add(key)
        if not in_deps:
            ignores.load(directory, rel_dir)
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            message = f"cannot list directory: {exc.strerror or exc}"
            yield WalkError(_display(display_top, rel_dir), message)
            continue
        subdirs: list[tuple[str, str, bool]] = []
        dir_name = os.path.basename(os.path.normpath(directory))
        for entry in entries:
            name = entry.name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            if is_dir:
                dep = in_deps
                if name in SKIP_DIRS:
                    if not (include_deps and name in DEP_DIRS):
                        continue
                    dep = True
                elif _is_venv(entry.path):
                    if not include_deps:
                        continue
                    dep = True
                if not dep and ignores.ignored(rel, True):
                    continue
                if exclude is not None and exclude.match_file(rel + "/"):
                    continue
                if entry.is_symlink():
                    try:
                        real = os.path.realpath(entry.path, strict=True)
                    except (OSError, RuntimeError):
                        yield WalkError(_display(display_top, rel), "symbolic link loop")
                        continue
                    if real == root_s or real.startswith(root_prefix):
                        continue  # already inside the tree we walk
                subdirs.append((entry.path, rel, dep))
                continue
            if not is_source(name) and not is_dependency_file(name, dir_name):
                continue
            if not in_deps and ignores.ignored(rel, False):
                continue
            if exclude is not None and exclude.match_file(rel):
                continue
            display = _display(display_top, rel)
            try:
                regular = entry.is_file()  # follows symlinks; no system call for a plain file
            except OSError:
                regular = False
            if not regular:
                try:
                    st = os.stat(entry.path)
                except OSError as exc:
                    yield WalkError(display, _reason(exc))
                    continue
                if not stat.S_ISREG(st.st_mode):
                    yield WalkError(display, "not a regular file (FIFO, socket or device): skipped")
                    continue
            yield FileJob(Path(entry.path), display, root, display_top, max_bytes)
        stack.extend(reversed(subdirs))


def _display(display_top: str, rel: str) -> str:
    if display_top in ("", "."):
        return rel or display_top or "."
    if not rel:
        return display_top
    return os.path.join(display_top, rel)
