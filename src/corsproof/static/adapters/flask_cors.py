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
from collections.abc import Iterator
from dataclasses import dataclass

from corsproof.policy import CorsPolicy
from corsproof.static._module import Module
from corsproof.static.adapters._base import argument, register_adapter
from corsproof.static.adapters._flask_family import (
    CORS_OPTIONS,
    LOADERS,
    MAX_FOLLOW,
    FlaskFamilyAdapter,
    Layer,
    Setting,
    class_bases,
    class_settings,
    config_owner,
    config_statements,
    imported_module,
    module_constants,
    object_source,
    route_decorator_below,
)
from corsproof.static.semantic import DottedNames, Evaluator

FRAMEWORK = "flask-cors"
CORS_NAMES = ("flask_cors.CORS", "flask_cors.extension.CORS")
CROSS_ORIGIN_NAMES = ("flask_cors.cross_origin", "flask_cors.decorator.cross_origin")
# what the analysis starts from: the constructor, the decorator (also from a star import), and
# `cors.init_app(app)`
_CALLED = DottedNames((*CORS_NAMES, *CROSS_ORIGIN_NAMES, "CORS", "cross_origin"))
OPTIONS = CORS_OPTIONS | {"allow_private_network"}
CONFIG_KEYS = {f"CORS_{name.upper()}": name for name in OPTIONS}
# characters that make flask-cors treat a string as a regex (core._REGEX_HINT_CHARS)
REGEX_HINT = frozenset("*\\]?$^[()")
ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "delete", "patch"})


@dataclass(frozen=True)
class ConfigWrite:
    """The options one write to `<owner>.config` sets (config values of None skipped)."""

    owner: str  # the text of the object whose `.config` is written (`app`, `self.app`)
    stmt: ast.AST
    layer: Layer


