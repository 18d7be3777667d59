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
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from corsproof.policy import CorsPolicy
from corsproof.static._module import Module
from corsproof.static.adapters._base import argument, register_adapter
from corsproof.static.adapters.flask_family._adapter import FlaskFamilyAdapter
from corsproof.static.adapters.flask_family._config import ConfigReader
from corsproof.static.adapters.flask_family._library import (
    CORS_OPTIONS,
    ConfigSpelling,
    Library,
    Rules,
)
from corsproof.static.adapters.flask_family._options import Layer, layer_of
from corsproof.static.adapters.flask_family._syntax import imported_module, serves_view
from corsproof.static.semantic import DottedNames, Evaluator

LIBRARY = Library(
    framework="flask-cors",
    package="flask_cors",
    # a factory module may only call `cors.init_app(app)` on an extension created elsewhere
    # `CORS(` too: flask-cors re-exported through the project's own modules (`from .ext import
    # CORS`); the adapter then resolves the name and keeps only flask-cors's
    prefilter=re.compile(rb"flask_cors|(?i:cors)\w*\.init_app\b|\bCORS\(|cross_origin\("),
    extension=("flask_cors.CORS", "flask_cors.extension.CORS"),
    decorator=("flask_cors.cross_origin", "flask_cors.decorator.cross_origin"),
    options=CORS_OPTIONS | {"allow_private_network"},
    config=ConfigSpelling(
        prefix="CORS_",
        object_mappings=False,  # `from_object(<a dict>)`: a dict has no `CORS_*` attributes
        through_config_reads=True,
        none_keeps_earlier=True,
    ),
    route_decorators=frozenset({"route", "get", "post", "put", "delete", "patch"}),
)
RULES = Rules(
    regex_hint=frozenset("*\\]?$^[()"),  # core._REGEX_HINT_CHARS
    path_flags=0,
    none_origins_fail=False,  # origins=None: nothing matches
    # `*` with credentials and an unknown send_wildcard may be either (every origin both ways: a
    # deployed app is not the combination that refuses to start)
    unknown_wildcard_echoes=False,
    echo_all_varies=True,  # an echo of every origin needs `Vary: Origin` too
    listed_decorator_works=True,  # `decorators = [cross_origin()]` works
)
CONFIG_KEYS = LIBRARY.config_keys
# what the analysis starts from: the constructor, the decorator (also from a star import), and
# `cors.init_app(app)`
_CALLED = DottedNames((*LIBRARY.extension, *LIBRARY.decorator, "CORS", "cross_origin"))


@dataclass(frozen=True)
class WriteLayer:
    """The options one statement writing `<owner>.config` sets (config values of None skipped)."""

    owner: str  # the text of the object whose `.config` is written (`app`, `self.app`)
    stmt: ast.AST
    layer: Layer


@register_adapter
class FlaskCors(FlaskFamilyAdapter):
    name = LIBRARY.framework
    prefilter = LIBRARY.prefilter
    library = LIBRARY
    rules = RULES

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterator[CorsPolicy]:
        self.module = module
        self.evaluator = evaluator
        self.star = any(
            isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith(LIBRARY.package)
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
            if self._is(node.func, LIBRARY.extension, "CORS"):
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
            elif self._is(node.func, LIBRARY.decorator, "cross_origin") and self._effective(node):
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
        return serves_view(
            self.module, call, LIBRARY.route_decorators, RULES.listed_decorator_works
        )

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
        if qual not in LIBRARY.extension and not (
            self.star and owner is self.module and qual == "CORS"
        ):
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

    def _is_blueprint(self, app: ast.AST) -> bool:
        if isinstance(app, ast.Call):
            return self.module.qualname(app.func).endswith("Blueprint")
        binding = self._binding(self.module, self.evaluator, app)
        if binding is None:
            return False
        expr, owner = binding
        return isinstance(expr, ast.Call) and owner.qualname(expr.func).endswith("Blueprint")

    # -- app.config -----------------------------------------------------------------------------
    def _writes(self) -> list[WriteLayer]:
        return self.writes

    def _write_layer(self, write: WriteLayer, sure: bool) -> Layer:
        return write.layer if sure else write.layer.uncertain()

    def _config_writes(self) -> list[WriteLayer]:
        """The options each statement writing `CORS_*` keys of some `<owner>.config` in the module
        sets, in source order."""
        reader = ConfigReader(self.module, self.evaluator, CONFIG_KEYS, LIBRARY.config)
        statements = itertools.groupby(reader.writes, key=lambda w: (id(w.stmt), w.owner))
        layers: list[WriteLayer] = []
        for _, group in statements:
            writes = list(group)
            entries = ((w.key, w.setting) for w in writes)
            layer = layer_of(entries, CONFIG_KEYS, none_skipped=True)
            layers.append(WriteLayer(writes[0].owner, writes[0].stmt, layer))
        return layers
