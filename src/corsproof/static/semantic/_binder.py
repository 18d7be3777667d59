"""The binder: the pass that builds a module's scopes and bindings, in source order.

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
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from corsproof.static.semantic._scopes import (
    MUTATORS,
    Binding,
    BindingKind,
    Mutation,
    Position,
    Scope,
    ScopeKind,
    StarImport,
    end_of,
)
from corsproof.static.semantic._tree import children_last_first

if TYPE_CHECKING:
    from corsproof.static.semantic._model import SemanticModel


class Binder:
    handlers: dict[type, Callable[[Binder, Any], None]] = {}

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
                stack.extend(children_last_first(node))

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
            self._targets(target, "assign", node.value, end_of(node))
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
            Mutation(name, method, node, end_of(node), self.model.branch_of(node))
        )

    def _AnnAssign(self, node: ast.AnnAssign) -> None:
        self._visit(node.annotation)
        if node.value is not None:
            self._visit(node.value)
        self._visit(node.target)
        if node.value is not None:
            self._targets(node.target, "assign", node.value, end_of(node))
        elif isinstance(node.target, ast.Name) and self.scope.kind == "class":
            # `field: list[str]` in a class body: an annotation only, no value (settings fields)
            pass

    def _AugAssign(self, node: ast.AugAssign) -> None:
        self._visit(node.value)
        self._visit(node.target)
        if isinstance(node.target, ast.Name):
            self.bind(
                node.target.id, "augassign", node.target, end_of(node), value=node.value, op=node.op
            )

    def _For(self, node: ast.For | ast.AsyncFor) -> None:
        self._visit(node.iter)
        self._visit(node.target)
        self._targets(node.target, "loop", node.iter, end_of(node.target))
        for stmt in node.body:
            self._visit(stmt)
        for stmt in node.orelse:
            self._visit(stmt)

    _AsyncFor = _For

    def _With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self._visit(item)
            if item.optional_vars is not None:
                self._targets(item.optional_vars, "with", item.context_expr, end_of(item))
        for stmt in node.body:
            self._visit(stmt)

    _AsyncWith = _With

    def _ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self._visit(node.type)
        if node.name:
            self.bind(node.name, "except", node, end_of(node.type or node))
        for stmt in node.body:
            self._visit(stmt)

    def _Import(self, node: ast.Import) -> None:
        self._children(node)
        for alias in node.names:
            if alias.asname:
                self.bind(alias.asname, "import", alias, end_of(node), module=alias.name, attr=None)
            else:
                top = alias.name.split(".")[0]
                self.bind(top, "import", alias, end_of(node), module=top, attr=None)

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
                            end_of(node),
                            self.model.branch_of(node),
                        )
                    )
                continue
            self.bind(
                alias.asname or alias.name,
                "from-import",
                alias,
                end_of(node),
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
                self.bind(name_node.id, "delete", name_node, end_of(node))

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
        self.bind(node.name, "function", node, end_of(node))

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
        self.bind(node.name, "class", node, end_of(node))

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
        self.bind(
            node.target.id, "walrus", node.target, end_of(node), scope=scope, value=node.value
        )

    def _Name(self, node: ast.Name) -> None:
        pass  # stores are bound by their statements; loads are resolved on demand

    def _MatchAs(self, node: ast.MatchAs) -> None:
        self._children(node)
        if node.name:
            self.bind(node.name, "match", node, end_of(node))

    def _MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.bind(node.name, "match", node, end_of(node))

    def _MatchMapping(self, node: ast.MatchMapping) -> None:
        self._children(node)
        if node.rest:
            self.bind(node.rest, "match", node, end_of(node))

    def _TypeAlias(self, node: ast.AST) -> None:
        self._children(node)
        name = getattr(node, "name", None)
        if isinstance(name, ast.Name):
            self.bind(name.id, "assign", name, end_of(node))


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


Binder.handlers = {
    node_type: getattr(Binder, "_" + node_type.__name__)
    for node_type in vars(ast).values()
    if isinstance(node_type, type)
    and issubclass(node_type, ast.AST)
    and callable(getattr(Binder, "_" + node_type.__name__, None))
}
