"""The records of a module's scopes: `Scope`, the `Binding`s, star imports and in-place
`Mutation`s made in it, what a use of a name may see (`Visible`), and source positions."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from corsproof.static.semantic._model import SemanticModel

ScopeKind = Literal["module", "class", "function", "lambda", "comprehension"]
BindingKind = Literal[
    "import",  # import a.b / import a.b as c
    "from-import",  # from m import x [as y]
    "assign",  # x = v, x: T = v, (x, y) = (a, b)
    "augassign",  # x += v
    "parameter",
    "function",
    "class",
    "loop",  # for x in v / comprehension target
    "with",  # with v as x
    "except",  # except E as x
    "walrus",  # (x := v)
    "match",  # case ... as x / case [x, *rest]
    "delete",  # del x
    "global-assign",  # any binding made in a function of a name declared `global`
    "unpack",  # a target of an unpacking whose element cannot be paired with an expression
]
Position = tuple[int, int]
# a branch path: the (control statement, arm) pairs from a scope down to a node, outermost first;
# arm is the index of the block (0: body/first case, 1: orelse/second case, ...)
Branch = tuple[tuple[ast.AST, int], ...]
END: Position = (1 << 30, 0)


@dataclass(eq=False)
class Scope:
    kind: ScopeKind
    node: ast.AST
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    # module scope only: `from m import *` (module, level, position, branch), in order
    stars: list[StarImport] = field(default_factory=list)
    # in-place changes of a bound object: `X.append(v)`, `X.extend(v)`, `X["k"] = v`, `X.update()`
    mutations: dict[str, list[Mutation]] = field(default_factory=dict)

    def add(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)

    @property
    def is_function(self) -> bool:
        return self.kind in ("function", "lambda")


@dataclass(eq=False)
class Binding:
    name: str
    kind: BindingKind
    node: ast.AST  # the node that binds (the Name target, the alias, the def…)
    scope: Scope
    position: Position  # bindings are visible to uses at or after this position
    # the control statements around it (computed when first asked: most bindings never are);
    # `outer`: made in a nested function for this scope (`global`/`nonlocal`)
    model: SemanticModel | None = None
    outer: ast.AST | None = None
    value: ast.expr | None = None  # the expression bound (for assign/walrus/augassign/with/loop)
    module: str | None = None  # imports: the module as written (`a.b`, `.base` is "base", level 1)
    attr: str | None = None  # from-import: the imported name
    level: int = 0
    op: ast.operator | None = None  # augassign: the operator
    # assign from an unpacking of a known shape: the index path into the value (`a, (b, c) = v`)
    index: tuple[int, ...] = ()

    @cached_property
    def branch(self) -> Branch:
        assert self.model is not None
        branch = self.model.branch_of(self.node)
        if self.outer is not None:
            # made when a function runs: may or may not have happened
            branch = ((self.outer, 0), *branch)
        return branch

    @property
    def conditional(self) -> bool:
        return self.outer is not None or bool(self.branch)


@dataclass(eq=False)
class StarImport:
    module: str
    level: int
    node: ast.ImportFrom
    position: Position
    branch: Branch


@dataclass(eq=False)
class Mutation:
    name: str
    method: str  # append, extend, insert, update, setitem, remove, discard, add, clear, pop…
    node: ast.AST  # the call (or the assignment, for setitem)
    position: Position
    branch: Branch


MUTATORS = frozenset(
    {"append", "extend", "insert", "remove", "discard", "add", "update", "clear", "pop",
     "setdefault", "sort", "reverse"}
)  # fmt: skip


def end_of(node: ast.AST) -> Position:
    return (getattr(node, "end_lineno", None) or 0, getattr(node, "end_col_offset", None) or 0)


def start_of(node: ast.AST) -> Position:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


@dataclass
class Visible:
    """What a use of a name may see: bindings (source order, the first one surely ran unless it
    is conditional too) and, at module level, star imports that may provide it."""

    bindings: list[Binding]
    stars: list[StarImport]
    scope: Scope | None  # None: bound nowhere in the module (a builtin, or undefined)
    ordered: list[Binding | StarImport] = field(default_factory=list)
