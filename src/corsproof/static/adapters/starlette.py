"""Starlette / FastAPI `CORSMiddleware` (starlette.middleware.cors).

Modelled from Starlette 1.10 (see docs/frameworks.md and tests/semantics/test_starlette.py):
- `"*" in allow_origins` allows every origin: literal `*`, or an echo when `allow_credentials=True`;
- `origin in allow_origins` is exact for a list, a *substring* test for a string;
- `allow_origin_regex` is applied with `fullmatch`, no flags;
- `"*"` in `allow_methods` / `allow_headers` grants all; `allow_private_network=True` grants PNA;
- `add_middleware` inserts at the front: the middleware added last is the outermost.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from corsproof.policy import CorsPolicy, OriginCheck
from corsproof.static._module import Module
from corsproof.static.adapters._base import (
    Adapter,
    argument,
    fallback_of,
    first_true,
    has_star,
    register_adapter,
    string_items,
)
from corsproof.static.values import Resolver


def _is_cors_middleware(module: Module, node: ast.AST | None) -> bool:
    if node is None:
        return False
    qual = module.qualname(node)
    if qual.startswith("falcon"):
        return False
    return qual.endswith("CORSMiddleware") and (
        qual.startswith(("starlette.", "fastapi.")) or qual == "CORSMiddleware"
    )


@register_adapter
class StarletteCors(Adapter):
    name = "starlette"
    prefilter = re.compile(rb"CORSMiddleware")

    def analyse(self, module: Module, resolver: Resolver) -> Iterator[CorsPolicy]:
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            # app.add_middleware(CORSMiddleware, ...) / add_middleware(middleware_class=CORSMiddleware)
            if isinstance(func, ast.Attribute) and func.attr == "add_middleware":
                if _is_cors_middleware(module, argument(node, "middleware_class", 0)):
                    yield self._policy(module, resolver, node, _added_after(module, node))
            # Middleware(CORSMiddleware, ...) in a middleware list
            elif module.qualname(func).endswith("Middleware") and not module.qualname(
                func
            ).endswith("CORSMiddleware"):
                if _is_cors_middleware(module, argument(node, "cls", 0)):
                    yield self._policy(module, resolver, node, _listed_after(module, node))

    def _policy(
        self, module: Module, resolver: Resolver, call: ast.Call, shadowed: str | None
    ) -> CorsPolicy:
        policy = CorsPolicy(framework="starlette", loc=module.loc(call))
        origins_node = argument(call, "allow_origins")
        if origins_node is not None:
            origins = resolver.resolve(origins_node)
            policy.fallback = fallback_of(module, origins, origins_node)
            loc = module.loc(origins_node)
            if isinstance(origins.value, str):
                if "*" in origins.value:
                    policy.any_origin = loc
                else:  # `origin in "https://a.example.com"` is a substring test
                    policy.checks.append(
                        OriginCheck(
                            "predicate",
                            predicate=("in", ("origin",), ("const", origins.value)),
                            describe=f"allow_origins={origins.value!r} (a string: `origin in` tests substrings)",
                            loc=loc,
                        )
                    )
            elif has_star(origins):
                policy.any_origin = loc
            else:
                for entry in string_items(origins):
                    policy.checks.append(
                        OriginCheck(
                            "exact", entry, describe=f"allow_origins entry {entry!r}", loc=loc
                        )
                    )
        regex_node = argument(call, "allow_origin_regex")
        if regex_node is not None:
            regex = resolver.resolve(regex_node)
            if isinstance(regex.value, str):
                policy.fallback = policy.fallback or fallback_of(module, regex, regex_node)
                policy.checks.append(
                    OriginCheck(
                        "fullmatch",
                        regex.value,
                        describe=f"allow_origin_regex (fullmatch) {regex.value!r}",
                        loc=module.loc(regex_node),
                    )
                )
        policy.credentials = first_true(module, resolver, call, "allow_credentials")
        policy.private_network = first_true(module, resolver, call, "allow_private_network")
        for name, attr in (("allow_methods", "any_method"), ("allow_headers", "any_header")):
            node = argument(call, name)
            if node is not None and has_star(resolver.resolve(node)):
                setattr(policy, attr, module.loc(node))
        expose = argument(call, "expose_headers")
        if expose is not None:
            policy.expose_headers = tuple(string_items(resolver.resolve(expose)))
            policy.expose_loc = module.loc(expose)
        if shadowed:
            policy.ineffective = (
                f"CORSMiddleware is not the outermost middleware ({shadowed} wraps it): "
                "responses that middleware answers carry no CORS headers",
                module.loc(call),
            )
        return policy


def _target(call: ast.Call) -> str:
    return ast.unparse(call.func.value) if isinstance(call.func, ast.Attribute) else ""


def _added_after(module: Module, call: ast.Call) -> str | None:
    """Another middleware added to the same app after CORSMiddleware (so it wraps it)."""
    app = _target(call)
    scope = module.function_of(call)
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call) or getattr(node, "lineno", 0) <= call.lineno:
            continue
        if not isinstance(node.func, ast.Attribute) or _target(node) != app:
            continue
        decorated = module.parents.get(node)
        if node.func.attr == "middleware" and isinstance(decorated, _FUNCTIONS):
            # `@app.middleware("http")` adds a middleware when the decorated function is defined
            if module.function_of(decorated) is scope:
                return f"@{module.text(node)}"
        elif node.func.attr == "add_middleware" and module.function_of(node) is scope:
            added = argument(node, "middleware_class", 0)
            if not _is_cors_middleware(module, added):
                return module.text(added or node)
    return None


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _listed_after(module: Module, call: ast.Call) -> str | None:
    """CORSMiddleware listed after another Middleware(...) in the same list (the first is outermost)."""
    parent = module.parents.get(call)
    if not isinstance(parent, (ast.List, ast.Tuple)):
        return None
    index = parent.elts.index(call)
    if index == 0:
        return None
    first = parent.elts[0]
    if isinstance(first, ast.Call) and first.args:
        return module.text(first.args[0])
    return module.text(first)
