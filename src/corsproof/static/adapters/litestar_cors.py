"""Litestar `CORSConfig` (`Litestar(cors_config=CORSConfig(...))`).

Modelled from Litestar 2.25 (see docs/frameworks.md and tests/semantics/test_litestar.py):
- `CORSConfig()` defaults: `allow_origins=["*"]`, `allow_methods=["*"]`, `allow_headers=["*"]`,
  `allow_credentials=False`.
- `"*" in allow_origins` allows every origin (exact for a list, a substring test for a string):
  a literal `*`, but the request origin is echoed when the request carries a cookie, with
  `Access-Control-Allow-Credentials: true` when `allow_credentials` is truthy: CORS102.
- Otherwise each `allow_origins` entry is `re.escape`d with every `*` turned into `.*`, joined with
  `allow_origin_regex` by `|` and applied with `fullmatch`: exact entries, wildcard entries
  (`https://*.example.com` = any subdomain, `https://app.example.*` = any suffix) and the regex are
  one check each. A string is iterated character by character (accepts no real origin); a compiled
  pattern, or a combined pattern that does not compile, fails on the first request (nothing sent).
- `"*"` in `allow_methods`/`allow_headers` grants every method / requested header (CORS201, only when
  written: the default `["*"]` is not reported, as for flask-cors' defaults);
  `expose_headers` (a list) is sent on every response; `Vary: Origin` is always sent with an echo;
  there is no private-network support.
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
    note_unresolved,
    register_adapter,
)
from corsproof.static.semantic import DottedNames, Evaluator, Regex, Value

FRAMEWORK = "litestar"
_CONFIGS = DottedNames(("litestar.config.cors.CORSConfig", "litestar.config.CORSConfig"))
_POSITIONS = {
    name: index
    for index, name in enumerate(
        (
            "allow_origins",
            "allow_methods",
            "allow_headers",
            "allow_credentials",
            "allow_origin_regex",
            "expose_headers",
        )
    )
}


def _translate(entry: str) -> str:
    """An `allow_origins` entry as Litestar compiles it (`*` -> `.*`, the rest escaped)."""
    return ".*".join(re.escape(part) for part in entry.split("*"))


def _star(value: Value) -> bool:
    """`"*" in option`: an exact entry of a list, a substring of a string."""
    if isinstance(value.value, (str, list, tuple)):
        return "*" in value.value
    return False


def _unpacked(call: ast.Call) -> bool:
    """`f(*args)` / `f(**options)`: the options not written out are unknown, not the defaults."""
    return any(isinstance(a, ast.Starred) for a in call.args) or any(
        kw.arg is None for kw in call.keywords
    )


@register_adapter
class LitestarCors(Adapter):
    name = "litestar"
    prefilter = re.compile(rb"CORSConfig")

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterator[CorsPolicy]:
        for node, _ in module.calls_to(_CONFIGS):
            if not _unpacked(node):
                policy = self._policy(module, evaluator, node)
                if policy is not None:
                    yield policy

    def _policy(self, module: Module, evaluator: Evaluator, call: ast.Call) -> CorsPolicy | None:
        def option(name: str) -> ast.expr | None:
            return argument(call, name, _POSITIONS[name])

        policy = CorsPolicy(framework=FRAMEWORK, loc=module.loc(call))
        # a literal `*` without a cookie, an echo (with credentials when on) with one
        policy.any_echo = False
        policy.echo_with_credentials = True
        origins_node = option("allow_origins")
        origins = evaluator.resolve(origins_node) if origins_node is not None else Value(["*"])
        if origins_node is None:
            policy.fallback = fallback_of(module, Value(None), call)
        else:
            policy.fallback = fallback_of(module, origins, origins_node)
        origins_loc = module.loc(origins_node) if origins_node is not None else policy.loc
        note_unresolved(policy, module, origins_node, origins, "allow_origins")
        if _star(origins):
            policy.any_origin = origins_loc
        else:
            parts: list[str] | None = []  # the pieces Litestar joins with `|`; None: unknown
            if isinstance(origins.value, (list, tuple)):
                for entry in origins.value:
                    if not isinstance(entry, str):
                        parts = None  # an unknown entry: whether it all compiles is unknown
                        continue
                    if parts is not None:
                        parts.append(_translate(entry))
                    if "*" in entry:
                        check = OriginCheck(
                            "fullmatch",
                            _translate(entry),
                            describe=f"allow_origins entry {entry!r} (each `*` matches anything)",
                            loc=origins_loc,
                        )
                    else:
                        check = OriginCheck(
                            "exact",
                            entry,
                            describe=f"allow_origins entry {entry!r}",
                            loc=origins_loc,
                        )
                    policy.checks.append(check)
            elif isinstance(origins.value, str):
                parts = [_translate(c) for c in origins.value]  # one character per alternative
            else:
                parts = None
            regex_node = option("allow_origin_regex")
            if regex_node is not None:
                regex = evaluator.resolve(regex_node)
                note_unresolved(policy, module, regex_node, regex, "allow_origin_regex")
                if isinstance(regex.value, str) and regex.value:
                    if parts is not None:
                        parts.append(regex.value)
                    policy.fallback = policy.fallback or fallback_of(module, regex, regex_node)
                    policy.checks.append(
                        OriginCheck(
                            "fullmatch",
                            regex.value,
                            describe=f"allow_origin_regex (fullmatch) {regex.value!r}",
                            loc=module.loc(regex_node),
                        )
                    )
                elif isinstance(regex.value, Regex):
                    return None  # a compiled pattern cannot be joined: every request fails
                elif not regex.known:
                    parts = None  # whether the joined pattern compiles is unknown
            if parts is not None:
                try:
                    re.compile("|".join(parts))
                except (re.error, RecursionError, OverflowError):
                    return None  # every request with an Origin fails
        credentials = option("allow_credentials")
        if credentials is not None:
            value = evaluator.resolve(credentials)
            if value.known and value.value:
                policy.credentials = module.loc(credentials)
        for name, attr in (("allow_methods", "any_method"), ("allow_headers", "any_header")):
            node = option(name)
            if node is not None and _star(evaluator.resolve(node)):
                setattr(policy, attr, module.loc(node))
        expose = option("expose_headers")
        if expose is not None:
            value = evaluator.resolve(expose)
            if isinstance(value.value, (list, tuple)):  # a string is joined character by character
                policy.expose_headers = tuple(
                    v.strip() for v in value.value if isinstance(v, str) and v.strip()
                )
                policy.expose_loc = module.loc(expose)
        return policy
