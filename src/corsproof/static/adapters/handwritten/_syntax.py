"""Small questions about Python syntax the analysis asks everywhere: whether a block leaves
(`return`, `raise`, `abort()`), the blocks of a statement, the names a target binds, a key as
written (`key.lower()`), a value's text on one line, and how a test file is named."""

from __future__ import annotations

import ast
from typing import Any

from corsproof.static._module import Module
from corsproof.static.adapters.handwritten._records import Function


def negated_text(module: Module, test: ast.expr) -> str:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return module.text(test.operand)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        flipped = {
            ast.NotIn: "in",
            ast.In: "not in",
            ast.NotEq: "==",
            ast.Eq: "!=",
            ast.IsNot: "is",
            ast.Is: "is not",
        }
        op = flipped.get(type(test.ops[0]))
        if op:
            return f"{module.text(test.left)} {op} {module.text(test.comparators[0])}"
    return f"not ({module.text(test)})"


def exits(block: list[ast.stmt]) -> bool:
    if not block:
        return False
    last = block[-1]
    if isinstance(last, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return True
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        func = last.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in ("abort", "exit")
    if isinstance(last, ast.If):
        return exits(last.body) and exits(last.orelse)
    if isinstance(last, (ast.With, ast.AsyncWith)):
        return exits(last.body)
    return False


def contains_exit(stmt: ast.stmt) -> bool:
    """`stmt` may leave the block it is in (`break`/`continue` of a loop inside it do not)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False
    stack: list[tuple[ast.AST, bool]] = [(stmt, False)]
    while stack:
        node, in_loop = stack.pop()
        if isinstance(node, (ast.Return, ast.Raise)):
            return True
        if isinstance(node, (ast.Continue, ast.Break)) and not in_loop:
            return True
        if isinstance(node, ast.Call) and getattr(
            node.func, "id", getattr(node.func, "attr", "")
        ) in ("abort", "exit"):
            return True
        loop = in_loop or isinstance(node, (ast.For, ast.AsyncFor, ast.While))
        for child in ast.iter_child_nodes(node):
            if not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
            ):
                stack.append((child, loop))
    return False


def blocks(node: ast.AST) -> list[list[ast.stmt]]:
    out = [
        getattr(node, name)
        for name in ("body", "orelse", "finalbody")
        if isinstance(getattr(node, name, None), list)
    ]
    out.extend(handler.body for handler in getattr(node, "handlers", []))
    return out


def statements_before(parent: ast.AST, child: ast.AST) -> list[ast.stmt]:
    """The statements before `child` in the block of `parent` that holds it (none when `child`
    is not in a block of `parent`: a test, an iterable)."""
    for block in blocks(parent):
        index = next((i for i, s in enumerate(block) if s is child), None)
        if index is not None:
            return block[:index]
    return []


def target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in target_names(elt)]
    return []


def decode(value: Any) -> Any:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def one_line(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unwrap_key(node: ast.expr) -> ast.expr:
    """`key` of `key.lower()`, `key.decode()`, `key.decode("latin1").lower()`…"""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("lower", "decode", "strip", "casefold")
    ):
        node = node.func.value
    return node


def is_static(function: Function) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)


def is_test_file(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
