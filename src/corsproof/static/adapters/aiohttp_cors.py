"""aiohttp-cors: `aiohttp_cors.setup(app, defaults={origin: ResourceOptions(...)})` and
`cors.add(route, {origin: ResourceOptions(...)})`.

Modelled from aiohttp-cors 0.8.1 on aiohttp 3.14 (see tests/semantics/test_aiohttp_cors.py):
- only what `cors.add(...)` enables gets CORS headers: a `setup()` whose result is never used to
  add a route changes nothing (`add` on the name `setup()` is bound to is looked for in the module);
- the configuration maps an origin to its options; a route's mapping and the defaults are merged
  per origin (the route's entry for an origin replaces the defaults' one), and `"*"` answers
  every origin no entry names; keys are compared exactly and case-sensitively
  (`"https://*.example.com"` is a literal, `"null"` accepts `Origin: null`);
- `"*"` never sends a literal `*`: the request origin is echoed (`null` too), with
  `Access-Control-Allow-Credentials: true` when that entry has `allow_credentials=True`;
- invalid options raise at setup (the application does not start: nothing to report):
  a non-bool `allow_credentials`, `expose_headers`/`allow_headers` that are neither `"*"` nor a
  list/tuple, `allow_methods` in the plain-mapping form, a key that is not a string;
- `allow_methods="*"` grants any method, `allow_headers="*"` any request header (the defaults
  grant only the added routes' methods and no header); `expose_headers="*"` exposes every header of
  the response (reported as `*`); no private-network support;
- `Vary: Origin` is never sent: two origins allowed for one route get two values (CORS202);
- a class-based view added with a mapping uses it for simple requests too.
Not modelled: `CorsViewMixin.cors_config` and `@custom_cors(...)` on class-based views.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from corsproof.findings import Location
from corsproof.policy import CorsPolicy, Fallback, OriginCheck, OriginVaries
from corsproof.static._module import Module
from corsproof.static.adapters._base import Adapter, argument, fallback_of, register_adapter
from corsproof.static.adapters.flask_family import follow, local_names
from corsproof.static.semantic import DottedNames, Evaluator, Value, branch_condition

FRAMEWORK = "aiohttp-cors"
SETUP_NAMES = DottedNames(
    ("aiohttp_cors.setup", "aiohttp_cors.CorsConfig", "aiohttp_cors.cors_config.CorsConfig")
)
OPTIONS_NAMES = DottedNames(
    ("aiohttp_cors.ResourceOptions", "aiohttp_cors.resource_options.ResourceOptions")
)
RESOURCE_OPTIONS = frozenset(
    {"allow_credentials", "expose_headers", "allow_headers", "max_age", "allow_methods"}
)
MAPPING_OPTIONS = RESOURCE_OPTIONS - {"allow_methods"}


class Broken(Exception):
    """The configuration raises at setup: the application does not start."""


@dataclass
class Options:
    """One origin's options as far as they are known."""

    credentials: Location | None = None
    any_method: Location | None = None
    any_header: Location | None = None
    expose: tuple[str, ...] = ()
    expose_loc: Location | None = None


@dataclass
class Entry:
    key: Value  # the origin as resolved (unknown when it cannot be read)
    node: ast.AST
    module: Module
    options: Options


@dataclass
class Mapping:
    entries: list[Entry] = field(default_factory=list)
    complete: bool = True  # False: entries that cannot be read may exist (`**unknown`)
    node: ast.AST | None = None
    module: Module | None = None

    def keys(self) -> set[str]:
        return {e.key.value for e in self.entries if isinstance(e.key.value, str)}


