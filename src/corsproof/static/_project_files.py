"""The project's files as the file system and their bytes show them, without parsing any:
where `from … import` finds a module (`find_module`), what a module may import or re-export
(`may_import`, `reexport_targets`, `star_closure`), and whether a pattern is reached through its
imports (`reaches`). `Project` (in `_module`) adds the parsed modules to this."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corsproof.static._byte_scan import (
    ImportSummary,
    code_match,
    from_imports,
    import_words,
    imports_in,
)
from corsproof.static._read import bytes_of

_UNKNOWN = object()  # not looked up yet (a cached answer may be None)


@dataclass
class ProjectFiles:
    """The scan root, and the readings of the project's files that need no tree."""

    root: Path  # real path of the scan argument (a directory, or the file's directory)
    display_root: str  # how the user wrote it
    _found: dict[tuple[str, str, int], Path | None] = field(default_factory=dict)
    # only for the modules a name may be imported into (see `may_import`)
    _import_summaries: dict[Path, ImportSummary] = field(default_factory=dict)
    _import_words: dict[Path, tuple[bool, frozenset[str]]] = field(default_factory=dict)
    _reaches: dict[tuple[Path, re.Pattern[bytes]], bool] = field(default_factory=dict)
    # directory -> the names of its files and of its subdirectories (find_module)
    _files: dict[str, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)
    _reexport_targets: dict[tuple[Path, str, str], frozenset[str] | None] = field(
        default_factory=dict
    )
    _star_sources: dict[Path, tuple[Path, ...]] = field(default_factory=dict)

    def display(self, path: Path) -> str:
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return str(path)
        if self.display_root in ("", "."):
            return str(rel)
        return os.path.join(self.display_root, str(rel))

    def star_closure(self, paths: Iterable[Path]) -> list[Path]:
        """`paths` and the project modules they may star-import, transitively, read from their
        bytes (`from_imports`: every `from … import *`, wherever written, so a superset of
        what their trees hold) without parsing any: what a settings chain can draw on."""
        found = list(dict.fromkeys(paths))
        seen = set(found)
        index = 0
        while index < len(found):
            for path in self._star_sources_of(found[index]):
                if path not in seen:
                    seen.add(path)
                    found.append(path)
            index += 1
        return found

    def _star_sources_of(self, path: Path) -> tuple[Path, ...]:
        known = self._star_sources.get(path)
        if known is None:
            # (the star imports alone, as `ImportSummary` reads them: no summary built for this)
            found = (
                self.find_module(dotted.decode("ascii", "replace"), path, level)
                for level, dotted, items in from_imports(bytes_of(path))
                if any(b"*" in item for item in items)
            )
            if len(self._star_sources) > 4096:
                self._star_sources.clear()
            known = self._star_sources[path] = tuple(p for p in found if p is not None)
        return known

    def mentions(self, path: Path, words: Iterable[bytes]) -> bool:
        """Is one of `words` anywhere in the bytes of the file at `path`?"""
        data = bytes_of(path)
        return any(word in data for word in words)

    def may_import(self, path: Path, name: str) -> bool:
        """Could the module at `path` bind `name` by an import (a re-export)? Read from its bytes,
        so that following `from .helpers import x` does not parse helpers.py when x is simply
        defined there: a `from … import` naming it, an `… as name`, or a star import."""
        if not name.isascii():
            return True
        known = self._import_words.get(path)
        if known is None:
            summary = self._import_summaries.get(path)
            if summary is not None:
                known = (summary.star, summary.words)
            else:
                star, words = import_words(bytes_of(path))
                known = (star, frozenset(w.decode("ascii") for w in words))
            if len(self._import_words) > 4096:
                self._import_words.clear()
            self._import_words[path] = known
        return known[0] or name in known[1]

    def _imports_of(self, path: Path) -> ImportSummary:
        known = self._import_summaries.get(path)
        if known is None:
            known = ImportSummary.read(bytes_of(path))
            if len(self._import_summaries) > 1024:
                self._import_summaries.clear()
            self._import_summaries[path] = known
        return known

    def reexport_targets(
        self, path: Path, name: str, written: str, _seen: tuple[Path, ...] = ()
    ) -> frozenset[str] | None:
        """What `from <module at path> import name` (written `written`, `m.name`) may resolve to
        when the module re-exports it: the dotted names at the ends of its chain of `from …
        import` statements (a library's `lib.original`, or the name as written where a project
        module defines it), read from the bytes of the project's modules; None when the chain
        goes through an import this reading does not follow."""
        if path in _seen:
            return frozenset()  # a cycle adds nothing
        key = (path, name, written)
        if not _seen and key in self._reexport_targets:
            return self._reexport_targets[key]
        found = self._reexport_target(path, name, written, (*_seen, path))
        if not _seen:
            if len(self._reexport_targets) > 4096:
                self._reexport_targets.clear()
            self._reexport_targets[key] = found  # an answer cut at a cycle is not kept
        return found

    def _reexport_target(
        self, path: Path, name: str, written: str, seen: tuple[Path, ...]
    ) -> frozenset[str] | None:
        if not self.may_import(path, name):
            return frozenset({written})  # defined there (or nowhere): the name as written
        summary = self._imports_of(path)
        if len(seen) > 8 or not name.isascii() or name in summary.loose:
            return None
        targets = {written, *summary.modules.get(name, ())}  # `import a.b as name`: a.b
        for level, dotted, original in (
            *summary.sources.get(name, ()),
            *summary.sources.get("*", ()),
        ):
            imported = name if original == "*" else original
            there = f"{dotted}.{imported}" if dotted else imported
            found = self.find_module(dotted, path, level)
            if found is None:
                targets.add(there)  # a library's name (or a relative module not there)
                continue
            further = self.reexport_targets(found, imported, there, seen)
            if further is None:
                return None
            targets |= further
        return frozenset(targets)

    def reaches(self, path: Path, pattern: re.Pattern[bytes]) -> bool:
        """Does `pattern` match, in code (see `code_match`), the module at `path` or a project
        module it imports, directly or not? What a name imported from it can carry (a constant,
        a function returning one of its own imports, a re-export) comes from there. Read from the
        bytes (`imports_in`: every import statement, wherever written), each module once per
        closure and none of it kept: a closure found without a match is remembered for each of
        its modules (theirs are within it), a match for each module on the way to it."""
        key = (path, pattern)
        known = self._reaches.get(key)
        if known is not None:
            return known
        via: dict[Path, Path | None] = {path: None}  # module -> the module that imports it
        queue = [path]
        while queue:
            current = queue.pop()
            data = bytes_of(current)
            if code_match(data.lower(), pattern):
                self._remember_chain(current, via, pattern)
                return True
            imports = imports_in(data)
            del data
            directory = os.path.dirname(str(current))
            for level, dotted in imports:
                found = self._find_in(dotted, directory, level)
                if found is None or found in via:
                    continue
                via[found] = current
                known = self._reaches.get((found, pattern))
                if known:
                    self._remember_chain(found, via, pattern)
                    return True
                if known is None:
                    queue.append(found)
        for module in via:
            self._remember_reach((module, pattern), False)
        return False

    def _remember_chain(
        self, found: Path, via: dict[Path, Path | None], pattern: re.Pattern[bytes]
    ) -> None:
        """`found` matches: so does every module on the chain of imports that led to it."""
        current: Path | None = found
        while current is not None:
            self._remember_reach((current, pattern), True)
            current = via[current]

    def _remember_reach(self, key: tuple[Path, re.Pattern[bytes]], found: bool) -> None:
        if len(self._reaches) > 65536:
            self._reaches.clear()
        self._reaches[key] = found

    def find_module(self, dotted: str, importer: Path, level: int) -> Path | None:
        """The file of `from <level dots><dotted> import …` seen from `importer`, if in the project."""
        return self._find_in(dotted, os.path.dirname(str(importer)), level)

    def _find_in(self, dotted: str, directory: str, level: int) -> Path | None:
        """`find_module` from an importer in `directory`. By strings: a Path hashes slowly and
        `.parent` makes a new one."""
        key = (dotted, directory, level)
        found = self._found.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = self._find_module(dotted, directory, level)
            if len(self._found) > 16384:
                self._found.clear()
            # (interned: the keys of a package's modules share their strings)
            self._found[(sys.intern(dotted), sys.intern(directory), level)] = found
        return found  # type: ignore[return-value]

    def _find_module(self, dotted: str, directory: str, level: int) -> Path | None:
        # with strings and listings of the directories seen: the import closures of `reaches`
        # ask for tens of thousands of candidates, most of them a library's
        parts = [p for p in dotted.split(".") if p] if dotted else []
        bases: list[str] = []
        if level:
            for _ in range(level - 1):
                directory = os.path.dirname(directory)
            bases.append(directory)
        else:
            # absolute import: try from the importer's ancestors up to the scan root
            root = str(self.root)
            inside = root if root.endswith(os.sep) else root + os.sep
            while True:
                bases.append(directory)
                parent = os.path.dirname(directory)
                if directory == root or parent == directory or not directory.startswith(inside):
                    break
                directory = parent
        for base in bases:
            if parts:
                files, directories = self._listing(base)
                head = parts[0]
                if head not in directories and (len(parts) > 1 or head + ".py" not in files):
                    continue  # nothing of that name here: no path to build
            candidate = os.path.join(base, *parts)
            for path in (
                candidate + ".py" if parts else None,
                os.path.join(candidate, "__init__.py"),
            ):
                if path is not None and self._is_file(path):
                    return Path(path)
        return None

    def _listing(self, directory: str) -> tuple[frozenset[str], frozenset[str]]:
        """(files, subdirectories) of a directory, read once and kept (a few hundred
        directories, not the tens of thousands of candidate paths asked)."""
        known = self._files.get(directory)
        if known is None:
            if len(self._files) > 8192:
                self._files.clear()
            files: set[str] = set()
            directories: set[str] = set()
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        try:
                            if entry.is_file():
                                files.add(entry.name)
                            elif entry.is_dir():
                                directories.add(entry.name)
                        except OSError:
                            continue
            except OSError:
                pass
            known = self._files[directory] = (frozenset(files), frozenset(directories))
        return known

    def _is_file(self, path: str) -> bool:
        directory, name = os.path.split(path)
        return name in self._listing(directory)[0]
