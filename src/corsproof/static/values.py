"""Resolve expressions to values the way Python would, without running anything.

Handles literals and containers, module constants and function locals, names imported from the
project's own modules, `os.environ.get`/`os.getenv`/django-environ/python-decouple with their
defaults (the value carries the variable name: a permissive *default* is CORS301), `re.compile`,
`.split()`, string concatenation and `DEBUG`-dependent values. Anything else is `UNKNOWN`:
never guessed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from typing import Any

from corsproof.static._module import Module


class _Unknown:
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Regex:
    """A compiled pattern (`re.compile(...)`) found in the code."""

    pattern: str
    flags: int = 0


@dataclass(frozen=True)
class Value:
    value: Any
    env: str | None = None  # the environment variable whose default (or value) this is
    debug: str | None = None  # the debug condition this value depends on, as written
    node: ast.AST | None = None

    @property
    def known(self) -> bool:
        return self.value is not UNKNOWN

    def items(self) -> list[Any]:
        """The value as a list of entries (a str is one entry)."""
        if isinstance(self.value, (list, tuple, set, frozenset)):
            return list(self.value)
        return [self.value]


_DEBUG_NAME = re.compile(r"(^|[._])(DEBUG|debug|DEVELOPMENT|is_dev|IS_DEV|DEV|LOCAL|TESTING)$")
_ENV_FUNCS = {
    "os.environ.get",
    "os.getenv",
    "environ.get",
    "os.environ.setdefault",
    "getenv",
    "decouple.config",
    "config",
    "env",
    "env.str",
    "env.list",
    "env.bool",
    "env.tuple",
    "env.json",
    "environ.Env",
    "settings.env",
}
_RE_FLAGS = {
    "IGNORECASE": re.IGNORECASE,
    "I": re.IGNORECASE,
    "VERBOSE": re.VERBOSE,
    "X": re.VERBOSE,
    "MULTILINE": re.MULTILINE,
    "M": re.MULTILINE,
    "DOTALL": re.DOTALL,
    "S": re.DOTALL,
    "ASCII": re.ASCII,
    "A": re.ASCII,
}
MAX_DEPTH = 40


def is_debug_expr(module: Module, node: ast.AST) -> str | None:
    """The text of a debug/development condition (`DEBUG`, `settings.DEBUG`, `app.debug`,
    `os.environ.get("ENV") == "development"`), or None."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and _DEBUG_NAME.search(sub.id):
            return module.text(node)
        if isinstance(sub, ast.Attribute) and _DEBUG_NAME.search(sub.attr):
            return module.text(node)
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            if sub.value.lower() in ("development", "dev", "local", "debug", "test", "testing"):
                return module.text(node)
    return None


