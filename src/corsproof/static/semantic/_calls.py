"""How the evaluator reads calls: `re.compile`/`re.escape`, `str` methods, `dict.get`/`.copy()`,
builtins (`list()`, `dict()`, `sorted()`…), settings fields (`Field(default=…)`), instances of
project classes, and project functions whose body is one `return` (inlined, with their
arguments bound)."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from corsproof.static.semantic._values import (
    MAX_INLINE,
    ClassRef,
    Frame,
    Instance,
    Regex,
    SetList,
    Value,
    as_set,
    unknown,
)

if TYPE_CHECKING:
    from corsproof.static._module import Module

_STR_METHODS = {
    "split", "rsplit", "strip", "lower", "upper", "rstrip", "lstrip", "replace", "join",
    "format", "removeprefix", "removesuffix", "casefold", "splitlines", "title",
}  # fmt: skip
_FIELDS = ("pydantic.Field", "pydantic.fields.Field", "dataclasses.field", "sqlmodel.Field")
_CACHES = ("functools.lru_cache", "functools.cache", "lru_cache", "cache")
_CONFIG_NAME = re.compile(r"(?i)(^|[._])(config|conf|settings|options|cfg|configuration)$")


class Calls:
    """Part of `Evaluator`: calls of known functions, builtins and project functions."""

    module: Module
    _frames: list[Frame]

    def _call(self, node: ast.Call, depth: int) -> Value:
        func = self.module.qualname(node.func)
        short = node.func.attr if isinstance(node.func, ast.Attribute) else func.rsplit(".", 1)[-1]
        # re.compile(pattern, flags)
        if func in ("re.compile", "regex.compile"):
            pattern = self.resolve(node.args[0], depth) if node.args else unknown("no pattern")
            flags = self._flags(node, depth)
            if isinstance(pattern.value, str) and flags is not None:
                return Value(Regex(pattern.value, flags), pattern.env, pattern.debug)
            return unknown(pattern.reason or "an unknown pattern", pattern.env)
        if func == "re.escape" and len(node.args) == 1:
            text = self.resolve(node.args[0], depth)
            if isinstance(text.value, str):
                return Value(re.escape(text.value), text.env, text.debug)
            return unknown(text.reason or "an unknown string", text.env)
        if func == "getattr" and len(node.args) in (2, 3):
            return self._getattr(node, depth)
        # environment lookups
        if self._is_env_call(node, func):
            return self._env_value(node, depth, short)
        if isinstance(node.func, ast.Attribute) and short in _STR_METHODS:
            base = self.resolve(node.func.value, depth)
            if isinstance(base.value, str):
                args = [self.resolve(a, depth) for a in node.args]
                if node.keywords or any(not a.known for a in args):
                    return unknown("a string method with unknown arguments", base.env, base.debug)
                try:
                    result = getattr(base.value, short)(*[a.value for a in args])
                except (TypeError, ValueError, IndexError, KeyError):
                    return unknown(f".{short}() that Python would reject")
                env = base.env or next((a.env for a in args if a.env), None)
                return Value(result, env, base.debug)
            return unknown(base.reason or f".{short}() on an unknown value", base.env, base.debug)
        if isinstance(node.func, ast.Attribute) and short in ("copy", "get"):
            base = self.resolve(node.func.value, depth)
            if short == "copy" and isinstance(base.value, (list, dict)):
                return replace(base, node=None)
            if short == "get" and isinstance(base.value, dict) and node.args:
                key = self.resolve(node.args[0], depth)
                default = self.resolve(node.args[1], depth) if len(node.args) > 1 else Value(None)
                if key.known:
                    if key.value in base.value:
                        return Value(base.value[key.value], base.env, base.debug)
                    return default
            if short == "get" and not base.known and len(node.args) == 2:
                # `config.get("CORS_ORIGINS", ["*"])` on a configuration read at run time: the
                # default is what runs when the configuration does not set the key (CORS301)
                key = self.resolve(node.args[0], depth)
                target = self.module.text(node.func.value)
                if isinstance(key.value, str) and _CONFIG_NAME.search(target.split("[")[0]):
                    default = self.resolve(node.args[1], depth)
                    if default.known:
                        return replace(default, env=default.env or f"{target}[{key.value!r}]")
                    return default
        if isinstance(node.func, ast.Name) and func in (
            "list", "tuple", "set", "frozenset", "str", "bool", "sorted", "dict", "int",
        ):  # fmt: skip
            return self._builtin(node, short, depth)
        if func in _FIELDS:
            return self._field_default(node, depth)
        if isinstance(node.func, ast.Name):
            inlined = self._inline(node, depth)
            if inlined is not None:
                return inlined
        callee = self.resolve(node.func, depth) if isinstance(node.func, ast.Name) else None
        if callee is not None and isinstance(callee.value, ClassRef):
            overrides = []
            for kw in node.keywords:
                if kw.arg is not None:
                    overrides.append((kw.arg, self.resolve(kw.value, depth)))
            return Value(Instance(callee.value, tuple(overrides)))
        return unknown(f"the result of {func or self.module.text(node.func)}()")

    def _field_default(self, node: ast.Call, depth: int) -> Value:
        """`Field(default=…)`, `Field(…)`, `field(default_factory=…)`: a settings field's default."""
        for kw in node.keywords:
            if kw.arg == "default":
                return self.resolve(kw.value, depth)
            if kw.arg == "default_factory":
                factory = kw.value
                if isinstance(factory, ast.Lambda):
                    return self.resolve(factory.body, depth)
                if isinstance(factory, ast.Name) and factory.id in ("list", "dict", "set", "tuple"):
                    return Value(
                        {"list": [], "dict": {}, "set": SetList(), "tuple": ()}[factory.id]
                    )
                return unknown("a default_factory")
        if node.args and not (
            isinstance(node.args[0], ast.Constant) and node.args[0].value is Ellipsis
        ):
            return self.resolve(node.args[0], depth)
        return unknown("a required field (no default)")

    def _inline(self, node: ast.Call, depth: int) -> Value | None:
        """A call of a project function whose body is one `return <expr>` (a settings getter
        `get_settings()`, a helper `get_list(os.environ.get("X", "*"))`): the expression, with
        the parameters bound to the arguments. None when the callee is anything else."""
        assert isinstance(node.func, ast.Name)
        found = self.binding(node.func.id, node)
        if found is None:
            return None
        binding, owner = found
        function = binding.node
        if binding.kind != "function" or not isinstance(function, ast.FunctionDef):
            return None
        if sum(1 for f in self._frames if isinstance(f.scope.node, ast.FunctionDef)) >= MAX_INLINE:
            return None
        if any(f.scope.node is function for f in self._frames):
            return None  # recursion
        for decorator in function.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if owner.qualname(target) not in _CACHES:
                return None
        body = [
            stmt
            for stmt in function.body
            if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
        ]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            return None
        scope = owner.semantic.scopes.get(function)
        if scope is None:
            return None
        names = self._parameters(function.args, node, owner, depth)
        if names is None:
            return None
        frame = Frame(scope, names)
        evaluator = self._for(owner)
        evaluator._frames.append(frame)
        try:
            return evaluator.resolve(body[0].value, depth)
        finally:
            evaluator._frames.pop()

    def _parameters(
        self, args: ast.arguments, call: ast.Call, owner: Module, depth: int
    ) -> dict[str, Value] | None:
        """The values of a function's parameters for one call (None: `*args`/`**kw` involved)."""
        if args.vararg or args.kwarg or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        if any(kw.arg is None for kw in call.keywords):
            return None
        positional = [*args.posonlyargs, *args.args]
        if len(call.args) > len(positional):
            return None
        names: dict[str, Value] = {}
        for param, arg in zip(positional, call.args, strict=False):
            names[param.arg] = self.resolve(arg, depth)
        for kw in call.keywords:
            names[kw.arg] = self.resolve(kw.value, depth)  # type: ignore[index]
        defaults = dict(
            zip(
                [a.arg for a in positional[len(positional) - len(args.defaults) :]],
                args.defaults,
                strict=True,
            )
        )
        defaults.update(
            {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d}
        )
        default_evaluator = self._for(owner)
        for param in [*positional, *args.kwonlyargs]:
            if param.arg not in names:
                if param.arg not in defaults:
                    return None  # a TypeError in Python
                names[param.arg] = default_evaluator.resolve(defaults[param.arg], depth)
        return names

    def _builtin(self, node: ast.Call, short: str, depth: int) -> Value:
        if short == "dict":
            out: dict[Any, Any] = {}
            if node.args:
                inner = self.resolve(node.args[0], depth)
                if not isinstance(inner.value, dict):
                    return unknown(inner.reason or "dict() of an unknown value")
                out.update(inner.value)
            for kw in node.keywords:
                item = self.resolve(kw.value, depth)
                if kw.arg is None:
                    if not isinstance(item.value, dict):
                        return unknown(item.reason or "an unknown ** mapping")
                    out.update(item.value)
                else:
                    out[kw.arg] = item.value
            return Value(out)
        if not node.args:
            empty = {"list": [], "tuple": (), "str": "", "bool": False}
            if short in ("set", "frozenset"):
                return Value(SetList())
            return Value(empty[short]) if short in empty else unknown(f"{short}()")
        inner = self.resolve(node.args[0], depth)
        if not inner.known:
            return inner
        try:
            if short == "bool":
                return replace(inner, value=bool(inner.value), node=None)
            if short == "str":
                return replace(inner, value=str(inner.value), node=None)
            if short == "int":
                return replace(inner, value=int(inner.value), node=None)
            if short == "sorted":
                return replace(inner, value=sorted(inner.value), node=None)
            if isinstance(inner.value, dict):
                keys = list(inner.value)
                return replace(inner, value=tuple(keys) if short == "tuple" else keys, node=None)
            if short == "tuple":
                return replace(inner, value=tuple(inner.value), node=None)
            if short in ("set", "frozenset"):
                return replace(inner, value=as_set(inner.value), node=None)
            return replace(inner, value=list(inner.value), node=None)
        except (TypeError, ValueError):
            return unknown(f"{short}() of a value Python would reject")

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
