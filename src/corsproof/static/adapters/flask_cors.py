"""flask-cors: `CORS(app)`, `CORS(blueprint)`, `CORS().init_app(app)` and `@cross_origin(...)`.

Modelled from flask-cors 6.0.5 (see tests/semantics/test_flask_cors.py, one test per fact):
- options merge, last wins: defaults < `app.config["CORS_*"]` < `CORS(...)` kwargs < `init_app(...)`
  kwargs < the per-resource dict of `resources={path: {...}}`. `CORS`/`init_app` read the app config
  when they run (later writes are ignored; a Blueprint has no config); `cross_origin` reads it on
  every request. Config values of `None` are skipped. Unknown option names (`origin=`,
  `support_credentials=`) are ignored, so the default applies;
- `origins` defaults to `"*"`. `"*"` (or `".*"`) allows every origin, echoed with `Vary: Origin`
  (`null` too), and sends a literal `*` only with `send_wildcard=True` — which together with
  `supports_credentials=True` raises `ValueError` (the app does not start: nothing to report);
- an origin string containing any of `* \\ ] ? $ ^ [ ( )` is a regex compiled with `re.IGNORECASE`
  and applied with `re.match` (not anchored at the end); other strings compare case-insensitively;
  `re.compile(...)` keeps its own flags; an invalid pattern raises at setup;
- `allow_headers="*"` grants every requested header (so does the default; only the explicit `*` is
  reported); `methods="*"` grants *no* method (`"PUT" in "*"` is False), so it is not reported;
- `allow_private_network` defaults to False; `vary_header=False` drops `Vary: Origin`;
- a bare `@cross_origin` (not called) breaks the view (500, no CORS headers), `@cross_origin(...)`
  above `@app.route` has no effect, and positional arguments of `cross_origin(...)` are ignored.

The app config is read from this module: `app.config[...] =`, `.update(...)`/`.from_mapping(...)`,
and `.from_object(...)` of a class or module found in the project. A config source that cannot be
read (`from_pyfile`, `from_envvar`, `from_prefixed_env`, `from_object(<unknown>)`, `**unknown`)
makes every option it could set unknowable, so a default that it might override is not reported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from corsproof.findings import Location
from corsproof.policy import CorsPolicy, Fallback, OriginCheck
from corsproof.static._module import Module
from corsproof.static.adapters._base import (
    Adapter,
    argument,
    fallback_of,
    register_adapter,
)
from corsproof.static.values import UNKNOWN, Regex, Resolver, Value

FRAMEWORK = "flask-cors"
CORS_NAMES = ("flask_cors.CORS", "flask_cors.extension.CORS")
CROSS_ORIGIN_NAMES = ("flask_cors.cross_origin", "flask_cors.decorator.cross_origin")
OPTIONS = frozenset(
    {
        "origins",
        "methods",
        "expose_headers",
        "allow_headers",
        "supports_credentials",
        "max_age",
        "send_wildcard",
        "automatic_options",
        "vary_header",
        "resources",
        "intercept_exceptions",
        "always_send",
        "allow_private_network",
    }
)
CONFIG_KEYS = {f"CORS_{name.upper()}": name for name in OPTIONS}
# characters that make flask-cors treat a string as a regex (core._REGEX_HINT_CHARS)
REGEX_HINT = frozenset("*\\]?$^[()")
ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "delete", "patch"})
CONFIG_LOADERS = frozenset({"from_pyfile", "from_envvar", "from_prefixed_env", "from_file"})
MAX_FOLLOW = 8


def probably_regex(text: str) -> bool:
    return not REGEX_HINT.isdisjoint(text)


# ------------------------------------------------------------------------------ option layers


@dataclass(frozen=True)
class Setting:
    """One option as written: its value, the node to report and the module that node is in."""

    value: Value
    node: ast.AST
    module: Module


@dataclass
class Layer:
    """Options from one source. `None` marks an option whose value cannot be known;
    `everything` marks a source that may set any option (`**unknown`, `from_pyfile(...)`)."""

    settings: dict[str, Setting | None] = field(default_factory=dict)
    everything: bool = False

    def uncertain(self) -> Layer:
        return Layer(dict.fromkeys(self.settings), self.everything)


Merged = dict[str, Setting | None]  # missing: the library default; None: unknowable


def merge(layers: Iterable[Layer]) -> Merged:
    merged: Merged = {}
    for layer in layers:
        if layer.everything:
            merged = dict.fromkeys(OPTIONS)
        merged.update(layer.settings)
    return merged


@dataclass(frozen=True)
class ConfigWrite:
    owner: str  # the text of the object whose `.config` is written (`app`, `self.app`)
    node: ast.AST
    layer: Layer


# ------------------------------------------------------------------------------ the adapter


@register_adapter
class FlaskCors(Adapter):
    name = "flask-cors"
    # a factory module may only call `cors.init_app(app)` on an extension created elsewhere
    prefilter = re.compile(rb"flask_cors|(?i:cors)\w*\.init_app\b")

    def analyse(self, module: Module, resolver: Resolver) -> Iterator[CorsPolicy]:
        self.module = module
        self.resolver = resolver
        self.star = any(
            isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("flask_cors")
            and any(a.name == "*" for a in node.names)
            for node in module.tree.body
        )
        self.writes = self._config_writes()
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            if self._is(node.func, CORS_NAMES, "CORS"):
                app = argument(node, "app", 0)
                if app is None or (isinstance(app, ast.Constant) and app.value is None):
                    continue  # `cors = CORS(...)`: configured by `cors.init_app(app)`
                layers = [*self._app_config(node, app), self._call_layer(node, module, resolver)]
                yield from self._policies(node, layers)
            elif isinstance(node.func, ast.Attribute) and node.func.attr == "init_app":
                ctor = self._constructor(node.func.value)
                app = argument(node, "app", 0)
                if ctor is None or app is None:
                    continue
                call, owner, owner_resolver = ctor
                layers = [
                    *self._app_config(node, app),
                    self._call_layer(call, owner, owner_resolver),
                    self._call_layer(node, module, resolver),
                ]
                yield from self._policies(node, layers)
            elif self._is(node.func, CROSS_ORIGIN_NAMES, "cross_origin") and self._effective(node):
                layers = [*(w.layer for w in self.writes), self._call_layer(node, module, resolver)]
                yield from self._policies(node, layers, resources=False)

    def _is(self, func: ast.AST, names: tuple[str, ...], bare: str) -> bool:
        qual = self.module.qualname(func)
        return qual in names or (self.star and qual == bare)

    # -- cross_origin ---------------------------------------------------------------------------
    def _effective(self, call: ast.Call) -> bool:
        """Whether a `cross_origin(...)` call decorates a view that is served."""
        parent = self.module.parents.get(call)
        if (
            isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef))
            and call in parent.decorator_list
        ):
            # a route decorator below it registers the undecorated view
            below = parent.decorator_list[parent.decorator_list.index(call) + 1 :]
            return not any(
                isinstance(d, ast.Call)
                and isinstance(d.func, ast.Attribute)
                and d.func.attr in ROUTE_DECORATORS
                for d in below
            )
        if isinstance(parent, ast.Call) and parent.func is call:
            return True  # cross_origin(...)(view)
        # `cross_origin(view)` is the broken bare form; `decorators = [cross_origin()]` works
        return not call.args

    # -- init_app -------------------------------------------------------------------------------
    def _constructor(self, target: ast.AST) -> tuple[ast.Call, Module, Resolver] | None:
        """The `CORS(...)` call a name (or an imported module's attribute) is bound to."""
        binding = self._binding(self.module, self.resolver, target)
        if binding is None:
            return None
        expr, owner = binding
        if not isinstance(expr, ast.Call):
            return None
        qual = owner.qualname(expr.func)
        if qual not in CORS_NAMES and not (self.star and owner is self.module and qual == "CORS"):
            return None
        resolver = self.resolver if owner is self.module else Resolver(owner)
        return expr, owner, resolver

    def _binding(
        self, module: Module, resolver: Resolver, target: ast.AST
    ) -> tuple[ast.expr, Module] | None:
        project = module.project
        if isinstance(target, ast.Name):
            found = resolver.lookup(target.id, target)
            if found is not None:
                return found
            if target.id in module.imports:
                mod, attr, level = module.imports[target.id]
                if attr is not None:
                    path = project.find_module(mod, module.path, level)
                    other = project.load(path) if path is not None else None
                    if other is not None and other is not module:
                        return Resolver(other).lookup(attr, None)
            return None
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            other = self._imported_module(module, target.value.id)
            if other is not None:
                return Resolver(other).lookup(target.attr, None)
        return None

    def _imported_module(self, module: Module, name: str) -> Module | None:
        if name not in module.imports:
            return None
        mod, attr, level = module.imports[name]
        dotted = f"{mod}.{attr}" if (attr and mod) else (attr or mod)
        path = module.project.find_module(dotted, module.path, level)
        other = module.project.load(path) if path is not None else None
        return other if other is not module else None

    # -- option layers --------------------------------------------------------------------------
    def _call_layer(self, call: ast.Call, module: Module, resolver: Resolver) -> Layer:
        layer = Layer()
        for kw in call.keywords:
            if kw.arg is None:
                spread = self._mapping(kw.value, module, resolver, {n: n for n in OPTIONS})
                # an unknown `**spread` may hold any option but those passed by name (a duplicate
                # keyword is a TypeError), which the merge keeps known
                layer.everything |= spread.everything
                layer.settings.update(spread.settings)
            elif kw.arg in OPTIONS:
                layer.settings[kw.arg] = Setting(resolver.resolve(kw.value), kw.value, module)
        return layer

    def _follow(
        self, node: ast.AST, module: Module, resolver: Resolver
    ) -> tuple[ast.AST, Module, Resolver]:
        """Follow names to the literal they are bound to, so entries keep their own locations."""
        for _ in range(MAX_FOLLOW):
            if not isinstance(node, ast.Name):
                break
            found = self._binding(module, resolver, node)
            if found is None:
                break
            node, owner = found
            if owner is not module:
                module, resolver = owner, Resolver(owner)
        return node, module, resolver

    def _mapping(
        self, node: ast.AST, module: Module, resolver: Resolver, names: dict[str, str]
    ) -> Layer:
        """A dict of options (`names` maps its keys to option names; other keys are ignored)."""
        node, module, resolver = self._follow(node, module, resolver)
        layer = Layer()
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=False):
                if key is None:
                    inner = self._mapping(value, module, resolver, names)
                    if inner.everything:
                        layer = Layer(everything=True)
                    layer.settings.update(inner.settings)
                    continue
                name = resolver.resolve(key).value
                if not isinstance(name, str):
                    layer = Layer(everything=True)  # an unknown key may be any option
                elif name in names:
                    layer.settings[names[name]] = Setting(resolver.resolve(value), value, module)
            return layer
        value = resolver.resolve(node)
        if not isinstance(value.value, dict):
            return Layer(everything=True)
        for name, item in value.value.items():
            if isinstance(name, str) and name in names:
                layer.settings[names[name]] = Setting(
                    Value(item, value.env, value.debug), node, module
                )
        return layer

    # -- app.config -----------------------------------------------------------------------------
    def _config_writes(self) -> list[ConfigWrite]:
        """Every write of a `CORS_*` key to some `<owner>.config` in the module, in source order."""
        module, resolver = self.module, self.resolver
        writes: list[ConfigWrite] = []
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    owner = (
                        _config_owner(target.value) if isinstance(target, ast.Subscript) else None
                    )
                    if owner is None or not isinstance(target, ast.Subscript):
                        continue
                    key = resolver.resolve(target.slice).value
                    if not isinstance(key, str):
                        writes.append(ConfigWrite(module.text(owner), node, Layer(everything=True)))
                    elif key in CONFIG_KEYS:
                        layer = self._config_entry(key, node.value, module, resolver)
                        writes.append(ConfigWrite(module.text(owner), node, layer))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = _config_owner(node.func.value)
                if owner is None:
                    continue
                layer = self._config_call(node)
                if layer is not None:
                    writes.append(ConfigWrite(module.text(owner), node, layer))
        writes.sort(key=lambda w: (getattr(w.node, "lineno", 0), getattr(w.node, "col_offset", 0)))
        return writes

    def _config_entry(self, key: str, node: ast.AST, module: Module, resolver: Resolver) -> Layer:
        value = resolver.resolve(node)
        if value.known and value.value is None:
            return Layer()  # flask-cors skips config values of None
        return Layer({CONFIG_KEYS[key]: Setting(value, node, module)})

    def _config_call(self, call: ast.Call) -> Layer | None:
        module, resolver = self.module, self.resolver
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if method in ("update", "from_mapping"):
            layer = Layer()
            for arg in call.args[:1]:
                layer = self._mapping(arg, module, resolver, CONFIG_KEYS)
            for kw in call.keywords:
                if kw.arg is None:
                    spread = self._mapping(kw.value, module, resolver, CONFIG_KEYS)
                    if spread.everything:
                        layer = Layer(everything=True)
                    layer.settings.update(spread.settings)
                elif kw.arg in CONFIG_KEYS:
                    layer.settings.update(
                        self._config_entry(kw.arg, kw.value, module, resolver).settings
                    )
            return _skip_none(layer)
        if method == "from_object" and call.args:
            return _skip_none(self._object(call.args[0], module, resolver, 0))
        if method == "setdefault" and call.args:
            key = resolver.resolve(call.args[0]).value
            if not isinstance(key, str):
                return Layer(everything=True)
            return Layer({CONFIG_KEYS[key]: None}) if key in CONFIG_KEYS else None
        if method in CONFIG_LOADERS:
            return Layer(everything=True)
        return None

    def _object(self, node: ast.AST, module: Module, resolver: Resolver, depth: int) -> Layer:
        """The `CORS_*` attributes `config.from_object(node)` reads: a class or a module."""
        if depth > MAX_FOLLOW:
            return Layer(everything=True)
        if isinstance(node, ast.Name) and node.id == "__name__":
            return self._module_constants(module)
        if isinstance(node, ast.Name):
            cls = _class_named(module, node.id)
            if cls is not None:
                return self._class(cls, module, depth)
            if node.id in module.imports:
                mod, attr, level = module.imports[node.id]
                other = self._imported_module(module, node.id)
                if other is not None:
                    return self._module_constants(other)
                path = module.project.find_module(mod, module.path, level) if attr else None
                owner = module.project.load(path) if path is not None else None
                cls = _class_named(owner, attr) if owner is not None and attr else None
                if owner is not None and cls is not None:
                    return self._class(cls, owner, depth)
            return Layer(everything=True)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            other = self._imported_module(module, node.value.id)
            cls = _class_named(other, node.attr) if other is not None else None
            if other is not None and cls is not None:
                return self._class(cls, other, depth)
            return Layer(everything=True)
        value = resolver.resolve(node)
        if isinstance(value.value, str):
            dotted = value.value.replace(":", ".")
            path = module.project.find_module(dotted, module.path, 0)
            other = module.project.load(path) if path is not None else None
            if other is not None:
                return self._module_constants(other)
            head, _, tail = dotted.rpartition(".")
            path = module.project.find_module(head, module.path, 0) if head else None
            other = module.project.load(path) if path is not None else None
            cls = _class_named(other, tail) if other is not None else None
            if other is not None and cls is not None:
                return self._class(cls, other, depth)
        return Layer(everything=True)

    def _class(self, cls: ast.ClassDef, module: Module, depth: int) -> Layer:
        resolver = self.resolver if module is self.module else Resolver(module)
        layer = Layer()
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id == "object":
                continue
            inherited = self._object(base, module, resolver, depth + 1)
            if inherited.everything:
                layer = Layer(everything=True)
            layer.settings.update(inherited.settings)
        for stmt in cls.body:
            if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While, ast.Match)):
                # set in a branch: may or may not hold
                for name in _assigned_names(stmt) & CONFIG_KEYS.keys():
                    layer.settings[CONFIG_KEYS[name]] = None
                continue
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            for target in targets:
                if isinstance(target, ast.Name) and target.id in CONFIG_KEYS and value is not None:
                    layer.settings.update(
                        self._config_entry(target.id, value, module, resolver).settings
                    )
        return layer

    def _module_constants(self, module: Module) -> Layer:
        resolver = self.resolver if module is self.module else Resolver(module)
        layer = Layer()
        for key in CONFIG_KEYS:
            found = resolver.lookup(key, None)
            if found is not None:
                expr, owner = found
                owner_resolver = resolver if owner is module else Resolver(owner)
                layer.settings.update(self._config_entry(key, expr, owner, owner_resolver).settings)
        return layer

    def _app_config(self, call: ast.Call, app: ast.AST) -> list[Layer]:
        """The config layers `CORS(app)` / `init_app(app)` reads: writes to `app.config` that run
        before it. Writes that may or may not run first make their keys unknowable."""
        module = self.module
        if self._is_blueprint(app):
            return []
        owner = module.text(app)
        head = owner.split(".")[0]
        scope = module.function_of(call)
        layers: list[Layer] = []
        for write in self.writes:
            if write.owner != owner:
                continue
            where = module.function_of(write.node)
            line = getattr(write.node, "lineno", 0)
            if where is scope:
                if line < call.lineno:
                    layers.append(write.layer)
                continue
            # different scopes write the same object only when neither binds the name locally
            if any(f is not None and head in _local_names(f) for f in (scope, where)):
                continue
            if where is None and scope is not None and line < scope.lineno:
                layers.append(write.layer)  # module code above the function runs before it
            else:
                layers.append(write.layer.uncertain())
        return layers

    def _is_blueprint(self, app: ast.AST) -> bool:
        if isinstance(app, ast.Call):
            return self.module.qualname(app.func).endswith("Blueprint")
        binding = self._binding(self.module, self.resolver, app)
        if binding is None:
            return False
        expr, owner = binding
        return isinstance(expr, ast.Call) and owner.qualname(expr.func).endswith("Blueprint")

    # -- policies -------------------------------------------------------------------------------
    def _policies(
        self, call: ast.Call, layers: list[Layer], resources: bool = True
    ) -> Iterator[CorsPolicy]:
        merged = merge(layers)
        if not resources or "resources" not in merged:
            policy = self._policy(call, merged, self.module, call)
            if policy is not None:
                yield policy
            return
        setting = merged["resources"]
        if setting is None or not setting.value.known:
            return  # per-resource options could override anything
        spec = setting.value.value
        if isinstance(spec, dict):
            node, module, resolver = self._follow(
                setting.node, setting.module, self._resolver_of(setting.module)
            )
            # (path pattern, where a default it causes is reported, that node's module, options)
            entries: list[tuple[object, ast.AST, Module, Layer]] = []
            if isinstance(node, ast.Dict) and all(k is not None for k in node.keys):
                for key, value in zip(node.keys, node.values, strict=False):
                    pattern = resolver.resolve(key).value if key is not None else UNKNOWN
                    options = self._mapping(value, module, resolver, {n: n for n in OPTIONS})
                    entries.append((pattern, value, module, options))
            else:
                for pattern, options in spec.items():
                    layer = Layer(everything=True)
                    if isinstance(options, dict):
                        layer = Layer(
                            {
                                name: Setting(Value(v), setting.node, setting.module)
                                for name, v in options.items()
                                if name in OPTIONS
                            }
                        )
                    entries.append((pattern, setting.node, setting.module, layer))
            if not all(_valid_path_pattern(entry[0]) for entry in entries):
                return  # an invalid resource pattern raises at setup
            for _pattern, anchor, anchor_module, layer in entries:
                resource = merge([Layer(dict(merged)), layer])
                policy = self._policy(call, resource, anchor_module, anchor)
                if policy is not None:
                    yield policy
            return
        patterns = (
            [spec]
            if isinstance(spec, (str, Regex))
            else spec
            if isinstance(spec, (list, tuple))
            else None
        )
        if patterns is None or not all(_valid_path_pattern(p) for p in patterns):
            return
        policy = self._policy(call, merged, self.module, call)
        if policy is not None:
            yield policy

    def _resolver_of(self, module: Module) -> Resolver:
        return self.resolver if module is self.module else Resolver(module)

    def _policy(
        self, call: ast.Call, merged: Merged, default_module: Module, default_node: ast.AST
    ) -> CorsPolicy | None:
        """The effective policy of one set of merged options; None when flask-cors would refuse it."""
        module = self.module
        policy = CorsPolicy(framework=FRAMEWORK, loc=module.loc(call))
        credentials = _truthy(merged, "supports_credentials")
        send_wildcard = _truthy(merged, "send_wildcard")
        origins = self._origins(merged, default_module, default_node)
        if origins is None:
            return None  # an invalid regex raises at setup
        allow_all, checks, count, fallback = origins
        policy.checks = checks
        policy.fallback = fallback
        if fallback is None:
            cond = module.branch_condition(call)
            if cond:
                policy.fallback = Fallback("debug", cond, module.loc(call))
        literal_star = False
        if isinstance(allow_all, Location):
            if isinstance(send_wildcard, Location) and isinstance(credentials, Location):
                return None  # flask-cors raises ValueError: the application does not start
            # `*` with send_wildcard; an unknown send_wildcard may be either (every origin both
            # ways: a deployed app is not the combination that refuses to start)
            literal_star = send_wildcard is not False
            policy.any_origin = allow_all
        policy.any_echo = not literal_star
        policy.echo_with_credentials = not literal_star
        if isinstance(credentials, Location):
            policy.credentials = credentials
        network = _truthy(merged, "allow_private_network")
        if isinstance(network, Location):
            policy.private_network = network
        headers = merged.get("allow_headers")
        if headers is not None and any(h in ("*", ".*") for h in _strings(headers.value)):
            policy.any_header = headers.module.loc(headers.node)
        expose = merged.get("expose_headers")
        if expose is not None and expose.value.known and expose.value.value is not None:
            names = [part.strip() for item in _strings(expose.value) for part in item.split(",")]
            policy.expose_headers = tuple(n for n in names if n)
            policy.expose_loc = expose.module.loc(expose.node)
        vary = merged.get("vary_header")
        if vary is not None and vary.value.known and not vary.value.value and count is not None:
            regex = isinstance(allow_all, Location) or any(c.how == "match" for c in checks)
            if not literal_star and (count > 1 or regex):
                policy.varies_without_vary = vary.module.loc(vary.node)
        return policy

    def _origins(
        self, merged: Merged, default_module: Module, default_node: ast.AST
    ) -> tuple[Location | bool | None, list[OriginCheck], int | None, Fallback | None] | None:
        """(allow-all: where, False, or None when unknown; the checks; the number of entries;
        the CORS301 fallback), or None when a pattern does not compile."""
        if "origins" not in merged:  # the default, "*": every origin
            loc = default_module.loc(default_node)
            cond = default_module.branch_condition(default_node)
            fallback = Fallback("debug", cond, loc) if cond else None
            return loc, [], 1, fallback
        setting = merged["origins"]
        if setting is None or not setting.value.known:
            return None, [], None, None
        value, node, owner = setting.value, setting.node, setting.module
        fallback = fallback_of(owner, value, node)
        raw = value.value
        if raw is None:
            return False, [], 0, fallback  # origins=None: nothing matches
        if isinstance(raw, (str, Regex)):
            items: list[object] = [raw]
        elif isinstance(raw, (list, tuple, set, frozenset)):
            items = list(raw)
        else:
            return None, [], None, None
        elts: list[ast.AST] = [node] * len(items)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and len(node.elts) == len(items):
            if not any(isinstance(e, ast.Starred) for e in node.elts):
                elts = list(node.elts)
        allow_all: Location | bool = False
        checks: list[OriginCheck] = []
        for item, elt in zip(items, elts, strict=False):
            loc = owner.loc(elt)
            if isinstance(item, str):
                if item in ("*", ".*"):
                    allow_all = allow_all or loc
                    continue
                if probably_regex(item):
                    try:
                        re.compile(item, re.IGNORECASE)
                    except re.error:
                        return None
                    checks.append(
                        OriginCheck(
                            "match",
                            item,
                            flags=re.IGNORECASE,
                            loc=loc,
                            describe=f"origins regex {_raw(item)} (re.match, case-insensitive)",
                        )
                    )
                else:
                    checks.append(
                        OriginCheck(
                            "exact",
                            item,
                            flags=re.IGNORECASE,
                            loc=loc,
                            describe=f"origins entry {item!r}",
                        )
                    )
            elif isinstance(item, Regex):
                try:
                    re.compile(item.pattern, item.flags)
                except re.error:
                    return None
                checks.append(
                    OriginCheck(
                        "match",
                        item.pattern,
                        flags=item.flags,
                        loc=loc,
                        describe=f"origins re.compile({_raw(item.pattern)}) (re.match)",
                    )
                )
        return allow_all, checks, len(items), fallback