class Resolver:
    def __init__(self, module: Module) -> None:
        self.module = module

    # -- entry point -------------------------------------------------------------------------
    def resolve(self, node: ast.AST | None, depth: int = 0) -> Value:
        if node is None:
            return Value(None)
        if depth > MAX_DEPTH:
            return Value(UNKNOWN, node=node)
        try:
            value = self._resolve(node, depth + 1)
        except RecursionError:
            value = Value(UNKNOWN)
        return value if value.node is not None else replace(value, node=node)

    def _resolve(self, node: ast.AST, depth: int) -> Value:
        match node:
            case ast.Constant(value=v):
                return Value(v)
            case ast.List(elts=elts) | ast.Tuple(elts=elts) | ast.Set(elts=elts):
                return self._container(node, elts, depth)
            case ast.Dict(keys=keys, values=values):
                return self._dict(keys, values, depth)
            case ast.Name(id=name):
                return self._name(node, name, depth)
            case ast.Attribute():
                return self._attribute(node, depth)
            case ast.Call():
                return self._call(node, depth)
            case ast.BinOp(left=left, op=ast.Add(), right=right):
                a, b = self.resolve(left, depth), self.resolve(right, depth)
                env, debug = a.env or b.env, a.debug or b.debug
                if a.known and b.known:
                    try:
                        if isinstance(a.value, (list, tuple)) and isinstance(
                            b.value, (list, tuple)
                        ):
                            return Value(list(a.value) + list(b.value), env, debug)
                        if isinstance(a.value, str) and isinstance(b.value, str):
                            return Value(a.value + b.value, env, debug)
                    except TypeError:
                        pass
                return Value(UNKNOWN, env, debug)
            case ast.BinOp(left=left, op=ast.BitOr(), right=right):
                a, b = self.resolve(left, depth), self.resolve(right, depth)
                if isinstance(a.value, int) and isinstance(b.value, int):
                    return Value(a.value | b.value)
                return Value(UNKNOWN)
            case ast.JoinedStr(values=parts):
                out = []
                for part in parts:
                    if isinstance(part, ast.Constant):
                        out.append(str(part.value))
                    elif isinstance(part, ast.FormattedValue):
                        inner = self.resolve(part.value, depth)
                        if not inner.known or part.format_spec is not None:
                            return Value(UNKNOWN, inner.env, inner.debug)
                        out.append(str(inner.value))
                return Value("".join(out))
            case ast.BoolOp(op=ast.Or(), values=values):
                # `os.environ.get("X") or "*"`: the first operand that is known and truthy
                env = None
                for operand in values:
                    value = self.resolve(operand, depth)
                    env = env or value.env
                    if value.known and value.value:
                        return replace(value, env=env)
                    if not value.known and value.env is None:
                        return Value(UNKNOWN)
                return Value(UNKNOWN, env)
            case ast.IfExp(test=test, body=body, orelse=orelse):
                cond = is_debug_expr(self.module, test)
                if cond:
                    # permissive when the debug condition holds: keep that branch, marked
                    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
                    branch = orelse if negated else body
                    return replace(self.resolve(branch, depth), debug=cond, node=branch)
                return Value(UNKNOWN)
            case ast.Starred(value=inner):
                return self.resolve(inner, depth)
        return Value(UNKNOWN)

    # -- containers ---------------------------------------------------------------------------
    def _container(self, node: ast.AST, elts: list[ast.expr], depth: int) -> Value:
        out: list[Any] = []
        env = debug = None
        for elt in elts:
            value = self.resolve(elt, depth)
            env, debug = env or value.env, debug or value.debug
            if isinstance(elt, ast.Starred) and isinstance(value.value, (list, tuple, set)):
                out.extend(value.value)
            else:
                out.append(value.value)
        kind: type = tuple if isinstance(node, ast.Tuple) else list
        if isinstance(node, ast.Set):
            kind = list  # keep order for reporting; membership semantics are the same
        return Value(kind(out), env, debug)

    def _dict(self, keys: list[ast.expr | None], values: list[ast.expr], depth: int) -> Value:
        out: dict[Any, Any] = {}
        for key, val in zip(keys, values, strict=False):
            if key is None:
                inner = self.resolve(val, depth)
                if isinstance(inner.value, dict):
                    out.update(inner.value)
                continue
            k = self.resolve(key, depth).value
            if k is UNKNOWN or isinstance(k, (list, dict)):
                continue
            out[k] = self.resolve(val, depth).value
        return Value(out)

    # -- names --------------------------------------------------------------------------------
    def _name(self, node: ast.Name, name: str, depth: int) -> Value:
        binding = self.lookup(name, node)
        if binding is not None:
            return self.resolve_binding(binding, depth)
        if name in self.module.imports:
            mod, attr, level = self.module.imports[name]
            if attr is not None:
                value = self.imported(mod, attr, level, depth)
                if value is not None:
                    return value
        if _DEBUG_NAME.search(name):
            return Value(True, debug=name)
        if name in ("True", "False", "None"):
            return Value({"True": True, "False": False, "None": None}[name])
        return Value(UNKNOWN)

    def imported(self, module_name: str, attr: str, level: int, depth: int) -> Value | None:
        path = self.module.project.find_module(module_name, self.module.path, level)
        if path is None:
            return None
        other = self.module.project.load(path)
        if other is None or other is self.module:
            return None
        binding = Resolver(other).lookup(attr, None)
        if binding is None:
            return None
        return self.resolve_binding(binding, depth)

    def resolve_binding(self, binding: tuple[ast.expr, Module], depth: int) -> Value:
        expr, owner = binding
        resolver = self if owner is self.module else Resolver(owner)
        value = resolver.resolve(expr, depth)
        cond = owner.branch_condition(expr)
        return replace(value, debug=cond) if cond and not value.debug else value

    def lookup(
        self, name: str, use: ast.AST | None, _seen: frozenset[str] = frozenset()
    ) -> tuple[ast.expr, Module] | None:
        """The expression last bound to `name` before `use`: in the enclosing function (a
        parameter is unknown), else at module level, following star imports."""
        function = self.module.function_of(use) if use is not None else None
        line = getattr(use, "lineno", 10**9)
        if function is not None:
            found = _last_assignment(function.body, name, line, recurse=True)
            if found is not None:
                return found, self.module
            args = function.args
            parameters = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            if any(a is not None and a.arg == name for a in parameters):
                # a parameter: its default is only what callers get when they pass nothing
                return None
        module_line = line if function is None else 10**9
        found = _last_assignment(self.module.tree.body, name, module_line, recurse=False)
        seen = _seen | {str(self.module.path)}
        # the last binding wins: a star import after the assignment overrides it (`from .local import *`)
        for import_line, path in reversed(self.module.star_import_sites):
            if import_line >= module_line:
                continue
            if found is not None and import_line < getattr(found, "lineno", 0):
                break
            other = self.module.project.load(path)
            if other is not None and str(other.path) not in seen:
                inherited = Resolver(other).lookup(name, None, seen)
                if inherited is not None:
                    return inherited
        return (found, self.module) if found is not None else None

    # -- attributes and calls -----------------------------------------------------------------
    def _attribute(self, node: ast.Attribute, depth: int) -> Value:
        qual = self.module.qualname(node)
        if qual.startswith("re.") and node.attr in _RE_FLAGS:
            return Value(_RE_FLAGS[node.attr])
        if _DEBUG_NAME.search(node.attr):
            return Value(True, debug=self.module.text(node))
        if isinstance(node.value, ast.Name) and node.value.id in self.module.imports:
            mod, attr, level = self.module.imports[node.value.id]
            dotted = f"{mod}.{attr}" if (attr and mod) else (attr or mod)
            value = self.imported(dotted, node.attr, level, depth)
            if value is not None:
                return value
        return Value(UNKNOWN)

    def _call(self, node: ast.Call, depth: int) -> Value:
        func = self.module.qualname(node.func)
        short = node.func.attr if isinstance(node.func, ast.Attribute) else func.rsplit(".", 1)[-1]
        # re.compile(pattern, flags)
        if func in ("re.compile", "regex.compile"):
            pattern = self.resolve(node.args[0], depth) if node.args else Value(UNKNOWN)
            flags = self._flags(node, depth)
            if isinstance(pattern.value, str) and flags is not None:
                return Value(Regex(pattern.value, flags), pattern.env, pattern.debug)
            return Value(UNKNOWN)
        # environment lookups
        if self._is_env_call(node, func):
            return self._env_value(node, depth, short)
        # "a,b".split(",") / .strip() on known strings (also on env defaults)
        if isinstance(node.func, ast.Attribute) and short in (
            "split",
            "strip",
            "lower",
            "upper",
            "rstrip",
            "lstrip",
        ):
            base = self.resolve(node.func.value, depth)
            if isinstance(base.value, str):
                args = [self.resolve(a, depth).value for a in node.args]
                if all(isinstance(a, str) or a is None for a in args):
                    return Value(getattr(base.value, short)(*args), base.env, base.debug)
            return Value(UNKNOWN, base.env, base.debug)
        if isinstance(node.func, ast.Name) and short in (
            "list",
            "tuple",
            "set",
            "frozenset",
            "str",
            "bool",
            "sorted",
        ):
            if not node.args:
                return Value(
                    {
                        "list": [],
                        "tuple": (),
                        "set": [],
                        "frozenset": [],
                        "str": "",
                        "bool": False,
                    }.get(short, UNKNOWN)
                )
            inner = self.resolve(node.args[0], depth)
            if not inner.known:
                return inner
            try:
                if short == "bool":
                    return replace(inner, value=bool(inner.value), node=None)
                if short == "str":
                    return replace(inner, value=str(inner.value), node=None)
                return replace(
                    inner,
                    value=list(inner.value) if short != "tuple" else tuple(inner.value),
                    node=None,
                )
            except TypeError:
                return Value(UNKNOWN)
        return Value(UNKNOWN)

    def _flags(self, node: ast.Call, depth: int) -> int | None:
        flag_node = (
            node.args[1]
            if len(node.args) > 1
            else next((k.value for k in node.keywords if k.arg == "flags"), None)
        )
        if flag_node is None:
            return 0
        value = self.resolve(flag_node, depth).value
        return value if isinstance(value, int) else None

    def _is_env_call(self, node: ast.Call, func: str) -> bool:
        if func in _ENV_FUNCS or func.endswith(("environ.get", ".getenv")):
            return True
        # django-environ: env = environ.Env(); env("X", default=...), env.list(...)
        target = node.func.value if isinstance(node.func, ast.Attribute) else node.func
        if isinstance(target, ast.Name):
            binding = _last_assignment(self.module.tree.body, target.id, 10**9, recurse=False)
            if isinstance(binding, ast.Call) and self.module.qualname(binding.func) in (
                "environ.Env",
                "Env",
            ):
                return True
        return False

    def _env_value(self, node: ast.Call, depth: int, short: str) -> Value:
        name_value = self.resolve(node.args[0], depth).value if node.args else None
        name = name_value if isinstance(name_value, str) else "an environment variable"
        default_node = node.args[1] if len(node.args) > 1 else None
        cast = None
        for kw in node.keywords:
            if kw.arg == "default":
                default_node = kw.value
            elif kw.arg == "cast":
                cast = kw.value
        if default_node is None:
            return Value(UNKNOWN, env=name)
        default = self.resolve(default_node, depth)
        value = default.value
        cast_name = self.module.qualname(cast) if cast is not None else ""
        if isinstance(cast, ast.Call):
            cast_name = self.module.qualname(cast.func)
        if isinstance(value, str):
            if short in ("list", "tuple") or cast_name.endswith(("Csv", "list")):
                value = [v.strip() for v in value.split(",") if v.strip()]
            elif short == "bool" or cast_name.endswith("bool"):
                value = value.strip().lower() in ("1", "true", "yes", "on")
        return Value(value, env=name, debug=default.debug)


