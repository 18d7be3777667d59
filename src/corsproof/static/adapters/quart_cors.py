"""quart-cors: `cors(app_or_blueprint, ...)` and `@route_cors(...)`.

Modelled from quart-cors 0.8.0 on Quart 0.22 (see tests/semantics/test_quart_cors.py):
- the options are keyword-only: an unknown keyword or a positional option raises `TypeError` when
  the call runs (the module does not import: nothing to report);
- every option falls back to `current_app.config["QUART_CORS_<OPTION>"]`, read on every request
  (`route_cors`: on its first), so config written anywhere applies, to a blueprint's routes too;
  `allow_credentials` and `send_origin_wildcard` are `argument or config`: `False` as an argument
  defers to the config;
- `allow_origin` defaults to `["*"]`; `"*"` in it allows every origin, sent as a literal `*` (an
  echo with `Vary: Origin` only when the *config* sets `QUART_CORS_SEND_ORIGIN_WILDCARD = False`);
- `"*"` with truthy credentials raises `ValueError` on every request: every response is a 500
  without CORS headers (broken, not open: nothing to report); `re.compile(".*")` passes that check
  and echoes every origin, `null` too, with credentials;
- strings compare exactly and case-sensitively (never as a regex: `"https://*.example.com"` is a
  literal); `re.compile(...)` patterns are applied with `.match` (not end-anchored) with their own
  flags; a *string* config value is a set of characters: only a `*` among them matters (allow all);
- `Access-Control-Allow-Credentials: true` is sent for `True` itself only;
- `"*"` in `allow_methods` grants every method, in `allow_headers` every requested header (so
  does the default `["*"]`: only an explicit `*` is reported); no private-network support;
  `Vary: Origin` on every answer but a literal `*` (CORS202 never applies);
- `@route_cors(...)` above the route decorator has no effect; `websocket_cors` sends no CORS headers
  (not modelled).

The config reader (`config_writes`) is shared with the sanic-cors adapter.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from corsproof.policy import CorsPolicy, Fallback, OriginCheck
from corsproof.static._module import Module
from corsproof.static.adapters._base import Adapter, fallback_of, register_adapter
from corsproof.static.values import Regex, Resolver, Value

FRAMEWORK = "quart-cors"
CORS_NAMES = ("quart_cors.cors",)
ROUTE_CORS_NAMES = ("quart_cors.route_cors",)
OPTIONS = (
    "allow_credentials",
    "allow_headers",
    "allow_methods",
    "allow_origin",
    "expose_headers",
    "max_age",
    "send_origin_wildcard",
)
ROUTE_ONLY = ("provide_automatic_options",)
CONFIG_KEYS = {f"QUART_CORS_{name.upper()}": name for name in OPTIONS}
ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "delete", "patch", "head", "options", "websocket"}
)
# Quart's Config (Flask's): loaders whose content cannot be read statically
LOADERS = frozenset({"from_pyfile", "from_envvar", "from_prefixed_env", "from_file"})
MAX_FOLLOW = 8


# ------------------------------------------------------------------------------ config reader


@dataclass(frozen=True)
class Setting:
    """One option as written: its value, the node to report and the module that node is in."""

    value: Value
    node: ast.AST
    module: Module


@dataclass(frozen=True)
class ConfigWrite:
    """A write to `<owner>.config`: `key` None may set any key (a loader, `**unknown`);
    `setting` None leaves the key's value unknown."""

    owner: str  # the text of the object whose `.config` is written (`app`, `self.app`)
    stmt: ast.AST  # where it happens in the scanned module (order and scope)
    key: str | None
    setting: Setting | None
    conditional: bool  # inside `if`/`try`/a loop: may or may not run