# ------------------------------------------------------------------------------ helpers


def _raw(pattern: str) -> str:
    """A pattern as it is usually written: a raw string literal."""
    if '"' in pattern or pattern.endswith("\\") or "\n" in pattern:
        return repr(pattern)
    return f'r"{pattern}"'


def _config_owner(node: ast.AST) -> ast.AST | None:
    """`app` in `app.config`."""
    if isinstance(node, ast.Attribute) and node.attr == "config":
        return node.value
    return None


def _skip_none(layer: Layer) -> Layer:
    layer.settings = {
        k: v
        for k, v in layer.settings.items()
        if v is None or not (v.value.known and v.value.value is None)
    }
    return layer


def _class_named(module: Module | None, name: str | None) -> ast.ClassDef | None:
    if module is None or name is None:
        return None
    for stmt in module.tree.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == name:
            return stmt
    return None


def _assigned_names(node: ast.AST) -> set[str]:
    return {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _local_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = function.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _truthy(merged: Merged, name: str) -> Location | bool | None:
    """Where an option is set to a true value; False when it is false (or the default);
    None when it cannot be known."""
    if name not in merged:
        return False
    setting = merged[name]
    if setting is None or not setting.value.known:
        return None
    return setting.module.loc(setting.node) if setting.value.value else False


def _strings(value: Value) -> list[str]:
    return [v for v in value.items() if isinstance(v, str)] if value.known else []


def _valid_path_pattern(pattern: object) -> bool:
    if isinstance(pattern, Regex):
        return True
    if not isinstance(pattern, str):
        return True  # unknown: assume it works
    if pattern == "*" or not probably_regex(pattern):
        return True
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True
