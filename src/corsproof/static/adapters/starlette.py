"""Starlette / FastAPI `CORSMiddleware` (starlette.middleware.cors).

Modelled from Starlette 1.10 (see docs/frameworks.md and tests/semantics/test_starlette.py):
- `"*" in allow_origins` allows every origin: literal `*`, or an echo when `allow_credentials=True`;
- `"*" in allow_origins` and `origin in allow_origins` are exact for a list (`" *"` is not the
  wildcard), *substring* tests for a string (`"https://a.example.com"` accepts `…example.co`);
- `allow_origin_regex` is applied with `fullmatch`, no flags (a compiled pattern keeps its own);
- `"*"` in `allow_methods` grants every standard method, in `allow_headers` every requested header;
  `allow_private_network=True` grants PNA;
- the options are also accepted positionally (`add_middleware(CORSMiddleware, ["*"])`);
- `add_middleware` inserts at the front: the middleware added last is the outermost, outside the
  `middleware=[...]` list too; in that list the first entry is the outermost. A middleware that
  never answers on its own (GZip, sessions) wrapping CORSMiddleware changes nothing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from corsproof.findings import Location
from corsproof.policy import CorsPolicy, NotApplied, OriginCheck
from corsproof.static._module import Module
from corsproof.static.adapters._base import (
    Adapter,
    argument,
    exclusive,
    expand_kwargs,
    fallback_of,
    note_unresolved,
    register_adapter,
    string_items,
)
from corsproof.static.semantic import Evaluator, Regex, Value

# CORSMiddleware(app, allow_origins, allow_methods, allow_headers, allow_credentials,
# allow_origin_regex, allow_private_network, expose_headers, max_age): after the class argument
_POSITIONS = {
    name: index + 1
    for index, name in enumerate(
        (
            "allow_origins",
            "allow_methods",
            "allow_headers",
            "allow_credentials",
            "allow_origin_regex",
            "allow_private_network",
            "expose_headers",
        )
    )
}
# middleware that never answers a request itself: wrapping CORSMiddleware, they change nothing
_PASS_THROUGH = (
    "starlette.middleware.gzip.GZipMiddleware",
    "fastapi.middleware.gzip.GZipMiddleware",
    "starlette.middleware.sessions.SessionMiddleware",
)


def _is_cors_middleware(module: Module, node: ast.AST | None) -> bool:
    if node is None or not module.may_end(node, _cors_middleware_name):
        return False
    qual = module.qualname(node)
    if qual.startswith("falcon"):
        return False
    return qual.endswith("CORSMiddleware") and (
        qual.startswith(("starlette.", "fastapi.")) or qual == "CORSMiddleware"
    )


def _cors_middleware_name(name: str) -> bool:
    return name.endswith("CORSMiddleware")


def _added_or_middleware(name: str) -> bool:
    return name == "add_middleware" or name.endswith("Middleware")


def _option(call: ast.Call, name: str) -> ast.expr | None:
    """An option by keyword, or by position after the middleware class (when passed positionally)."""
    return argument(call, name, _POSITIONS[name] if call.args else None)


def _star(value: Value) -> bool:
    """`"*" in option`, as Starlette tests it: an exact entry of a list, a substring of a string."""
    if isinstance(value.value, (str, list, tuple, set, frozenset)):
        return "*" in value.value
    return False


def _truthy(module: Module, evaluator: Evaluator, call: ast.Call, name: str) -> Location | None:
    node = _option(call, name)
    if node is None:
        return None
    value = evaluator.resolve(node)
    return module.loc(node) if value.known and value.value else None


@register_adapter
class StarletteCors(Adapter):
    name = "starlette"
    prefilter = re.compile(rb"CORSMiddleware")

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterator[CorsPolicy]:
        for node in module.calls_ending(_added_or_middleware):
            func = node.func
            # app.add_middleware(CORSMiddleware, ...) / add_middleware(middleware_class=CORSMiddleware)
            if isinstance(func, ast.Attribute) and func.attr == "add_middleware":
                if _is_cors_middleware(module, argument(node, "middleware_class", 0)):
                    yield self._policy(module, evaluator, node, _added_after(module, node))
            # Middleware(CORSMiddleware, ...) in a middleware list
            elif (
                (cls := argument(node, "cls", 0)) is not None
                and module.may_end(cls, _cors_middleware_name)  # before resolving anything
                and module.qualname(func).endswith("Middleware")
                and not module.qualname(func).endswith("CORSMiddleware")
            ):
                if _is_cors_middleware(module, cls):
                    shadowed = _listed_after(module, node) or _added_to_app(module, node)
                    yield self._policy(module, evaluator, node, shadowed)

    def _policy(
        self, module: Module, evaluator: Evaluator, call: ast.Call, shadowed: _Wrapper | None
    ) -> CorsPolicy:
        policy = CorsPolicy(framework="starlette", loc=module.loc(call))
        call = expand_kwargs(module, evaluator, call)
        origins_node = _option(call, "allow_origins")
        if origins_node is not None:
            origins = evaluator.resolve(origins_node)
            policy.fallback = fallback_of(module, origins, origins_node)
            note_unresolved(policy, module, origins_node, origins, "allow_origins")
            loc = module.loc(origins_node)
            if _star(origins):
                policy.any_origin = loc
            elif isinstance(origins.value, str):
                # `origin in "https://a.example.com"` is a substring test
                policy.checks.append(
                    OriginCheck(
                        "predicate",
                        predicate=("in", ("origin",), ("const", origins.value)),
                        describe=f"allow_origins={origins.value!r} "
                        "(a string: `origin in` tests substrings)",
                        loc=loc,
                    )
                )
            else:
                for entry in string_items(origins):
                    policy.checks.append(
                        OriginCheck(
                            "exact", entry, describe=f"allow_origins entry {entry!r}", loc=loc
                        )
                    )
        regex_node = _option(call, "allow_origin_regex")
        if regex_node is not None:
            regex = evaluator.resolve(regex_node)
            note_unresolved(policy, module, regex_node, regex, "allow_origin_regex")
            pattern, flags = None, 0
            if isinstance(regex.value, str):
                pattern = regex.value
            elif isinstance(regex.value, Regex):  # re.compile(...) is used as it is
                pattern, flags = regex.value.pattern, regex.value.flags
            if pattern is not None:
                policy.fallback = policy.fallback or fallback_of(module, regex, regex_node)
                policy.checks.append(
                    OriginCheck(
                        "fullmatch",
                        pattern,
                        flags=flags,
                        describe=f"allow_origin_regex (fullmatch) {pattern!r}",
                        loc=module.loc(regex_node),
                    )
                )
        for name in (
            "allow_credentials",
            "allow_private_network",
            "allow_methods",
            "allow_headers",
        ):
            option = _option(call, name)
            if option is not None:
                note_unresolved(policy, module, option, evaluator.resolve(option), name)
        policy.credentials = _truthy(module, evaluator, call, "allow_credentials")
        policy.private_network = _truthy(module, evaluator, call, "allow_private_network")
        for name, attr in (("allow_methods", "any_method"), ("allow_headers", "any_header")):
            node = _option(call, name)
            if node is not None and _star(evaluator.resolve(node)):
                setattr(policy, attr, module.loc(node))
        expose = _option(call, "expose_headers")
        if expose is not None:
            policy.expose_headers = tuple(string_items(evaluator.resolve(expose)))
            policy.expose_loc = module.loc(expose)
        if shadowed and shadowed[1]:
            policy.not_applied = NotApplied(
                f"CORSMiddleware is not the outermost middleware (another CORSMiddleware, "
                f"{shadowed[0]}, wraps it): the outer one answers every preflight, so this "
                "configuration never applies to preflighted requests",
                module.loc(call),
            )
        elif shadowed:
            policy.not_applied = NotApplied(
                f"CORSMiddleware is not the outermost middleware ({shadowed[0]} wraps it): "
                "responses that middleware answers carry no CORS headers",
                module.loc(call),
            )
        return policy


# what wraps a CORSMiddleware: (the wrapper as written, whether it is another CORSMiddleware)
_Wrapper = tuple[str, bool]


def _target(call: ast.Call) -> str:
    return ast.unparse(call.func.value) if isinstance(call.func, ast.Attribute) else ""


def _first(wrappers: list[_Wrapper]) -> _Wrapper | None:
    """The wrapper to report: one that answers without CORS headers first, else a CORSMiddleware."""
    return next((w for w in wrappers if not w[1]), None) or next(iter(wrappers), None)


def _wrapper(module: Module, cls: ast.AST | None, written: ast.AST) -> list[_Wrapper]:
    """A middleware class that may answer requests itself (anything not known to pass through)."""
    if cls is not None and module.qualname(cls) in _PASS_THROUGH:
        return []
    return [(module.text(cls or written), _is_cors_middleware(module, cls))]


def _wrapping(
    module: Module, app: str, scope: ast.AST | None, after: int, origin: ast.AST
) -> _Wrapper | None:
    """A middleware added to `app` (`app.add_middleware`, `@app.middleware`) below line `after`,
    on a path that can run after `origin` (not in another arm of the same `if`)."""
    found: list[_Wrapper] = []
    for node in module.nodes(ast.Call):
        if getattr(node, "lineno", 0) <= after or exclusive(module, origin, node):
            continue
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if _target(node) != app:
            continue
        decorated = module.parents.get(node)
        if isinstance(decorated, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # `@app.middleware("http")` belongs to the scope the decorated function is defined in
            if node.func.attr == "middleware" and module.function_of(decorated) is scope:
                found.append((f"@{module.text(node)}", False))
        elif node.func.attr == "add_middleware" and module.function_of(node) is scope:
            found.extend(_wrapper(module, argument(node, "middleware_class", 0), node))
    return _first(found)


def _added_after(module: Module, call: ast.Call) -> _Wrapper | None:
    """Another middleware added to the same app after CORSMiddleware (so it wraps it)."""
    return _wrapping(module, _target(call), module.function_of(call), call.lineno, call)


def _listed_after(module: Module, call: ast.Call) -> _Wrapper | None:
    """CORSMiddleware listed after another Middleware(...) in the same list (the first is outermost)."""
    parent = module.parents.get(call)
    if not isinstance(parent, (ast.List, ast.Tuple)):
        return None
    found: list[_Wrapper] = []
    for entry in parent.elts[: parent.elts.index(call)]:
        cls = argument(entry, "cls", 0) if isinstance(entry, ast.Call) else None
        found.extend(_wrapper(module, cls, entry))
    return _first(found)


def _added_to_app(module: Module, call: ast.Call) -> _Wrapper | None:
    """`app = Starlette(middleware=[Middleware(CORSMiddleware, ...)])` then `app.add_middleware(X)`:
    whatever `add_middleware` adds wraps the whole list."""
    listing = module.parents.get(call)
    keyword = module.parents.get(listing) if listing is not None else None
    constructor = module.parents.get(keyword) if keyword is not None else None
    assign = module.parents.get(constructor) if constructor is not None else None
    if not (
        isinstance(keyword, ast.keyword)
        and keyword.arg == "middleware"
        and isinstance(constructor, ast.Call)
        and isinstance(assign, ast.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0], (ast.Name, ast.Attribute))
    ):
        return None
    app = ast.unparse(assign.targets[0])
    return _wrapping(module, app, module.function_of(assign), assign.lineno, assign)
