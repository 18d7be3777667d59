"""The value evaluator: what an expression evaluates to, the way Python would, without running it.

Built on the semantic model (scopes, bindings, positions, imports). `Evaluator` is the entry
point (`resolve`), made of its parts: names (`_names`), attributes and subscripts (`_members`),
calls (`_calls`), environment lookups (`_environment`), operators and containers (`_operators`);
the values are in `_values`, the debug and environment conditions in `_conditions`. Every result
is a `Value` with its provenance:
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
from dataclasses import replace
from typing import TYPE_CHECKING

from corsproof.static.semantic._calls import Calls
from corsproof.static.semantic._conditions import branch_condition, guards, is_debug_expr
from corsproof.static.semantic._environment import Environment
from corsproof.static.semantic._members import Members
from corsproof.static.semantic._names import Names
from corsproof.static.semantic._operators import Operators
from corsproof.static.semantic._values import (
    MAX_DEPTH,
    MAX_STEPS,
    UNKNOWN,
    ClassRef,
    Frame,
    Instance,
    ModuleRef,
    Provenance,
    Regex,
    SetList,
    Value,
    unknown,
)

if TYPE_CHECKING:
    from corsproof.static._module import Module

__all__ = [
    "UNKNOWN",
    "ClassRef",
    "Evaluator",
    "Instance",
    "ModuleRef",
    "Provenance",
    "Regex",
    "SetList",
    "Value",
    "branch_condition",
    "env_condition",
    "is_debug_expr",
    "unknown",
]


def env_condition(module: Module, node: ast.AST) -> str | None:
    """The environment variable whose *absence* makes `node` run: `node` is in the `else` of
    `if os.environ.get("X"):` / `if origins:` (origins read from X), or under `if not …`."""
    evaluator = Evaluator(module)
    for _test, inner, negated, in_body in guards(module, node):
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


class Evaluator(Names, Members, Calls, Environment, Operators):
    """Evaluates expressions of one module (and, through imports, of the project's modules)."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self._frames: list[Frame] = []

    def _for(self, module: Module) -> Evaluator:
        return self if module is self.module else Evaluator(module)

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
