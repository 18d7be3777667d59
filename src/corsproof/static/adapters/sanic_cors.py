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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from corsproof.findings import Location
from corsproof.policy import CorsPolicy, Fallback, OriginCheck
from corsproof.static._module import Module
from corsproof.static.adapters._base import Adapter, argument, fallback_of, register_adapter
from corsproof.static.adapters.quart_cors import (
    ConfigReader,
    ConfigWrite,
    Setting,
    elements,
    follow,
    raw,
    route_decorator_below,
    valid_regex,
)
from corsproof.static.values import UNKNOWN, Regex, Resolver, Value

FRAMEWORK = "sanic-cors"
CORS_NAMES = ("sanic_cors.CORS", "sanic_cors.extension.CORS")
CROSS_ORIGIN_NAMES = ("sanic_cors.cross_origin", "sanic_cors.decorator.cross_origin")
OPTIONS = frozenset(
    {
        "origins",
        "methods",
        "allow_headers",
        "expose_headers",
        "supports_credentials",
        "max_age",
        "send_wildcard",
        "automatic_options",
        "vary_header",
        "resources",
        "intercept_exceptions",
        "always_send",
    }
)
CONFIG_KEYS = {f"CORS_{name.upper()}": name for name in OPTIONS}
# characters that make sanic-cors treat a string as a regex (core.probably_regex)
REGEX_HINT = frozenset("*\\]?")
ALLOW_ALL = ("*", ".*")
DEPENDENCY_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "Pipfile.lock")
SANIC_EXT = re.compile(rb"(?i)sanic[-_.]ext\b|sanic\s*\[[^\]]*\bext\b")
_ext_cache: dict[Path, bool] = {}


def probably_regex(text: str) -> bool:
    return not REGEX_HINT.isdisjoint(text)


Merged = dict[str, Setting | None]  # missing: the library default; None: unknowable


@dataclass
class Layer:
    settings: Merged = field(default_factory=dict)
    everything: bool = False  # may set any option (`**unknown`, an unreadable config source)


def merge(layers: list[Layer]) -> Merged:
    merged: Merged = {}
    for layer in layers:
        if layer.everything:
            merged = dict.fromkeys(OPTIONS)
        merged.update(layer.settings)
    return merged


