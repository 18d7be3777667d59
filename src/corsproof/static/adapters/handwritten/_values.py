"""Value expressions as predicate values: the origin and what is derived from it (`.lower()`,
`urlparse(origin).hostname`, one level of a helper inlined), constants as the resolver resolves them
(with the env/debug facts met on the way), regular expressions and the items of constant iterables
that loops and comprehensions run over."""

from __future__ import annotations

import ast
from typing import Any

from corsproof.static.adapters.handwritten._bindings import Names
from corsproof.static.adapters.handwritten._flows import OriginFlow
from corsproof.static.adapters.handwritten._predicates import ORIGIN, Node, has_origin
from corsproof.static.adapters.handwritten._records import HelperTest, Inlined, Pattern, Scratch
from corsproof.static.adapters.handwritten._syntax import is_static
from corsproof.static.semantic import UNKNOWN, Regex, Value

# the most items of a constant iterable that a loop or a comprehension is unrolled over
MAX_LOOP = 64


def py_const(value: Any, depth: int = 0) -> Any:
    """A resolved value as a predicate constant (hashable), or UNKNOWN."""
    if value is UNKNOWN or isinstance(value, Regex) or depth > 2:
        return UNKNOWN
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        value = list(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [py_const(v, depth + 1) for v in value]
        if any(v is UNKNOWN for v in items):
            return UNKNOWN
        return tuple(items)
    return UNKNOWN


def bind(target: ast.expr, value: Any) -> dict[str, Node | None] | None:
    """The names a loop target binds to one item of a constant iterable (an env), or None."""
    if isinstance(target, ast.Name):
        if isinstance(value, Regex):  # `for p in PATTERNS:` over compiled patterns
            return {target.id: ("pattern", value.pattern, value.flags)}
        return {target.id: ("const", value)}
    if (
        isinstance(target, (ast.Tuple, ast.List))
        and isinstance(value, tuple)
        and len(value) == len(target.elts)
    ):
        env: dict[str, Node | None] = {}
        for elt, item in zip(target.elts, value, strict=True):
            inner = bind(elt, item)
            if inner is None:
                return None
            env.update(inner)
        return env
    return None


class Values:
    """Expressions of one module as predicate values (`expr`), patterns and loop items."""

    def __init__(self, names: Names, flow: OriginFlow, scratch: Scratch) -> None:
        self.names = names
        self.flow = flow
        self.scratch = scratch
        self.module = names.module
        self.resolver = names.resolver
        self.inlining = 0  # > 0: inside an inlined helper (one level only)

    def expr(self, node: ast.expr, env: dict[str, Node | None], depth: int = 0) -> Node | None:
        """`node` as a predicate value: built from the origin and constants, or None."""
        if depth > 14:
            return None
        if isinstance(node, ast.Name):
            if node.id in env:
                bound = env[node.id]
                return None if bound is not None and bound[0] in ("pattern", "opaque") else bound
            binding = self.names.binding(node)
            if binding is not None:
                expr, kind = binding
                if kind == "origin-param":
                    return ORIGIN
                if kind == "param":
                    return None
                if kind == "local" or kind == "default":
                    return self.expr(expr, env if kind == "local" else {}, depth + 1)
            return self._const(node)
        if isinstance(node, ast.NamedExpr):
            return self.expr(node.value, env, depth + 1)
        if self.names.is_origin_read(node):
            return ORIGIN
        if isinstance(node, ast.Attribute):
            if node.attr in ("hostname", "netloc", "scheme", "port"):
                parsed = self._parsed(node.value, env, depth + 1)
                if parsed is not None:
                    return ("apply", node.attr, parsed)
            bound = self.names.attr_binding(node)
            if bound is not None:
                return self.expr(bound, {}, depth + 1)
            return self._const(node)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and not node.keywords:
                if func.attr in ("lower", "strip", "casefold") and not node.args:
                    inner = self.expr(func.value, env, depth + 1)
                    if inner is not None and has_origin(inner):
                        return ("apply", "lower" if func.attr == "casefold" else func.attr, inner)
                    return self._const(node) if inner is not None else None
                if func.attr in ("decode", "encode"):
                    inner = self.expr(func.value, env, depth + 1)
                    if inner is not None and has_origin(inner):
                        return inner
            if isinstance(func, ast.Name) and func.id == "str" and len(node.args) == 1:
                inner = self.expr(node.args[0], env, depth + 1)
                if inner is not None and has_origin(inner):
                    return inner
            inlined = self.inline(node, env, depth)
            if inlined is not None:
                helper_env, result = inlined
                if isinstance(result, ast.expr):
                    self.inlining += 1
                    try:
                        return self.expr(result, helper_env, depth + 1)
                    finally:
                        self.inlining -= 1
            return self._const(node)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
            # `urlparse(origin).hostname or ""`: the same for every test but `== ""`
            first = self.expr(node.values[0], env, depth + 1)
            fallback = self.expr(node.values[1], env, depth + 1)
            if (
                first is not None
                and has_origin(first)
                and fallback in (("const", ""), ("const", None))
            ):
                return first
            return None
        if isinstance(
            node, (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.BinOp, ast.JoinedStr)
        ):
            return self._const(node)
        return None

    def _const(self, node: ast.expr) -> Node | None:
        value = self.resolver.resolve(node)
        converted = py_const(value.value)
        if converted is UNKNOWN:
            return None
        self.note(value)
        return ("const", converted)

    def note(self, value: Value) -> None:
        if value.env is not None:
            self.scratch.notes.append(("env", value.env))
        if value.debug is not None:
            self.scratch.notes.append(("debug", value.debug))

    def _parsed(self, node: ast.expr, env: dict[str, Node | None], depth: int) -> Node | None:
        """The origin-derived argument of `urlparse(x)` / `urlsplit(x)` (also through a local name)."""
        if depth > 14:
            return None
        if isinstance(node, ast.Name) and node.id not in env:
            binding = self.names.binding(node)
            if binding is not None and binding[1] == "local":
                return self._parsed(binding[0], env, depth + 1)
            return None
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
            if self.module.qualname(node.func).endswith(("urlparse", "urlsplit")):
                inner = self.expr(node.args[0], env, depth + 1)
                if inner is not None and has_origin(inner):
                    return inner
        return None

    def regex(self, node: ast.expr, env: dict[str, Node | None]) -> Pattern | None:
        """A pattern: a string or compiled pattern, or a loop variable bound to one."""
        if isinstance(node, ast.Name) and node.id in env:
            bound = env[node.id]
            if bound is not None and bound[0] == "pattern":
                return Pattern(bound[1], bound[2])
            if bound is not None and bound[0] == "const" and isinstance(bound[1], str):
                return Pattern(bound[1], 0)
            return None
        value = self.resolver.resolve(node)
        if isinstance(value.value, Regex):
            self.note(value)
            return Pattern(value.value.pattern, value.value.flags)
        if isinstance(value.value, str):
            self.note(value)
            return Pattern(value.value, 0)
        return None

    def compiled(self, node: ast.expr, env: dict[str, Node | None]) -> Pattern | None:
        """A compiled pattern (`re.compile(...)`, or a loop variable over a list of them)."""
        if isinstance(node, ast.Name) and node.id in env:
            bound = env[node.id]
            return (
                Pattern(bound[1], bound[2]) if bound is not None and bound[0] == "pattern" else None
            )
        value = self.resolver.resolve(node)
        if isinstance(value.value, Regex):
            self.note(value)
            return Pattern(value.value.pattern, value.value.flags)
        return None

    def inline(self, call: ast.Call, env: dict[str, Node | None], depth: int) -> Inlined | None:
        """One level of a helper in this module: its parameters bound to the arguments, and what
        it returns (an expression, or the test of an `if` returning constants)."""
        if self.inlining or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        helper = self.names.helper(call)
        if helper is None or isinstance(helper, ast.AsyncFunctionDef):
            return None
        skip_self = isinstance(call.func, ast.Attribute) and not is_static(helper)
        params = [a.arg for a in [*helper.args.posonlyargs, *helper.args.args]][
            1 if skip_self else 0 :
        ]
        if len(call.args) > len(params):
            return None
        helper_env: dict[str, Node | None] = {}
        for param, arg in zip(params, call.args, strict=False):
            helper_env[param] = self._argument(arg, env, depth)
        for kw in call.keywords:
            if kw.arg is None:
                return None
            helper_env[kw.arg] = self._argument(kw.value, env, depth)
        body = list(helper.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        while body and isinstance(body[0], (ast.Assign, ast.AnnAssign)):
            body = body[1:]
        if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
            return Inlined(helper_env, body[0].value)
        if (
            len(body) == 2
            and isinstance(body[0], ast.If)
            and not body[0].orelse
            and len(body[0].body) == 1
            and isinstance(body[0].body[0], ast.Return)
            and isinstance(body[1], ast.Return)
        ):
            first, last = body[0].body[0].value, body[1].value
            if (
                isinstance(first, ast.Constant)
                and isinstance(last, ast.Constant)
                and bool(first.value) != bool(last.value)
            ):
                return Inlined(helper_env, HelperTest(body[0].test, bool(first.value)))
        return None

    def _argument(self, arg: ast.expr, env: dict[str, Node | None], depth: int) -> Node | None:
        """A helper's argument: its value, or ("opaque",) when the origin flows into it in a way
        the analysis cannot follow (so that a check on it inside the helper is not taken as one
        that cannot involve the origin)."""
        value = self.expr(arg, env, depth + 1)
        if value is None and self.flow.reaches(arg, env):
            return ("opaque",)
        return value

    def _const_items(self, node: ast.expr) -> tuple[Any, ...] | None:
        value = self.resolver.resolve(node)
        converted = py_const(value.value)
        if not isinstance(converted, tuple):
            return None
        self.note(value)
        return converted

    def loop_items(self, node: ast.expr) -> tuple[Any, ...] | None:
        """The items a loop / comprehension iterates over: constants, or compiled patterns
        (`PATTERNS = [re.compile(...) for h in HOSTS]`), which bind to ("pattern", …) markers."""
        value = self.resolver.resolve(node)
        if isinstance(value.value, (list, tuple)) and any(
            isinstance(v, Regex) for v in value.value
        ):
            items = [v if isinstance(v, Regex) else py_const(v) for v in value.value]
            if any(v is UNKNOWN for v in items):
                return None
            self.note(value)
            return tuple(items)
        return self._const_items(node)

    def regex_flags(self, node: ast.expr | None) -> int | None:
        if node is None:
            return 0
        value = self.resolver.resolve(node).value
        return value if isinstance(value, int) else None
