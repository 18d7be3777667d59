"""One import resolver for the whole project: what a name in a module refers to.

`qualname(module, node)` turns a name or attribute chain as written (`cors.CORS`, `C`, `m.CORSMiddleware`)
into the dotted name of what it is bound to *at that place*: the binding visible there (scopes,
positions), an import expanded (`import a.b as c`, `from x import y as z`, relative imports at any
depth), a re-export through another project module or its `__init__.py` followed (`from .ext import
CORS` where ext.py imports flask_cors), and star imports (`from m import *`, with `__all__`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from corsproof.static.semantic._scopes import Binding, StarImport

if TYPE_CHECKING:
    from corsproof.static._module import Module

MAX_HOPS = 12  # re-exports followed through at most this many project modules


def project_module(module: Module, dotted: str, level: int) -> Module | None:
    """The project module `from <level dots><dotted> import …` (or `import dotted`) refers to."""
    found = module.project.find_module(dotted, module.path, level)
    if found is None:
        return None
    other = module.project.load(found)
    return None if other is None or other.path == module.path else other


def exports(module: Module) -> set[str] | None:
    """The names `from module import *` binds: `__all__` when it is a literal, else None (every
    public name)."""
    scope = module.semantic.module_scope
    bindings = scope.bindings.get("__all__")
    if not bindings:
        return None
    names: set[str] = set()
    for binding in bindings:
        value = binding.value
        if binding.kind not in ("assign", "augassign") or not isinstance(
            value, (ast.List, ast.Tuple)
        ):
            return None
        if binding.kind == "assign":
            names = set()
        for elt in value.elts:
            if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
                return None
            names.add(elt.value)
    return names


def provides(module: Module, name: str, _hops: int = 0) -> bool:
    """Does `from module import *` bind `name`?"""
    listed = exports(module)
    if listed is not None:
        return name in listed
    return not name.startswith("_") and binds(module, name, _hops)


def binds(module: Module, name: str, _hops: int = 0) -> bool:
    """Is `name` bound at module level in `module`, itself or through a star import?"""
    scope = module.semantic.module_scope
    if name in scope.bindings:
        return True
    if _hops >= MAX_HOPS:
        return False
    return any(
        (other := project_module(module, star.module, star.level)) is not None
        and provides(other, name, _hops + 1)
        for star in scope.stars
    )


def import_qualname(module: Module, binding: Binding, _hops: int = 0) -> str:
    """The dotted name an import binding stands for, following project re-exports."""
    memo = module.semantic.import_names
    found = memo.get(binding)
    if found is None:
        found = memo[binding] = _import_qualname(module, binding, _hops)
    return found


def _import_qualname(module: Module, binding: Binding, _hops: int) -> str:
    if binding.kind == "import":
        return binding.module or ""
    assert binding.attr is not None
    base = binding.module or ""
    found = module.project.find_module(base, module.path, binding.level)
    if _hops < MAX_HOPS and found is not None and module.project.may_import(found, binding.attr):
        other = project_module(module, base, binding.level)
        if other is not None:
            target = global_qualname(other, binding.attr, _hops + 1)
            if target:
                return target
        # `from . import views` / `from pkg import submodule`: a module, not a name in __init__
    if binding.level:
        return f"{base}.{binding.attr}" if base else binding.attr
    return f"{base}.{binding.attr}" if base else binding.attr


def global_qualname(module: Module, name: str, _hops: int = 0) -> str | None:
    """What the module-level `name` of a project module is, when it is an import (a re-export)."""
    visible = module.semantic.visible(name, None)
    for item in reversed(visible.ordered):
        if isinstance(item, Binding):
            if item.kind in ("import", "from-import"):
                return import_qualname(module, item, _hops)
            return None
        other = project_module(module, item.module, item.level)
        if other is not None and provides(other, name):
            return global_qualname(other, name, _hops + 1)
    return _library_star(visible.stars, name)


def _library_star(stars: list[StarImport], name: str) -> str | None:
    """`from flask_cors import *` with no binding of `name` seen: the last library star import
    (a library's exports are not read; a name bound in the module wins over it)."""
    for star in reversed(stars):
        if not star.level:
            return f"{star.module}.{name}"
    return None


def head_qualname(module: Module, name: ast.Name) -> str:
    """The dotted name a Name refers to where it is used (see the module docstring)."""
    visible = module.semantic.visible(name.id, name)
    for item in reversed(visible.ordered):
        if isinstance(item, Binding):
            if item.kind in ("import", "from-import"):
                return import_qualname(module, item)
            if item.conditional and item is not visible.ordered[0]:
                # `try: from flask_cors import CORS / except ImportError: CORS = None`: the
                # import is the alternative that calls can reach
                continue
            if item.kind in ("function", "class", "parameter"):
                # defined here: not a library's name, whatever it is called
                return f"<local>.{name.id}"
            return name.id
        other = project_module(module, item.module, item.level)
        if other is not None and provides(other, name.id):
            return global_qualname(other, name.id) or name.id
    return _library_star(visible.stars, name.id) or name.id


@dataclass(frozen=True)
class NameFacts:
    """What the node index tells about the imported names of a module before any scope is built:
    what each may stand for (kept per name once asked)."""

    # the dotted names an import binds a name to anywhere in the module (`import a.b as c`: c ->
    # a.b; `from m import x as y`: y -> m.x)
    imports: dict[str, set[str]]
    # `from m import x`: x -> (m, level, x), a re-export when m is a project module that imports
    # x itself (then x stands for what m's chain of imports ends at: `reexported`)
    forwarded: dict[str, tuple[str, int, str]]
    library_stars: tuple[str, ...]  # `from flask_cors import *`: a name may be flask_cors.name
    # `from .ext import *`: (module, level); a name may stand for anything ext re-exports
    project_stars: tuple[tuple[str, int], ...]
    _reexported: dict[str, frozenset[str] | None] = field(default_factory=dict, repr=False)
    _heads: dict[str, set[str] | None] = field(default_factory=dict, repr=False)
    _lasts: dict[str, frozenset[str] | None] = field(default_factory=dict, repr=False)

    def heads(self, module: Module, name: str) -> set[str] | None:
        """The dotted names a use of `name` may resolve to (`<local>.name` aside, which no
        library's name is); None: anything (a re-export through imports the bytes do not show,
        or a star import of a relative module that is not there)."""
        if name in self._heads:
            return self._heads[name]
        found: set[str] | None = None
        further = self.reexported(module, name)
        if further is not None:
            found = {name, *self.imports.get(name, ()), *further}
            found.update(f"{star}.{name}" for star in self.library_stars)
            for dotted, level in self.project_stars:
                # what the star may bind `name` to: the ends of the project module's chain of
                # imports of it (its own name when it defines it, or nothing); a relative module
                # that is not there may bind anything
                targets = _chain_ends(module, dotted, level, name, missing=None)
                if targets is None:
                    found = None
                    break
                found |= targets
        self._heads[name] = found
        self._lasts[name] = None if found is None else last_parts(found)
        return found

    def last_parts(self, module: Module, name: str) -> frozenset[str] | None:
        """The last parts of `heads` (None: any), kept once asked."""
        if name not in self._lasts:
            self.heads(module, name)
        return self._lasts[name]

    def reexported(self, module: Module, name: str) -> frozenset[str] | None:
        """What a `from <project module> import name` may stand for through re-exports (see
        `Project.reexport_targets`); empty for any other name. Kept once asked."""
        if name in self._reexported:
            return self._reexported[name]
        imported = self.forwarded.get(name)
        known: frozenset[str] | None = frozenset()
        if imported is not None:
            dotted, level, attr = imported
            known = _chain_ends(module, dotted, level, attr, missing=frozenset())
        self._reexported[name] = known
        return known


def _chain_ends(
    module: Module, dotted: str, level: int, name: str, missing: frozenset[str] | None
) -> frozenset[str] | None:
    """What `from <level dots><dotted> import name` (`*` included) may bind `name` to, seen from
    `module`: the ends of the project module's chain of imports of it (see
    `Project.reexport_targets`); `missing` when no project module is there."""
    there = module.project.find_module(dotted, module.path, level)
    if there is None:
        return missing
    return module.project.reexport_targets(there, name, f"{dotted}.{name}" if dotted else name)


def name_facts(module: Module) -> NameFacts:
    """The `NameFacts` of a module, from its index (imports, defs, classes, parameters)."""
    imports: dict[str, set[str]] = {}
    forwarded: dict[str, tuple[str, int, str]] = {}
    library_stars: list[str] = []
    project_stars: list[tuple[str, int]] = []
    for node in module.nodes(ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                imports.setdefault(local, set()).add(alias.name if alias.asname else local)
            continue
        assert isinstance(node, ast.ImportFrom)
        base = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                if node.level or module.project.find_module(base, module.path, node.level):
                    project_stars.append((base, node.level))  # what the module re-exports
                else:
                    library_stars.append(base)
                continue
            local = alias.asname or alias.name
            imports.setdefault(local, set()).add(f"{base}.{alias.name}" if base else alias.name)
            if local == alias.name:
                forwarded[local] = (base, node.level, alias.name)
    return NameFacts(imports, forwarded, tuple(library_stars), tuple(project_stars))


def resolved_names(module: Module) -> frozenset[str]:
    """The names bound somewhere in the module by an import, a def, a class or a parameter:
    their uses resolve to an import or to `<local>.name`; any other name stands for itself.
    (From the index; `Module.resolved_names` keeps it: only `qualname` asks.)"""
    names = set(module.name_facts.imports)
    for node in module.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        names.add(node.name)  # type: ignore[attr-defined]
    names.update(arg.arg for arg in module.nodes(ast.arg))  # type: ignore[attr-defined]
    return frozenset(names)


def may_end(module: Module, node: ast.AST, names: Collection[str] | Callable[[str], bool]) -> bool:
    """Could `qualname(module, node)` end with one of `names` (last parts of dotted names, or a
    test of the last part)? False only when it surely cannot: decided from the node index,
    without building scopes, so that an adapter skips the calls that cannot be its library's
    before resolving them."""
    test = names if callable(names) else names.__contains__
    if isinstance(node, ast.Attribute):
        return test(node.attr)
    if not isinstance(node, ast.Name):
        return False
    lasts = module.name_facts.last_parts(module, node.id)
    return lasts is None or any(test(last) for last in lasts)


def may_resolve(module: Module, node: ast.AST, names: Collection[str]) -> bool:
    """Could `qualname(module, node)` be one of the dotted `names`? False only when it surely
    cannot, from the imports of the module (and the bytes of the project modules it re-exports
    from) alone, no scope built: `x.setup()` with `x` a parameter or a variable is no
    `aiohttp_cors.setup`."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return False
    heads = module.name_facts.heads(module, node.id)
    if heads is None:
        lasts = names.lasts if isinstance(names, DottedNames) else last_parts(names)
        return not parts or parts[0] in lasts
    tail = "." + ".".join(reversed(parts)) if parts else ""
    return any(head + tail in names for head in heads)


def last_parts(names: Iterable[str]) -> frozenset[str]:
    """The last parts of dotted names: what `may_end` compares."""
    return frozenset(name.rsplit(".", 1)[-1] for name in names)


class DottedNames(frozenset[str]):
    """A set of dotted names (`flask_cors.CORS`, …) that knows its last parts (`lasts`), so that
    `Module.resolves_to` checks them without computing them at every call."""

    lasts: frozenset[str]

    def __new__(cls, names: Iterable[str]) -> DottedNames:
        made = super().__new__(cls, names)
        made.lasts = last_parts(made)
        return made


def qualname(module: Module, node: ast.AST) -> str:
    """Dotted name of a Name/Attribute chain with the head resolved where it is used:
    `cors.CORS` -> `flask_cors.CORS`; "" when the chain does not start with a name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    facts = module.name_facts
    if facts.project_stars or facts.library_stars or node.id in module.resolved_names:
        head = head_qualname(module, node)
    else:
        head = node.id  # bound here by assignments only, or not at all: it stands for itself
    return ".".join([head, *reversed(parts)])


__all__ = [
    "DottedNames",
    "NameFacts",
    "binds",
    "exports",
    "global_qualname",
    "head_qualname",
    "import_qualname",
    "last_parts",
    "may_end",
    "may_resolve",
    "name_facts",
    "project_module",
    "provides",
    "qualname",
    "resolved_names",
]
