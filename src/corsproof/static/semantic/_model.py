"""The semantic model of one module (Ruff's `SemanticModel`): its node index, parents, scopes and
bindings, and which bindings a use of a name may see.

Every analysed module gets ONE walk over its tree (`_tree.index`): every node by type (so that
adapters look up `ast.Call` nodes instead of walking the tree again). It costs about a quarter of
the parse. The parents of the nodes, and the scopes (module, class, function, lambda,
comprehension) with the bindings made in them in source order (`_binder`), are built by more
passes only for a module where an adapter found something to look at: adapters first rule out
the calls that cannot be their library's from the index alone (`Module.may_end`), so a module with
nothing to resolve never pays for them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import Any

from corsproof.static.semantic._binder import Binder
from corsproof.static.semantic._scopes import (
    END,
    Binding,
    Branch,
    Mutation,
    Position,
    Scope,
    StarImport,
    Visible,
    start_of,
)
from corsproof.static.semantic._tree import index, parents

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class SemanticModel:
    """The scopes, bindings, parents and node index of one module."""

    def __init__(self, tree: ast.Module, declarations: bool = True) -> None:
        self.tree = tree
        # False when the source has no `global`/`nonlocal` at all (nothing to look ahead for)
        self.declarations = declarations
        # the one walk every module gets: the node index (cheap, `_tree.index`); parents, scopes and
        # bindings are built by passes of their own only for a module that asks for them
        self.by_type = index(tree)
        self._parents: dict[ast.AST, ast.AST] | None = None
        self._scopes: dict[ast.AST, Scope] | None = None
        self._module_scope: Scope | None = None
        self._memo: dict[tuple[Scope, str], Visible] = {}
        self.import_names: dict[Binding, str] = {}  # import binding -> dotted name (_imports)
        self.values: dict[Binding, Any] = {}  # binding -> its Value (_evaluate), once computed

    @property
    def parents(self) -> dict[ast.AST, ast.AST]:
        """The parent of every node (built by a walk of its own when first asked)."""
        if self._parents is None:
            self._parents = parents(self.tree)
        return self._parents

    @property
    def bound(self) -> bool:
        """Have the scopes and bindings been built (a name of the module was resolved)?"""
        return self._scopes is not None

    @property
    def scopes(self) -> dict[ast.AST, Scope]:
        """The scope each scope-making node opens (the module's under the tree)."""
        if self._scopes is None:
            self._bind()
        assert self._scopes is not None
        return self._scopes

    @property
    def module_scope(self) -> Scope:
        if self._module_scope is None:
            self._bind()
        assert self._module_scope is not None
        return self._module_scope

    def release(self) -> None:
        """Break the model's reference cycles (scope <-> binding, binding -> model) once the
        module is done with, so that reference counting frees it and its tree at once instead of
        leaving them, a dozen objects per node, to the cyclic collector."""
        for scope in (self._scopes or {}).values():
            scope.bindings.clear()
            scope.mutations.clear()
            scope.stars.clear()
        self._scopes = self._module_scope = None
        self._memo.clear()
        self.import_names.clear()
        self.values.clear()
        self._parents = None
        self.by_type.clear()

    def _bind(self) -> None:
        self._module_scope = Scope("module", self.tree, None)
        self._scopes = {self.tree: self._module_scope}
        Binder(self).run()

    # -- navigation -------------------------------------------------------------------------
    def nodes(self, *types: type) -> Iterator[ast.AST]:
        """Every node of these types, in the order the pass met them (source order)."""
        if len(types) == 1:
            yield from self.by_type.get(types[0], ())
            return
        lists = [self.by_type.get(t, []) for t in types]
        merged = [n for lst in lists for n in lst]
        merged.sort(key=start_of)
        yield from merged

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        parents = self.parents
        while node in parents:
            node = parents[node]
            yield node

    def scope_of(self, node: ast.AST) -> Scope:
        """The scope a node is evaluated in."""
        child = node
        for parent in self.ancestors(node):
            scope = self.scopes.get(parent)
            if scope is not None and not _outside(parent, child):
                return scope
            child = parent
        return self.module_scope

    def function_scope(self, scope: Scope) -> Scope:
        """The scope where a walrus in `scope` binds: the nearest non-comprehension scope."""
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        return scope

    def branch_of(self, node: ast.AST) -> Branch:
        """The control statements and arms from the node's scope down to the node."""
        path: list[tuple[ast.AST, int]] = []
        child = node
        for parent in self.ancestors(node):
            if parent in self.scopes and not _outside(parent, child):
                break
            arm = _arm(parent, child)
            if arm is not None:
                path.append((parent, arm))
            child = parent
        path.reverse()
        return tuple(path)

    # -- name resolution ----------------------------------------------------------------------
    def visible(self, name: str, use: ast.AST | None) -> Visible:
        """The bindings of `name` that a use at `use` may see (None: the end of the module).

        LEGB with positions: in the use's own scope, the last binding before the use that surely
        ran, plus the conditional ones after it (alternatives); a function reads enclosing
        function scopes and the module as they are when it is called (their final bindings);
        class bodies do not enclose methods.
        """
        if use is None:
            return self._in_scope(self.module_scope, name, END, _no_branch)
        scope = self.scope_of(use)
        key = (scope, name)
        memo = self._memo.get(key)
        if memo is not None:
            return memo
        found = self._visible(name, use, scope)
        if name in scope.bindings and scope is not self.module_scope:
            pass  # a use in a scope that binds the name itself: position decides
        elif found.scope is not None and found.scope is not scope and found.scope.is_function:
            self._memo[key] = found  # an enclosing function's final bindings: any use alike
        elif found.scope is self.module_scope and _crosses_function(scope, found.scope):
            self._memo[key] = found  # read when a function runs: the module as it ends
        elif (
            scope is self.module_scope
            and found.scope is self.module_scope
            and len(self.module_scope.bindings.get(name, ())) == 1
            and not self.module_scope.stars
            and found.bindings
            and not found.bindings[0].conditional
        ):
            self._memo[key] = found  # bound once, unconditionally: every later use sees it
        return found

    def _visible(self, name: str, use: ast.AST, scope: Scope) -> Visible:
        position = start_of(use)
        cache: list[Branch] = []

        def branch() -> Branch:
            if not cache:
                cache.append(self.branch_of(use))
            return cache[0]

        at: Position = position
        if scope.kind != "module" and name in scope.globals:
            return self._in_scope(self.module_scope, name, END, _no_branch)
        if scope.kind == "module":
            return self._in_scope(scope, name, position, branch)
        if scope.kind == "comprehension":
            if name in scope.bindings:
                return Visible(list(scope.bindings[name]), [], scope)
        elif scope.kind == "class":
            found = self._in_scope(scope, name, position, branch)
            if found.bindings:
                return found
        elif name in scope.bindings and name not in scope.nonlocals:
            return self._in_scope(scope, name, position, branch)  # local (maybe unbound)
        else:
            at = END  # enclosing scopes are read when the function runs
        from_function = scope.is_function
        outer = scope.parent
        while outer is not None:
            if outer.kind == "class" and from_function:
                outer = outer.parent
                continue
            if outer.kind == "module":
                return self._in_scope(outer, name, at, _no_branch)
            if outer.kind == "comprehension":
                if name in outer.bindings:
                    return Visible(list(outer.bindings[name]), [], outer)
            elif outer.kind == "class":
                found = self._in_scope(outer, name, at, _no_branch)
                if found.bindings:
                    return found
            elif name in outer.bindings:
                return self._in_scope(outer, name, END, _no_branch)
            if outer.is_function:
                from_function = True
                at = END
            outer = outer.parent
        return Visible([], [], None)

    def _in_scope(
        self, scope: Scope, name: str, position: Position, branch: Callable[[], Branch]
    ) -> Visible:
        """The bindings of `name` in `scope` visible at `position`: the last one that surely ran
        before it (its branch encloses the use) and every conditional one after that one."""
        items: list[Binding | StarImport] = [
            b for b in scope.bindings.get(name, ()) if b.position <= position
        ]
        if scope.stars:
            items.extend(s for s in scope.stars if s.position <= position)
            items.sort(key=lambda item: item.position)
        picked: list[Binding | StarImport] = []
        for item in reversed(items):
            picked.append(item)
            if isinstance(item, Binding) and (
                not item.conditional or _dominates(item.branch, branch())
            ):
                break
        picked.reverse()
        return Visible(
            [b for b in picked if isinstance(b, Binding)],
            [s for s in picked if isinstance(s, StarImport)],
            scope,
            picked,
        )

    def mutations(
        self, scope: Scope, name: str, after: Position, before: Position
    ) -> list[Mutation]:
        return [
            m for m in scope.mutations.get(name, ()) if after <= m.position and m.position <= before
        ]


def _crosses_function(scope: Scope | None, until: Scope) -> bool:
    """Is there a function scope between a use's scope (included) and the scope it resolves in?"""
    while scope is not None and scope is not until:
        if scope.is_function:
            return True
        scope = scope.parent
    return False


def _no_branch() -> Branch:
    return ()


def _dominates(binding: Branch, use: Branch) -> bool:
    """A binding whose branch path is a prefix of the use's has surely run before the use."""
    return len(binding) <= len(use) and use[: len(binding)] == binding


def _outside(scope_node: ast.AST, child: ast.AST) -> bool:
    """Is `child` (a direct child of a scope-making node) evaluated in the enclosing scope?"""
    if isinstance(scope_node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return child is scope_node.returns or child in scope_node.decorator_list
    if isinstance(scope_node, ast.ClassDef):
        return (
            child in scope_node.decorator_list
            or child in scope_node.bases
            or any(child is k for k in scope_node.keywords)
        )
    if isinstance(scope_node, _COMPREHENSIONS):
        return False  # handled on the `comprehension` node (its first iter)
    return False


def _arm(parent: ast.AST, child: ast.AST) -> int | None:
    """The arm of a control statement that `child` is in; None when it always runs."""
    if isinstance(parent, (ast.If, ast.While, ast.For, ast.AsyncFor)):
        if child is getattr(parent, "test", None) or child is getattr(parent, "iter", None):
            return None
        if isinstance(parent, (ast.For, ast.AsyncFor)) and child is parent.target:
            return 0
        return 0 if child in parent.body else 1
    if isinstance(parent, (ast.Try, getattr(ast, "TryStar", ast.Try))):
        if child in parent.finalbody:
            return None
        if child in parent.body:
            return 0
        if child in parent.orelse:
            return 1
        return 2 + next((i for i, h in enumerate(parent.handlers) if h is child), 0)
    if isinstance(parent, ast.match_case):
        return 0
    if isinstance(parent, ast.Match):
        if child is parent.subject:
            return None
        return next(i for i, c in enumerate(parent.cases) if c is child)
    if isinstance(parent, (ast.IfExp,)):
        if child is parent.test:
            return None
        return 0 if child is parent.body else 1
    if isinstance(parent, ast.BoolOp):
        return None if child is parent.values[0] else parent.values.index(child)  # type: ignore[arg-type]
    if isinstance(parent, ast.comprehension):
        return None if child is parent.iter else 0
    return None
