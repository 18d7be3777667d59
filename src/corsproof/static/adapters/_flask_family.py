"""What flask-cors, its fork sanic-cors and quart-cors have in common (not an adapter).

- reading an app's config: `ConfigReader` (every write of a config key in one module: item and
  attribute assignment, `update`-like calls, `from_object` of a class or module found in the
  project, loaders that may set anything) and the helpers that locate what `from_object` reads;
- `FlaskFamilyAdapter`, the part flask-cors and sanic-cors share: keyword and dict options,
  layers merged last-wins, the config an app has when `CORS(app)` runs, `resources={...}` and the
  policy of one set of resolved options. Subclasses say what differs between the two libraries
  (the options that exist, the characters that make a string a regex, what `origins=None` and an
  unknown `send_wildcard` do, whether an echo of every origin still varies) and find the calls.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from corsproof.findings import Location
from corsproof.policy import CorsPolicy, Fallback, OriginCheck
from corsproof.static._module import Module
from corsproof.static.adapters._base import Adapter, fallback_of, note_unresolved
from corsproof.static.semantic import (
    UNKNOWN,
    ClassRef,
    Evaluator,
    Instance,
    ModuleRef,
    Regex,
    Value,
    branch_condition,
    unknown,
)

# Flask's (and Quart's) Config: loaders whose content cannot be read statically
LOADERS = frozenset({"from_pyfile", "from_envvar", "from_prefixed_env", "from_file"})
# route decorators (Quart, Sanic): applied before a CORS decorator, they register the bare view
ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "delete", "patch", "head", "options", "websocket"}
)
ALLOW_ALL = ("*", ".*")
MAX_FOLLOW = 8
# the options of flask-cors that its fork sanic-cors kept (flask-cors added private network)
CORS_OPTIONS = frozenset(
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
        evaluator: Evaluator,
        keys: Collection[str],
        *,
        attributes: bool = False,
        mapping_methods: Collection[str] = ("update", "from_mapping"),
        object_methods: Collection[str] = ("from_object",),
        loaders: Collection[str] = LOADERS,
    ) -> None:
        self.module, self.evaluator, self.keys = module, evaluator, frozenset(keys)
        self.attributes = attributes
        self.mapping_methods = frozenset(mapping_methods)
        self.object_methods = frozenset(object_methods)
        self.loaders = frozenset(loaders)
        self.writes = self._collect()

    def _collect(self) -> list[ConfigWrite]:
        module, evaluator = self.module, self.evaluator
        writes: list[ConfigWrite] = []
        for node in config_statements(module):  # sorted below
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    owner, key = self._target(target)
                    if owner is None:
                        continue
                    setting = Setting(evaluator.resolve(node.value), node.value, module)
                    if key is None or key in self.keys:
                        writes.append(self._write(owner, node, key, setting))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = config_owner(node.func.value)
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
            owner = config_owner(target.value)
            if owner is not None:
                key = self.evaluator.resolve(target.slice).value
                return owner, key if isinstance(key, str) else None
        if self.attributes and isinstance(target, ast.Attribute):
            owner = config_owner(target.value)
            if owner is not None and target.attr.isupper():
                return owner, target.attr
        return None, None

    def _call(self, call: ast.Call) -> list[tuple[str | None, Setting | None]]:
        assert isinstance(call.func, ast.Attribute)
        method = call.func.attr
        if method in self.mapping_methods:
            found: list[tuple[str | None, Setting | None]] = []
            for arg in call.args[:1]:
                found.extend(self._mapping(arg, self.module, self.evaluator))
            for kw in call.keywords:
                if kw.arg is None:
                    found.extend(self._mapping(kw.value, self.module, self.evaluator))
                elif kw.arg in self.keys:
                    value = self.evaluator.resolve(kw.value)
                    found.append((kw.arg, Setting(value, kw.value, self.module)))
            return found
        if method in self.object_methods and call.args:
            return self._object(call.args[0], self.module, self.evaluator, 0)
        if method == "setdefault" and call.args:
            key = self.evaluator.resolve(call.args[0]).value
            if not isinstance(key, str):
                return [(None, None)]
            return [(key, None)] if key in self.keys else []
        if method in self.loaders:
            return [(None, None)]
        return []

    def _mapping(
        self, node: ast.AST, module: Module, evaluator: Evaluator
    ) -> list[tuple[str | None, Setting | None]]:
        node, module, evaluator = follow(node, module, evaluator)
        if isinstance(node, ast.Dict):
            found: list[tuple[str | None, Setting | None]] = []
            for key, value in zip(node.keys, node.values, strict=False):
                if key is None:
                    found.extend(self._mapping(value, module, evaluator))
                    continue
                name = evaluator.resolve(key).value
                if not isinstance(name, str):
                    found.append((None, None))
                elif name in self.keys:
                    found.append((name, Setting(evaluator.resolve(value), value, module)))
            return found
        value = evaluator.resolve(node)
        if not isinstance(value.value, dict):
            return [(None, None)]
        return [
            (name, Setting(Value(item, value.env, value.debug), node, module))
            for name, item in value.value.items()
            if isinstance(name, str) and name in self.keys
        ]

    def _object(
        self, node: ast.AST, module: Module, evaluator: Evaluator, depth: int
    ) -> list[tuple[str | None, Setting | None]]:
        """The keys `from_object(node)` reads: upper-case attributes of a class or module."""
        if depth > MAX_FOLLOW:
            return [(None, None)]
        source = object_source(node, module, evaluator)
        if source is None:
            return [(None, None)]
        if source.mapping:
            return self._mapping(node, module, evaluator)
        if source.cls is not None:
            return self._class(source.cls, source.module, depth)
        return self._constants(source.module)

    def _class(
        self, cls: ast.ClassDef, module: Module, depth: int
    ) -> list[tuple[str | None, Setting | None]]:
        evaluator = self.evaluator if module is self.module else Evaluator(module)
        found: list[tuple[str | None, Setting | None]] = []
        for base in class_bases(cls):
            found.extend(self._object(base, module, evaluator, depth + 1))
        for key, value in class_settings(cls, self.keys):
            setting = None if value is None else Setting(evaluator.resolve(value), value, module)
            found.append((key, setting))
        return found

    def _constants(self, module: Module) -> list[tuple[str | None, Setting | None]]:
        evaluator = self.evaluator if module is self.module else Evaluator(module)
        return [
            (key, Setting(owner_resolver.resolve(expr), expr, owner))
            for key, expr, owner, owner_resolver in module_constants(module, evaluator, self.keys)
        ]


@dataclass(frozen=True)
class ObjectSource:
    """What `config.from_object(x)` reads: a class, a module's constants, or (`mapping`) a dict."""

    module: Module
    cls: ast.ClassDef | None = None
    mapping: bool = False


