"""Falcon's built-in CORS: `falcon.App(cors_enable=True)` and `falcon.CORSMiddleware(...)`.

Modelled from Falcon 4.4 (see docs/frameworks.md and tests/semantics/test_falcon.py):
- `App(cors_enable=True)` (also `falcon.asgi.App`, the old `falcon.API`) installs `CORSMiddleware()`:
  every origin gets a literal `*`. With a `CORSMiddleware` in the same call's `middleware=` it raises.
- `CORSMiddleware(allow_origins='*', expose_headers=None, allow_credentials=None,
  allow_private_network=False)`: `allow_origins == '*'` (exactly that string) allows every origin with
  a literal `*`; any other string is *one* origin (no substring test, no pattern); an iterable is a set
  of origins compared exactly and case-sensitively; `'*'` inside an iterable raises.
- `allow_credentials='*'` echoes every allowed origin with `Access-Control-Allow-Credentials: true`
  (with `allow_origins='*'`: every origin, `null` included); a string or iterable names the origins
  that get the echo plus credentials (the others keep `*`); a bool raises (`True` is not iterable).
- `allow_private_network` (truthy) answers private-network preflights; `expose_headers` (a string,
  sent as written, or an iterable, joined) is sent on every response.
- `Vary: Origin` is never sent, so an allowed origin that takes two values is CORS202.
- The preflight always grants every requested header and the resource's own methods: nothing the
  configuration can say, so no CORS201.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from corsproof.findings import Location
from corsproof.policy import CorsPolicy, OriginCheck, OriginVaries
from corsproof.static._module import Module
from corsproof.static.adapters._base import (
    Adapter,
    argument,
    fallback_of,
    note_unresolved,
    register_adapter,
)
from corsproof.static.semantic import UNKNOWN, DottedNames, Evaluator, Value

FRAMEWORK = "falcon"
_APPS = DottedNames(
    ("falcon.App", "falcon.API", "falcon.app.App", "falcon.asgi.App", "falcon.asgi.app.App")
)
_MIDDLEWARE = DottedNames(("falcon.CORSMiddleware", "falcon.middleware.CORSMiddleware"))
# CORSMiddleware(allow_origins, expose_headers, allow_credentials, allow_private_network)
_POSITIONS = {
    "allow_origins": 0,
    "expose_headers": 1,
    "allow_credentials": 2,
    "allow_private_network": 3,
}
# App(media_type, request_type, response_type, middleware, router, independent_middleware,
# cors_enable, sink_before_static_route)
_APP_POSITIONS = {"middleware": 3, "cors_enable": 6}


def _origin_set(value: Value) -> list[str] | None:
    """The origins of a non-`'*'` setting (`[s]` for a string), None when unknown or it raises."""
    if isinstance(value.value, str):
        return [value.value]
    if isinstance(value.value, (list, tuple)):
        if "*" in value.value:
            return None  # ValueError: '*' only as the plain string
        return [v for v in value.value if isinstance(v, str)]
    return None


def _unpacked(call: ast.Call) -> bool:
    """`f(*args)` / `f(**options)`: the options not written out are unknown, not the defaults."""
    return any(isinstance(a, ast.Starred) for a in call.args) or any(
        kw.arg is None for kw in call.keywords
    )


@register_adapter
class FalconCors(Adapter):
    name = "falcon"
    prefilter = re.compile(rb"cors_enable|CORSMiddleware")

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterator[CorsPolicy]:
        # CORSMiddleware(...) passed to an App that also sets cors_enable
        refused: set[ast.AST] = set()
        apps: list[tuple[ast.Call, ast.expr]] = []
        for node, _ in module.calls_to(_APPS):
            if any(kw.arg is None for kw in node.keywords):
                continue  # `App(**options)`: cors_enable may be in there
            flag = argument(node, "cors_enable", _APP_POSITIONS["cors_enable"])
            if flag is None:
                continue
            enabled = evaluator.resolve(flag)
            if not (enabled.known and enabled.value):
                continue
            listed = argument(node, "middleware", _APP_POSITIONS["middleware"])
            inside = [
                sub
                for sub in (ast.walk(listed) if listed is not None else ())
                if isinstance(sub, ast.Call) and module.resolves_to(sub.func, _MIDDLEWARE)
            ]
            if inside:
                refused.update(inside)  # ValueError: the application does not start
                continue
            apps.append((node, flag))
        for call, flag in apps:
            policy = CorsPolicy(framework=FRAMEWORK, loc=module.loc(call))
            policy.any_origin = module.loc(flag)
            policy.any_echo = policy.echo_with_credentials = False
            policy.fallback = fallback_of(module, evaluator.resolve(flag), flag)
            yield policy
        for node, _ in module.calls_to(_MIDDLEWARE):
            if node not in refused and not _unpacked(node):
                yield from self._middleware(module, evaluator, node)

    def _middleware(
        self, module: Module, evaluator: Evaluator, call: ast.Call
    ) -> Iterator[CorsPolicy]:
        def option(name: str) -> ast.expr | None:
            return argument(call, name, _POSITIONS[name])

        origins_node = option("allow_origins")
        origins = evaluator.resolve(origins_node) if origins_node is not None else Value("*")
        allow_all = origins.value == "*"
        allowed = None if allow_all else _origin_set(origins)
        if not allow_all and origins.known and allowed is None:
            return  # raises at start-up
        credentials_node = option("allow_credentials")
        credentials = evaluator.resolve(credentials_node)
        if credentials.value is UNKNOWN:
            credentials_all, with_credentials = False, []  # unknown: claim no credentials
        elif credentials.value is None:
            credentials_all, with_credentials = False, []
        elif credentials.value == "*":
            credentials_all, with_credentials = True, []
        else:
            listed = _origin_set(credentials)
            if listed is None:
                return  # a bool, or '*' inside an iterable: raises at start-up
            credentials_all, with_credentials = False, listed
        credentials_loc = module.loc(credentials_node) if credentials_node is not None else None

        anchor = module.loc(call)
        origins_loc = module.loc(origins_node) if origins_node is not None else anchor
        fallback = (
            fallback_of(module, origins, origins_node)
            if origins_node is not None
            else fallback_of(module, Value(None), call)
        )

        def new(credentials_at: Location | None) -> CorsPolicy:
            policy = CorsPolicy(framework=FRAMEWORK, loc=anchor, fallback=fallback)
            policy.credentials = credentials_at
            note_unresolved(policy, module, origins_node, origins, "allow_origins")
            # Falcon turns `*` into an echo only for the origins credentials are granted to
            policy.any_echo = policy.echo_with_credentials = credentials_at is not None
            return policy

        def exact(
            entries: list[str], credentials_at: Location | None, where: Location = origins_loc
        ) -> CorsPolicy:
            policy = new(credentials_at)
            policy.checks = [
                OriginCheck("exact", entry, describe=f"allowed origin {entry!r}", loc=where)
                for entry in entries
            ]
            return policy

        policies: list[CorsPolicy] = []
        if allow_all:
            policy = new(credentials_loc if credentials_all else None)
            policy.any_origin = origins_loc
            policies.append(policy)
            if with_credentials:
                # the listed origins get their own value back (with credentials), the others `*`
                granted = exact(with_credentials, credentials_loc, credentials_loc or origins_loc)
                granted.origin_varies = OriginVaries(credentials_loc, vary_origin=False)
                policies.append(granted)
        elif allowed is not None:
            if credentials_all:
                policies.append(exact(allowed, credentials_loc))
            else:
                plain = [o for o in allowed if o not in with_credentials]
                trusted = [o for o in allowed if o in with_credentials]
                if plain:
                    policies.append(exact(plain, None))
                if trusted:
                    policies.append(exact(trusted, credentials_loc))
            if len(set(allowed)) > 1 and policies:
                policies[0].origin_varies = OriginVaries(origins_loc, vary_origin=False)
        if not policies:
            policies.append(new(None))  # no origin (or unknown ones): only the other facts
        first = policies[0]
        network = option("allow_private_network")
        if network is not None:
            value = evaluator.resolve(network)
            if value.known and value.value:
                first.private_network = module.loc(network)
        expose_node = option("expose_headers")
        if expose_node is not None:
            expose = evaluator.resolve(expose_node)
            names: list[str] | None = None
            if isinstance(expose.value, str):
                names = [part.strip() for part in expose.value.split(",")]
            elif isinstance(expose.value, (list, tuple)):
                names = [v.strip() for v in expose.value if isinstance(v, str)]
            if names:
                first.expose_headers = tuple(n for n in names if n)
                first.expose_loc = module.loc(expose_node)
        yield from policies