@register_adapter
class FlaskCors(FlaskFamilyAdapter):
    name = FRAMEWORK
    # a factory module may only call `cors.init_app(app)` on an extension created elsewhere
    # `CORS(` too: flask-cors re-exported through the project's own modules (`from .ext import
    # CORS`); the adapter then resolves the name and keeps only flask-cors's
    prefilter = re.compile(rb"flask_cors|(?i:cors)\w*\.init_app\b|\bCORS\(|cross_origin\(")
    options = OPTIONS
    regex_hint = REGEX_HINT
    path_flags = 0
    none_origins_fail = False  # origins=None: nothing matches
    # `*` with credentials and an unknown send_wildcard may be either (every origin both ways: a
    # deployed app is not the combination that refuses to start)
    unknown_wildcard_echoes = False
    echo_all_varies = True  # an echo of every origin needs `Vary: Origin` too

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterator[CorsPolicy]:
        self.module = module
        self.evaluator = evaluator
        self.star = any(
            isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("flask_cors")
            and any(a.name == "*" for a in node.names)
            for node in module.tree.body
        )
        candidates = module.calls_ending(_CALLED.lasts | {"init_app"})
        if not candidates:
            return
        self.writes = self._config_writes()
        for node in candidates:
            func = node.func
            init_app = isinstance(func, ast.Attribute) and func.attr == "init_app"
            if not init_app and module.resolves_to(func, _CALLED) is None:
                continue
            if self._is(node.func, CORS_NAMES, "CORS"):
                app = argument(node, "app", 0)
                if app is None or (isinstance(app, ast.Constant) and app.value is None):
                    continue  # `cors = CORS(...)`: configured by `cors.init_app(app)`
                layers = [*self._app_config(node, app), self._call_layer(node, module, evaluator)]
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
                    self._call_layer(node, module, evaluator),
                ]
                yield from self._policies(node, layers)
            elif self._is(node.func, CROSS_ORIGIN_NAMES, "cross_origin") and self._effective(node):
                layers = [
                    *(w.layer for w in self.writes),
                    self._call_layer(node, module, evaluator),
                ]
                yield from self._policies(node, layers, resources=False)

    def _is(self, func: ast.AST, names: tuple[str, ...], bare: str) -> bool:
        qual = self.module.qualname(func)
        return qual in names or (self.star and qual == bare)

    # -- cross_origin ---------------------------------------------------------------------------
    def _effective(self, call: ast.Call) -> bool:
        """Whether a `cross_origin(...)` call decorates a view that is served."""
        # a route decorator below it registers the undecorated view
        below = route_decorator_below(self.module, call, ROUTE_DECORATORS)
        if below is not None:
            return not below
        parent = self.module.parents.get(call)
        if isinstance(parent, ast.Call) and parent.func is call:
            return True  # cross_origin(...)(view)
        # `cross_origin(view)` is the broken bare form; `decorators = [cross_origin()]` works
        return not call.args

    # -- init_app -------------------------------------------------------------------------------
    def _constructor(self, target: ast.AST) -> tuple[ast.Call, Module, Evaluator] | None:
        """The `CORS(...)` call a name (or an imported module's attribute) is bound to."""
        binding = self._binding(self.module, self.evaluator, target)
        if binding is None:
            return None
        expr, owner = binding
        if not isinstance(expr, ast.Call):
            return None
        qual = owner.qualname(expr.func)
        if qual not in CORS_NAMES and not (self.star and owner is self.module and qual == "CORS"):
            return None
        evaluator = self.evaluator if owner is self.module else Evaluator(owner)
        return expr, owner, evaluator

    def _binding(
        self, module: Module, evaluator: Evaluator, target: ast.AST
    ) -> tuple[ast.expr, Module] | None:
        """What a name is bound to, an imported name (`from .ext import cors`) or an imported
        module's attribute (`ext.cors`) too."""
        if isinstance(target, ast.Name):
            return evaluator.lookup(target.id, target)
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            other = imported_module(module, target.value.id, target)
            if other is not None:
                return Evaluator(other).lookup(target.attr, None)
        return None

    def _follow(
        self, node: ast.AST, module: Module, evaluator: Evaluator
    ) -> tuple[ast.AST, Module, Evaluator]:
        """Follow names (imported ones too) to the literal they are bound to, so entries keep
        their own locations."""
        for _ in range(MAX_FOLLOW):
            if not isinstance(node, ast.Name):
                break
            found = self._binding(module, evaluator, node)
            if found is None:
                break
            node, owner = found
            if owner is not module:
                module, evaluator = owner, Evaluator(owner)
        return node, module, evaluator

    def _is_blueprint(self, app: ast.AST) -> bool:
        if isinstance(app, ast.Call):
            return self.module.qualname(app.func).endswith("Blueprint")
        binding = self._binding(self.module, self.evaluator, app)
        if binding is None:
            return False
        expr, owner = binding
        return isinstance(expr, ast.Call) and owner.qualname(expr.func).endswith("Blueprint")

    # -- app.config -----------------------------------------------------------------------------
    def _writes(self) -> list[ConfigWrite]:
        return self.writes

    def _write_layer(self, write: ConfigWrite, sure: bool) -> Layer:
        return write.layer if sure else write.layer.uncertain()

    def _config_writes(self) -> list[ConfigWrite]:
        """Every write of a `CORS_*` key to some `<owner>.config` in the module, in source order."""
        module, evaluator = self.module, self.evaluator
        writes: list[ConfigWrite] = []
        for node in config_statements(module):  # sorted below
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    owner = (
                        config_owner(target.value) if isinstance(target, ast.Subscript) else None
                    )
                    if owner is None or not isinstance(target, ast.Subscript):
                        continue
                    key = evaluator.resolve(target.slice).value
                    if not isinstance(key, str):
                        writes.append(ConfigWrite(module.text(owner), node, Layer(everything=True)))
                    elif key in CONFIG_KEYS:
                        layer = self._config_entry(key, node.value, module, evaluator)
                        writes.append(ConfigWrite(module.text(owner), node, layer))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = config_owner(node.func.value)
                if owner is None:
                    continue
                layer = self._config_call(node)
                if layer is not None:
                    writes.append(ConfigWrite(module.text(owner), node, layer))
        writes.sort(key=lambda w: (getattr(w.stmt, "lineno", 0), getattr(w.stmt, "col_offset", 0)))
        return writes

    def _config_entry(self, key: str, node: ast.AST, module: Module, evaluator: Evaluator) -> Layer:
        value = evaluator.resolve(node)
        if value.known and value.value is None:
            return Layer()  # flask-cors skips config values of None
        return Layer({CONFIG_KEYS[key]: Setting(value, node, module)})

    def _config_call(self, call: ast.Call) -> Layer | None:
        module, evaluator = self.module, self.evaluator
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if method in ("update", "from_mapping"):
            layer = Layer()
            for arg in call.args[:1]:
                layer = self._mapping(arg, module, evaluator, CONFIG_KEYS)
            for kw in call.keywords:
                if kw.arg is None:
                    spread = self._mapping(kw.value, module, evaluator, CONFIG_KEYS)
                    if spread.everything:
                        layer = Layer(everything=True)
                    layer.settings.update(spread.settings)
                elif kw.arg in CONFIG_KEYS:
                    layer.settings.update(
                        self._config_entry(kw.arg, kw.value, module, evaluator).settings
                    )
            return _skip_none(layer)
        if method == "from_object" and call.args:
            return _skip_none(self._object(call.args[0], module, evaluator, 0))
        if method == "setdefault" and call.args:
            key = evaluator.resolve(call.args[0]).value
            if not isinstance(key, str):
                return Layer(everything=True)
            return Layer({CONFIG_KEYS[key]: None}) if key in CONFIG_KEYS else None
        if method in LOADERS:
            return Layer(everything=True)
        return None

    def _object(self, node: ast.AST, module: Module, evaluator: Evaluator, depth: int) -> Layer:
        """The `CORS_*` attributes `config.from_object(node)` reads: a class or a module."""
        if depth > MAX_FOLLOW:
            return Layer(everything=True)
        source = object_source(node, module, evaluator)
        if source is None or source.mapping:
            return Layer(everything=True)  # (a dict has no `CORS_*` attributes: not modelled)
        if source.cls is not None:
            return self._class(source.cls, source.module, depth)
        return self._module_constants(source.module)

    def _class(self, cls: ast.ClassDef, module: Module, depth: int) -> Layer:
        evaluator = self._resolver_of(module)
        layer = Layer()
        for base in class_bases(cls):
            inherited = self._object(base, module, evaluator, depth + 1)
            if inherited.everything:
                layer = Layer(everything=True)
            layer.settings.update(inherited.settings)
        for key, value in class_settings(cls, CONFIG_KEYS):
            if value is None:
                layer.settings[CONFIG_KEYS[key]] = None  # set in a branch: may or may not hold
            else:
                layer.settings.update(self._config_entry(key, value, module, evaluator).settings)
        return layer

    def _module_constants(self, module: Module) -> Layer:
        layer = Layer()
        for key, expr, owner, evaluator in module_constants(
            module, self._resolver_of(module), CONFIG_KEYS
        ):
            layer.settings.update(self._config_entry(key, expr, owner, evaluator).settings)
        return layer


def _skip_none(layer: Layer) -> Layer:
    layer.settings = {
        k: v
        for k, v in layer.settings.items()
        if v is None or not (v.value.known and v.value.value is None)
    }
    return layer