_DEVELOPMENT = re.compile(r"(?i)dev|debug|test|local")
_PRODUCTION = re.compile(r"(?i)prod|live|deploy|release")


def deployed(value: Value) -> Any:
    """Of configuration objects chosen at run time (`config_by_name[os.environ["ENV"]]`), the
    one deployments run: a production-named one, else the last that is not named for
    development; the development ones are what a developer runs, not what a server does."""
    if not value.alternatives:
        return value.value
    candidates = [v.value for v in value.alternatives if v.known]
    named = [(c, _object_name(c)) for c in candidates]
    production = [c for c, name in named if _PRODUCTION.search(name)]
    other = [c for c, name in named if not _DEVELOPMENT.search(name)]
    chosen = production or other or candidates
    return chosen[-1] if chosen else value.value


def _object_name(value: Any) -> str:
    if isinstance(value, ClassRef):
        return value.node.name
    if isinstance(value, Instance):
        return value.cls.node.name
    if isinstance(value, ModuleRef):
        return value.module.path.stem
    return str(value)


def object_source(node: ast.AST, module: Module, evaluator: Evaluator) -> ObjectSource | None:
    """Where the object `from_object(node)` is given is defined; None when it cannot be found."""
    if isinstance(node, ast.Name) and node.id == "__name__":
        return ObjectSource(module)
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
        bound = deployed(evaluator.resolve(node))
        if isinstance(bound, ModuleRef):
            return ObjectSource(bound.module)
        if isinstance(bound, ClassRef):
            return ObjectSource(bound.module, bound.node)
        if isinstance(bound, Instance):
            return ObjectSource(bound.cls.module, bound.cls.node)
        if not isinstance(bound, (dict, str)):
            return None
    value = evaluator.resolve(node)
    if isinstance(value.value, dict):
        return ObjectSource(module, mapping=True)
    if isinstance(value.value, str):
        dotted = value.value.replace(":", ".")
        path = module.project.find_module(dotted, module.path, 0)
        other = module.project.load(path) if path is not None else None
        if other is not None:
            return ObjectSource(other)
        head, _, tail = dotted.rpartition(".")
        path = module.project.find_module(head, module.path, 0) if head else None
        other = module.project.load(path) if path is not None else None
        cls = class_named(other, tail)
        if other is not None and cls is not None:
            return ObjectSource(other, cls)
    return None