class ConfigReader:
    """Every write of a config key (from `keys`) in one module, in source order.

    Understood: `X.config["KEY"] = v`, `X.config.KEY = v` (with `attributes`, Sanic),
    `X.config.update(...)` and the other `mapping_methods`, `from_object(...)`/`object_methods` of
    a class or module found in the project, `setdefault` (unknown). `loaders` may set anything.
    """

    def __init__(
        self,
        module: Module,
        resolver: Resolver,
        keys: Collection[str],
        *,
        attributes: bool = False,
        mapping_methods: Collection[str] = ("update", "from_mapping"),
        object_methods: Collection[str] = ("from_object",),
        loaders: Collection[str] = LOADERS,
    ) -> None:
        self.module, self.resolver, self.keys = module, resolver, frozenset(keys)
        self.attributes = attributes
        self.mapping_methods = frozenset(mapping_methods)
        self.object_methods = frozenset(object_methods)
        self.loaders = frozenset(loaders)
        self.writes = self._collect()

    def _collect(self) -> list[ConfigWrite]:
        module, resolver = self.module, self.resolver
        writes: list[ConfigWrite] = []
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    owner, key = self._target(target)
                    if owner is None:
                        continue
                    setting = Setting(resolver.resolve(node.value), node.value, module)
                    if key is None or key in self.keys:
                        writes.append(self._write(owner, node, key, setting))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = _config_owner(node.func.value)
                if owner is None:
                    continue
                for key, setting in self._call(node):
                    writes.append(self._write(owner, node, key, setting))
        writes.sort(key=lambda w: (getattr(w.stmt, "lineno", 0), getattr(w.stmt, "col_offset", 0)))
        return writes

    def _write(
        self, owner: ast.AST, stmt: ast.AST, key: str | None, setting: Setting | None
    ) -> ConfigWrite:
        return ConfigWrite(
            self.module.text(owner), stmt, key, setting, _conditional(self.module, stmt)
        )

    def _target(self, target: ast.AST) -> tuple[ast.AST | None, str | None]:
        """(owner, key) of `owner.config[key] = …` / `owner.config.KEY = …`; key None: unknown."""
        if isinstance(target, ast.Subscript):
            owner = _config_owner(target.value)
            if owner is not None:
                key = self.resolver.resolve(target.slice).value
                return owner, key if isinstance(key, str) else None
        if self.attributes and isinstance(target, ast.Attribute):
            owner = _config_owner(target.value)
            if owner is not None and target.attr.isupper():
                return owner, target.attr
        return None, None

    def _call(self, call: ast.Call) -> list[tuple[str | None, Setting | None]]:
        assert isinstance(call.func, ast.Attribute)
        method = call.func.attr
        if method in self.mapping_methods:
            found: list[tuple[str | None, Setting | None]] = []
            for arg in call.args[:1]:
                found.extend(self._mapping(arg, self.module, self.resolver))
            for kw in call.keywords:
                if kw.arg is None:
                    found.extend(self._mapping(kw.value, self.module, self.resolver))
                elif kw.arg in self.keys:
                    value = self.resolver.resolve(kw.value)
                    found.append((kw.arg, Setting(value, kw.value, self.module)))
            return found
        if method in self.object_methods and call.args:
            return self._object(call.args[0], self.module, self.resolver, 0)
        if method == "setdefault" and call.args:
            key = self.resolver.resolve(call.args[0]).value
            if not isinstance(key, str):
                return [(None, None)]
            return [(key, None)] if key in self.keys else []
        if method in self.loaders:
            return [(None, None)]
        return []

    def _mapping(
        self, node: ast.AST, module: Module, resolver: Resolver
    ) -> list[tuple[str | None, Setting | None]]:
        node, module, resolver = follow(node, module, resolver)
        if isinstance(node, ast.Dict):
            found: list[tuple[str | None, Setting | None]] = []
            for key, value in zip(node.keys, node.values, strict=False):
                if key is None:
                    found.extend(self._mapping(value, module, resolver))
                    continue
                name = resolver.resolve(key).value
                if not isinstance(name, str):
                    found.append((None, None))
                elif name in self.keys:
                    found.append((name, Setting(resolver.resolve(value), value, module)))
            return found
        value = resolver.resolve(node)
        if not isinstance(value.value, dict):
            return [(None, None)]
        return [
            (name, Setting(Value(item, value.env, value.debug), node, module))
            for name, item in value.value.items()
            if isinstance(name, str) and name in self.keys
        ]

    def _object(
        self, node: ast.AST, module: Module, resolver: Resolver, depth: int
    ) -> list[tuple[str | None, Setting | None]]:
        """The keys `from_object(node)` reads: upper-case attributes of a class or module."""
        if depth > MAX_FOLLOW:
            return [(None, None)]
        if isinstance(node, ast.Name) and node.id == "__name__":
            return self._constants(module)
        if isinstance(node, ast.Name):
            cls = _class_named(module, node.id)
            if cls is not None:
                return self._class(cls, module, depth)
            if node.id in module.imports:
                other = _imported_module(module, node.id)
                if other is not None:
                    return self._constants(other)
                mod, attr, level = module.imports[node.id]
                path = module.project.find_module(mod, module.path, level) if attr else None
                owner = module.project.load(path) if path is not None else None
                cls = _class_named(owner, attr)
                if owner is not None and cls is not None:
                    return self._class(cls, owner, depth)
            return [(None, None)]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            other = _imported_module(module, node.value.id)
            cls = _class_named(other, node.attr)
            if other is not None and cls is not None:
                return self._class(cls, other, depth)
            return [(None, None)]
        value = resolver.resolve(node)
        if isinstance(value.value, dict):
            return self._mapping(node, module, resolver)
        if isinstance(value.value, str):
            dotted = value.value.replace(":", ".")
            path = module.project.find_module(dotted, module.path, 0)
            other = module.project.load(path) if path is not None else None
            if other is not None:
                return self._constants(other)
            head, _, tail = dotted.rpartition(".")
            path = module.project.find_module(head, module.path, 0) if head else None
            other = module.project.load(path) if path is not None else None
            cls = _class_named(other, tail)
            if other is not None and cls is not None:
                return self._class(cls, other, depth)
        return [(None, None)]

    def _class(
        self, cls: ast.ClassDef, module: Module, depth: int
    ) -> list[tuple[str | None, Setting | None]]:
        resolver = self.resolver if module is self.module else Resolver(module)
        found: list[tuple[str | None, Setting | None]] = []
        for base in cls.bases:
            if not (isinstance(base, ast.Name) and base.id == "object"):
                found.extend(self._object(base, module, resolver, depth + 1))
        for stmt in cls.body:
            if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While, ast.Match)):
                names = {
                    n.id
                    for n in ast.walk(stmt)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                }
                found.extend((name, None) for name in sorted(names & self.keys))
                continue
            targets, value = _assignment(stmt)
            for target in targets:
                if isinstance(target, ast.Name) and target.id in self.keys and value is not None:
                    found.append((target.id, Setting(resolver.resolve(value), value, module)))
        return found

    def _constants(self, module: Module) -> list[tuple[str | None, Setting | None]]:
        resolver = self.resolver if module is self.module else Resolver(module)
        found: list[tuple[str | None, Setting | None]] = []
        for key in sorted(self.keys):
            binding = resolver.lookup(key, None)
            if binding is not None:
                expr, owner = binding
                owner_resolver = resolver if owner is module else Resolver(owner)
                found.append((key, Setting(owner_resolver.resolve(expr), expr, owner)))
        return found