def _last_assignment(
    body: list[ast.stmt], name: str, before_line: int, recurse: bool
) -> ast.expr | None:
    """The value of the last `name = …` in `body` (and nested blocks) that starts before a line."""
    found: ast.expr | None = None
    for stmt in body:
        if getattr(stmt, "lineno", 0) >= before_line:
            break
        match stmt:
            case ast.Assign(targets=targets, value=value):
                for target in targets:
                    if isinstance(target, ast.Name) and target.id == name:
                        found = value
                    elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(
                        value, (ast.Tuple, ast.List)
                    ):
                        for t, v in zip(target.elts, value.elts, strict=False):
                            if isinstance(t, ast.Name) and t.id == name:
                                found = v
            case ast.AnnAssign(target=ast.Name(id=target_id), value=value) if value is not None:
                if target_id == name:
                    found = value
            case ast.AugAssign(target=ast.Name(id=target_id), op=ast.Add(), value=value) if (
                target_id == name
            ):
                if found is not None:
                    found = ast.copy_location(
                        ast.BinOp(left=found, op=ast.Add(), right=value), value
                    )
            case ast.If() | ast.Try() | ast.With() | ast.For() | ast.While():
                for block in _blocks(stmt):
                    inner = _last_assignment(block, name, before_line, recurse)
                    if inner is not None:
                        found = inner
    return found


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    blocks = [getattr(stmt, "body", [])]
    if isinstance(stmt, ast.Try):
        blocks += [h.body for h in stmt.handlers] + [stmt.orelse, stmt.finalbody]
    else:
        blocks.append(getattr(stmt, "orelse", []))
    return blocks
