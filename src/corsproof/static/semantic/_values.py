"""The values the evaluator computes: `Value` (a value with its provenance), `UNKNOWN`, the
objects of the project it can stand for (`ModuleRef`, `ClassRef`, `Instance`, `Regex`, `SetList`),
the `Frame` of names a comprehension or an inlined call binds, and the evaluator's bounds."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from corsproof.static.semantic._scopes import Scope

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


def as_set(items: Any) -> list[Any]:
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


MAX_STEPS = 20_000  # expressions evaluated for one question (a branchy file stays bounded)
MAX_INLINE = 3  # nested calls of project functions evaluated through
MAX_DEPTH = 40
MAX_ITEMS = 1000  # comprehensions and repetitions over more items are not evaluated


@dataclass
class Frame:
    """Names bound by the comprehension (or the inlined call) being evaluated."""

    scope: Scope
    names: dict[str, Value] = field(default_factory=dict)
    env: str | None = None  # an iterable came from the environment (its default)
    debug: str | None = None
