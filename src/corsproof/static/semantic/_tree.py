"""The walks over a module's tree: the node index by type (`index`, the one walk every analysed
module gets) and the parent of every node (`parents`, built only for a module that asks), both
reading each node class's fields by a plan made once."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType

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


# how `index` reads each field of a node class: 0, one node or None; 1, a list of nodes; 2, a
# list that may hold None too (`{**d}`'s keys, keyword-only defaults)
Plan = tuple[tuple[str, int], ...]
_NONE_IN_LISTS = {(ast.Dict, "keys"), (ast.arguments, "kw_defaults")}
_NAMES_IN_LISTS = {(ast.Global, "names"), (ast.Nonlocal, "names"), (ast.MatchClass, "kwd_attrs")}


def _node_classes(base: type = ast.AST) -> Iterator[type]:
    for kind in base.__subclasses__():
        yield kind
        yield from _node_classes(kind)


def _list_fields(kind: type) -> frozenset[str] | None:
    """The fields of a node class that hold lists, from its ASDL signature (the class's
    docstring: `Dict(expr* keys, expr* values)`); None when it has none to read."""
    if not getattr(kind, "_fields", ()):
        return frozenset()  # `Load`, `Add`…: no fields at all
    first = (kind.__doc__ or "").strip().partition("\n")[0]
    match = re.fullmatch(rf"{kind.__name__}\((.*)\)", first)
    if match is None:
        return None
    fields = (part.split() for part in match.group(1).split(","))
    return frozenset(f[1] for f in fields if len(f) == 2 and f[0].endswith("*"))


def _plan_of(kind: type, is_list: Callable[[str], bool]) -> Plan:
    plan = []
    for name in _child_fields(kind):  # last first
        if (kind, name) in _NAMES_IN_LISTS:
            continue
        if is_list(name):
            plan.append((name, 2 if (kind, name) in _NONE_IN_LISTS else 1))
        else:
            plan.append((name, 0))
    return tuple(plan)


def _plans() -> dict[type, Plan]:
    plans = {}
    for kind in _node_classes():
        lists = _list_fields(kind)
        if lists is not None:
            plans[kind] = _plan_of(kind, lists.__contains__)
    return plans


# every node class's plan, made once at import from the classes' own signatures
_PLANS: Mapping[type, Plan] = MappingProxyType(_plans())


def _plan(node: ast.AST) -> Plan:
    """The plan of a node class the table lacks (none the parser makes), read off the node."""
    return _plan_of(node.__class__, lambda name: isinstance(getattr(node, name, None), list))


def index(tree: ast.AST) -> dict[type, list[ast.AST]]:
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


def children_last_first(node: ast.AST) -> list[ast.AST]:
    """The children of a node, last first (by the same plan as `index`, whose loop inlines it:
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


def parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    """The parent of every node: built when first asked (most modules of a large tree never are:
    only those where an adapter found something to look at)."""
    parents: dict[ast.AST, ast.AST] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        children = children_last_first(node)
        for child in children:
            parents[child] = node
        stack.extend(children)
    return parents
