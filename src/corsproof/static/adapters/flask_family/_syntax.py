"""Helpers on the syntax tree the Flask-family adapters share: following a name to what it is
bound to, the names a function binds, and whether a CORS decorator serves the view it is on."""

from __future__ import annotations

import ast
from collections.abc import Collection

from corsproof.static._module import Module
from corsproof.static.semantic import Evaluator

MAX_FOLLOW = 8


def follow(
    node: ast.AST, module: Module, evaluator: Evaluator
) -> tuple[ast.AST, Module, Evaluator]:
    """Follow names to the expression they are bound to, so entries keep their own locations."""
    for _ in range(MAX_FOLLOW):
        if not isinstance(node, ast.Name):
            break
        found = evaluator.lookup(node.id, node)
        if found is None:
            break
        node, owner = found
        if owner is not module:
            module, evaluator = owner, Evaluator(owner)
    return node, module, evaluator


def route_decorator_below(
    module: Module, call: ast.Call, decorators: Collection[str]
) -> bool | None:
    """For a decorator call: whether a route decorator is applied before it (below it), which
    registers the undecorated view; None when `call` is not a decorator."""
    parent = module.parents.get(call)
    if not (
        isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef))
        and call in parent.decorator_list
    ):
        return None
    below = parent.decorator_list[parent.decorator_list.index(call) + 1 :]
    return any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in decorators
        for d in below
    )


def serves_view(
    module: Module, call: ast.Call, decorators: Collection[str], listed_works: bool = False
) -> bool:
    """Whether a CORS decorator call (`cross_origin(...)`, `route_cors(...)`) serves a view: above
    the route decorators, or applied to a view (`cross_origin(...)(view)`). A call that is neither
    (`decorators = [cross_origin()]`) serves one only when `listed_works` and it has no
    positional arguments (`cross_origin(view)` is the broken bare form)."""
    below = route_decorator_below(module, call, decorators)
    if below is not None:
        return not below
    parent = module.parents.get(call)
    if isinstance(parent, ast.Call) and parent.func is call:
        return True
    return listed_works and not call.args


def imported_module(module: Module, name: str, use: ast.AST | None = None) -> Module | None:
    """The project module a name is bound to where it is used."""
    return Evaluator(module).module_named(name, use)


def local_names(module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The names local to a function (its parameters and what it binds), from the model."""
    scope = module.semantic.scopes.get(function)
    if scope is None:
        return set()
    return {name for name in scope.bindings if name not in scope.globals | scope.nonlocals}