@register_adapter
class SanicCors(Adapter):
    name = FRAMEWORK
    prefilter = re.compile(rb"sanic_cors")

    def analyse(self, module: Module, resolver: Resolver) -> Iterator[CorsPolicy]:
        if _uses_sanic_ext(module):
            return
        self.module, self.resolver = module, resolver
        self.reader: ConfigReader | None = None
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            qual = module.qualname(node.func)
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
                layers = [config, self._keywords(node, exclude=("app",))]
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
                self.resolver,
                CONFIG_KEYS,
                attributes=True,
                mapping_methods=("update",),
                object_methods=("update_config", "load"),
                loaders=("load_environment_vars", "from_envvar", "from_pyfile"),
            )
        return self.reader.writes

    def _config(
        self, writes: Iterator[ConfigWrite] | list[ConfigWrite], sure: bool = True
    ) -> Layer:
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

    def _app_config(self, call: ast.Call, app: ast.AST) -> list[Layer]:
        """The config `CORS(app)` reads: writes to `app.config` that run before it. Writes that may
        or may not run first make their keys unknowable."""
        module = self.module
        if self._is_blueprint(app):
            return []
        owner = module.text(app)
        head = owner.split(".")[0]
        scope = module.function_of(call)
        layers: list[Layer] = []
        for write in self._writes():
            if write.owner != owner:
                continue
            where = module.function_of(write.stmt)
            line = getattr(write.stmt, "lineno", 0)
            if where is scope:
                if line < call.lineno:
                    layers.append(self._config([write]))
                continue
            if any(f is not None and head in _local_names(f) for f in (scope, where)):
                continue  # different scopes write the same object only without a local binding
            sure = where is None and scope is not None and line < scope.lineno
            layers.append(self._config([write], sure))
        return layers

    def _is_blueprint(self, app: ast.AST) -> bool:
        node, owner, _ = follow(app, self.module, self.resolver)
        return isinstance(node, ast.Call) and owner.qualname(node.func).endswith("Blueprint")

    # -- option layers --------------------------------------------------------------------------
    def _constructor_layers(self, call: ast.Call, app: ast.AST) -> list[Layer] | None:
        keywords = self._keywords(call, exclude=("app", "config"))
        passed = [kw for kw in call.keywords if kw.arg not in ("app", "config")]
        if not passed:
            config = argument(call, "config", 1)
            if config is not None:
                keywords = self._startup_options(config)
        else:
            no_startup = next((kw.value for kw in passed if kw.arg == "no_startup"), None)
            if no_startup is not None:
                value = self.resolver.resolve(no_startup)
                if not value.known or value.value:
                    return None  # no startup: nothing is installed
        return [*self._app_config(call, app), keywords]

    def _keywords(self, call: ast.Call, exclude: tuple[str, ...]) -> Layer:
        layer = Layer()
        for kw in call.keywords:
            if kw.arg is None:
                spread = self._mapping(kw.value, self.module, self.resolver)
                layer.everything |= spread.everything
                layer.settings.update(spread.settings)
            elif kw.arg in OPTIONS and kw.arg not in exclude:
                layer.settings[kw.arg] = Setting(
                    self.resolver.resolve(kw.value), kw.value, self.module
                )
        return layer

    def _startup_options(self, config: ast.AST) -> Layer:
        """`CORS(app, config)` without keyword options: `config.get("CORS_OPTIONS", {})`."""
        node, module, resolver = follow(config, self.module, self.resolver)
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=False):
                if key is None:
                    return Layer(everything=True)
                name = resolver.resolve(key).value
                if not isinstance(name, str):
                    return Layer(everything=True)
                if name == "CORS_OPTIONS":
                    return self._mapping(value, module, resolver)
            return Layer()
        value = resolver.resolve(node)
        if isinstance(value.value, dict):
            options = value.value.get("CORS_OPTIONS", {})
            if isinstance(options, dict):
                return Layer(
                    {k: Setting(Value(v), node, module) for k, v in options.items() if k in OPTIONS}
                )
        return Layer(everything=True)

    def _mapping(self, node: ast.AST, module: Module, resolver: Resolver) -> Layer:
        """A dict of options (other keys are ignored)."""
        node, module, resolver = follow(node, module, resolver)
        layer = Layer()
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=False):
                if key is None:
                    inner = self._mapping(value, module, resolver)
                    if inner.everything:
                        layer = Layer(everything=True)
                    layer.settings.update(inner.settings)
                    continue
                name = resolver.resolve(key).value
                if not isinstance(name, str):
                    layer = Layer(everything=True)
                elif name in OPTIONS:
                    layer.settings[name] = Setting(resolver.resolve(value), value, module)
            return layer
        value = resolver.resolve(node)
        if not isinstance(value.value, dict):
            return Layer(everything=True)
        for name, item in value.value.items():
            if isinstance(name, str) and name in OPTIONS:
                layer.settings[name] = Setting(Value(item, value.env, value.debug), node, module)
        return layer

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
            node, module, resolver = follow(
                setting.node, setting.module, self._resolver(setting.module)
            )
            entries: list[tuple[object, ast.AST, Module, Layer]] = []
            if isinstance(node, ast.Dict) and all(k is not None for k in node.keys):
                for key, value in zip(node.keys, node.values, strict=False):
                    pattern = resolver.resolve(key).value if key is not None else UNKNOWN
                    entries.append((pattern, value, module, self._mapping(value, module, resolver)))
            else:
                for pattern, options in spec.items():
                    layer = Layer(everything=True)
                    if isinstance(options, dict):
                        layer = Layer(
                            {
                                k: Setting(Value(v), setting.node, setting.module)
                                for k, v in options.items()
                                if k in OPTIONS
                            }
                        )
                    entries.append((pattern, setting.node, setting.module, layer))
            if not all(_valid_path(entry[0]) for entry in entries):
                return  # an invalid resource pattern fails every request
            for _pattern, anchor, anchor_module, layer in entries:
                resource = merge([Layer(dict(merged)), layer])
                policy = self._policy(call, resource, anchor_module, anchor)
                if policy is not None:
                    yield policy
            return
        patterns = [spec] if isinstance(spec, (str, Regex)) else spec
        if not isinstance(patterns, (list, tuple)) or not all(_valid_path(p) for p in patterns):
            return
        policy = self._policy(call, merged, self.module, call)
        if policy is not None:
            yield policy

    def _resolver(self, module: Module) -> Resolver:
        return self.resolver if module is self.module else Resolver(module)

    def _policy(
        self, call: ast.Call, merged: Merged, default_module: Module, default_node: ast.AST
    ) -> CorsPolicy | None:
        """The effective policy of one set of merged options; None when sanic-cors fails."""
        module = self.module
        policy = CorsPolicy(framework=FRAMEWORK, loc=module.loc(call))
        credentials = _truthy(merged, "supports_credentials")
        send_wildcard = _truthy(merged, "send_wildcard")
        origins = self._origins(merged, default_module, default_node)
        if origins is None:
            return None
        allow_all, checks, count, fallback = origins
        policy.checks, policy.fallback = checks, fallback
        if fallback is None:
            cond = module.branch_condition(call)
            if cond:
                policy.fallback = Fallback("debug", cond, module.loc(call))
        literal_star = False
        if isinstance(allow_all, Location):
            if send_wildcard is not False and isinstance(credentials, Location):
                if send_wildcard is not None:
                    return None  # raises: the app does not start / every request fails
                # an unknown send_wildcard: the working combination is the echo
            else:
                literal_star = send_wildcard is not False
            policy.any_origin = allow_all
        policy.any_echo = policy.echo_with_credentials = not literal_star
        if isinstance(credentials, Location):
            policy.credentials = credentials
        headers = merged.get("allow_headers")
        if headers is not None and any(h in ALLOW_ALL for h in _strings(headers.value)):
            policy.any_header = headers.module.loc(headers.node)
        expose = merged.get("expose_headers")
        if expose is not None and expose.value.known and expose.value.value is not None:
            names = [part.strip() for item in _strings(expose.value) for part in item.split(",")]
            policy.expose_headers = tuple(n for n in names if n)
            policy.expose_loc = expose.module.loc(expose.node)
        vary = merged.get("vary_header")
        if (
            vary is not None
            and vary.value.known
            and not vary.value.value
            and count is not None
            and allow_all is False
            and (count > 1 or any(c.how == "match" for c in checks))
        ):
            policy.varies_without_vary = vary.module.loc(vary.node)
        return policy

    def _origins(
        self, merged: Merged, default_module: Module, default_node: ast.AST
    ) -> tuple[Location | bool | None, list[OriginCheck], int | None, Fallback | None] | None:
        """(allow-all: where, False, or None when unknown; the checks; the number of entries;
        the CORS301 fallback), or None when the value fails every request."""
        if "origins" not in merged:  # the default, "*"
            loc = default_module.loc(default_node)
            cond = default_module.branch_condition(default_node)
            return loc, [], 1, Fallback("debug", cond, loc) if cond else None
        setting = merged["origins"]
        if setting is None or not setting.value.known:
            return None, [], None, None
        fallback = fallback_of(setting.module, setting.value, setting.node)
        raw_value = setting.value.value
        if raw_value is None:
            return None  # [None]: every request fails
        if not isinstance(raw_value, (str, Regex, list, tuple, set, frozenset)):
            return None, [], None, None
        allow_all: Location | bool = False
        checks: list[OriginCheck] = []
        items = elements(setting)
        for item, node in items:
            loc = setting.module.loc(node)
            if isinstance(item, str):
                if item in ALLOW_ALL:
                    allow_all = allow_all or loc
                elif probably_regex(item):
                    if not valid_regex(item, re.IGNORECASE):
                        return None
                    checks.append(
                        OriginCheck(
                            "match",
                            item,
                            flags=re.IGNORECASE,
                            loc=loc,
                            describe=f"origins regex {raw(item)} (re.match, case-insensitive)",
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
                if not valid_regex(item.pattern, item.flags):
                    return None
                checks.append(
                    OriginCheck(
                        "match",
                        item.pattern,
                        flags=item.flags,
                        loc=loc,
                        describe=f"origins re.compile({raw(item.pattern)}) (re.match)",
                    )
                )
        return allow_all, checks, len(items), fallback


# ------------------------------------------------------------------------------ helpers


def _uses_sanic_ext(module: Module) -> bool:
    """sanic-ext turns sanic-cors into a no-op: imported here, or a dependency of the project."""
    if any(mod.split(".")[0] == "sanic_ext" for mod, _, _ in module.imports.values()):
        return True
    root = module.project.root
    directory = module.path.resolve().parent
    while True:
        if _declares_sanic_ext(directory):
            return True
        if directory == root or root not in directory.parents or directory.parent == directory:
            return False
        directory = directory.parent


def _declares_sanic_ext(directory: Path) -> bool:
    if directory not in _ext_cache:
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
        _ext_cache[directory] = found
    return _ext_cache[directory]


def _local_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = function.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _truthy(merged: Merged, name: str) -> Location | bool | None:
    """Where an option is set to a true value; False when false (or the default); None: unknown."""
    if name not in merged:
        return False
    setting = merged[name]
    if setting is None or not setting.value.known:
        return None
    return setting.module.loc(setting.node) if setting.value.value else False


def _strings(value: Value) -> list[str]:
    return [v for v in value.items() if isinstance(v, str)] if value.known else []


def _valid_path(pattern: object) -> bool:
    if not isinstance(pattern, str) or pattern == "*" or not probably_regex(pattern):
        return True
    return valid_regex(pattern, re.IGNORECASE)
