"""The adapter interface and registry.

An adapter turns one framework's configuration (or hand-written header code) in one parsed module
into `CorsPolicy` objects. It declares a byte pattern: files that do not match any adapter's
pattern are never parsed. Adding a framework: one new module here plus its import line in
`adapters/__init__.py`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import ClassVar

from corsproof.policy import CorsPolicy, Fallback
from corsproof.static._module import Module
from corsproof.static.semantic import Evaluator, Value, branch_condition

_ADAPTERS: list[type[Adapter]] = []


def register_adapter(cls: type[Adapter]) -> type[Adapter]:
    _ADAPTERS.append(cls)
    return cls


def all_adapters() -> list[type[Adapter]]:
    return list(_ADAPTERS)


class Adapter:
    name: ClassVar[str]
    # a file is parsed only when some adapter's prefilter matches its bytes
    prefilter: ClassVar[re.Pattern[bytes]]

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterable[CorsPolicy]:
        raise NotImplementedError


def argument(call: ast.Call, name: str, position: int | None = None) -> ast.expr | None:
    """A call's argument by keyword, else by position."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    if (
        position is not None
        and len(call.args) > position
        and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1])
    ):
        return call.args[position]
    return None


def fallback_of(module: Module, value: Value, node: ast.AST) -> Fallback | None:
    """CORS301: the value comes from an environment default or a debug-only branch."""
    if value.env is not None and value.known:
        return Fallback("env-default", value.env, module.loc(node))
    debug = value.debug or branch_condition(module, node)
    if debug:
        return Fallback("debug", debug, module.loc(node))
    return None


def has_star(value: Value) -> bool:
    return any(isinstance(v, str) and v.strip() == "*" for v in value.items())


def string_items(value: Value) -> list[str]:
    return [v for v in value.items() if isinstance(v, str)]