# ------------------------------------------------------------------------------ shared helpers


def follow(node: ast.AST, module: Module, resolver: Resolver) -> tuple[ast.AST, Module, Resolver]:
    """Follow names to the expression they are bound to, so entries keep their own locations."""
    for _ in range(MAX_FOLLOW):
        if not isinstance(node, ast.Name):
            break
        found = resolver.lookup(node.id, node)
        if found is None:
            break
        node, owner = found
        if owner is not module:
            module, resolver = owner, Resolver(owner)
    return node, module, resolver


def route_decorator_below(module: Module, call: ast.Call) -> bool | None:
    """For a decorator call: whether a route decorator is applied before it (below it), which
    registers the undecorated view; None when `call` is not a decorator."""
    parent = module.parents.get(call)
    if not (
        isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef))
        and call in parent.decorator_list
    ):
        return None
    below = parent.decorator_list[parent.decorator_list.index(call) + 1 :]
    return any(
        isinstance(d, ast.Call)
        and isinstance(d.func, ast.Attribute)
        and d.func.attr in ROUTE_DECORATORS
        for d in below
    )


def elements(setting: Setting) -> list[tuple[Any, ast.AST]]:
    """The entries of a list-like option with the node of each (the whole node when the literal
    cannot be lined up with the value)."""
    value, node = setting.value.value, setting.node
    items = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and len(node.elts) == len(items):
        if not any(isinstance(e, ast.Starred) for e in node.elts):
            return list(zip(items, node.elts, strict=True))
    return [(item, node) for item in items]


def raw(pattern: str) -> str:
    """A pattern as it is usually written: a raw string literal."""
    if '"' in pattern or pattern.endswith("\\") or "\n" in pattern:
        return repr(pattern)
    return f'r"{pattern}"'


def valid_regex(pattern: str, flags: int = 0) -> bool:
    try:
        re.compile(pattern, flags)
    except re.error:
        return False
    return True


def _config_owner(node: ast.AST) -> ast.AST | None:
    """`app` in `app.config`."""
    if isinstance(node, ast.Attribute) and node.attr == "config":
        return node.value
    return None


