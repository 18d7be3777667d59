"""Find the files to scan: directories walked with .gitignore respected, dependencies skipped."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

SKIP_DIRS = {
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache",
    ".ruff_cache", ".pytest_cache", ".venv", "venv", ".eggs", "site-packages", "dist-packages",
}
DEP_DIRS = {"site-packages", "dist-packages", ".venv", "venv", "node_modules", ".tox", ".nox"}


@dataclass(frozen=True)
class FileJob:
    path: Path  # as found (may be a symlink)
    display: str
    root: Path  # real path of the scan argument's directory
    display_root: str


@dataclass(frozen=True)
class WalkError:
    display: str
    message: str


def is_source(name: str) -> bool:
    return name.endswith(".py") or name.endswith(".pyw")


def _is_venv(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file()


class _Ignores:
    """.gitignore files found on the way down, each applying below its directory."""

    def __init__(self) -> None:
        self._specs: dict[Path, pathspec.PathSpec] = {}

    def load(self, directory: Path) -> None:
        gitignore = directory / ".gitignore"
        try:
            lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        self._specs[directory] = pathspec.PathSpec.from_lines("gitwildmatch", lines)

    def ignored(self, path: Path, is_dir: bool) -> bool:
        for base, spec in self._specs.items():
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.match_file(rel + ("/" if is_dir else "")):
                return True
        return False


def walk(
    arguments: list[str], include_deps: bool = False, exclude: pathspec.PathSpec | None = None
) -> Iterator[FileJob | WalkError]:
    for argument in arguments:
        path = Path(argument)
        try:
            st = path.stat()
        except FileNotFoundError:
            if path.is_symlink():
                yield WalkError(argument, "dangling symbolic link")
            else:
                yield WalkError(argument, "no such file or directory")
            continue
        except OSError as exc:
            yield WalkError(argument, f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk_dir(path, argument, include_deps, exclude)
        elif stat.S_ISREG(st.st_mode):
            root = path.resolve().parent
            yield FileJob(path, argument, root, os.path.dirname(argument))
        else:
            yield WalkError(argument, "not a regular file")


def _walk_dir(
    top: Path, display_top: str, include_deps: bool, exclude: pathspec.PathSpec | None
) -> Iterator[FileJob | WalkError]:
    root = top.resolve()
    ignores = _Ignores()
    visited: set[tuple[int, int]] = set()
    stack: list[Path] = [top]
    while stack:
        directory = stack.pop()
        try:
            dst = directory.stat()
        except OSError as exc:
            yield WalkError(_display(display_top, top, directory), f"cannot read: {exc.strerror or exc}")
            continue
        key = (dst.st_dev, dst.st_ino)
        if key in visited:
            continue  # symlink loop or a directory reached twice
        visited.add(key)
        ignores.load(directory)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            yield WalkError(_display(display_top, top, directory), f"cannot list directory: {exc.strerror or exc}")
            continue
        subdirs: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            rel = _rel(top, path)
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name in SKIP_DIRS and not (include_deps and entry.name in DEP_DIRS):
                    continue
                if not include_deps and _is_venv(path):
                    continue
                if ignores.ignored(path, True) or (exclude and exclude.match_file(rel + "/")):
                    continue
                if entry.is_symlink():
                    try:
                        real = path.resolve()
                    except (OSError, RuntimeError):
                        yield WalkError(_display(display_top, top, path), "symbolic link loop")
                        continue
                    if real == root or root in real.parents:
                        continue  # already inside the tree we walk
                subdirs.append(path)
                continue
            name = entry.name
            if not is_source(name):
                continue
            if ignores.ignored(path, False) or (exclude and exclude.match_file(rel)):
                continue
            display = _display(display_top, top, path)
            try:
                st = path.stat()
            except FileNotFoundError:
                yield WalkError(display, "dangling symbolic link")
                continue
            except OSError as exc:
                msg = "symbolic link loop" if exc.errno == 40 else f"cannot read: {exc.strerror or exc}"
                yield WalkError(display, msg)
                continue
            if not stat.S_ISREG(st.st_mode):
                yield WalkError(display, "not a regular file (FIFO, socket or device): skipped")
                continue
            yield FileJob(path, display, root, display_top)
        stack.extend(reversed(subdirs))


def _rel(top: Path, path: Path) -> str:
    try:
        return path.relative_to(top).as_posix()
    except ValueError:
        return path.as_posix()


def _display(display_top: str, top: Path, path: Path) -> str:
    rel = _rel(top, path)
    if display_top in ("", "."):
        return rel
    return os.path.join(display_top, rel)
