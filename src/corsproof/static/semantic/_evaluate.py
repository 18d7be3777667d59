"""The value evaluator: what an expression evaluates to, the way Python would, without running it.

Built on the semantic model (scopes, bindings, positions, imports). Every result is a `Value` with
its provenance:
- `literal`: computed from the code alone (literals, containers, names bound to them in order,
  comprehensions over known iterables, f-strings, `re.compile`, `str` methods, `**` merges, list
  `.append()`/`.extend()`/`+=`, settings modules read through star imports, `app.config` objects);
- `env-default`: the default of an environment lookup (`os.environ.get("X", "*")`, `os.getenv`,
  django-environ, python-decouple), or of a settings-class field an environment variable may
  override (pydantic-settings `BaseSettings`), or of `getattr(config, "X", default)`: what the
  program uses when the variable is missing (CORS301);
- `alternatives`: the value depends on a branch the analysis cannot decide (each alternative is
  kept; `value` is the one bound last in the source, as before);
- `unresolved`: unknown, with the reason (an environment variable without default, a function
  parameter, a call into a library) — never guessed, never taken as safe.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from corsproof.static.semantic._imports import binds, project_module, provides
from corsproof.static.semantic._scopes import END, Binding, Mutation, Scope, StarImport
from corsproof.static.semantic._scopes import start_of as _start

if TYPE_CHECKING:
    from corsproof.static._module import Module


class _Unknown:
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()

Provenance = Literal["literal", "env-default", "settings-default", "alternatives", "unresolved"]


class SetList(list):  # type: ignore[type-arg]
    """A set's items as a list: each once, in source order (for reporting); compared as a set."""


def _as_set(items: Any) -> list[Any]:
    try:
        return SetList(dict.fromkeys(items))
    except TypeError:  # unhashable entries: Python would have raised
        return list(items)


@dataclass(frozen=True)
class Regex:
    """A compiled pattern (`re.compile(...)`) found in the code."""

    pattern: str
    flags: int = 0


@dataclass(frozen=True)
class ModuleRef:
    """A project module bound to a name (`from . import settings`, `import config`)."""

    module: Module


@dataclass(frozen=True)
class ClassRef:
    """A class defined in the project (settings classes: pydantic-settings, dataclasses, plain)."""

    module: Module
    node: ast.ClassDef
    settings: bool  # a pydantic-settings `BaseSettings`: environment variables override fields


@dataclass(frozen=True)
class Instance:
    """An instance of a project class: its attributes are the class's, or the constructor's
    keyword arguments."""

    cls: ClassRef
    overrides: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Value:
    value: Any
    env: str | None = None  # the environment variable whose default (or value) this is
    debug: str | None = None  # the debug condition this value depends on, as written
    node: ast.AST | None = None
    reason: str | None = None  # why the value is unknown
    alternatives: tuple[Value, ...] = ()  # branch alternatives (the last one is `value`)
    settings_field: str | None = None  # a settings-class field an environment variable may set

    @property
    def known(self) -> bool:
        return self.value is not UNKNOWN

    @property
    def provenance(self) -> Provenance:
        if not self.known:
            return "unresolved"
        if self.alternatives:
            return "alternatives"
        if self.settings_field is not None:
            return "settings-default"
        if self.env is not None:
            return "env-default"
        return "literal"

    def items(self) -> list[Any]:
        """The value as a list of entries (a str is one entry)."""
        if isinstance(self.value, (list, tuple, set, frozenset)):
            return list(self.value)
        return [self.value]


def unknown(reason: str, env: str | None = None, debug: str | None = None) -> Value:
    return Value(UNKNOWN, env=env, debug=debug, reason=reason)


_DEBUG_NAME = re.compile(r"(^|[._])(DEBUG|debug|DEVELOPMENT|is_dev|IS_DEV|DEV|LOCAL|TESTING)$")
_ENV_FUNCS = {
    "os.environ.get",
    "os.getenv",
    "environ.get",
    "os.environ.setdefault",
    "getenv",
    "decouple.config",
    "decouple.AutoConfig",
    "config",
    "env",
    "env.str",
    "env.list",
    "env.bool",
    "env.tuple",
    "env.json",
    "environ.Env",
    "settings.env",
}
_RE_FLAGS = {
    "IGNORECASE": re.IGNORECASE,
    "I": re.IGNORECASE,
    "VERBOSE": re.VERBOSE,
    "X": re.VERBOSE,
    "MULTILINE": re.MULTILINE,
    "M": re.MULTILINE,
    "DOTALL": re.DOTALL,
    "S": re.DOTALL,
    "ASCII": re.ASCII,
    "A": re.ASCII,
}
_STR_METHODS = {
    "split", "rsplit", "strip", "lower", "upper", "rstrip", "lstrip", "replace", "join",
    "format", "removeprefix", "removesuffix", "casefold", "splitlines", "title",
}  # fmt: skip
_SETTINGS_BASES = ("BaseSettings", "pydantic_settings.BaseSettings", "pydantic.BaseSettings")
_COMPARISONS = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
_FIELDS = ("pydantic.Field", "pydantic.fields.Field", "dataclasses.field", "sqlmodel.Field")
_CACHES = ("functools.lru_cache", "functools.cache", "lru_cache", "cache")
_CONFIG_NAME = re.compile(r"(?i)(^|[._])(config|conf|settings|options|cfg|configuration)$")
MAX_STEPS = 20_000  # expressions evaluated for one question (a branchy file stays bounded)
MAX_INLINE = 3  # nested calls of project functions evaluated through
MAX_DEPTH = 40
MAX_ITEMS = 1000  # comprehensions and repetitions over more items are not evaluated
_CONSTANTS = {"True": True, "False": False, "None": None}