@register_adapter
class AiohttpCors(Adapter):
    name = FRAMEWORK
    prefilter = re.compile(rb"aiohttp_cors")

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterator[CorsPolicy]:
        self.module, self.evaluator = module, evaluator
        for node, _ in module.calls_to(SETUP_NAMES):
            try:
                yield from self._setup(node)
            except Broken:
                continue

    # -- setup and add --------------------------------------------------------------------------
    def _setup(self, call: ast.Call) -> Iterator[CorsPolicy]:
        module = self.module
        if argument(call, "app", 0) is None or len(call.args) > 1:
            return  # setup(app, *, defaults=...): anything else raises or cannot be read
        if any(isinstance(a, ast.Starred) for a in call.args) or any(
            kw.arg is None for kw in call.keywords
        ):
            return
        adds = self._adds(call)
        if not adds:
            return  # nothing is enabled
        defaults_node = argument(call, "defaults")
        defaults = Mapping()
        if defaults_node is not None:
            defaults = self._mapping(defaults_node) or Mapping(complete=False)
        routes: list[tuple[ast.Call, Mapping | None]] = []
        for add in adds:
            config = argument(add, "config", 1)
            route = self._mapping(config) if config is not None else None
            routes.append((add, route if config is None or route else Mapping(complete=False)))
        debug = branch_condition(module, call)
        policies: list[CorsPolicy] = []
        # the defaults answer an origin for a route whose own (known) mapping does not name it
        for entry in defaults.entries:
            if any(
                route is None or (route.complete and entry.key.value not in route.keys())
                for _, route in routes
            ):
                policies.append(self._policy(entry, debug))
        for add, route in routes:
            if route is not None:
                policies.extend(self._policy(entry, debug) for entry in route.entries)
            vary = self._varies(add, defaults, route)
            if vary is not None:
                fallback = Fallback("debug", debug, vary) if debug else None
                policies.append(
                    CorsPolicy(
                        FRAMEWORK,
                        vary,
                        origin_varies=OriginVaries(vary, vary_origin=False),
                        fallback=fallback,
                    )
                )
        yield from policies

    def _adds(self, call: ast.Call) -> list[ast.Call]:
        """The `X.add(...)` calls on the object `setup()` returns (bound by an assignment)."""
        module = self.module
        parent = module.parents.get(call)
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
            target: ast.expr = parent.targets[0]
        elif isinstance(parent, ast.AnnAssign):
            target = parent.target
        else:
            return []
        if not isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)):
            return []
        receiver = module.text(target)
        scope = module.function_of(call)
        found: list[ast.Call] = []
        for node in module.nodes(ast.Call):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add"
                and module.text(node.func.value) == receiver
            ):
                continue
            where = module.function_of(node)
            if isinstance(target, ast.Name) and where is not scope:
                # a module-level name used in a function that does not bind it itself
                if scope is not None or (
                    where is not None and target.id in local_names(module, where)
                ):
                    continue
            found.append(node)
        return found

    # -- mappings and options -------------------------------------------------------------------
    def _mapping(
        self, node: ast.AST, module: Module | None = None, evaluator: Evaluator | None = None
    ) -> Mapping | None:
        """The origin mapping as written; None when it cannot be read at all."""
        node, module, evaluator = follow(node, module or self.module, evaluator or self.evaluator)
        if isinstance(node, ast.Constant) and node.value is None:
            return Mapping(node=node, module=module)
        if isinstance(node, ast.Dict):
            mapping = Mapping(node=node, module=module)
            for key, value in zip(node.keys, node.values, strict=False):
                if key is None:
                    inner = self._mapping(value, module, evaluator)
                    if inner is None:
                        mapping.complete = False
                    else:
                        mapping.entries.extend(inner.entries)
                        mapping.complete &= inner.complete
                    continue
                resolved = evaluator.resolve(key)
                if resolved.known and not isinstance(resolved.value, str):
                    raise Broken  # "Origin must be string"
                options = self._options(value, module, evaluator)
                mapping.entries.append(Entry(resolved, key, module, options))
            return mapping
        value = evaluator.resolve(node)
        if value.known and value.value is not None and not isinstance(value.value, dict):
            raise Broken  # "Config must be mapping"
        return None

    def _options(self, node: ast.AST, module: Module, evaluator: Evaluator) -> Options:
        node, module, evaluator = follow(node, module, evaluator)
        if isinstance(node, ast.Call) and module.resolves_to(node.func, OPTIONS_NAMES):
            if node.args:
                raise Broken  # keyword-only
            items: dict[str, ast.AST] = {}
            for kw in node.keywords:
                if kw.arg is None:
                    return Options()  # `**unknown`: nothing known
                if kw.arg not in RESOURCE_OPTIONS:
                    raise Broken
                items[kw.arg] = kw.value
            return self._read(items, module, evaluator)
        if isinstance(node, ast.Dict):
            items = {}
            for key, value in zip(node.keys, node.values, strict=False):
                name = evaluator.resolve(key).value if key is not None else None
                if not isinstance(name, str):
                    return Options()
                if name not in MAPPING_OPTIONS:
                    raise Broken  # "Unexpected keywords in resource options"
                items[name] = value
            return self._read(items, module, evaluator)
        return Options()

    def _read(self, items: dict[str, ast.AST], module: Module, evaluator: Evaluator) -> Options:
        options = Options()
        for name, node in items.items():
            value = evaluator.resolve(node)
            if not value.known:
                continue
            raw = value.value
            loc = module.loc(node)
            written, _, _ = follow(node, module, evaluator)
            if name == "allow_credentials":
                if not isinstance(raw, bool):
                    raise Broken
                options.credentials = loc if raw else None
            elif name in ("expose_headers", "allow_headers", "allow_methods"):
                if raw == "*":
                    if name == "expose_headers":
                        options.expose, options.expose_loc = ("*",), loc
                    elif name == "allow_headers":
                        options.any_header = loc
                    else:
                        options.any_method = loc
                elif raw is None and name == "allow_methods":
                    continue
                elif (
                    isinstance(raw, str)
                    or isinstance(written, ast.Set)
                    or not isinstance(raw, (list, tuple))
                ):
                    raise Broken  # neither "*" nor a sequence of strings
                elif name == "expose_headers":
                    options.expose = tuple(h for h in raw if isinstance(h, str))
                    options.expose_loc = loc
            elif name == "max_age" and raw is not None:
                if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
                    raise Broken
        return options

    # -- policies -------------------------------------------------------------------------------
    def _policy(self, entry: Entry, debug: str | None) -> CorsPolicy:
        loc = entry.module.loc(entry.node)
        policy = CorsPolicy(framework=FRAMEWORK, loc=loc)
        key = entry.key.value
        if key == "*":
            policy.any_origin = loc
        elif isinstance(key, str):
            policy.checks.append(OriginCheck("exact", key, loc=loc, describe=f"origin key {key!r}"))
        policy.any_echo = policy.echo_with_credentials = True  # never a literal `*`
        options = entry.options
        policy.credentials = options.credentials
        policy.any_method, policy.any_header = options.any_method, options.any_header
        if options.expose_loc is not None:
            policy.expose_headers, policy.expose_loc = options.expose, options.expose_loc
        policy.fallback = fallback_of(entry.module, entry.key, entry.node)
        if policy.fallback is None and debug:
            policy.fallback = Fallback("debug", debug, loc)
        return policy

    def _varies(self, add: ast.Call, defaults: Mapping, route: Mapping | None) -> Location | None:
        """Where a route answers two known origins with two values and no `Vary: Origin`."""
        own = route.keys() if route is not None else set()
        known = own | defaults.keys()
        if "*" in known or len(known) < 2:
            return None
        if route is not None and len(own) >= 2 and route.node is not None and route.module:
            return route.module.loc(route.node)
        if len(defaults.keys()) >= 2 and defaults.node is not None and defaults.module:
            return defaults.module.loc(defaults.node)
        return self.module.loc(add)