def class_bases(cls: ast.ClassDef) -> list[ast.expr]:
    """The bases `from_object` also reads attributes of (`object` has none)."""
    return [b for b in cls.bases if not (isinstance(b, ast.Name) and b.id == "object")]


def class_settings(
    cls: ast.ClassDef, keys: Collection[str]
) -> Iterator[tuple[str, ast.expr | None]]:
    """The config keys a class body sets, in order: (key, value); value None when the key is set
    in a branch (it may or may not hold)."""
    for stmt in cls.body:
        if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While, ast.Match)):
            names = {
                n.id
                for n in ast.walk(stmt)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            for name in sorted(names & set(keys)):
                yield name, None
            continue
        targets, value = _assignment(stmt)
        for target in targets:
            if isinstance(target, ast.Name) and target.id in keys and value is not None:
                yield target.id, value


def module_constants(
    module: Module, evaluator: Evaluator, keys: Collection[str]
) -> Iterator[tuple[str, ast.expr, Module, Evaluator]]:
    """The config keys a module binds: (key, expression, its module and a evaluator of that)."""
    for key in sorted(keys):
        binding = evaluator.lookup(key, None)
        if binding is not None:
            expr, owner = binding
            yield key, expr, owner, evaluator if owner is module else Evaluator(owner)


# ------------------------------------------------------------------------------ shared helpers


def follow(
    node: ast.AST, module: Module, evaluator: Evaluator
) -> tuple[ast.AST, Module, Evaluator]:
    """Follow names to the expression they are bound to, so entries keep their own locations."""
    for _ in range(MAX_FOLLOW):
        if not isinstance(node, ast.Name):
            break
        found = evaluator.lookup(node.id, node)
        if found is None:
            break
        node, owner = found
        if owner is not module:
            module, evaluator = owner, Evaluator(owner)
    return node, module, evaluator


def route_decorator_below(
    module: Module, call: ast.Call, decorators: Collection[str] = ROUTE_DECORATORS
) -> bool | None:
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
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in decorators
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


def config_read(node: ast.AST, module: Module, evaluator: Evaluator) -> Setting | None:
    """What `app.config["KEY"]` holds where it is read: the last write of KEY to that app's
    config before it (a literal, `from_object` of a project module or class, `update`…)."""
    if not isinstance(node, ast.Subscript):
        return None
    owner = config_owner(node.value)
    if owner is None:
        return None
    key = evaluator.resolve(node.slice).value
    if not isinstance(key, str):
        return None
    owner_text = module.text(owner)
    last: ConfigWrite | None = None
    for write in ConfigReader(module, evaluator, {key}).writes:
        if write.owner != owner_text or getattr(write.stmt, "lineno", 0) > node.lineno:
            continue
        last = write
    if last is None or last.key != key or last.setting is None:
        return None
    return last.setting


def config_statements(module: Module) -> list[ast.AST]:
    """The assignments and calls that may write `<owner>.config` (`app.config["K"] = v`,
    `app.config.K = v`, `app.config.update(...)`), found from the `.config` attributes of the
    index rather than from every assignment and call of the module; in no particular order."""
    found: dict[int, ast.AST] = {}
    parents = module.parents
    for node in module.nodes(ast.Attribute):
        if node.attr != "config":  # type: ignore[attr-defined]
            continue
        parent = parents.get(node)
        if not isinstance(parent, (ast.Subscript, ast.Attribute)) or parent.value is not node:
            continue
        statement = parents.get(parent)
        if isinstance(statement, ast.Assign) and any(t is parent for t in statement.targets):
            found[id(statement)] = statement
        elif isinstance(statement, ast.Call) and statement.func is parent:
            found[id(statement)] = statement
    return list(found.values())


def config_owner(node: ast.AST) -> ast.AST | None:
    """`app` in `app.config`."""
    if isinstance(node, ast.Attribute) and node.attr == "config":
        return node.value
    return None


def class_named(module: Module | None, name: str | None) -> ast.ClassDef | None:
    """The class a module-level name of `module` is bound to (`"config.ProductionConfig"`)."""
    if module is None or name is None:
        return None
    value = Evaluator(module).global_value(name).value
    return value.node if isinstance(value, ClassRef) else None


def imported_module(module: Module, name: str, use: ast.AST | None = None) -> Module | None:
    """The project module a name is bound to where it is used."""
    return Evaluator(module).module_named(name, use)


def local_names(module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The names local to a function (its parameters and what it binds), from the model."""
    scope = module.semantic.scopes.get(function)
    if scope is None:
        return set()
    return {name for name in scope.bindings if name not in scope.globals | scope.nonlocals}


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


# ------------------------------------------------------------------------------ option layers


Merged = dict[str, Setting | None]  # missing: the library default; None: unknowable


@dataclass
class Layer:
    """Options from one source. `None` marks an option whose value cannot be known;
    `everything` marks a source that may set any option (`**unknown`, `from_pyfile(...)`)."""

    settings: Merged = field(default_factory=dict)
    everything: bool = False

    def uncertain(self) -> Layer:
        return Layer(dict.fromkeys(self.settings), self.everything)


def merge(layers: Iterable[Layer], options: Collection[str]) -> Merged:
    merged: Merged = {}
    for layer in layers:
        if layer.everything:
            merged = dict.fromkeys(options)
        merged.update(layer.settings)
    return merged


def truthy(merged: Merged, name: str) -> Location | bool | None:
    """Where an option is set to a true value; False when it is false (or the default);
    None when it cannot be known."""
    if name not in merged:
        return False
    setting = merged[name]
    if setting is None or not setting.value.known:
        return None
    return setting.module.loc(setting.node) if setting.value.value else False


def strings(value: Value) -> list[str]:
    return [v for v in value.items() if isinstance(v, str)] if value.known else []


# ------------------------------------------------------------------------------ flask-cors family


class Write(Protocol):
    """A config write as `_app_config` orders and scopes it."""

    @property
    def owner(self) -> str: ...  # the text of the object whose `.config` is written

    @property
    def stmt(self) -> ast.AST: ...  # where it happens in the scanned module


class FlaskFamilyAdapter(Adapter):
    """flask-cors and sanic-cors: what they share. Subclasses set `self.module`/`self.evaluator` in
    `analyse`, find the calls and their option layers, and say what differs."""

    # the option names the library knows (others are ignored)
    options: ClassVar[frozenset[str]]
    # characters that make the library treat an origin or resource string as a regex
    regex_hint: ClassVar[frozenset[str]]
    # flags a resource path pattern is compiled with (an invalid one breaks the app)
    path_flags: ClassVar[int]
    # `origins=None`: True when it fails every request, False when it matches nothing
    none_origins_fail: ClassVar[bool]
    # every origin with credentials and an unknown `send_wildcard`: True when the policy is the
    # echo, False when it may be either (the combination that fails is not the deployed one)
    unknown_wildcard_echoes: ClassVar[bool]
    # whether `vary_header=False` matters when every origin is echoed (not only for several
    # origins or a regex)
    echo_all_varies: ClassVar[bool]

    module: Module
    evaluator: Evaluator

    def probably_regex(self, text: str) -> bool:
        return not self.regex_hint.isdisjoint(text)

    def _resolver_of(self, module: Module) -> Evaluator:
        return self.evaluator if module is self.module else Evaluator(module)

    def _follow(
        self, node: ast.AST, module: Module, evaluator: Evaluator
    ) -> tuple[ast.AST, Module, Evaluator]:
        return follow(node, module, evaluator)

    # -- option layers --------------------------------------------------------------------------
    def _call_layer(self, call: ast.Call, module: Module, evaluator: Evaluator) -> Layer:
        """The options passed to a call by keyword."""
        layer = Layer()
        for kw in call.keywords:
            if kw.arg is None:
                spread = self._mapping(kw.value, module, evaluator, {n: n for n in self.options})
                # an unknown `**spread` may hold any option but those passed by name (a duplicate
                # keyword is a TypeError), which the merge keeps known
                layer.everything |= spread.everything
                layer.settings.update(spread.settings)
            elif kw.arg in self.options:
                read = config_read(kw.value, module, evaluator)  # `origins=app.config["X"]`
                layer.settings[kw.arg] = read or Setting(
                    evaluator.resolve(kw.value), kw.value, module
                )
        return layer

    def _mapping(
        self, node: ast.AST, module: Module, evaluator: Evaluator, names: dict[str, str]
    ) -> Layer:
        """A dict of options (`names` maps its keys to option names; other keys are ignored)."""
        node, module, evaluator = self._follow(node, module, evaluator)
        read = config_read(node, module, evaluator)
        if read is not None:  # `CORS(app, **app.config["CORS_OPTIONS"])`
            return self._mapping(read.node, read.module, Evaluator(read.module), names)
        layer = Layer()
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=False):
                if key is None:
                    inner = self._mapping(value, module, evaluator, names)
                    if inner.everything:
                        layer = Layer(everything=True)
                    layer.settings.update(inner.settings)
                    continue
                name = evaluator.resolve(key).value
                if not isinstance(name, str):
                    layer = Layer(everything=True)  # an unknown key may be any option
                elif name in names:
                    layer.settings[names[name]] = Setting(evaluator.resolve(value), value, module)
            return layer
        value = evaluator.resolve(node)
        if not isinstance(value.value, dict):
            return Layer(everything=True)
        for name, item in value.value.items():
            if isinstance(name, str) and name in names:
                layer.settings[names[name]] = Setting(
                    Value(item, value.env, value.debug), node, module
                )
        return layer

    # -- app.config -----------------------------------------------------------------------------
    def _writes(self) -> Iterable[Write]:
        """The module's config writes, in source order."""
        raise NotImplementedError

    def _write_layer(self, write: Any, sure: bool) -> Layer:
        """The options one config write sets; `sure=False`: it may or may not run first."""
        raise NotImplementedError

    def _is_blueprint(self, app: ast.AST) -> bool:
        node, owner, _ = self._follow(app, self.module, self.evaluator)
        return isinstance(node, ast.Call) and owner.qualname(node.func).endswith("Blueprint")

    def _app_config(self, call: ast.Call, app: ast.AST) -> list[Layer]:
        """The config layers `CORS(app)` reads: writes to `app.config` that run before it. Writes
        that may or may not run first make their keys unknowable."""
        module = self.module
        if self._is_blueprint(app):
            return []  # a Blueprint has no config
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
                    layers.append(self._write_layer(write, True))
                continue
            # different scopes write the same object only when neither binds the name locally
            if any(f is not None and head in local_names(module, f) for f in (scope, where)):
                continue
            # module code above the function runs before it
            sure = where is None and scope is not None and line < scope.lineno
            layers.append(self._write_layer(write, sure))
        return layers

    # -- policies -------------------------------------------------------------------------------
    def _policies(
        self, call: ast.Call, layers: list[Layer], resources: bool = True
    ) -> Iterator[CorsPolicy]:
        merged = merge(layers, self.options)
        if not resources or "resources" not in merged:
            policy = self._policy(call, merged, self.module, call)
            if policy is not None:
                yield policy
            return
        setting = merged["resources"]
        if setting is None or not setting.value.known:
            # per-resource options could override anything: nothing is claimed, and that is said
            unknown_policy = CorsPolicy(framework=self.name, loc=self.module.loc(call))
            reason = (
                setting.value.reason
                if setting is not None and setting.value.reason
                else "set by something the analysis cannot read (a config loader such as "
                "from_prefixed_env/from_pyfile/from_envvar, or an unknown ** mapping)"
            )
            note_unresolved(
                unknown_policy,
                setting.module if setting is not None else self.module,
                setting.node if setting is not None else call,
                unknown(reason),
                "every CORS option",
            )
            yield unknown_policy
            return
        spec = setting.value.value
        if isinstance(spec, dict):
            node, module, evaluator = self._follow(
                setting.node, setting.module, self._resolver_of(setting.module)
            )
            # (path pattern, where a default it causes is reported, that node's module, options)
            entries: list[tuple[object, ast.AST, Module, Layer]] = []
            if isinstance(node, ast.Dict) and all(k is not None for k in node.keys):
                for key, value in zip(node.keys, node.values, strict=False):
                    pattern = evaluator.resolve(key).value if key is not None else UNKNOWN
                    options = self._mapping(value, module, evaluator, {n: n for n in self.options})
                    entries.append((pattern, value, module, options))
            else:
                for pattern, options in spec.items():
                    layer = Layer(everything=True)
                    if isinstance(options, dict):
                        layer = Layer(
                            {
                                name: Setting(Value(v), setting.node, setting.module)
                                for name, v in options.items()
                                if name in self.options
                            }
                        )
                    entries.append((pattern, setting.node, setting.module, layer))
            if not all(self._valid_path(entry[0]) for entry in entries):
                return  # an invalid resource pattern breaks the app
            for _pattern, anchor, anchor_module, layer in entries:
                resource = merge([Layer(dict(merged)), layer], self.options)
                policy = self._policy(call, resource, anchor_module, anchor)
                if policy is not None:
                    yield policy
            return
        patterns = [spec] if isinstance(spec, (str, Regex)) else spec
        if not isinstance(patterns, (list, tuple)) or not all(
            self._valid_path(p) for p in patterns
        ):
            return
        policy = self._policy(call, merged, self.module, call)
        if policy is not None:
            yield policy

    def _valid_path(self, pattern: object) -> bool:
        if not isinstance(pattern, str) or pattern == "*" or not self.probably_regex(pattern):
            return True  # a compiled pattern, or unknown: assume it works
        return valid_regex(pattern, self.path_flags)

    def _policy(
        self, call: ast.Call, merged: Merged, default_module: Module, default_node: ast.AST
    ) -> CorsPolicy | None:
        """The effective policy of one set of merged options; None when the library refuses it."""
        module = self.module
        policy = CorsPolicy(framework=self.name, loc=module.loc(call))
        credentials = truthy(merged, "supports_credentials")
        send_wildcard = truthy(merged, "send_wildcard")
        origins = self._origins(merged, default_module, default_node)
        if origins is None:
            return None  # an invalid regex raises at setup / the value fails every request
        allow_all, checks, count, fallback = origins
        policy.checks, policy.fallback = checks, fallback
        for name in ("origins", "supports_credentials", "allow_private_network", "allow_headers"):
            option = merged.get(name)
            if option is not None and not option.value.known:
                note_unresolved(policy, option.module, option.node, option.value, name)
        if merged.get("origins") is None and "origins" in merged:
            reason = "set by something the analysis cannot read (a config loader such as "
            reason += "from_prefixed_env/from_pyfile/from_envvar, or an unknown ** mapping)"
            note_unresolved(policy, module, call, unknown(reason), "origins")
        if fallback is None:
            cond = branch_condition(module, call)
            if cond:
                policy.fallback = Fallback("debug", cond, module.loc(call))
        literal_star = False
        if isinstance(allow_all, Location):
            if send_wildcard is not False and isinstance(credentials, Location):
                if send_wildcard is not None:
                    return None  # raises: the app does not start / every request fails
                literal_star = not self.unknown_wildcard_echoes
            else:
                literal_star = send_wildcard is not False
            policy.any_origin = allow_all
        policy.any_echo = policy.echo_with_credentials = not literal_star
        if isinstance(credentials, Location):
            policy.credentials = credentials
        network = truthy(merged, "allow_private_network")  # never set where it is not an option
        if isinstance(network, Location):
            policy.private_network = network
        headers = merged.get("allow_headers")
        if headers is not None and any(h in ALLOW_ALL for h in strings(headers.value)):
            policy.any_header = headers.module.loc(headers.node)
        expose = merged.get("expose_headers")
        if expose is not None and expose.value.known and expose.value.value is not None:
            names = [part.strip() for item in strings(expose.value) for part in item.split(",")]
            policy.expose_headers = tuple(n for n in names if n)
            policy.expose_loc = expose.module.loc(expose.node)
        vary = merged.get("vary_header")
        if (
            vary is not None
            and vary.value.known
            and not vary.value.value
            and count is not None
            and not literal_star
        ):
            several = allow_all is False and (count > 1 or any(c.how == "match" for c in checks))
            if several or (isinstance(allow_all, Location) and self.echo_all_varies):
                policy.varies_without_vary = vary.module.loc(vary.node)
        return policy

    def _origins(
        self, merged: Merged, default_module: Module, default_node: ast.AST
    ) -> tuple[Location | bool | None, list[OriginCheck], int | None, Fallback | None] | None:
        """(allow-all: where, False, or None when unknown; the checks; the number of entries;
        the CORS301 fallback), or None when a pattern does not compile or the value fails."""
        if "origins" not in merged:  # the default, "*": every origin
            loc = default_module.loc(default_node)
            cond = branch_condition(default_module, default_node)
            return loc, [], 1, Fallback("debug", cond, loc) if cond else None
        setting = merged["origins"]
        if setting is None or not setting.value.known:
            return None, [], None, None
        fallback = fallback_of(setting.module, setting.value, setting.node)
        raw_value = setting.value.value
        if raw_value is None:
            return None if self.none_origins_fail else (False, [], 0, fallback)
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
                elif self.probably_regex(item):
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
