"""One import resolver for the whole project: what a name in a module refers to.

`qualname(module, node)` turns a name or attribute chain as written (`cors.CORS`, `C`, `m.CORSMiddleware`)
into the dotted name of what it is bound to *at that place*: the binding visible there (scopes,
positions), an import expanded (`import a.b as c`, `from x import y as z`, relative imports at any
depth), a re-export through another project module or its `__init__.py` followed (`from .ext import
CORS` where ext.py imports flask_cors), and star imports (`from m import *`, with `__all__`).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from corsproof.static.semantic._binder import Binding, StarImport

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


def qualname(module: Module, node: ast.AST) -> str:
    """Dotted name of a Name/Attribute chain with the head resolved where it is used:
    `cors.CORS` -> `flask_cors.CORS`; "" when the chain does not start with a name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    head = head_qualname(module, node)
    return ".".join([head, *reversed(parts)])


__all__ = [
    "binds",
    "exports",
    "global_qualname",
    "head_qualname",
    "import_qualname",
    "project_module",
    "provides",
    "qualname",
]
