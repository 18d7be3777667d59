"""One parse per file: the parsed `Module` with its indexes (lines, nodes by type, calls by the
name they call, qualified names, star imports), and the `Project` that loads the project's other
modules on demand and keeps the recent ones (bounded by `CACHE_BYTES`).

The readings without a tree are in `_source` (opening, bounded reading, decoding, parsing),
`_byte_scan` (imports and patterns from the bytes) and `_project_files` (finding modules,
following imports); their names are re-exported here for the callers that import them from this
module."""

from __future__ import annotations

import ast
import re
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from corsproof.findings import Location
from corsproof.static._byte_scan import ImportSummary as _ImportSummary
from corsproof.static._byte_scan import code_match
from corsproof.static._byte_scan import imports_in as _imports_in
from corsproof.static._project_files import ProjectFiles
from corsproof.static._read import (
    MAX_BYTES,
    AnalysisError,
    decode_source,
    open_source,
    parse_source,
    read_bounded,
)
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

__all__ = [
    "CACHE_BYTES",
    "MAX_BYTES",
    "AnalysisError",
    "Module",
    "Project",
    "_ImportSummary",
    "_imports_in",
    "code_match",
    "decode_source",
    "open_source",
    "parse_source",
    "read_bounded",
]

# source bytes of parsed modules each worker keeps for reuse (imports, split settings): ~20x in trees
CACHE_BYTES = 256 * 1024


@dataclass
class Project(ProjectFiles):
    """The scan root: lets the resolver find and load the project's own modules."""

    # least recently used first; bounded by CACHE_BYTES of source so memory stays flat
    _cache: OrderedDict[Path, Module | None] = field(default_factory=OrderedDict)
    _cached_bytes: int = 0
    _real: dict[Path, Path] = field(default_factory=dict)  # path -> its real path
    _evicted: list[Module] = field(default_factory=list)  # freed by `release_evicted`
    # steps left for the expression being evaluated (semantic._evaluate), across its modules
    budget: list[int] = field(default_factory=lambda: [0])
    # what an adapter learnt about the project's files, keyed by (adapter, question): it lives
    # as long as the project, one scan, never across two
    facts: dict[tuple[str, object], object] = field(default_factory=dict)

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


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


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
