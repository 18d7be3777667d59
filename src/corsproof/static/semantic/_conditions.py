"""The conditions code runs under, read from the `if`s and conditional expressions around it: a
debug/development condition (`is_debug_expr`, `branch_condition`) and the guards themselves
(`guards`, which `env_condition` reads for an environment variable's absence)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corsproof.static._module import Module

DEBUG_NAME = re.compile(r"(^|[._])(DEBUG|debug|DEVELOPMENT|is_dev|IS_DEV|DEV|LOCAL|TESTING)$")


def is_debug_expr(module: Module, node: ast.AST) -> str | None:
    """The text of a debug/development condition (`DEBUG`, `settings.DEBUG`, `app.debug`,
    `os.environ.get("ENV") == "development"`), or None."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and DEBUG_NAME.search(sub.id):
            return module.text(node)
        if isinstance(sub, ast.Attribute) and DEBUG_NAME.search(sub.attr):
            return module.text(node)
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            if sub.value.lower() in ("development", "dev", "local", "debug", "test", "testing"):
                return module.text(node)
    return None


_PRODUCTION_NAME = re.compile(r"(?i)(^|[._])(prod|production|is_prod|is_production|live)$")
_PRODUCTION_WORDS = ("prod", "production", "live")


def guards(module: Module, node: ast.AST) -> Iterator[tuple[ast.expr, ast.expr, bool, bool]]:
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
    for test, inner, negated, in_body in guards(module, node):
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
