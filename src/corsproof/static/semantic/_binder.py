"""Scopes and bindings of one module (Ruff's `SemanticModel`).

Every analysed module gets ONE walk over its tree (`_index`): every node by type (so that
adapters look up `ast.Call` nodes instead of walking the tree again). It costs about a quarter of
the parse. The parents of the nodes, and the scopes (module, class, function, lambda,
comprehension) with the bindings made in them in source order, are built by more passes only for
a module where an adapter found something to look at: adapters first rule out the calls that
cannot be their library's from the index alone (`Module.may_end`), so a module with nothing to
resolve never pays for them.

Python's rules, as the binder applies them:
- LEGB: a function sees its own bindings, then enclosing *function* scopes (class bodies do not
  enclose their methods), then the module, then builtins.
- A name bound anywhere in a function is local to the whole function (unless declared `global` or
  `nonlocal`, whose bindings go to the module or the enclosing function).
- Decorators, default values, annotations of parameters and class bases are evaluated in the
  enclosing scope; the first iterable of a comprehension too; a walrus inside a comprehension binds
  in the enclosing non-comprehension scope.
- A binding inside `if`/`try`/`for`/`while`/`match`/`except` is *conditional*: it may not have run,
  so the one before it stays an alternative.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

ScopeKind = Literal["module", "class", "function", "lambda", "comprehension"]
BindingKind = Literal[
    "import",  # import a.b / import a.b as c
    "from-import",  # from m import x [as y]
    "assign",  # x = v, x: T = v, (x, y) = (a, b)
    "augassign",  # x += v
    "parameter",
    "function",
    "class",
    "loop",  # for x in v / comprehension target
    "with",  # with v as x
    "except",  # except E as x
    "walrus",  # (x := v)
    "match",  # case ... as x / case [x, *rest]
    "delete",  # del x
    "global-assign",  # any binding made in a function of a name declared `global`
    "unpack",  # a target of an unpacking whose element cannot be paired with an expression
]
Position = tuple[int, int]
# a branch path: the (control statement, arm) pairs from a scope down to a node, outermost first;
# arm is the index of the block (0: body/first case, 1: orelse/second case, ...)
Branch = tuple[tuple[ast.AST, int], ...]

_SCOPE_NODES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
END: Position = (1 << 30, 0)
# fields that never hold a node (names, numbers, and the shared `Load()`/`Add()`… singletons)
_NOT_NODES = frozenset(
    {"id", "attr", "arg", "name", "asname", "module", "level", "kind", "type_comment", "ctx",
     "op", "ops", "conversion", "is_async", "tag", "rest", "simple"}
)  # fmt: skip


def _child_fields(kind: type) -> list[str]:
    """The fields of a node class that may hold nodes, last first (pushed on a stack, they come
    off in source order)."""
    if kind in (ast.Constant, ast.MatchSingleton):
        return []
    return [
        name
        for name in reversed(kind._fields)  # type: ignore[attr-defined]
        if name not in _NOT_NODES or (name == "name" and kind.__name__ == "TypeAlias")
    ]


# how `_index` reads each field of a node class: 0, one node or None; 1, a list of nodes; 2, a
# list that may hold None too (`{**d}`'s keys, keyword-only defaults)
_PLANS: dict[type, tuple[tuple[str, int], ...]] = {}
_NONE_IN_LISTS = {(ast.Dict, "keys"), (ast.arguments, "kw_defaults")}
_NAMES_IN_LISTS = {(ast.Global, "names"), (ast.Nonlocal, "names"), (ast.MatchClass, "kwd_attrs")}


def _plan(node: ast.AST) -> tuple[tuple[str, int], ...]:
    kind = node.__class__
    plan = []
    for name in _child_fields(kind):  # last first
        if (kind, name) in _NAMES_IN_LISTS:
            continue
        if isinstance(getattr(node, name, None), list):
            plan.append((name, 2 if (kind, name) in _NONE_IN_LISTS else 1))
        else:
            plan.append((name, 0))
    found = _PLANS[kind] = tuple(plan)
    return found


def _index(tree: ast.AST) -> dict[type, list[ast.AST]]:
    """Every node by type, in source order: the one walk over the whole tree that every analysed
    module gets (it costs about a quarter of the parse: lists of children go onto the stack in
    one call, each class's fields are read by a plan made once)."""
    by_type: defaultdict[type, list[ast.AST]] = defaultdict(list)
    plans = _PLANS
    stack: list[ast.AST] = [tree]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        kind = node.__class__
        by_type[kind].append(node)
        plan = plans.get(kind)
        if plan is None:
            plan = _plan(node)
        for name, mode in plan:
            value = getattr(node, name)
            if mode == 1:
                extend(reversed(value))
            elif mode == 0:
                if value is not None:
                    push(value)
            else:
                extend(item for item in reversed(value) if item is not None)
    return dict(by_type)


def _children_last_first(node: ast.AST) -> list[ast.AST]:
    """The children of a node, last first (by the same plan as `_index`, whose loop inlines it:
    it runs for every node of every module)."""
    plan = _PLANS.get(node.__class__)
    if plan is None:
        plan = _plan(node)
    children: list[ast.AST] = []
    for name, mode in plan:
        value = getattr(node, name)
        if mode == 1:
            children.extend(reversed(value))
        elif mode == 0:
            if value is not None:
                children.append(value)
        else:
            children.extend(item for item in reversed(value) if item is not None)
    return children


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    """The parent of every node: built when first asked (most modules of a large tree never are:
    only those where an adapter found something to look at)."""
    parents: dict[ast.AST, ast.AST] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        children = _children_last_first(node)
        for child in children:
            parents[child] = node
        stack.extend(children)
    return parents


@dataclass(eq=False)
class Scope:
    kind: ScopeKind
    node: ast.AST
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    # module scope only: `from m import *` (module, level, position, branch), in order
    stars: list[StarImport] = field(default_factory=list)
    # in-place changes of a bound object: `X.append(v)`, `X.extend(v)`, `X["k"] = v`, `X.update()`
    mutations: dict[str, list[Mutation]] = field(default_factory=dict)

    def add(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)

    @property
    def is_function(self) -> bool:
        return self.kind in ("function", "lambda")


@dataclass(eq=False)
class Binding:
    name: str
    kind: BindingKind
    node: ast.AST  # the node that binds (the Name target, the alias, the def…)
    scope: Scope
    position: Position  # bindings are visible to uses at or after this position
    # the control statements around it (computed when first asked: most bindings never are);
    # `outer`: made in a nested function for this scope (`global`/`nonlocal`)
    model: SemanticModel | None = None
    outer: ast.AST | None = None
    value: ast.expr | None = None  # the expression bound (for assign/walrus/augassign/with/loop)
    module: str | None = None  # imports: the module as written (`a.b`, `.base` is "base", level 1)
    attr: str | None = None  # from-import: the imported name
    level: int = 0
    op: ast.operator | None = None  # augassign: the operator
    # assign from an unpacking of a known shape: the index path into the value (`a, (b, c) = v`)
    index: tuple[int, ...] = ()

    @cached_property
    def branch(self) -> Branch:
        assert self.model is not None
        branch = self.model.branch_of(self.node)
        if self.outer is not None:
            # made when a function runs: may or may not have happened
            branch = ((self.outer, 0), *branch)
        return branch

    @property
    def conditional(self) -> bool:
        return self.outer is not None or bool(self.branch)


@dataclass(eq=False)
class StarImport:
    module: str
    level: int
    node: ast.ImportFrom
    position: Position
    branch: Branch


@dataclass(eq=False)
class Mutation:
    name: str
    method: str  # append, extend, insert, update, setitem, remove, discard, add, clear, pop…
    node: ast.AST  # the call (or the assignment, for setitem)
    position: Position
    branch: Branch


MUTATORS = frozenset(
    {"append", "extend", "insert", "remove", "discard", "add", "update", "clear", "pop",
     "setdefault", "sort", "reverse"}
)  # fmt: skip


def _end(node: ast.AST) -> Position:
    return (getattr(node, "end_lineno", None) or 0, getattr(node, "end_col_offset", None) or 0)


def _start(node: ast.AST) -> Position:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


class SemanticModel:
    """The scopes, bindings, parents and node index of one module."""

    def __init__(self, tree: ast.Module, declarations: bool = True) -> None:
        self.tree = tree
        # False when the source has no `global`/`nonlocal` at all (nothing to look ahead for)
        self.declarations = declarations
        # the one walk every module gets: the node index (cheap, `_index`); parents, scopes and
        # bindings are built by passes of their own only for a module that asks for them
        self.by_type = _index(tree)
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
            self._parents = _parents(self.tree)
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
        _Binder(self).run()

    # -- navigation -------------------------------------------------------------------------
    def nodes(self, *types: type) -> Iterator[ast.AST]:
        """Every node of these types, in the order the pass met them (source order)."""
        if len(types) == 1:
            yield from self.by_type.get(types[0], ())
            return
        lists = [self.by_type.get(t, []) for t in types]
        merged = [n for lst in lists for n in lst]
        merged.sort(key=_start)
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
        position = _start(use)
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


@dataclass
class Visible:
    """What a use of a name may see: bindings (source order, the first one surely ran unless it
    is conditional too) and, at module level, star imports that may provide it."""

    bindings: list[Binding]
    stars: list[StarImport]
    scope: Scope | None  # None: bound nowhere in the module (a builtin, or undefined)
    ordered: list[Binding | StarImport] = field(default_factory=list)


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


class _Binder:
    handlers: dict[type, Callable[[_Binder, Any], None]] = {}

    def __init__(self, model: SemanticModel) -> None:
        self.model = model
        self.scope = model.module_scope

    def run(self) -> None:
        tree = self.model.tree
        for stmt in tree.body:
            self._visit(stmt)

    # -- the walk ---------------------------------------------------------------------------
    def _visit(self, node: ast.AST) -> None:
        """Visit a subtree: nodes that bind or make scopes through their handler, every other
        node with an explicit stack (a `1 + 1 + …` chain thousands deep must not recurse)."""
        handlers = self.handlers
        stack = [node]
        while stack:
            node = stack.pop()
            method = handlers.get(node.__class__)
            if method is not None:
                method(self, node)
            else:
                stack.extend(_children_last_first(node))

    def _children(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self._visit(child)

    def _in_scope(self, kind: ScopeKind, node: ast.AST) -> Scope:
        scope = Scope(kind, node, self.scope)
        self.model.scopes[node] = scope
        return scope

    # -- bindings ---------------------------------------------------------------------------
    def bind(
        self,
        name: str,
        kind: BindingKind,
        node: ast.AST,
        position: Position,
        scope: Scope | None = None,
        **extra: object,
    ) -> None:
        scope = scope or self.scope
        if name in scope.globals and scope is not self.model.module_scope:
            target = self.model.module_scope
            kind = "global-assign" if kind != "delete" else kind
        elif name in scope.nonlocals:
            outer = scope.parent
            while outer is not None and not outer.is_function:
                outer = outer.parent
            target = outer or scope
        else:
            target = scope
        outer = scope.node if target is not scope else None
        target.add(
            Binding(name, kind, node, target, position, self.model, outer, **extra)  # type: ignore[arg-type]
        )

    def _targets(
        self,
        target: ast.AST,
        kind: BindingKind,
        value: ast.expr | None,
        position: Position,
        index: tuple[int, ...] = (),
    ) -> None:
        """Bind the names of an assignment target (visiting it for parents)."""
        match target:
            case ast.Name(id=name):
                self.bind(name, kind, target, position, value=value, index=index)
            case ast.Tuple(elts=elts) | ast.List(elts=elts):
                starred = any(isinstance(e, ast.Starred) for e in elts)
                for i, elt in enumerate(elts):
                    if starred:
                        for name_node in _names(elt):
                            self.bind(name_node.id, "unpack", name_node, position, value=value)
                    else:
                        self._targets(elt, kind, value, position, (*index, i))
            case ast.Starred(value=inner):
                for name_node in _names(inner):
                    self.bind(name_node.id, "unpack", name_node, position, value=value)
            case _:
                pass  # attributes and subscripts bind no name

    # -- statements -------------------------------------------------------------------------
    def _Assign(self, node: ast.Assign) -> None:
        self._visit(node.value)
        for target in node.targets:
            self._visit(target)
            self._targets(target, "assign", node.value, _end(node))
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                self._mutate(target.value.id, "setitem", node)

    def _Expr(self, node: ast.Expr) -> None:
        self._children(node)
        call = node.value
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.attr in MUTATORS
        ):
            self._mutate(call.func.value.id, call.func.attr, call)

    def _mutate(self, name: str, method: str, node: ast.AST) -> None:
        self.scope.mutations.setdefault(name, []).append(
            Mutation(name, method, node, _end(node), self.model.branch_of(node))
        )

    def _AnnAssign(self, node: ast.AnnAssign) -> None:
        self._visit(node.annotation)
        if node.value is not None:
            self._visit(node.value)
        self._visit(node.target)
        if node.value is not None:
            self._targets(node.target, "assign", node.value, _end(node))
        elif isinstance(node.target, ast.Name) and self.scope.kind == "class":
            # `field: list[str]` in a class body: an annotation only, no value (settings fields)
            pass

    def _AugAssign(self, node: ast.AugAssign) -> None:
        self._visit(node.value)
        self._visit(node.target)
        if isinstance(node.target, ast.Name):
            self.bind(
                node.target.id, "augassign", node.target, _end(node), value=node.value, op=node.op
            )

    def _For(self, node: ast.For | ast.AsyncFor) -> None:
        self._visit(node.iter)
        self._visit(node.target)
        self._targets(node.target, "loop", node.iter, _end(node.target))
        for stmt in node.body:
            self._visit(stmt)
        for stmt in node.orelse:
            self._visit(stmt)

    _AsyncFor = _For

    def _With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self._visit(item)
            if item.optional_vars is not None:
                self._targets(item.optional_vars, "with", item.context_expr, _end(item))
        for stmt in node.body:
            self._visit(stmt)

    _AsyncWith = _With

    def _ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self._visit(node.type)
        if node.name:
            self.bind(node.name, "except", node, _end(node.type or node))
        for stmt in node.body:
            self._visit(stmt)

    def _Import(self, node: ast.Import) -> None:
        self._children(node)
        for alias in node.names:
            if alias.asname:
                self.bind(alias.asname, "import", alias, _end(node), module=alias.name, attr=None)
            else:
                top = alias.name.split(".")[0]
                self.bind(top, "import", alias, _end(node), module=top, attr=None)

    def _ImportFrom(self, node: ast.ImportFrom) -> None:
        self._children(node)
        for alias in node.names:
            if alias.name == "*":
                if self.scope is self.model.module_scope:
                    self.scope.stars.append(
                        StarImport(
                            node.module or "",
                            node.level,
                            node,
                            _end(node),
                            self.model.branch_of(node),
                        )
                    )
                continue
            self.bind(
                alias.asname or alias.name,
                "from-import",
                alias,
                _end(node),
                module=node.module or "",
                attr=alias.name,
                level=node.level,
            )

    def _Global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    def _Nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocals.update(node.names)

    def _Delete(self, node: ast.Delete) -> None:
        self._children(node)
        for target in node.targets:
            for name_node in _names(target, top_only=True):
                self.bind(name_node.id, "delete", name_node, _end(node))

    def _FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self._visit(decorator)
        args = node.args
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self._visit(default)
        for arg in _all_args(args):
            if arg.annotation is not None:
                self._visit(arg.annotation)
        if node.returns is not None:
            self._visit(node.returns)
        for type_param in getattr(node, "type_params", ()):
            self._visit(type_param)
        outer = self.scope
        self.scope = self._in_scope("function", node)
        # a function's `global`/`nonlocal` declarations apply to the whole body: read them first
        for inner in _declarations(node.body) if self.model.declarations else ():
            (self.scope.globals if isinstance(inner, ast.Global) else self.scope.nonlocals).update(
                inner.names
            )
        for arg in _all_args(args):
            self.bind(arg.arg, "parameter", arg, (0, 0))
        for stmt in node.body:
            self._visit(stmt)
        self.scope = outer
        self.bind(node.name, "function", node, _end(node))

    _AsyncFunctionDef = _FunctionDef

    def _Lambda(self, node: ast.Lambda) -> None:
        args = node.args
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self._visit(default)
        outer = self.scope
        self.scope = self._in_scope("lambda", node)
        for arg in _all_args(args):
            self.bind(arg.arg, "parameter", arg, (0, 0))
        self._visit(node.body)
        self.scope = outer

    def _ClassDef(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self._visit(decorator)
        for base in node.bases:
            self._visit(base)
        for keyword in node.keywords:
            self._visit(keyword)
        for type_param in getattr(node, "type_params", ()):
            self._visit(type_param)
        outer = self.scope
        self.scope = self._in_scope("class", node)
        for stmt in node.body:
            self._visit(stmt)
        self.scope = outer
        self.bind(node.name, "class", node, _end(node))

    def _comprehension_scope(self, node: ast.AST, parts: list[ast.AST]) -> None:
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        # the first iterable is evaluated in the enclosing scope
        first = generators[0]
        self._visit(first.iter)
        outer = self.scope
        self.scope = self._in_scope("comprehension", node)
        for index, gen in enumerate(generators):
            if index:
                self._visit(gen.iter)
            self._visit(gen.target)
            self._targets(gen.target, "loop", gen.iter, (0, 0))
            for condition in gen.ifs:
                self._visit(condition)
        for part in parts:
            self._visit(part)
        self.scope = outer

    def _ListComp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> None:
        self._comprehension_scope(node, [node.elt])

    _SetComp = _ListComp
    _GeneratorExp = _ListComp

    def _DictComp(self, node: ast.DictComp) -> None:
        self._comprehension_scope(node, [node.key, node.value])

    def _NamedExpr(self, node: ast.NamedExpr) -> None:
        self._visit(node.value)
        self._visit(node.target)
        scope = self.model.function_scope(self.scope)
        self.bind(node.target.id, "walrus", node.target, _end(node), scope=scope, value=node.value)

    def _Name(self, node: ast.Name) -> None:
        pass  # stores are bound by their statements; loads are resolved on demand

    def _MatchAs(self, node: ast.MatchAs) -> None:
        self._children(node)
        if node.name:
            self.bind(node.name, "match", node, _end(node))

    def _MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.bind(node.name, "match", node, _end(node))

    def _MatchMapping(self, node: ast.MatchMapping) -> None:
        self._children(node)
        if node.rest:
            self.bind(node.rest, "match", node, _end(node))

    def _TypeAlias(self, node: ast.AST) -> None:
        self._children(node)
        name = getattr(node, "name", None)
        if isinstance(name, ast.Name):
            self.bind(name.id, "assign", name, _end(node))


def _all_args(args: ast.arguments) -> list[ast.arg]:
    out = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg is not None:
        out.append(args.vararg)
    if args.kwarg is not None:
        out.append(args.kwarg)
    return out


def _names(node: ast.AST, top_only: bool = False) -> Iterator[ast.Name]:
    if isinstance(node, ast.Name):
        yield node
    elif isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            yield from _names(elt, top_only)
    elif isinstance(node, ast.Starred):
        yield from _names(node.value, top_only)


def _declarations(body: list[ast.stmt]) -> Iterator[ast.Global | ast.Nonlocal]:
    """`global`/`nonlocal` statements of a function body (not of nested functions/classes)."""
    stack = list(body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, (ast.Global, ast.Nonlocal)):
            yield stmt
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        else:
            for name in ("body", "orelse", "finalbody", "handlers", "cases"):
                stack.extend(getattr(stmt, name, ()) or ())


_Binder.handlers = {
    node_type: getattr(_Binder, "_" + node_type.__name__)
    for node_type in vars(ast).values()
    if isinstance(node_type, type)
    and issubclass(node_type, ast.AST)
    and callable(getattr(_Binder, "_" + node_type.__name__, None))
}
