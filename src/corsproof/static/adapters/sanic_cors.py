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
from corsproof.static.adapters._flask_family import (
    CORS_OPTIONS,
    ConfigReader,
    ConfigWrite,
    FlaskFamilyAdapter,
    Layer,
    Setting,
    follow,
    route_decorator_below,
)
from corsproof.static.semantic import DottedNames, Evaluator, Value

FRAMEWORK = "sanic-cors"
CORS_NAMES = ("sanic_cors.CORS", "sanic_cors.extension.CORS")
CROSS_ORIGIN_NAMES = ("sanic_cors.cross_origin", "sanic_cors.decorator.cross_origin")
_CALLED = DottedNames((*CORS_NAMES, *CROSS_ORIGIN_NAMES))  # what the analysis starts from
OPTIONS = CORS_OPTIONS  # no `allow_private_network`
CONFIG_KEYS = {f"CORS_{name.upper()}": name for name in OPTIONS}
# characters that make sanic-cors treat a string as a regex (core.probably_regex)
REGEX_HINT = frozenset("*\\]?")
DEPENDENCY_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "Pipfile.lock")
SANIC_EXT = re.compile(rb"(?i)sanic[-_.]ext\b|sanic\s*\[[^\]]*\bext\b")


@register_adapter
class SanicCors(FlaskFamilyAdapter):
    name = FRAMEWORK
    prefilter = re.compile(rb"sanic_cors")
    options = OPTIONS
    regex_hint = REGEX_HINT
    path_flags = re.IGNORECASE
    none_origins_fail = True  # [None]: every request fails
    # an unknown send_wildcard with credentials: the working combination is the echo
    unknown_wildcard_echoes = True
    echo_all_varies = False  # `Vary: Origin` only for several origins or a regex

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterator[CorsPolicy]:
        calls = list(module.calls_to(_CALLED))
        if not calls or _uses_sanic_ext(module):
            return
        self.module, self.evaluator = module, evaluator
        self.reader: ConfigReader | None = None
        for node, qual in calls:
            if qual in CORS_NAMES:
                app = argument(node, "app", 0)
                if app is None or (isinstance(app, ast.Constant) and app.value is None):
                    continue  # CORS() without an app raises
                layers = self._constructor_layers(node, app)
                if layers is not None:
                    yield from self._policies(node, layers)
            elif qual in CROSS_ORIGIN_NAMES and self._effective(node):
                app = argument(node, "app", 0)
                if app is None:
                    continue  # TypeError: the app is required
                owner = module.text(app)
                config = self._config(w for w in self._writes() if w.owner == owner)
                layers = [config, self._call_layer(node, module, evaluator)]
                yield from self._policies(node, layers, resources=False)

    # -- where and when -------------------------------------------------------------------------
    def _effective(self, call: ast.Call) -> bool:
        below = route_decorator_below(self.module, call)
        if below is not None:
            return not below
        parent = self.module.parents.get(call)
        return isinstance(parent, ast.Call) and parent.func is call  # cross_origin(app)(view)

    def _writes(self) -> list[ConfigWrite]:
        if self.reader is None:
            self.reader = ConfigReader(
                self.module,
                self.evaluator,
                CONFIG_KEYS,
                attributes=True,
                mapping_methods=("update",),
                object_methods=("update_config", "load"),
                loaders=("load_environment_vars", "from_envvar", "from_pyfile"),
            )
        return self.reader.writes

    def _write_layer(self, write: ConfigWrite, sure: bool) -> Layer:
        return self._config([write], sure)

    def _config(self, writes: Iterable[ConfigWrite], sure: bool = True) -> Layer:
        """The options config writes set, in order; `sure=False`: they may or may not apply."""
        layer = Layer()
        for write in writes:
            if write.key is None:
                layer = Layer(everything=True)
                continue
            name = CONFIG_KEYS[write.key]
            setting = write.setting
            if not sure or write.conditional or setting is None or not setting.value.known:
                layer.settings[name] = None
            elif setting.value.value is None:
                layer.settings.pop(name, None)  # None values are skipped: the default applies
            else:
                layer.settings[name] = setting
        return layer

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
                    return self._mapping(value, module, evaluator, {n: n for n in OPTIONS})
            return Layer()
        value = evaluator.resolve(node)
        if isinstance(value.value, dict):
            options = value.value.get("CORS_OPTIONS", {})
            if isinstance(options, dict):
                return Layer(
                    {k: Setting(Value(v), node, module) for k, v in options.items() if k in OPTIONS}
                )
        return Layer(everything=True)


# ------------------------------------------------------------------------------ helpers


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
