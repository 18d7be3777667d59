"""How the evaluator computes operators (arithmetic, `|`, `%`, comparisons), containers and
comprehensions on known operands, as Python would."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from corsproof.static.semantic._values import (
    MAX_ITEMS,
    UNKNOWN,
    Frame,
    Value,
    as_set,
    unknown,
)

if TYPE_CHECKING:
    from corsproof.static._module import Module

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


class Operators:
    """Part of `Evaluator`: operators, containers and comprehensions."""

    module: Module
    _frames: list[Frame]

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
            return Value(as_set(out), env, debug)
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
        frame = Frame(scope)
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
            return Value(as_set(results), env, debug)
        return Value(results, env, debug)

    def _iterate(
        self, generators: list[ast.comprehension], index: int, frame: Frame, depth: int
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

    def _assign_target(self, target: ast.AST, value: Value, frame: Frame) -> bool:
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


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
