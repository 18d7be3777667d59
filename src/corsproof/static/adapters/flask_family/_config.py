"""Reading an app's config in the Flask family: `ConfigReader` (every write of a config key in one
module: item and attribute assignment, `update`-like calls, `from_object` of a class or module
found in the project, loaders that may set anything), `config_read` (what `app.config["KEY"]`
holds where it is read) and the helpers that locate what `from_object` reads."""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from corsproof.static._module import Module
from corsproof.static.adapters.flask_family._library import ConfigSpelling
from corsproof.static.adapters.flask_family._options import Entry, Setting
from corsproof.static.adapters.flask_family._syntax import MAX_FOLLOW, follow
from corsproof.static.semantic import ClassRef, Evaluator, Instance, ModuleRef, Value


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
    """Every write of a config key (from `keys`) in one module, in source order, as `spelling`
    says the library's config is written: `X.config["KEY"] = v`, `X.config.KEY = v` (Sanic),
    `X.config.update(...)` and the other mapping methods, `from_object(...)` and the other object
    methods of a class or module found in the project, `setdefault` (unknown), loaders (anything).
    """

    def __init__(
        self,
        module: Module,
        evaluator: Evaluator,
        keys: Collection[str],
        spelling: ConfigSpelling = ConfigSpelling(),  # noqa: B008 - frozen
    ) -> None:
        self.module, self.evaluator, self.keys = module, evaluator, frozenset(keys)
        self.spelling = spelling
        self.writes = self._collect()

    def _collect(self) -> list[ConfigWrite]:
        module, evaluator = self.module, self.evaluator
        writes: list[ConfigWrite] = []
        for node in config_statements(module):  # sorted below
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    owner, key = self._target(target)
                    if owner is None or not (key is None or key in self.keys):
                        continue
                    setting = Setting(evaluator.resolve(node.value), node.value, module)
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
        if self.spelling.attributes and isinstance(target, ast.Attribute):
            owner = config_owner(target.value)
            if owner is not None and target.attr.isupper():
                return owner, target.attr
        return None, None

    def _setting(
        self, key: str, node: ast.AST, module: Module, evaluator: Evaluator
    ) -> list[Entry]:
        """A keyword argument's or a class attribute's entry (none when None keeps the earlier)."""
        value = evaluator.resolve(node)
        if self.spelling.none_keeps_earlier and value.known and value.value is None:
            return []
        return [Entry(key, Setting(value, node, module))]

    def _call(self, call: ast.Call) -> list[Entry]:
        assert isinstance(call.func, ast.Attribute)
        method = call.func.attr
        if method in self.spelling.mapping_methods:
            found: list[Entry] = []
            for arg in call.args[:1]:
                found.extend(self._mapping(arg, self.module, self.evaluator))
            for kw in call.keywords:
                if kw.arg is None:
                    found.extend(self._mapping(kw.value, self.module, self.evaluator))
                elif kw.arg in self.keys:
                    found.extend(self._setting(kw.arg, kw.value, self.module, self.evaluator))
            return found
        if method in self.spelling.object_methods and call.args:
            return self._object(call.args[0], self.module, self.evaluator, 0)
        if method == "setdefault" and call.args:
            key = self.evaluator.resolve(call.args[0]).value
            if not isinstance(key, str):
                return [Entry(None, None)]
            return [Entry(key, None)] if key in self.keys else []
        if method in self.spelling.loaders:
            return [Entry(None, None)]
        return []

    def _mapping(self, node: ast.AST, module: Module, evaluator: Evaluator) -> list[Entry]:
        through = self.spelling.through_config_reads
        return mapping_entries(node, module, evaluator, self.keys, through)

    def _object(
        self, node: ast.AST, module: Module, evaluator: Evaluator, depth: int
    ) -> list[Entry]:
        """The keys `from_object(node)` reads: upper-case attributes of a class or module."""
        if depth > MAX_FOLLOW:
            return [Entry(None, None)]
        source = object_source(node, module, evaluator)
        if source is None:
            return [Entry(None, None)]
        if source.mapping:
            if not self.spelling.object_mappings:
                return [Entry(None, None)]  # (a dict has no attributes: not modelled)
            return self._mapping(node, module, evaluator)
        if source.cls is not None:
            return self._class(source.cls, source.module, depth)
        return self._constants(source.module)

    def _class(self, cls: ast.ClassDef, module: Module, depth: int) -> list[Entry]:
        evaluator = self.evaluator if module is self.module else Evaluator(module)
        found: list[Entry] = []
        for base in class_bases(cls):
            found.extend(self._object(base, module, evaluator, depth + 1))
        for key, value in class_settings(cls, self.keys):
            if value is None:
                found.append(Entry(key, None))  # set in a branch: may or may not hold
            else:
                found.extend(self._setting(key, value, module, evaluator))
        return found

    def _constants(self, module: Module) -> list[Entry]:
        evaluator = self.evaluator if module is self.module else Evaluator(module)
        found: list[Entry] = []
        for key, expr, owner, owner_resolver in module_constants(module, evaluator, self.keys):
            found.extend(self._setting(key, expr, owner, owner_resolver))
        return found


def mapping_entries(
    node: ast.AST,
    module: Module,
    evaluator: Evaluator,
    keys: Collection[str],
    through_config_reads: bool,
) -> list[Entry]:
    """The entries of a dict (a literal, or a value) whose key is one of `keys`, in order: an
    unknown key or `**unknown` may be any key. `through_config_reads`: a mapping read from the
    config (`**app.config["CORS_OPTIONS"]`) is what that key holds."""
    node, module, evaluator = follow(node, module, evaluator)
    if through_config_reads:
        read = config_read(node, module, evaluator)
        if read is not None:
            return mapping_entries(
                read.node, read.module, Evaluator(read.module), keys, through_config_reads
            )
    if isinstance(node, ast.Dict):
        found: list[Entry] = []
        for key, value in zip(node.keys, node.values, strict=False):
            if key is None:
                found.extend(mapping_entries(value, module, evaluator, keys, through_config_reads))
                continue
            name = evaluator.resolve(key).value
            if not isinstance(name, str):
                found.append(Entry(None, None))
            elif name in keys:
                found.append(Entry(name, Setting(evaluator.resolve(value), value, module)))
        return found
    value = evaluator.resolve(node)
    if not isinstance(value.value, dict):
        return [Entry(None, None)]
    return [
        Entry(name, Setting(Value(item, value.env, value.debug), node, module))
        for name, item in value.value.items()
        if isinstance(name, str) and name in keys
    ]


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


# ------------------------------------------------------------------------------ from_object


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


def class_named(module: Module | None, name: str | None) -> ast.ClassDef | None:
    """The class a module-level name of `module` is bound to (`"config.ProductionConfig"`)."""
    if module is None or name is None:
        return None
    value = Evaluator(module).global_value(name).value
    return value.node if isinstance(value, ClassRef) else None


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