def is_debug_expr(module: Module, node: ast.AST) -> str | None:
    """The text of a debug/development condition (`DEBUG`, `settings.DEBUG`, `app.debug`,
    `os.environ.get("ENV") == "development"`), or None."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and _DEBUG_NAME.search(sub.id):
            return module.text(node)
        if isinstance(sub, ast.Attribute) and _DEBUG_NAME.search(sub.attr):
            return module.text(node)
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            if sub.value.lower() in ("development", "dev", "local", "debug", "test", "testing"):
                return module.text(node)
    return None


_PRODUCTION_NAME = re.compile(r"(?i)(^|[._])(prod|production|is_prod|is_production|live)$")
_PRODUCTION_WORDS = ("prod", "production", "live")


def _guards(module: Module, node: ast.AST) -> Iterator[tuple[ast.expr, ast.expr, bool, bool]]:
    """For each `if`/conditional expression around `node` (not in its test), innermost first:
    (the test as written, the test without its `not`s, whether they were odd, `node` in the
    body rather than the else)."""
    child = node
    for parent in module.ancestors(node):
        if isinstance(parent, (ast.If, ast.IfExp)) and child is not parent.test:
            test = inner = parent.test
            negated = False
            while isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.Not):
                inner, negated = inner.operand, not negated
            in_body = child in (parent.body if isinstance(parent.body, list) else [parent.body])
            yield test, inner, negated, in_body
        child = parent


def branch_condition(module: Module, node: ast.AST) -> str | None:
    """The debug/development condition guarding `node` (`if DEBUG:`, `if not PRODUCTION:`,
    `if ENV != "production":`, the `else` of `if IS_PROD:`), as written, or None."""
    for test, inner, negated, in_body in _guards(module, node):
        cond = _development_when(module, test, inner, negated, in_body)
        if cond:
            return cond
    return None


def _development_when(
    module: Module, test: ast.expr, inner: ast.expr, negated: bool, in_body: bool
) -> str | None:
    """The text of `test` if the branch (`in_body` or the else) runs only in development
    (`inner` is the test without its `not`s, `negated` whether there was an odd number)."""
    cond = is_debug_expr(module, inner)
    if cond and in_body != negated:
        return module.text(test)
    # a production flag: its false branch is development
    name = inner.id if isinstance(inner, ast.Name) else getattr(inner, "attr", None)
    if isinstance(name, str) and _PRODUCTION_NAME.search(name) and in_body == negated:
        return module.text(test)
    # ENV != "production" / ENV == "production" (else)
    if (
        isinstance(inner, ast.Compare)
        and len(inner.ops) == 1
        and isinstance(inner.ops[0], (ast.Eq, ast.NotEq))
        and any(
            isinstance(side, ast.Constant)
            and isinstance(side.value, str)
            and side.value.lower() in _PRODUCTION_WORDS
            for side in (inner.left, *inner.comparators)
        )
    ):
        equal = isinstance(inner.ops[0], ast.Eq)
        if (in_body != negated) != equal:
            return module.text(test)
    return None


def env_condition(module: Module, node: ast.AST) -> str | None:
    """The environment variable whose *absence* makes `node` run: `node` is in the `else` of
    `if os.environ.get("X"):` / `if origins:` (origins read from X), or under `if not …`."""
    evaluator = Evaluator(module)
    for _test, inner, negated, in_body in _guards(module, node):
        if not isinstance(inner, (ast.Name, ast.Call, ast.Attribute, ast.Subscript)):
            continue
        value = evaluator.resolve(inner)
        if value.env is None:
            continue
        if not value.known and in_body == negated:
            return value.env  # `if os.environ.get("X"): … else: <node>`
        if value.known and in_body == (bool(value.value) != negated):
            return value.env  # the branch the default takes when X is missing
    return None


@dataclass
class _Frame:
    """Names bound by the comprehension being evaluated."""

    scope: Scope
    names: dict[str, Value] = field(default_factory=dict)
    env: str | None = None  # an iterable came from the environment (its default)
    debug: str | None = None


class Evaluator:
    """Evaluates expressions of one module (and, through imports, of the project's modules)."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self._frames: list[_Frame] = []

    def _for(self, module: Module) -> Evaluator:
        return self if module is self.module else Evaluator(module)

    # -- bindings as expressions (for adapters that keep an expression's own location) ---------
    def lookup(
        self, name: str, use: ast.AST | None, _depth: int = 0
    ) -> tuple[ast.expr, Module] | None:
        """The expression `name` is bound to where it is used (None: the end of the module), and
        the module that expression is in: through star imports and `from m import name` of the
        project's own modules. None for anything but an assignment (a parameter, an import from
        a library, a def…)."""
        found = self.binding(name, use, _depth)
        if found is None:
            return None
        binding, owner = found
        if binding.kind not in ("assign", "walrus", "augassign") or binding.value is None:
            return None
        if binding.kind == "augassign":
            # `X += [...]`: the whole value, as an expression `previous + added`
            previous = Evaluator(owner).lookup(name, binding.node, _depth + 1)
            if previous is None:
                return None
            combined = ast.BinOp(left=previous[0], op=binding.op, right=binding.value)
            ast.copy_location(combined, binding.value)
            statement = owner.semantic.parents.get(binding.node)
            if statement is not None:  # so that its branch (`if DEBUG:`) is found from it
                owner.semantic.parents[combined] = statement
            return combined, owner
        expr: ast.expr = binding.value
        for i in binding.index:
            if isinstance(expr, (ast.Tuple, ast.List)) and i < len(expr.elts):
                expr = expr.elts[i]
            else:
                return None
        return expr, owner

    def binding(
        self, name: str, use: ast.AST | None, _depth: int = 0
    ) -> tuple[Binding, Module] | None:
        """The binding of `name` last made before `use` (the last alternative, as Python would
        see it when every condition held), followed through project imports."""
        module = self.module
        visible = module.semantic.visible(name, use)
        for item in reversed(visible.ordered):
            if isinstance(item, StarImport):
                other = project_module(module, item.module, item.level)
                if other is not None and provides(other, name) and _depth < MAX_DEPTH:
                    return Evaluator(other).binding(name, None, _depth + 1)
                continue
            if item.kind == "from-import" and item.attr is not None and _depth < MAX_DEPTH:
                other = project_module(module, item.module or "", item.level)
                if other is not None and binds(other, item.attr):
                    return Evaluator(other).binding(item.attr, None, _depth + 1)
            return item, module
        return None

    def module_named(self, name: str, use: ast.AST | None = None) -> Module | None:
        """The project module a name is bound to (`from . import config`, `import settings`)."""
        found = self.binding(name, use)
        if found is None:
            return None
        binding, owner = found
        if binding.kind not in ("import", "from-import"):
            return None
        value = Evaluator(owner)._binding_value(binding, 0)
        return value.value.module if isinstance(value.value, ModuleRef) else None

    # -- entry point -------------------------------------------------------------------------
    def resolve(self, node: ast.AST | None, depth: int = 0) -> Value:
        if node is None:
            return Value(None)
        if depth > MAX_DEPTH:
            return Value(UNKNOWN, node=node, reason="too many indirections")
        budget = self.module.project.budget
        if depth == 0:
            budget[0] = MAX_STEPS  # one expression asked for by an adapter: a bounded amount
        budget[0] -= 1
        if budget[0] < 0:
            return Value(UNKNOWN, node=node, reason="too many steps to evaluate")
        try:
            value = self._resolve(node, depth + 1)
        except RecursionError:
            value = unknown("too deeply nested")
        return value if value.node is not None else replace(value, node=node)

    def _resolve(self, node: ast.AST, depth: int) -> Value:
        match node:
            case ast.Constant(value=v):
                return Value(v)
            case ast.List(elts=elts) | ast.Tuple(elts=elts) | ast.Set(elts=elts):
                return self._container(node, elts, depth)
            case ast.Dict(keys=keys, values=values):
                return self._dict(keys, values, depth)
            case ast.Name(id=name):
                return self._name(node, name, depth)
            case ast.Attribute():
                return self._attribute(node, depth)
            case ast.Subscript():
                return self._subscript(node, depth)
            case ast.Call():
                return self._call(node, depth)
            case ast.NamedExpr(value=inner):
                return self.resolve(inner, depth)
            case ast.BinOp(left=left, op=op, right=right):
                return self._binop(self.resolve(left, depth), op, self.resolve(right, depth))
            case ast.JoinedStr(values=parts):
                out = []
                for part in parts:
                    if isinstance(part, ast.Constant):
                        out.append(str(part.value))
                    elif isinstance(part, ast.FormattedValue):
                        inner = self.resolve(part.value, depth)
                        if not inner.known or part.format_spec is not None:
                            return unknown(
                                inner.reason or "a formatted value", inner.env, inner.debug
                            )
                        if part.conversion == ord("r"):
                            out.append(repr(inner.value))
                        elif (
                            isinstance(inner.value, (str, int, float, bool)) or inner.value is None
                        ):
                            out.append(str(inner.value))
                        else:
                            return unknown("a formatted object")
                return Value("".join(out))
            case ast.BoolOp(op=ast.Or(), values=values):
                # `os.environ.get("X") or "*"`: the first operand that is known and truthy
                env = None
                for operand in values:
                    value = self.resolve(operand, depth)
                    env = env or value.env
                    if value.known and value.value:
                        return replace(value, env=env)
                    if not value.known and value.env is None:
                        return unknown(value.reason or "an unknown operand")
                last = self.resolve(values[-1], depth)
                if last.known:
                    return replace(last, env=env)
                return unknown(last.reason or "an environment variable", env)
            case ast.BoolOp(op=ast.And(), values=values):
                result = Value(True)
                for operand in values:
                    result = self.resolve(operand, depth)
                    if not result.known:
                        return result
                    if not result.value:
                        return result
                return result
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                inner = self.resolve(operand, depth)
                return Value(not inner.value, inner.env, inner.debug) if inner.known else inner
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                inner = self.resolve(operand, depth)
                if isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
                    return Value(-inner.value)
                return unknown("a negated value")
            case ast.IfExp(test=test, body=body, orelse=orelse):
                cond = is_debug_expr(self.module, test)
                if cond:
                    # permissive when the debug condition holds: keep that branch, marked
                    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
                    branch = orelse if negated else body
                    return replace(self.resolve(branch, depth), debug=cond, node=branch)
                decided = self.resolve(test, depth)
                if decided.known and decided.env is None:
                    return self.resolve(body if decided.value else orelse, depth)
                if decided.env is not None and not decided.known:
                    # `X if os.environ.get("V") else "*"`: the else branch is the fallback
                    fallback = self.resolve(orelse, depth)
                    return replace(fallback, env=decided.env) if fallback.known else fallback
                return self._alternatives([self.resolve(body, depth), self.resolve(orelse, depth)])
            case ast.Starred(value=inner):
                return self.resolve(inner, depth)
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                return self._compare(left, ops, comparators, depth)
            case ast.ListComp() | ast.SetComp() | ast.GeneratorExp() | ast.DictComp():
                return self._comprehension(node, depth)
        return unknown(f"{type(node).__name__} expression")

    # -- operators ----------------------------------------------------------------------------
    def _compare(
        self, left: ast.expr, ops: list[ast.cmpop], comparators: list[ast.expr], depth: int
    ) -> Value:
        """`os.getenv("X", "true").lower() in ("1", "true")`: computed on known operands."""
        current = self.resolve(left, depth)
        env, debug = current.env, current.debug
        result = True
        for op, right_node in zip(ops, comparators, strict=True):
            right = self.resolve(right_node, depth)
            env, debug = env or right.env, debug or right.debug
            if not (current.known and right.known):
                return unknown(current.reason or right.reason or "a comparison", env, debug)
            compare = _COMPARISONS.get(type(op))
            if compare is None:
                return unknown("a comparison", env, debug)
            try:
                result = bool(compare(current.value, right.value))
            except TypeError:
                return unknown("a comparison Python would reject", env, debug)
            if not result:
                break
            current = right
        return Value(result, env, debug)

    # (operators below)
    def _binop(self, a: Value, op: ast.operator, b: Value) -> Value:
        env, debug = a.env or b.env, a.debug or b.debug
        if a.known and b.known:
            try:
                if isinstance(op, ast.Add):
                    if isinstance(a.value, (list, tuple)) and isinstance(b.value, (list, tuple)):
                        kind = tuple if isinstance(a.value, tuple) else list
                        return Value(kind([*a.value, *b.value]), env, debug)
                    if isinstance(a.value, str) and isinstance(b.value, str):
                        return Value(a.value + b.value, env, debug)
                    if _number(a.value) and _number(b.value):
                        return Value(a.value + b.value, env, debug)
                elif isinstance(op, ast.BitOr):
                    if isinstance(a.value, dict) and isinstance(b.value, dict):
                        return Value({**a.value, **b.value}, env, debug)
                    if isinstance(a.value, int) and isinstance(b.value, int):
                        return Value(a.value | b.value, env, debug)
                elif isinstance(op, ast.Mult):
                    if isinstance(a.value, (list, tuple, str)) and isinstance(b.value, int):
                        if len(a.value) * b.value <= MAX_ITEMS:
                            return Value(a.value * b.value, env, debug)
                elif isinstance(op, ast.Mod) and isinstance(a.value, str):
                    args = b.value if isinstance(b.value, tuple) else (b.value,)
                    if all(isinstance(x, (str, int)) for x in args):
                        return Value(a.value % args, env, debug)
            except (TypeError, ValueError):
                pass
        return unknown(a.reason or b.reason or "an operation on unknown values", env, debug)

    # -- containers ---------------------------------------------------------------------------
    def _container(self, node: ast.AST, elts: list[ast.expr], depth: int) -> Value:
        out: list[Any] = []
        env = debug = None
        for elt in elts:
            value = self.resolve(elt, depth)
            env, debug = env or value.env, debug or value.debug
            if isinstance(elt, ast.Starred):
                if isinstance(value.value, (list, tuple, set, frozenset, str, dict)):
                    out.extend(value.value)
                    continue
                return unknown(value.reason or "an unknown unpacked value", env, debug)
            out.append(value.value)
        if isinstance(node, ast.Set):
            return Value(_as_set(out), env, debug)
        kind: type = tuple if isinstance(node, ast.Tuple) else list
        return Value(kind(out), env, debug)

    def _dict(self, keys: list[ast.expr | None], values: list[ast.expr], depth: int) -> Value:
        out: dict[Any, Any] = {}
        env = debug = None
        for key, val in zip(keys, values, strict=False):
            if key is None:
                inner = self.resolve(val, depth)
                env, debug = env or inner.env, debug or inner.debug
                if isinstance(inner.value, dict):
                    out.update(inner.value)
                    continue
                return unknown(inner.reason or "an unknown ** mapping", env, debug)
            k = self.resolve(key, depth).value
            if k is UNKNOWN or isinstance(k, (list, dict)):
                continue
            item = self.resolve(val, depth)
            env, debug = env or item.env, debug or item.debug
            out[k] = item.value
        return Value(out, env, debug)

    def _comprehension(self, node: ast.AST, depth: int) -> Value:
        scope = self.module.semantic.scopes.get(node)
        if scope is None:
            return unknown("a comprehension")
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        results: list[Any] = []
        env = debug = None
        frame = _Frame(scope)
        self._frames.append(frame)
        try:
            for names in self._iterate(generators, 0, frame, depth):
                if names is None:
                    return unknown("a comprehension over unknown values", env, debug)
                if isinstance(node, ast.DictComp):
                    key, item = self.resolve(node.key, depth), self.resolve(node.value, depth)
                    if not key.known:
                        return unknown(key.reason or "an unknown key")
                    results.append((key.value, item.value))
                    continue
                item = self.resolve(node.elt, depth)  # type: ignore[attr-defined]
                env, debug = env or item.env, debug or item.debug
                if not item.known:
                    return unknown(item.reason or "an unknown element", env, debug)
                results.append(item.value)
                if len(results) > MAX_ITEMS:
                    return unknown("too many elements")
        finally:
            self._frames.pop()
        env, debug = env or frame.env, debug or frame.debug
        if isinstance(node, ast.DictComp):
            return Value(dict(results), env, debug)
        if isinstance(node, ast.SetComp):
            return Value(_as_set(results), env, debug)
        return Value(results, env, debug)

    def _iterate(
        self, generators: list[ast.comprehension], index: int, frame: _Frame, depth: int
    ) -> Iterator[dict[str, Value] | None]:
        if index == len(generators):
            yield dict(frame.names)
            return
        gen = generators[index]
        if gen.is_async:
            yield None
            return
        iterable = self.resolve(gen.iter, depth)
        frame.env, frame.debug = frame.env or iterable.env, frame.debug or iterable.debug
        items = iterable.value
        if isinstance(items, dict):
            items = list(items)
        if not isinstance(items, (list, tuple, str)) or len(items) > MAX_ITEMS:
            yield None
            return
        for item in items:
            if not self._assign_target(gen.target, Value(item, iterable.env), frame):
                yield None
                return
            keep = True
            for condition in gen.ifs:
                test = self.resolve(condition, depth)
                if not test.known:
                    yield None
                    return
                if not test.value:
                    keep = False
                    break
            if keep:
                yield from self._iterate(generators, index + 1, frame, depth)

    def _assign_target(self, target: ast.AST, value: Value, frame: _Frame) -> bool:
        if isinstance(target, ast.Name):
            frame.names[target.id] = value
            return True
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value.value, (list, tuple)):
            if len(target.elts) != len(value.value):
                return False
            return all(
                self._assign_target(t, Value(v, value.env), frame)
                for t, v in zip(target.elts, value.value, strict=True)
            )
        return False

    # -- names --------------------------------------------------------------------------------
    def _name(self, node: ast.Name, name: str, depth: int) -> Value:
        visible = self.module.semantic.visible(name, node)
        if visible.scope is not None:
            for frame in reversed(self._frames):
                if frame.scope is visible.scope and name in frame.names:
                    return frame.names[name]
            if visible.scope.kind == "comprehension":
                return unknown(f"comprehension variable {name!r}")
        if visible.ordered:
            value = self._visible_value(self.module, name, visible.ordered, node, depth)
            if value is not None:
                return value
        if name in _CONSTANTS:
            return Value(_CONSTANTS[name])
        if _DEBUG_NAME.search(name):
            return Value(True, debug=name)
        if visible.scope is None:
            return unknown(f"{name!r} is not bound in this module")
        return unknown(f"{name!r} is not bound here")

    def _visible_value(
        self,
        module: Module,
        name: str,
        ordered: list[Binding | StarImport],
        use: ast.AST | None,
        depth: int,
    ) -> Value | None:
        """The value(s) of the visible bindings, last first; conditional ones are alternatives."""
        evaluator = self._for(module)
        values: list[Value] = []
        stop = _start(use) if use is not None else END
        use_scope = module.semantic.scope_of(use) if use is not None else None
        for index in range(len(ordered) - 1, -1, -1):
            item = ordered[index]
            if isinstance(item, StarImport):
                other = project_module(module, item.module, item.level)
                if other is None or not provides(other, name):
                    continue
                inherited = evaluator._global(other, name, depth)
                value = evaluator._mutated(module, name, inherited, item.position, stop, depth)
                values.append(value)
                if not item.branch:
                    break
                continue
            value = evaluator._memoised(item, depth)
            # read from another scope (a function reads the module when it runs): every change
            until = stop if item.scope is use_scope else END
            value = evaluator._mutated(module, name, value, item.position, until, depth, item.scope)
            if item.conditional:
                cond = branch_condition(module, item.node)
                if cond and not value.debug:
                    value = replace(value, debug=cond)
            values.append(value)
            if index == 0 or not item.conditional:
                break
        if not values:
            return None
        values.reverse()
        return self._alternatives(values)

    def _alternatives(self, values: list[Value]) -> Value:
        if len(values) == 1:
            return values[0]
        last = values[-1]
        if all(v.known and v.value == last.value for v in values):
            return last
        # a debug-only alternative is the permissive one development gets: keep the others as the
        # value, as before, and the alternatives for whoever wants them
        return replace(last, alternatives=tuple(values))

    def global_value(self, name: str) -> Value:
        """The value `name` has when this module has finished executing (a settings module)."""
        return self._global(self.module, name, 0)

    def _global(self, module: Module, name: str, depth: int) -> Value:
        """The value `name` has at the end of a project module (a settings module)."""
        visible = module.semantic.visible(name, None)
        value = self._visible_value(module, name, visible.ordered, None, depth + 1)
        if value is None:
            return unknown(f"{name!r} is not bound in {module.display}")
        return value

    def _mutated(
        self,
        module: Module,
        name: str,
        value: Value,
        after: tuple[int, int],
        before: tuple[int, int],
        depth: int,
        scope: Scope | None = None,
    ) -> Value:
        """Apply `.append()`/`.extend()`/`X[k] = v` made in the binding's scope between the
        binding and the use."""
        scope = scope or module.semantic.module_scope
        mutations = module.semantic.mutations(scope, name, after, before)
        if not mutations:
            return value
        return self._apply(module, value, mutations, depth)

    def _apply(self, module: Module, value: Value, mutations: list[Mutation], depth: int) -> Value:
        evaluator = self._for(module)
        current = value.value
        if isinstance(current, tuple):
            return value
        if isinstance(current, list):
            current = list(current)
        elif isinstance(current, dict):
            current = dict(current)
        else:
            return value
        env, debug = value.env, value.debug
        for mutation in mutations:
            node = mutation.node
            if mutation.method == "setitem" and isinstance(node, ast.Assign):
                key_node = node.targets[0].slice  # type: ignore[attr-defined]
                key, item = evaluator.resolve(key_node, depth), evaluator.resolve(node.value, depth)
                if isinstance(current, dict) and key.known:
                    current[key.value] = item.value
                    continue
                return unknown("an item set to an unknown key")
            if not isinstance(node, ast.Call):
                continue
            args = [evaluator.resolve(a, depth) for a in node.args]
            if any(not a.known for a in args) or node.keywords:
                return unknown(f".{mutation.method}() with unknown arguments")
            cond = branch_condition(module, node)
            debug = debug or cond
            env = env or next((a.env for a in args if a.env), None)
            try:
                getattr(current, mutation.method)(*[a.value for a in args])
            except (AttributeError, TypeError, ValueError, IndexError, KeyError):
                return unknown(f".{mutation.method}() that Python would reject")
        return replace(value, value=current, env=env, debug=debug)

    def _memoised(self, binding: Binding, depth: int) -> Value:
        """A binding's value, computed once per module (not inside a comprehension or an inlined
        call, where its names mean something else)."""
        if self._frames:
            return self._binding_value(binding, depth)
        memo = self.module.semantic.values
        value = memo.get(binding)
        if value is None:
            value = memo[binding] = self._binding_value(binding, depth)
        return value

    def _binding_value(self, binding: Binding, depth: int) -> Value:
        module = self.module
        match binding.kind:
            case "assign" | "walrus" | "global-assign":
                value_node = binding.value
                if value_node is None:
                    return unknown("an annotation without a value")
                for i in binding.index:
                    if isinstance(value_node, (ast.Tuple, ast.List)) and i < len(value_node.elts):
                        value_node = value_node.elts[i]
                    else:
                        whole = self.resolve(value_node, depth)
                        try:
                            item = whole.value
                            for j in binding.index[binding.index.index(i) :]:
                                item = item[j]
                            return replace(whole, value=item, node=None)
                        except (TypeError, IndexError, KeyError):
                            return unknown("an unpacking of an unknown value")
                return self.resolve(value_node, depth)
            case "augassign":
                before = module.semantic.visible(binding.name, binding.node)
                previous = (
                    self._visible_value(module, binding.name, before.ordered, binding.node, depth)
                    if before.ordered
                    else None
                )
                if previous is None:
                    return unknown(f"{binding.name!r} += on an unknown value")
                assert binding.op is not None and binding.value is not None
                return self._binop(previous, binding.op, self.resolve(binding.value, depth))
            case "from-import":
                other = project_module(module, binding.module or "", binding.level)
                if other is not None:
                    assert binding.attr is not None
                    if binds(other, binding.attr):
                        return self._global(other, binding.attr, depth)
                    # `from . import settings`: a module of the package
                    sub = project_module(
                        module,
                        f"{binding.module}.{binding.attr}" if binding.module else binding.attr,
                        binding.level,
                    )
                    if sub is not None:
                        return Value(ModuleRef(sub))
                    return unknown(f"{binding.attr!r} is not bound in {other.display}")
                sub = project_module(
                    module,
                    f"{binding.module}.{binding.attr}" if binding.module else binding.attr or "",
                    binding.level,
                )
                if sub is not None:
                    return Value(ModuleRef(sub))
                return unknown(f"imported from {binding.module or '.' * binding.level}")
            case "import":
                other = project_module(module, binding.module or "", 0)
                if other is not None:
                    return Value(ModuleRef(other))
                return unknown(f"the module {binding.module}")
            case "parameter":
                return unknown(f"the function parameter {binding.name!r}")
            case "class":
                node = binding.node
                assert isinstance(node, ast.ClassDef)
                return Value(ClassRef(module, node, self._is_settings_class(node)))
            case "function":
                return unknown(f"the function {binding.name!r}")
            case "delete":
                return unknown(f"{binding.name!r} was deleted")
        return unknown(f"bound by {binding.kind}")

    def _is_settings_class(self, node: ast.ClassDef) -> bool:
        for base in node.bases:
            qual = self.module.qualname(base)
            if qual.endswith(_SETTINGS_BASES) or qual in _SETTINGS_BASES:
                return True
            value = self.resolve(base)
            if isinstance(value.value, ClassRef) and value.value.settings:
                return True
        return False

    # -- attributes, subscripts and calls -----------------------------------------------------
    def _attribute(self, node: ast.Attribute, depth: int) -> Value:
        qual = self.module.qualname(node)
        if qual.startswith("re.") and node.attr in _RE_FLAGS:
            return Value(_RE_FLAGS[node.attr])
        base = self.resolve(node.value, depth)
        if base.alternatives:
            # `config.X` where config is one of several objects: X of each
            members = [self._member(alt, node.attr, depth) for alt in base.alternatives]
            if all(m is not None for m in members):
                return self._alternatives([m for m in members if m is not None])
            return unknown(f"the attribute {node.attr!r} of one of several objects")
        found = self._member(base, node.attr, depth)
        if found is not None:
            return found
        if _DEBUG_NAME.search(node.attr):
            return Value(True, debug=self.module.text(node))
        return unknown(self._why(node, base), base.env)

    def _member(self, base: Value, attr: str, depth: int) -> Value | None:
        target = base.value
        if isinstance(target, ModuleRef):
            if binds(target.module, attr):
                return self._global(target.module, attr, depth)
            sub = project_module(target.module, attr, 1)
            return Value(ModuleRef(sub)) if sub is not None else None
        if isinstance(target, Instance):
            for key, value in target.overrides:
                if key == attr:
                    return value if isinstance(value, Value) else Value(value)
            return self._member(Value(target.cls), attr, depth)
        if isinstance(target, ClassRef):
            value = self._class_attribute(target, attr, depth)
            if value is not None and target.settings and value.known:
                return replace(value, env=value.env or attr, settings_field=attr)
            return value
        return None

    def _class_attribute(self, cls: ClassRef, attr: str, depth: int) -> Value | None:
        scope = cls.module.semantic.scopes.get(cls.node)
        if scope is None:
            return None
        bindings = scope.bindings.get(attr)
        if bindings:
            evaluator = self._for(cls.module)
            value = evaluator._visible_value(cls.module, attr, list(bindings), None, depth + 1)
            return value
        # inherited from a project base class
        evaluator = self._for(cls.module)
        for base in cls.node.bases:
            parent = evaluator.resolve(base, depth)
            if isinstance(parent.value, ClassRef):
                found = evaluator._class_attribute(parent.value, attr, depth + 1)
                if found is not None:
                    return found
        return None

    def _subscript(self, node: ast.Subscript, depth: int) -> Value:
        qual = self.module.qualname(node.value)
        if qual in ("os.environ", "environ"):
            key = self.resolve(node.slice, depth).value
            name = key if isinstance(key, str) else "an environment variable"
            return unknown(f"environment variable {name} (no default)", env=name)
        base = self.resolve(node.value, depth)
        key = self.resolve(node.slice, depth)
        if isinstance(base.value, dict) and not key.known and 0 < len(base.value) <= MAX_ITEMS:
            # `config_by_name[os.environ["ENV"]]`: one of the entries, the analysis cannot say
            # which
            entries = [Value(v, base.env, base.debug) for v in base.value.values()]
            return self._alternatives(entries) if len(entries) > 1 else entries[0]
        if base.known and key.known:
            try:
                if isinstance(node.slice, ast.Slice):
                    return unknown("a slice")
                item = base.value[key.value]
                return Value(item, base.env, base.debug)
            except (TypeError, KeyError, IndexError):
                pass
        if not key.known and base.known:
            return unknown(self._why(node, key), key.env)
        return unknown(self._why(node, base), base.env)

    def _call(self, node: ast.Call, depth: int) -> Value:
        func = self.module.qualname(node.func)
        short = node.func.attr if isinstance(node.func, ast.Attribute) else func.rsplit(".", 1)[-1]
        # re.compile(pattern, flags)
        if func in ("re.compile", "regex.compile"):
            pattern = self.resolve(node.args[0], depth) if node.args else unknown("no pattern")
            flags = self._flags(node, depth)
            if isinstance(pattern.value, str) and flags is not None:
                return Value(Regex(pattern.value, flags), pattern.env, pattern.debug)
            return unknown(pattern.reason or "an unknown pattern", pattern.env)
        if func == "re.escape" and len(node.args) == 1:
            text = self.resolve(node.args[0], depth)
            if isinstance(text.value, str):
                return Value(re.escape(text.value), text.env, text.debug)
            return unknown(text.reason or "an unknown string", text.env)
        if func == "getattr" and len(node.args) in (2, 3):
            return self._getattr(node, depth)
        # environment lookups
        if self._is_env_call(node, func):
            return self._env_value(node, depth, short)
        if isinstance(node.func, ast.Attribute) and short in _STR_METHODS:
            base = self.resolve(node.func.value, depth)
            if isinstance(base.value, str):
                args = [self.resolve(a, depth) for a in node.args]
                if node.keywords or any(not a.known for a in args):
                    return unknown("a string method with unknown arguments", base.env, base.debug)
                try:
                    result = getattr(base.value, short)(*[a.value for a in args])
                except (TypeError, ValueError, IndexError, KeyError):
                    return unknown(f".{short}() that Python would reject")
                env = base.env or next((a.env for a in args if a.env), None)
                return Value(result, env, base.debug)
            return unknown(base.reason or f".{short}() on an unknown value", base.env, base.debug)
        if isinstance(node.func, ast.Attribute) and short in ("copy", "get"):
            base = self.resolve(node.func.value, depth)
            if short == "copy" and isinstance(base.value, (list, dict)):
                return replace(base, node=None)
            if short == "get" and isinstance(base.value, dict) and node.args:
                key = self.resolve(node.args[0], depth)
                default = self.resolve(node.args[1], depth) if len(node.args) > 1 else Value(None)
                if key.known:
                    if key.value in base.value:
                        return Value(base.value[key.value], base.env, base.debug)
                    return default
            if short == "get" and not base.known and len(node.args) == 2:
                # `config.get("CORS_ORIGINS", ["*"])` on a configuration read at run time: the
                # default is what runs when the configuration does not set the key (CORS301)
                key = self.resolve(node.args[0], depth)
                target = self.module.text(node.func.value)
                if isinstance(key.value, str) and _CONFIG_NAME.search(target.split("[")[0]):
                    default = self.resolve(node.args[1], depth)
                    if default.known:
                        return replace(default, env=default.env or f"{target}[{key.value!r}]")
                    return default
        if isinstance(node.func, ast.Name) and func in (
            "list", "tuple", "set", "frozenset", "str", "bool", "sorted", "dict", "int",
        ):  # fmt: skip
            return self._builtin(node, short, depth)
        if func in _FIELDS:
            return self._field_default(node, depth)
        if isinstance(node.func, ast.Name):
            inlined = self._inline(node, depth)
            if inlined is not None:
                return inlined
        callee = self.resolve(node.func, depth) if isinstance(node.func, ast.Name) else None
        if callee is not None and isinstance(callee.value, ClassRef):
            overrides = []
            for kw in node.keywords:
                if kw.arg is not None:
                    overrides.append((kw.arg, self.resolve(kw.value, depth)))
            return Value(Instance(callee.value, tuple(overrides)))
        return unknown(f"the result of {func or self.module.text(node.func)}()")

    def _why(self, node: ast.AST, part: Value) -> str:
        """Why `node` is unknown, from the unknown part it reads: an environment variable is
        said as it is; anything else with the expression it reaches."""
        if part.env is not None and part.reason:
            return part.reason
        text = self.module.text(node)
        if len(text) > 60:
            text = text[:57] + "..."
        return f"{text}: {part.reason}" if part.reason else f"{text} cannot be known statically"

    def _field_default(self, node: ast.Call, depth: int) -> Value:
        """`Field(default=…)`, `Field(…)`, `field(default_factory=…)`: a settings field's default."""
        for kw in node.keywords:
            if kw.arg == "default":
                return self.resolve(kw.value, depth)
            if kw.arg == "default_factory":
                factory = kw.value
                if isinstance(factory, ast.Lambda):
                    return self.resolve(factory.body, depth)
                if isinstance(factory, ast.Name) and factory.id in ("list", "dict", "set", "tuple"):
                    return Value(
                        {"list": [], "dict": {}, "set": SetList(), "tuple": ()}[factory.id]
                    )
                return unknown("a default_factory")
        if node.args and not (
            isinstance(node.args[0], ast.Constant) and node.args[0].value is Ellipsis
        ):
            return self.resolve(node.args[0], depth)
        return unknown("a required field (no default)")

    def _inline(self, node: ast.Call, depth: int) -> Value | None:
        """A call of a project function whose body is one `return <expr>` (a settings getter
        `get_settings()`, a helper `get_list(os.environ.get("X", "*"))`): the expression, with
        the parameters bound to the arguments. None when the callee is anything else."""
        assert isinstance(node.func, ast.Name)
        found = self.binding(node.func.id, node)
        if found is None:
            return None
        binding, owner = found
        function = binding.node
        if binding.kind != "function" or not isinstance(function, ast.FunctionDef):
            return None
        if sum(1 for f in self._frames if isinstance(f.scope.node, ast.FunctionDef)) >= MAX_INLINE:
            return None
        if any(f.scope.node is function for f in self._frames):
            return None  # recursion
        for decorator in function.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if owner.qualname(target) not in _CACHES:
                return None
        body = [
            stmt
            for stmt in function.body
            if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
        ]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            return None
        scope = owner.semantic.scopes.get(function)
        if scope is None:
            return None
        names = self._parameters(function.args, node, owner, depth)
        if names is None:
            return None
        frame = _Frame(scope, names)
        evaluator = self._for(owner)
        evaluator._frames.append(frame)
        try:
            return evaluator.resolve(body[0].value, depth)
        finally:
            evaluator._frames.pop()

    def _parameters(
        self, args: ast.arguments, call: ast.Call, owner: Module, depth: int
    ) -> dict[str, Value] | None:
        """The values of a function's parameters for one call (None: `*args`/`**kw` involved)."""
        if args.vararg or args.kwarg or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        if any(kw.arg is None for kw in call.keywords):
            return None
        positional = [*args.posonlyargs, *args.args]
        if len(call.args) > len(positional):
            return None
        names: dict[str, Value] = {}
        for param, arg in zip(positional, call.args, strict=False):
            names[param.arg] = self.resolve(arg, depth)
        for kw in call.keywords:
            names[kw.arg] = self.resolve(kw.value, depth)  # type: ignore[index]
        defaults = dict(
            zip(
                [a.arg for a in positional[len(positional) - len(args.defaults) :]],
                args.defaults,
                strict=True,
            )
        )
        defaults.update(
            {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d}
        )
        default_evaluator = self._for(owner)
        for param in [*positional, *args.kwonlyargs]:
            if param.arg not in names:
                if param.arg not in defaults:
                    return None  # a TypeError in Python
                names[param.arg] = default_evaluator.resolve(defaults[param.arg], depth)
        return names

    def _builtin(self, node: ast.Call, short: str, depth: int) -> Value:
        if short == "dict":
            out: dict[Any, Any] = {}
            if node.args:
                inner = self.resolve(node.args[0], depth)
                if not isinstance(inner.value, dict):
                    return unknown(inner.reason or "dict() of an unknown value")
                out.update(inner.value)
            for kw in node.keywords:
                item = self.resolve(kw.value, depth)
                if kw.arg is None:
                    if not isinstance(item.value, dict):
                        return unknown(item.reason or "an unknown ** mapping")
                    out.update(item.value)
                else:
                    out[kw.arg] = item.value
            return Value(out)
        if not node.args:
            empty = {"list": [], "tuple": (), "str": "", "bool": False}
            if short in ("set", "frozenset"):
                return Value(SetList())
            return Value(empty[short]) if short in empty else unknown(f"{short}()")
        inner = self.resolve(node.args[0], depth)
        if not inner.known:
            return inner
        try:
            if short == "bool":
                return replace(inner, value=bool(inner.value), node=None)
            if short == "str":
                return replace(inner, value=str(inner.value), node=None)
            if short == "int":
                return replace(inner, value=int(inner.value), node=None)
            if short == "sorted":
                return replace(inner, value=sorted(inner.value), node=None)
            if isinstance(inner.value, dict):
                keys = list(inner.value)
                return replace(inner, value=tuple(keys) if short == "tuple" else keys, node=None)
            if short == "tuple":
                return replace(inner, value=tuple(inner.value), node=None)
            if short in ("set", "frozenset"):
                return replace(inner, value=_as_set(inner.value), node=None)
            return replace(inner, value=list(inner.value), node=None)
        except (TypeError, ValueError):
            return unknown(f"{short}() of a value Python would reject")

    def _getattr(self, node: ast.Call, depth: int) -> Value:
        """`getattr(config, "X", default)`: the module's X, else the default (CORS301 when the
        configuration is not in the project: the default applies when it does not set X)."""
        base = self.resolve(node.args[0], depth)
        attr = self.resolve(node.args[1], depth)
        if not isinstance(attr.value, str):
            return unknown("getattr() of an unknown attribute")
        found = self._member(base, attr.value, depth)
        if found is not None and found.known:
            return found
        if len(node.args) == 3:
            default = self.resolve(node.args[2], depth)
            if default.known:
                what = f"{self.module.text(node.args[0])}.{attr.value}"
                return replace(default, env=default.env or what)
            return default
        return unknown(base.reason or f"the attribute {attr.value!r}")

    def _flags(self, node: ast.Call, depth: int) -> int | None:
        flag_node = (
            node.args[1]
            if len(node.args) > 1
            else next((k.value for k in node.keywords if k.arg == "flags"), None)
        )
        if flag_node is None:
            return 0
        value = self.resolve(flag_node, depth).value
        return value if isinstance(value, int) else None

    def _is_env_call(self, node: ast.Call, func: str) -> bool:
        if func in _ENV_FUNCS or func.endswith(("environ.get", ".getenv")):
            return True
        # django-environ: env = environ.Env(); env("X", default=...), env.list(...) — also when
        # `env` is imported from the settings module that made it (`from .base import env`)
        target = node.func.value if isinstance(node.func, ast.Attribute) else node.func
        if isinstance(target, ast.Name):
            made = self._maker(target)
            if made in ("environ.Env", "Env", "decouple.AutoConfig", "decouple.Config"):
                return True
        return False

    def _maker(self, name: ast.Name) -> str:
        """The callee that made the object bound to `name` (`environ.Env` for `env = environ.Env()`)."""
        module, node = self.module, name
        visible = module.semantic.visible(name.id, name)
        for _ in range(MAX_DEPTH):
            binding = next((b for b in reversed(visible.bindings)), None)
            if binding is None:
                for star in reversed(visible.stars):
                    other = project_module(module, star.module, star.level)
                    if other is not None and provides(other, node.id):
                        module = other
                        visible = other.semantic.visible(node.id, None)
                        break
                else:
                    return ""
                continue
            if binding.kind == "assign" and isinstance(binding.value, ast.Call):
                return module.qualname(binding.value.func)
            if binding.kind == "from-import" and binding.attr is not None:
                other = project_module(module, binding.module or "", binding.level)
                if other is None:
                    return ""
                module = other
                visible = other.semantic.visible(binding.attr, None)
                node = ast.Name(id=binding.attr)
                continue
            return ""
        return ""

    def _env_value(self, node: ast.Call, depth: int, short: str) -> Value:
        name_value = self.resolve(node.args[0], depth).value if node.args else None
        name = name_value if isinstance(name_value, str) else "an environment variable"
        default_node = node.args[1] if len(node.args) > 1 else None
        cast = None
        for kw in node.keywords:
            if kw.arg == "default":
                default_node = kw.value
            elif kw.arg == "cast":
                cast = kw.value
        if default_node is None:
            return unknown(f"environment variable {name} (no default)", env=name)
        default = self.resolve(default_node, depth)
        value = default.value
        cast_name = self.module.qualname(cast) if cast is not None else ""
        if isinstance(cast, ast.Call):
            cast_name = self.module.qualname(cast.func)
        if isinstance(value, str) and cast_name in ("int", "float"):
            try:
                value = int(value) if cast_name == "int" else float(value)
            except ValueError:
                return unknown(f"a default {cast_name}() would reject", env=name)
        elif isinstance(value, str):
            if short in ("list", "tuple") or cast_name.endswith(("Csv", "list")):
                value = [v.strip() for v in value.split(",") if v.strip()]
            elif short == "bool" or cast_name.endswith("bool"):
                value = value.strip().lower() in ("1", "true", "yes", "on")
        if value is UNKNOWN:
            return unknown(default.reason or "an unknown default", env=name)
        return Value(value, env=name, debug=default.debug)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
