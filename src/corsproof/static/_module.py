"""A parsed source file and the project around it (for names imported from the project's modules)."""

from __future__ import annotations

import ast
import io
import os
import re
import stat
import sys
import tokenize
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from corsproof.findings import Location
from corsproof.static.semantic._imports import (
    DottedNames,
    NameFacts,
    last_parts,
    may_end,
    may_resolve,
    name_facts,
    qualname,
    resolved_names,
)
from corsproof.static.semantic._model import SemanticModel

_UNKNOWN = object()  # not looked up yet (a cached answer may be None)
MAX_BYTES = 10 * 1024 * 1024  # larger files are not parsed (their tree would take ~20x as much)
# source bytes of parsed modules each worker keeps for reuse (imports, split settings): ~20x in trees
CACHE_BYTES = 256 * 1024
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class AnalysisError(Exception):
    """A file that cannot be analysed; the message is what the user sees under `errors`."""


def open_source(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a file for reading; AnalysisError unless it is a regular file.

    Opened non-blocking, so a FIFO (or a file replaced by one after the walk) never hangs the scan.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise AnalysisError("not a regular file (FIFO, socket or device): skipped")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(handle: BinaryIO, limit: int) -> bytes:
    """The file's bytes, at most `limit + 1` of them (one more than allowed tells a file too
    large). Sized from `fstat` first: `read(limit + 1)` would allocate the whole limit (10 MiB)
    for every small file; a file that grew since is read on, up to the bound."""
    try:
        size = os.fstat(handle.fileno()).st_size
    except (OSError, ValueError, io.UnsupportedOperation):
        size = limit
    data = handle.read(min(size, limit) + 1)
    if len(data) <= size:
        return data  # all of it (a BufferedReader reads until the count or the end)
    # more than fstat told (grown since, or a size it does not tell): read on, within the bound
    while len(data) <= limit:
        more = handle.read(min(1 << 16, limit + 1 - len(data)))
        if not more:
            break
        data += more
    return data


def decode_source(data: bytes) -> str:
    """The text of a source file, decoded as Python would (BOM, PEP 263 coding declaration)."""
    if b"\x00" in data:
        raise AnalysisError("contains NUL bytes: not a Python source file")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise AnalysisError(f"cannot decode: {exc.msg}") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding.startswith("utf-8") else encoding
        line = data.count(b"\n", 0, exc.start) + 1
        raise AnalysisError(f"not valid {name} (line {line}, byte {exc.start})") from None
    except (UnicodeError, LookupError) as exc:
        raise AnalysisError(f"cannot decode as {encoding}: {exc}") from None


def parse_source(source: str, filename: str) -> ast.Module:
    try:
        return ast.parse(source, filename=filename)
    except SyntaxError as exc:
        msg = exc.msg or "invalid syntax"
        if "print" in msg and "parentheses" in msg or "Missing parentheses" in msg:
            msg += " (Python 2 source?)"
        raise AnalysisError(f"SyntaxError: {msg} (line {exc.lineno})") from None
    except (RecursionError, MemoryError):
        raise AnalysisError("too deeply nested to parse") from None
    except ValueError as exc:
        raise AnalysisError(f"cannot parse: {exc}") from None


@dataclass
class Project:
    """The scan root: lets the resolver find and load the project's own modules."""

    root: Path  # real path of the scan argument (a directory, or the file's directory)
    display_root: str  # how the user wrote it
    # least recently used first; bounded by CACHE_BYTES of source so memory stays flat
    _cache: OrderedDict[Path, Module | None] = field(default_factory=OrderedDict)
    _cached_bytes: int = 0
    _found: dict[tuple[str, str, int], Path | None] = field(default_factory=dict)
    _real: dict[Path, Path] = field(default_factory=dict)  # path -> its real path
    # only for the modules a name may be imported into (see `may_import`)
    _import_summaries: dict[Path, _ImportSummary] = field(default_factory=dict)
    _import_words: dict[Path, tuple[bool, frozenset[str]]] = field(default_factory=dict)
    _evicted: list[Module] = field(default_factory=list)  # freed by `release_evicted`
    _reaches: dict[tuple[Path, re.Pattern[bytes]], bool] = field(default_factory=dict)
    # directory -> the names of its files and of its subdirectories (find_module)
    _files: dict[str, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)
    _reexport_targets: dict[tuple[Path, str, str], frozenset[str] | None] = field(
        default_factory=dict
    )
    _star_sources: dict[Path, tuple[Path, ...]] = field(default_factory=dict)
    # steps left for the expression being evaluated (semantic._evaluate), across its modules
    budget: list[int] = field(default_factory=lambda: [0])
    # what an adapter learnt about the project's files, keyed by (adapter, question): it lives
    # as long as the project, one scan, never across two
    facts: dict[tuple[str, object], object] = field(default_factory=dict)

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
        bytes (`_from_imports`: every `from … import *`, wherever written, so a superset of
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
            # (the star imports alone, as `_ImportSummary` reads them: no summary built for this)
            found = (
                self.find_module(dotted.decode("ascii", "replace"), path, level)
                for level, dotted, items in _from_imports(_bytes_of(path))
                if any(b"*" in item for item in items)
            )
            if len(self._star_sources) > 4096:
                self._star_sources.clear()
            known = self._star_sources[path] = tuple(p for p in found if p is not None)
        return known

    def mentions(self, path: Path, words: Iterable[bytes]) -> bool:
        """Is one of `words` anywhere in the bytes of the file at `path`?"""
        data = _bytes_of(path)
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
                star, words = _import_words(_bytes_of(path))
                known = (star, frozenset(w.decode("ascii") for w in words))
            if len(self._import_words) > 4096:
                self._import_words.clear()
            self._import_words[path] = known
        return known[0] or name in known[1]

    def _imports_of(self, path: Path) -> _ImportSummary:
        known = self._import_summaries.get(path)
        if known is None:
            known = _ImportSummary.read(_bytes_of(path))
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
        bytes (`_imports_in`: every import statement, wherever written), each module once per
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
            data = _bytes_of(current)
            if code_match(data.lower(), pattern):
                self._remember_chain(current, via, pattern)
                return True
            imports = _imports_in(data)
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

    def load(self, path: Path) -> Module | None:
        """Parse another project file on demand (once per process while it stays in the cache);
        None when it cannot be used."""
        real = self._real.get(path)
        if real is None:
            if len(self._real) > 4096:
                self._real.clear()
            real = self._real[path] = path.resolve()
        path = real
        if path in self._cache:
            self._cache.move_to_end(path)
            return self._cache[path]
        module: Module | None = None
        try:
            with open_source(path) as handle:
                data = read_bounded(handle, MAX_BYTES)
            if len(data) <= MAX_BYTES:
                source = decode_source(data)
                module = Module(
                    path, self.display(path), source, parse_source(source, str(path)), self
                )
        except (OSError, AnalysisError):
            module = None
        self._put(path, module)
        return module

    def cached(self, path: Path) -> Module | None:
        """The module of a (resolved) path if this process parsed it already."""
        module = self._cache.get(path)
        if module is not None:
            self._cache.move_to_end(path)
        return module

    def add(self, module: Module) -> None:
        self._put(module.path.resolve(), module)

    def _put(self, path: Path, module: Module | None) -> None:
        old = self._cache.pop(path, None)
        self._cached_bytes -= _cost(old)
        self._cache[path] = module
        self._cached_bytes += _cost(module)
        while self._cached_bytes > CACHE_BYTES and len(self._cache) > 1:
            _, evicted = self._cache.popitem(last=False)
            self._cached_bytes -= _cost(evicted)
            if evicted is not None:
                self._evicted.append(evicted)

    def release_evicted(self) -> None:
        """Free the modules evicted from the cache (between two files: nothing uses them)."""
        while self._evicted:
            self._evicted.pop().release()

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


# what follows an `import`: a parenthesised list, or the rest of the line (and the next one after
# a backslash); anywhere in the file, comments and strings included (a word too many only costs
# a parse)
_IMPORT_LIST = re.compile(rb"import\b(?:\s*\(([^)]*)|((?:[^\n]*\\\n)*[^\n]*))")
_WORD = re.compile(rb"\w+")
_COMMENT = re.compile(rb"#[^\n]*")
# `from .m import a, b as c` / `from m import (a,\n b)`, anywhere (a compound statement's
# body, a doctest example, a comment: one more source is only more work): dots, module, names
_FROM_IMPORT = re.compile(
    rb"from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|(?:[^\n;]*\\\n)*[^\n;]*)"
)
# `import a.b, c as d`: the list (a literal first, for a fast scan: what comes before is checked
# in `_plain_import`, not in a lookbehind)
_PLAIN_IMPORT = re.compile(rb"import[ \t]+([\w. \t,]+)")
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_NAME_OR_DOT = _NAME_BYTES | {ord(".")}


def _inside_word(data: bytes, start: int) -> bool:
    """Does a match at `start` continue a word (`reimport`, `xfrom`)? (The patterns start with
    their literal, for a fast scan, instead of a `\\b`.)"""
    return start > 0 and data[start - 1] in _NAME_BYTES


def _plain_import(data: bytes, start: int) -> bool:
    """Is the `import` at `start` a statement of its own (not `from m import`, not a word in
    prose such as "we import it", not part of a name)?"""
    before = data[start - 1] if start else 10
    if before in _NAME_OR_DOT:  # a name, or an attribute `x.import`
        return False
    return not (before in b" \t" and start >= 2 and data[start - 2] in _NAME_OR_DOT)


_DOTTED = re.compile(rb"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class _ImportSummary:
    """The imports of a file as its bytes show them, wherever they are (comments and strings
    included: a word or a module too many only costs a parse or an analysis, never a finding)."""

    star: bool  # a `*` after some `import`
    words: frozenset[str]  # every word named after an `import`
    # name -> (level, module, name imported there) of each `from <dots>module import …` that
    # binds it ("*": the star imports)
    sources: dict[str, list[tuple[int, str, str]]]
    modules: dict[str, list[str]]  # `import a.b [as c]`: the name bound -> the modules
    loose: frozenset[str]  # named after an `import` in a way neither reading understood

    @classmethod
    def read(cls, data: bytes) -> _ImportSummary:
        star, words = _import_words(data)
        sources: dict[str, list[tuple[int, str, str]]] = {}
        modules: dict[str, list[str]] = {}
        understood: set[bytes] = set()
        loose: set[bytes] = set()
        for level, dotted, items in _from_imports(data):
            module = dotted.decode("ascii", "replace")
            for item in items:
                named = _WORD.findall(item)
                understood.update(named)
                if b"*" in item:
                    sources.setdefault("*", []).append((level, module, "*"))
                    continue
                if len(named) == 1:
                    original = name = named[0].decode("ascii")
                elif len(named) == 3 and named[1] == b"as":
                    original, name = named[0].decode("ascii"), named[2].decode("ascii")
                else:
                    loose.update(named)  # not read as names: undecided
                    continue
                sources.setdefault(name, []).append((level, module, original))
        for item in _plain_import_items(data):
            named = _WORD.findall(item)
            understood.update(named)
            dotted_words = _imported_dotted(item)
            if not named or dotted_words is None:
                loose.update(named)
                continue
            dotted = dotted_words.decode("ascii")
            parts = dotted.split(".")
            alias = item.split(b" as ")[1].strip() if b" as " in item else b""
            local = alias.decode("ascii") if _WORD.fullmatch(alias) else parts[0]
            modules.setdefault(local, []).append(dotted if alias else parts[0])
        loose.update(words - understood)
        return cls(
            star,
            frozenset(w.decode("ascii") for w in words),
            sources,
            modules,
            frozenset(w.decode("ascii") for w in loose),
        )


def _import_words(data: bytes) -> tuple[bool, set[bytes]]:
    """Is there a `*` after some `import`, and every word named after one (what `may_import`
    needs: a name no import names is defined where it is, or nowhere)."""
    star = False
    words: set[bytes] = set()
    for match in _IMPORT_LIST.finditer(data):
        if _inside_word(data, match.start()):
            continue
        listed, rest = match.groups()
        segment = listed if listed is not None else rest
        if rest is not None and b"*" in rest.split(b"\n", 1)[0]:
            star = True
        words.update(_WORD.findall(segment))
    return star, words


def _imports_in(data: bytes) -> set[tuple[int, str]]:
    """Every (level, module) a file may import, read from its bytes as `_ImportSummary` reads
    them (wherever written): `from m import x` gives m and m.x (perhaps a submodule), `import
    a.b` gives a and a.b. All `Project.reaches` needs, without the rest of a summary."""
    found: set[tuple[int, str]] = set()
    for level, dotted, items in _from_imports(data):
        found.add((level, dotted.decode("ascii", "replace")))
        prefix = dotted + b"." if dotted else b""
        for item in items:
            first = _WORD.search(item)
            if first is not None and b"*" not in item:
                found.add((level, (prefix + first.group()).decode("ascii", "replace")))
    for item in _plain_import_items(data):
        dotted_words = _imported_dotted(item)
        if dotted_words is not None:
            parts = dotted_words.decode("ascii").split(".")
            for end in range(1, len(parts) + 1):
                found.add((0, ".".join(parts[:end])))
    return found


def _from_imports(data: bytes) -> Iterator[tuple[int, bytes, list[bytes]]]:
    """Each `from <dots>module import …` of the bytes, wherever written: (level, module, the
    items of its list, comments and brackets taken out)."""
    for match in _FROM_IMPORT.finditer(data):
        if _inside_word(data, match.start()):
            continue
        dots, dotted, listed = match.groups()
        yield len(dots), dotted, _COMMENT.sub(b"", listed).strip(b"()\\ \t\r\n").split(b",")


def _plain_import_items(data: bytes) -> Iterator[bytes]:
    """Each item of each `import a.b as c, d` statement of the bytes, wherever written."""
    for match in _PLAIN_IMPORT.finditer(data):
        if _plain_import(data, match.start()):
            yield from match.group(1).split(b",")


def _imported_dotted(item: bytes) -> bytes | None:
    """The dotted module name an `import` item names (`a.b` in `a.b as c`); None when it is not
    one."""
    dotted = item.split(b" as ")[0].strip()
    return dotted if _DOTTED.fullmatch(dotted) else None


def _bytes_of(path: Path) -> bytes:
    """A project file's bytes for the readings that need no tree (empty when it cannot be read:
    a reading of nothing finds nothing to follow)."""
    try:
        with open_source(path) as handle:
            return read_bounded(handle, MAX_BYTES)
    except (OSError, AnalysisError):
        return b""


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def code_match(data: bytes, pattern: re.Pattern[bytes]) -> bool:
    """Does `pattern` match `data` (a Python file's bytes) somewhere that is not surely inside a
    comment? A match is surely in a comment when a `#` comes before it on its line and no quote
    before that `#` (nor any other character that could open a string). Else (in code, in a
    string, or undecided) it counts. A line inside a multi-line string that reads `# …` is string
    text after a `#`: no name, value or header either."""
    for match in pattern.finditer(data):
        start = match.start()
        line = data.rfind(b"\n", 0, start) + 1
        before = data[line:start]
        hash_at = before.find(b"#")
        if hash_at < 0 or b"'" in before[:hash_at] or b'"' in before[:hash_at]:
            return True
        if b"\r" in before or b"\\" in before[:hash_at]:
            return True  # another line end, or an escape: undecided
    return False


_LINE_ENDS = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _cost(module: Module | None) -> int:
    return 256 + (len(module.source) if module is not None else 0)


@dataclass
class Module:
    path: Path
    display: str
    source: str
    tree: ast.Module
    project: Project

    @cached_property
    def _raw_lines(self) -> list[str]:
        """The lines as the parser counts them (only \\r\\n, \\n and \\r end one; a form feed or
        \\u2028 inside a line does not), each with its end."""
        return _LINE_ENDS.findall(self.source)

    @cached_property
    def lines(self) -> list[str]:
        """Line N of the file is `lines[N - 1]` (numbered as in the tree), without its end."""
        return [line.rstrip("\r\n") for line in self._raw_lines]

    @cached_property
    def semantic(self) -> SemanticModel:
        """Scopes, bindings, parents and the node index, built in one pass over the tree."""
        source = self.source
        return SemanticModel(self.tree, "global" in source or "nonlocal" in source)

    @property
    def parents(self) -> dict[ast.AST, ast.AST]:
        return self.semantic.parents

    def ancestors(self, node: ast.AST) -> list[ast.AST]:
        return list(self.semantic.ancestors(node))

    def nodes(self, *types: type) -> Iterator[ast.AST]:
        """Every node of these types, in source order (from the one pass: no new walk)."""
        return self.semantic.nodes(*types)

    def statement(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.stmt):
            return node
        for parent in self.semantic.ancestors(node):
            if isinstance(parent, ast.stmt):
                return parent
        return node

    def scope(self, node: ast.AST) -> str:
        names = [
            a.name
            for a in self.semantic.ancestors(node)
            if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        ]
        return ".".join(reversed(names))

    def function_of(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        for parent in self.semantic.ancestors(node):
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return parent
        return None

    def _column(self, line: int, byte_offset: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    def loc(self, node: ast.AST) -> Location:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        stmt = self.statement(node)
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return Location(
            path=self.display,
            line=line,
            column=self._column(line, getattr(node, "col_offset", 0)),
            end_line=end_line,
            end_column=self._column(end_line, getattr(node, "end_col_offset", 0) or 0),
            stmt_line=getattr(stmt, "lineno", line),
            stmt_end_line=getattr(stmt, "end_lineno", end_line) or end_line,
            source=source.strip()[:400],
            scope=self.scope(node),
        )

    def text(self, node: ast.AST) -> str:
        """The source of a node as written (`ast.get_source_segment`, without splitting the whole
        file again at every call), else unparsed."""
        try:
            segment = self._segment(node)
            if segment is None or "\n" in segment or "\r" in segment:
                # spread over lines (with comments, perhaps): one line, as Python reads it
                return ast.unparse(node)
            return segment
        except Exception:  # noqa: BLE001 - a display string only
            return "<expression>"

    def _segment(self, node: ast.AST) -> str | None:
        end_lineno = getattr(node, "end_lineno", None)
        end_col = getattr(node, "end_col_offset", None)
        if end_lineno is None or end_col is None or not hasattr(node, "lineno"):
            return None
        lines = self._raw_lines
        first, last, col = node.lineno - 1, end_lineno - 1, node.col_offset  # type: ignore[attr-defined]
        if first == last:
            return lines[first].encode()[col:end_col].decode()
        head = lines[first].encode()[col:].decode()
        tail = lines[last].encode()[:end_col].decode()
        return "".join([head, *lines[first + 1 : last], tail])

    def qualname(self, node: ast.AST) -> str:
        """Dotted name of a Name/Attribute as bound where it is used: `cors.CORS` ->
        `flask_cors.CORS` (scopes, aliases, relative and star imports, project re-exports)."""
        found = self._qualnames.get(node)
        if found is None:
            found = self._qualnames[node] = qualname(self, node)
        return found

    @cached_property
    def _qualnames(self) -> dict[ast.AST, str]:
        return {}

    def release(self) -> None:
        """Free what the analysis built (see `SemanticModel.release`); the module is not used
        again."""
        model = self.__dict__.pop("semantic", None)
        if model is not None:
            model.release()
        for name in ("_qualnames", "name_facts", "resolved_names", "lines", "_raw_lines"):
            self.__dict__.pop(name, None)

    @cached_property
    def resolved_names(self) -> frozenset[str]:
        return resolved_names(self)

    @cached_property
    def name_facts(self) -> NameFacts:
        return name_facts(self)

    def may_end(self, node: ast.AST, names: Collection[str] | Callable[[str], bool]) -> bool:
        """Could `qualname(node)` end with one of `names` (last parts, or a test of the last
        part)? False only when it surely cannot (from the node index: no scope is built).
        Adapters ask it before `qualname`."""
        return may_end(self, node, names)

    def resolves_to(self, node: ast.AST, names: Collection[str]) -> str | None:
        """`qualname(node)` when it is one of the dotted `names`, else None; calls that cannot
        be one of them are told apart from the node index before anything is resolved."""
        lasts = names.lasts if isinstance(names, DottedNames) else last_parts(names)
        if not may_end(self, node, lasts) or not may_resolve(self, node, names):
            return None
        found = self.qualname(node)
        return found if found in names else None

    @cached_property
    def _calls_by_name(self) -> tuple[dict[str, list[ast.Call]], dict[str, list[ast.Call]]]:
        """The calls of the module by the name they call: `x.name(...)` (by attribute) and
        `name(...)` (by name)."""
        by_attr: dict[str, list[ast.Call]] = {}
        by_name: dict[str, list[ast.Call]] = {}
        for call in self.nodes(ast.Call):
            func = call.func  # type: ignore[attr-defined]
            if isinstance(func, ast.Attribute):
                by_attr.setdefault(func.attr, []).append(call)  # type: ignore[arg-type]
            elif isinstance(func, ast.Name):
                by_name.setdefault(func.id, []).append(call)  # type: ignore[arg-type]
        return by_attr, by_name

    @cached_property
    def _renamed_calls(self) -> dict[str, frozenset[str] | None]:
        """The names called (`name(...)`) that may resolve to a dotted name ending in another
        name (an import `as`, a re-export): name -> those last parts (None: any). Asked once per
        name, not once per adapter."""
        facts = self.name_facts
        found: dict[str, frozenset[str] | None] = {}
        for name in self._calls_by_name[1]:
            if name not in facts.imports and not facts.project_stars:
                continue  # itself, a local, or `lib.name` by a library's star: no other last part
            lasts = facts.last_parts(self, name)
            if lasts is None or lasts != {name}:
                found[name] = lasts
        return found

    def calls_ending(self, names: Collection[str] | Callable[[str], bool]) -> list[ast.Call]:
        """The calls whose callee may resolve to a dotted name ending in one of `names` (last
        parts, or a test of the last part), in source order (see `may_end`)."""
        by_attr, by_name = self._calls_by_name
        if callable(names):
            test = names
            attrs: Iterable[str] = [attr for attr in by_attr if test(attr)]
            called: Iterable[str] = [name for name in by_name if test(name)]
        else:
            test = names.__contains__
            attrs = by_attr.keys() & names
            called = by_name.keys() & names
        found = [call for attr in attrs for call in by_attr[attr]]
        found.extend(call for name in called for call in by_name[name])
        for name, lasts in self._renamed_calls.items():
            if not test(name) and (lasts is None or any(test(last) for last in lasts)):
                found.extend(by_name[name])
        found.sort(key=_position)
        return found

    def calls_to(self, names: DottedNames) -> Iterator[tuple[ast.Call, str]]:
        """Each call of one of the dotted `names`, with the one it calls (see `resolves_to`)."""
        for call in self.calls_ending(names.lasts):
            found = self.resolves_to(call.func, names)
            if found is not None:
                yield call, found

    def imported_modules(self) -> set[str]:
        """The modules imported anywhere in the file (`from m import x`: m), as written (from the
        node index)."""
        found: set[str] = set()
        for node in self.nodes(ast.Import, ast.ImportFrom):
            if isinstance(node, ast.ImportFrom):
                found.add(node.module or "")
            else:
                assert isinstance(node, ast.Import)
                found.update(
                    alias.name if alias.asname else alias.name.split(".")[0] for alias in node.names
                )
        return found

    @cached_property
    def star_import_sites(self) -> list[tuple[int, Path]]:
        """(line, project module) of each module-level `from X import *`, in order."""
        found: list[tuple[int, Path]] = []
        # from the index: `import *` is only allowed at module level (no scope to build)
        for node in self.nodes(ast.ImportFrom):
            assert isinstance(node, ast.ImportFrom)
            if node.names[0].name != "*":
                continue
            path = self.project.find_module(node.module or "", self.path, node.level)
            if path is not None and path.resolve() != self.path.resolve():
                found.append((node.lineno, path))
        return found

    @property
    def star_imports(self) -> list[Path]:
        """Project modules imported with `from X import *` at module level, in order."""
        return [path for _, path in self.star_import_sites]