def _conditional(module: Module, node: ast.AST) -> bool:
    for parent in module.ancestors(node):
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return False
        if isinstance(parent, (ast.If, ast.Try, ast.For, ast.While, ast.Match, ast.IfExp)):
            return True
    return False


def _assignment(stmt: ast.stmt) -> tuple[list[ast.expr], ast.expr | None]:
    if isinstance(stmt, ast.Assign):
        return stmt.targets, stmt.value
    if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        return [stmt.target], stmt.value
    return [], None


def _class_named(module: Module | None, name: str | None) -> ast.ClassDef | None:
    if module is None or name is None:
        return None
    for stmt in module.tree.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == name:
            return stmt
    return None


def _imported_module(module: Module, name: str) -> Module | None:
    if name not in module.imports:
        return None
    mod, attr, level = module.imports[name]
    dotted = f"{mod}.{attr}" if (attr and mod) else (attr or mod)
    path = module.project.find_module(dotted, module.path, level)
    other = module.project.load(path) if path is not None else None
    return other if other is not module else None


# ------------------------------------------------------------------------------ the adapter

# an option's effective value: a Setting, DEFAULT (the library default) or None (unknowable)
DEFAULT: Any = object()
Option = Setting | None | Any


@register_adapter
class QuartCors(Adapter):
    name = FRAMEWORK
    prefilter = re.compile(rb"quart_cors")

    def analyse(self, module: Module, resolver: Resolver) -> Iterator[CorsPolicy]:
        self.module, self.resolver = module, resolver
        self.config: ConfigReader | None = None
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            qual = module.qualname(node.func)
            if qual in CORS_NAMES:
                if len(node.args) + any(k.arg == "app_or_blueprint" for k in node.keywords) != 1:
                    continue  # options are keyword-only: anything else raises TypeError
                if any(isinstance(a, ast.Starred) for a in node.args):
                    continue
                policy = self._policy(node, (*OPTIONS, "app_or_blueprint"))
            elif qual in ROUTE_CORS_NAMES:
                if node.args or route_decorator_below(module, node):
                    continue  # positional arguments raise; above the route: no effect
                parent = module.parents.get(node)
                decorator = route_decorator_below(module, node) is not None
                if not (decorator or (isinstance(parent, ast.Call) and parent.func is node)):
                    continue  # `route_cors(...)` that never decorates a view
                policy = self._policy(node, OPTIONS + ROUTE_ONLY)
            else:
                continue
            if policy is not None:
                yield policy

    # -- options --------------------------------------------------------------------------------
    def _arguments(
        self, call: ast.Call, allowed: tuple[str, ...]
    ) -> dict[str, Setting | None] | None:
        """The options passed to the call (None as a value: unknowable); None when the call raises."""
        found: dict[str, Setting | None] = {}
        for kw in call.keywords:
            if kw.arg is None:
                spread = self.resolver.resolve(kw.value)
                if not isinstance(spread.value, dict):
                    # may hold any option but those passed by name (a duplicate is a TypeError)
                    named = {k.arg for k in call.keywords if k.arg is not None}
                    found.update({name: None for name in allowed if name not in named})
                    continue
                for name, item in spread.value.items():
                    if name not in allowed:
                        return None
                    found[name] = Setting(
                        Value(item, spread.env, spread.debug), kw.value, self.module
                    )
            elif kw.arg not in allowed:
                return None  # TypeError: unexpected keyword argument
            else:
                found[kw.arg] = Setting(self.resolver.resolve(kw.value), kw.value, self.module)
        return found

    def _config(self, name: str) -> Option:
        """The value `app.config["QUART_CORS_<NAME>"]` has when requests arrive."""
        if self.config is None:
            self.config = ConfigReader(self.module, self.resolver, CONFIG_KEYS)
        key = f"QUART_CORS_{name.upper()}"
        writes = [w for w in self.config.writes if w.key in (key, None)]
        if not writes:
            return DEFAULT
        if any(w.key is None or w.setting is None or w.conditional for w in writes):
            return None
        values = {repr(w.setting.value.value) for w in writes if w.setting is not None}
        last = writes[-1].setting
        if len(values) != 1 or last is None or not last.value.known:
            return None
        return last

    def _option(self, arguments: dict[str, Setting | None], name: str) -> Option:
        """The effective option: the argument, else (when it is None, or falsy for the two
        `argument or config` options) the config."""
        if name not in arguments:
            return self._config(name)
        setting = arguments[name]
        if setting is None or not setting.value.known:
            return None
        value = setting.value.value
        if value is None or (name in ("allow_credentials", "send_origin_wildcard") and not value):
            return self._config(name)
        return setting

    # -- the policy -----------------------------------------------------------------------------
    def _policy(self, call: ast.Call, allowed: tuple[str, ...]) -> CorsPolicy | None:
        module = self.module
        arguments = self._arguments(call, allowed)
        if arguments is None:
            return None
        policy = CorsPolicy(framework=FRAMEWORK, loc=module.loc(call))
        credentials = self._option(arguments, "allow_credentials")
        truthy = False if credentials is DEFAULT else _truth(credentials)
        if isinstance(credentials, Setting) and credentials.value.value is True:
            policy.credentials = credentials.module.loc(credentials.node)
        origins = self._origins(self._option(arguments, "allow_origin"), call, policy)
        if origins is None:
            return None  # broken: the configuration raises on every request
        if policy.any_origin is not None:
            if truthy is True:
                return None  # "*" with credentials: every response is a 500
            wildcard = self._option(arguments, "send_origin_wildcard")
            # a literal `*` unless the config turns the wildcard off (credentials cannot be on here)
            policy.any_echo = False if wildcard is DEFAULT else _truth(wildcard) is False
            policy.echo_with_credentials = False
        else:
            policy.any_echo = True  # an origin a check accepts is echoed (with credentials)
        if policy.fallback is None:
            cond = module.branch_condition(call)
            if cond:
                policy.fallback = Fallback("debug", cond, module.loc(call))
        for name, attr in (("allow_methods", "any_method"), ("allow_headers", "any_header")):
            option = self._option(arguments, name)
            if isinstance(option, Setting) and "*" in _header_items(module, option, call):
                setattr(policy, attr, option.module.loc(option.node))
        expose = self._option(arguments, "expose_headers")
        if isinstance(expose, Setting):
            items = _header_items(module, expose, call)
            policy.expose_headers = tuple(h for h in items if h)
            policy.expose_loc = expose.module.loc(expose.node)
        return policy

    def _origins(self, option: Option, call: ast.Call, policy: CorsPolicy) -> bool | None:
        """Fill in the policy's origins; None when the value makes every request fail."""
        module = self.module
        if option is None:
            return True  # unknowable: no origin finding
        if option is DEFAULT:  # ["*"]
            policy.any_origin = module.loc(call)
            return True
        assert isinstance(option, Setting)
        value, owner = option.value, option.module
        policy.fallback = fallback_of(owner, value, option.node)
        from_config = not _in_call(module, option, call)
        if isinstance(value.value, Regex) and from_config:
            return None  # set(<pattern>) raises TypeError
        if isinstance(value.value, str) and from_config:
            # the config value is used as an iterable: a set of characters
            if "*" in value.value:
                policy.any_origin = owner.loc(option.node)
            return True
        if not isinstance(value.value, (str, Regex, list, tuple, set, frozenset)):
            return True
        for item, node in elements(option):
            loc = owner.loc(node)
            if item == "*":
                policy.any_origin = policy.any_origin or loc
            elif isinstance(item, str):
                policy.checks.append(
                    OriginCheck("exact", item, loc=loc, describe=f"allow_origin entry {item!r}")
                )
            elif isinstance(item, Regex):
                if not valid_regex(item.pattern, item.flags):
                    return None
                policy.checks.append(
                    OriginCheck(
                        "match",
                        item.pattern,
                        flags=item.flags,
                        loc=loc,
                        describe=f"allow_origin re.compile({raw(item.pattern)}) (.match)",
                    )
                )
        return True


def _in_call(module: Module, setting: Setting, call: ast.Call) -> bool:
    """Whether the setting was written in the call (an argument) rather than in the config."""
    if setting.module is not module:
        return False
    node: ast.AST | None = setting.node
    while node is not None:
        if node is call:
            return True
        node = module.parents.get(node)
    return False


def _truth(option: Option) -> bool | None:
    if not isinstance(option, Setting) or not option.value.known:
        return None
    return bool(option.value.value)


def _header_items(module: Module, option: Setting, call: ast.Call) -> list[str]:
    """The entries of a header/method option as quart-cors builds its HeaderSet: an argument
    string is one entry, a config string is iterated character by character."""
    value = option.value.value
    if isinstance(value, str):
        return [value] if _in_call(module, option, call) else list(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [v for v in value if isinstance(v, str)]
    return []
