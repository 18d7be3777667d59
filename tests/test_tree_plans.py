"""The node-field plans of `static/semantic/_tree.py` are a table made at import from the AST
classes' signatures; they must read every node as reading the node itself would."""

from __future__ import annotations

import ast
from pathlib import Path

from corsproof.static.semantic import _tree

HERE = Path(__file__).parent


def test_the_plan_table_reads_every_node_class_the_parser_makes() -> None:
    seen: set[type] = set()
    for path in sorted(HERE.rglob("*.py")):
        try:
            tree = ast.parse(path.read_bytes())
        except SyntaxError:
            continue  # the bad-input fixtures
        for node in ast.walk(tree):
            kind = node.__class__
            if kind in seen:
                continue
            seen.add(kind)
            assert _tree._PLANS.get(kind) == _tree._plan(node), kind.__name__
    assert len(seen) > 80  # the suite's sources use most of the grammar


def test_the_index_walk_finds_every_node() -> None:
    source = (HERE / "test_tree_plans.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    indexed = sum(len(nodes) for nodes in _tree.index(tree).values())
    # the shared `Load()`, `Add()`… singletons are not walked: they say nothing of the module
    singletons = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
    assert indexed == sum(1 for node in ast.walk(tree) if not isinstance(node, singletons))
