"""sanic-cors: `CORS(app, ...)` and `@cross_origin(app, ...)` (flask-cors's options, on Sanic).

Modelled from sanic-cors 2.2.0 on Sanic 25.12 (see tests/semantics/test_sanic_cors.py):
- with sanic-ext installed, sanic-cors adds nothing: a project that imports `sanic_ext` or lists
  `sanic-ext`/`sanic[ext]` in its dependency files is not analysed (`pip install sanic` does not
  pull sanic-ext);
- options merge, last wins: defaults < `app.config["CORS_*"]` (also `app.config.CORS_X = …`,
  `update`, `update_config`/`load`) < `CORS(...)` keyword arguments < the per-resource dict of
  `resources={path: {...}}`. `CORS` reads the app config when it runs (later writes are ignored;
  a Blueprint has no config); `cross_origin` reads it on every request. Config values of `None`
  are skipped; unknown option names (`origin=`, `allow_private_network=`) are ignored;
- the second positional argument (`config`) is read only when no option is passed by keyword:
  the options are then its `"CORS_OPTIONS"` entry;
- `origins` defaults to `"*"`; `"*"`/`".*"` allows every origin, echoed (`null` too) with
  `Vary: Origin`, a literal `*` with `send_wildcard=True` — which with `supports_credentials`
  raises at setup (`CORS`) or on every request (`cross_origin`): nothing to report;
- any truthy `supports_credentials` sends `Access-Control-Allow-Credentials: true`;
- an origin string containing any of `* \\ ] ?` (fewer than flask-cors) is a regex, applied with
  `re.match` and `re.IGNORECASE` (not anchored at the end); other strings compare
  case-insensitively; `re.compile(...)` keeps its own flags;
- `allow_headers="*"` grants every requested header (so does the default: only an explicit `*` is
  reported); `methods="*"` grants no method; no private-network support;
- `Vary: Origin` only for several origins or a regex; `vary_header=False` drops it (CORS202);
- `cross_origin(app, ...)` needs the app first; above the route decorator it has no effect.
Not modelled: `SANIC_CORS_*` environment variables, which Sanic loads into the config by itself.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from corsproof.policy import CorsPolicy
from corsproof.static._module import Module
from corsproof.static.adapters._base import argument, register_adapter
from corsproof.static.adapters.flask_family._adapter import FlaskFamilyAdapter
from corsproof.static.adapters.flask_family._config import ConfigReader, ConfigWrite
from corsproof.static.adapters.flask_family._library import (
    CORS_OPTIONS,
    ConfigSpelling,
    Library,
    Rules,
)
from corsproof.static.adapters.flask_family._options import Layer, Setting, layer_of
from corsproof.static.adapters.flask_family._syntax import follow, serves_view
from corsproof.static.semantic import DottedNames, Evaluator, Value

LIBRARY = Library(
    framework="sanic-cors",
    package="sanic_cors",
    prefilter=re.compile(rb"sanic_cors"),
    extension=("sanic_cors.CORS", "sanic_cors.extension.CORS"),
    decorator=("sanic_cors.cross_origin", "sanic_cors.decorator.cross_origin"),
    options=CORS_OPTIONS,  # no `allow_private_network`
    config=ConfigSpelling(
        prefix="CORS_",
        attributes=True,  # Sanic's Config: `app.config.CORS_ORIGINS = ...`
        mapping_methods=("update",),
        object_methods=("update_config", "load"),
        loaders=("load_environment_vars", "from_envvar", "from_pyfile"),
    ),
)
RULES = Rules(
    regex_hint=frozenset("*\\]?"),  # core.probably_regex
    path_flags=re.IGNORECASE,
    none_origins_fail=True,  # [None]: every request fails
    # an unknown send_wildcard with credentials: the working combination is the echo
    unknown_wildcard_echoes=True,
    echo_all_varies=False,  # `Vary: Origin` only for several origins or a regex
    listed_decorator_works=False,
)
CONFIG_KEYS = LIBRARY.config_keys
_CALLED = DottedNames((*LIBRARY.extension, *LIBRARY.decorator))  # what the analysis starts from
DEPENDENCY_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "Pipfile.lock")
SANIC_EXT = re.compile(rb"(?i)sanic[-_.]ext\b|sanic\s*\[[^\]]*\bext\b")


@register_adapter
class SanicCors(FlaskFamilyAdapter):
    name = LIBRARY.framework
    prefilter = LIBRARY.prefilter
    library = LIBRARY
    rules = RULES

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterator[CorsPolicy]:
        calls = list(module.calls_to(_CALLED))
        if not calls or _uses_sanic_ext(module):
            return
        self.module, self.evaluator = module, evaluator
        self.reader: ConfigReader | None = None
        for node, qual in calls:
            if qual in LIBRARY.extension:
                app = argument(node, "app", 0)
                if app is None or (isinstance(app, ast.Constant) and app.value is None):
                    continue  # CORS() without an app raises
                layers = self._constructor_layers(node, app)
                if layers is not None:
                    yield from self._policies(node, layers)
            elif qual in LIBRARY.decorator and self._effective(node):
                app = argument(node, "app", 0)
                if app is None:
                    continue  # TypeError: the app is required
                owner = module.text(app)
                config = self._config(w for w in self._writes() if w.owner == owner)
                layers = [config, self._call_layer(node, module, evaluator)]
                yield from self._policies(node, layers, resources=False)

    # -- where and when -------------------------------------------------------------------------
    def _effective(self, call: ast.Call) -> bool:
        return serves_view(
            self.module, call, LIBRARY.route_decorators
        )  # or cross_origin(app)(view)

    def _writes(self) -> list[ConfigWrite]:
        if self.reader is None:
            self.reader = ConfigReader(self.module, self.evaluator, CONFIG_KEYS, LIBRARY.config)
        return self.reader.writes

    def _write_layer(self, write: ConfigWrite, sure: bool) -> Layer:
        return self._config([write], sure)

    def _config(self, writes: Iterable[ConfigWrite], sure: bool = True) -> Layer:
        """The options config writes set, in order; `sure=False`: they may or may not apply. A
        write in a branch, or of a value that cannot be known, makes its option unknowable."""
        entries = (
            (w.key, w.setting if sure and not w.conditional and _known(w.setting) else None)
            for w in writes
        )
        return layer_of(entries, CONFIG_KEYS, none_skipped=True)

    # -- option layers --------------------------------------------------------------------------
    def _constructor_layers(self, call: ast.Call, app: ast.AST) -> list[Layer] | None:
        keywords = self._call_layer(
            call, self.module, self.evaluator
        )  # `app`/`config` are not options
        passed = [kw for kw in call.keywords if kw.arg not in ("app", "config")]
        if not passed:
            config = argument(call, "config", 1)
            if config is not None:
                keywords = self._startup_options(config)
        else:
            no_startup = next((kw.value for kw in passed if kw.arg == "no_startup"), None)
            if no_startup is not None:
                value = self.evaluator.resolve(no_startup)
                if not value.known or value.value:
                    return None  # no startup: nothing is installed
        return [*self._app_config(call, app), keywords]

    def _startup_options(self, config: ast.AST) -> Layer:
        """`CORS(app, config)` without keyword options: `config.get("CORS_OPTIONS", {})`."""
        node, module, evaluator = follow(config, self.module, self.evaluator)
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=False):
                if key is None:
                    return Layer(everything=True)
                name = evaluator.resolve(key).value
                if not isinstance(name, str):
                    return Layer(everything=True)
                if name == "CORS_OPTIONS":
                    return self._mapping(value, module, evaluator, {n: n for n in LIBRARY.options})
            return Layer()
        value = evaluator.resolve(node)
        if isinstance(value.value, dict):
            options = value.value.get("CORS_OPTIONS", {})
            if isinstance(options, dict):
                return Layer(
                    {
                        k: Setting(Value(v), node, module)
                        for k, v in options.items()
                        if k in LIBRARY.options
                    }
                )
        return Layer(everything=True)


# ------------------------------------------------------------------------------ helpers


def _known(setting: Setting | None) -> bool:
    return setting is not None and setting.value.known


def _uses_sanic_ext(module: Module) -> bool:
    """sanic-ext turns sanic-cors into a no-op: imported here, or a dependency of the project."""
    if any(name.split(".")[0] == "sanic_ext" for name in module.imported_modules()):
        return True
    root = module.project.root
    directory = module.path.resolve().parent
    while True:
        if _declares_sanic_ext(module.project.facts, directory):
            return True
        if directory == root or root not in directory.parents or directory.parent == directory:
            return False
        directory = directory.parent


def _declares_sanic_ext(facts: dict[tuple[str, object], object], directory: Path) -> bool:
    """Does a requirement file of `directory` name sanic-ext? (remembered for the scan)"""
    key = ("sanic-ext", directory)
    if key not in facts:
        found = False
        try:
            candidates = [p for p in directory.iterdir() if p.name.startswith("requirements")]
        except OSError:
            candidates = []
        candidates += [directory / name for name in DEPENDENCY_FILES]
        for path in candidates:
            try:
                if path.is_file() and SANIC_EXT.search(path.read_bytes()[:1_000_000]):
                    found = True
                    break
            except OSError:
                continue
        facts[key] = found
    return bool(facts[key])
