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

from corsproof.findings import Location, Unresolved
from corsproof.policy import CorsPolicy, Fallback
from corsproof.static._module import Module
from corsproof.static.semantic import Evaluator, Value, branch_condition, env_condition

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


def expand_kwargs(module: Module, evaluator: Evaluator, call: ast.Call) -> ast.Call:
    """The call with each `**mapping` whose mapping is a dict literal (bound to a name, through
    imports too) replaced by its entries as keywords, so options read from it keep the entries'
    own locations: `app.add_middleware(CORSMiddleware, **cors_kwargs)`. A mapping that cannot be
    followed to a literal stays as it is."""
    if not any(kw.arg is None for kw in call.keywords):
        return call
    keywords: list[ast.keyword] = []
    for kw in call.keywords:
        if kw.arg is not None:
            keywords.append(kw)
            continue
        mapping = _dict_literal(module, evaluator, kw.value)
        if mapping is None:
            keywords.append(kw)
            continue
        for key, value in zip(mapping.keys, mapping.values, strict=False):
            name = evaluator.resolve(key).value if key is not None else None
            if isinstance(name, str):
                keywords.append(ast.copy_location(ast.keyword(arg=name, value=value), value))
            else:
                keywords.append(ast.copy_location(ast.keyword(arg=None, value=value), value))
    expanded = ast.copy_location(ast.Call(func=call.func, args=call.args, keywords=keywords), call)
    expanded.end_lineno, expanded.end_col_offset = call.end_lineno, call.end_col_offset
    parent = module.parents.get(call)
    if parent is not None:
        module.parents[expanded] = parent
    return expanded


def _dict_literal(module: Module, evaluator: Evaluator, node: ast.AST) -> ast.Dict | None:
    for _ in range(8):
        if isinstance(node, ast.Dict):
            return node
        if not isinstance(node, ast.Name):
            return None
        found = evaluator.lookup(node.id, node)
        if found is None or found[1] is not module:
            return None
        node = found[0]
    return None


def exclusive(module: Module, a: ast.AST, b: ast.AST) -> bool:
    """`a` and `b` are in different arms of one `if`/`try`/`match`: never both run."""
    first, second = module.semantic.branch_of(a), module.semantic.branch_of(b)
    for (stmt_a, arm_a), (stmt_b, arm_b) in zip(first, second, strict=False):
        if stmt_a is not stmt_b:
            return False
        if arm_a != arm_b:
            if isinstance(stmt_a, (ast.For, ast.AsyncFor, ast.While)):
                return False  # a loop's body and its else both run
            if isinstance(stmt_a, ast.Try):
                return arm_a >= 1 and arm_b >= 1  # else/handlers: one or the other
            return True
    return False


def note_unresolved(
    policy: CorsPolicy, module: Module, node: ast.AST | None, value: Value, what: str
) -> None:
    """Record an option whose value is unknown (an environment variable without default, a call
    into a library, a parameter) on the policy: listed under `unresolved`, never taken as safe."""
    if node is None or value.known:
        return
    loc = module.loc(node)
    reason = value.reason or "cannot be determined without running the code"
    policy.unresolved.append(Unresolved(loc.path, loc.line, loc.column, what, reason))


def environment_fallback(module: Module, policy: CorsPolicy) -> None:
    """A permissive configuration made only when an environment variable is missing (the `else`
    of `if os.environ.get("ORIGINS"):`) is a fallback: CORS301, not CORS101."""
    if policy.fallback is not None or policy.any_origin is None:
        return
    if not isinstance(policy.loc, Location):
        return
    anchor = next(
        (node for node in module.nodes(ast.Call) if getattr(node, "lineno", 0) == policy.loc.line),
        None,
    )
    variable = env_condition(module, anchor) if anchor is not None else None
    if variable is not None:
        policy.fallback = Fallback("env-default", variable, policy.loc)


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
