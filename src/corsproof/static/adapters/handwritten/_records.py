"""The records the parts of the hand-written header analysis hand each other: the header names,
a header set on a response (`HeaderSet`), the guards of one and what they translate to (`Guard`,
`Guarded`, `Translated`, `Mode`), the values `Access-Control-Allow-Origin` takes (`Branch`), what
a name is bound to (`Bound`), and the facts met while translating (`Scratch`)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import NamedTuple

from corsproof.findings import Location
from corsproof.policy import Fallback
from corsproof.static.adapters.handwritten._predicates import Node

Function = ast.FunctionDef | ast.AsyncFunctionDef

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
ACAM = "access-control-allow-methods"
ACAH = "access-control-allow-headers"
ACEH = "access-control-expose-headers"
ACAPN = "access-control-allow-private-network"
VARY = "vary"


@dataclass
class HeaderSet:
    """One header set on a response."""

    name: str  # lower-case header name
    value: ast.expr | None
    at: ast.AST  # reported location
    guards: tuple[ast.AST, ...]  # nodes whose enclosing conditions decide whether it is set
    function: Function | None
    target: str = ""  # the header collection, as written (`response.headers`)
    replaces: bool = False  # overwrites earlier sets of the same header on `target`


@dataclass
class Guard:
    test: ast.expr
    positive: bool
    kind: str  # "if" | "exit" | "value"
    loop: ast.For | ast.AsyncFor | None = None


@dataclass
class Branch:
    """One value `Access-Control-Allow-Origin` can take."""

    kind: str  # "echo" | "star" | "const"
    value: str = ""
    guard_nodes: tuple[ast.AST, ...] = ()
    conds: tuple[tuple[ast.expr, bool], ...] = ()
    notes: tuple[tuple[str, str], ...] = ()  # ("env", name) / ("debug", condition)


class Unresolved(NamedTuple):
    """An origin check the analysis cannot evaluate, and why: listed, never a finding."""

    node: ast.AST
    reason: str


@dataclass
class Guarded:
    predicate: Node  # may contain ("free", key, debug, text, flag) atoms
    describe: str
    notes: list[tuple[str, str]] = field(default_factory=list)
    unresolved: Unresolved | None = None


@dataclass
class CommonHeaders:
    """The other CORS headers of one function."""

    any_method: Location | None = None
    any_header: Location | None = None
    expose: tuple[str, ...] = ()
    expose_loc: Location | None = None
    private_network: Location | None = None

    def __bool__(self) -> bool:
        return any((self.any_method, self.any_header, self.expose_loc, self.private_network))


@dataclass
class Scratch:
    """What translating guards meets on the way, shared by the parts that translate them and
    started afresh for each guarded header: env/debug facts of the values read (`notes`) and the
    origin checks that cannot be evaluated (`pending`)."""

    notes: list[tuple[str, str]] = field(default_factory=list)
    pending: list[Unresolved] = field(default_factory=list)


class Bound(NamedTuple):
    """What a name is bound to, and how: "local" | "module" (its value), "default" (a
    parameter's default), "param" (a parameter the caller passes), "origin-param" (the Origin)."""

    expr: ast.expr
    kind: str


class Method(NamedTuple):
    """A class and the method of it that a function is, or is nested in."""

    cls: ast.ClassDef
    function: Function


class Pattern(NamedTuple):
    """A regular expression: its pattern and its `re` flags."""

    pattern: str
    flags: int


class HelperTest(NamedTuple):
    """A helper `if test: return True / return False` inlined: the test, and whether it holds
    when the helper returns true."""

    test: ast.expr
    positive: bool


class Inlined(NamedTuple):
    """One level of a helper of the module: its parameters bound to the arguments, and what it
    returns (an expression, or the test of an `if` returning constants)."""

    env: dict[str, Node | None]
    result: ast.expr | HelperTest


class Flips(NamedTuple):
    """A local flag set to a constant and flipped further on: its first value, the flips."""

    first: bool
    statements: list[ast.AST]


class Translated(NamedTuple):
    """Guards as one predicate, and the texts of those that involve the origin."""

    predicate: Node
    texts: list[str]


class Mode(NamedTuple):
    """The predicate in one mode (production, debug), with its fallback."""

    predicate: Node
    fallback: Fallback | None
