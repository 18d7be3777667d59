"""An origin sent back without `Vary: Origin` (CORS202) -> `Vary: Origin` on every response of
that code path (safe: what is granted does not change; caches stop serving one origin's answer to
another)."""

from __future__ import annotations

import libcst as cst

from corsproof.findings import Finding
from corsproof.fix._model import SAFE, Edit, Fix
from corsproof.fix._registry import FixContext, fixer
from corsproof.fix._source import SourceFile

_VARY_OFF = {"flask-cors", "sanic-cors"}  # `vary_header=False` turns the library's Vary off


@fixer("CORS202", libraries=tuple(_VARY_OFF), applicability=SAFE)
def vary_header_on(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """`vary_header=False` -> removed (the library then sends `Vary: Origin` itself)."""
    node = source.expression_at(finding.location)
    argument = source.parents.get(node) if node is not None else None
    if not (
        isinstance(argument, cst.Arg)
        and argument.keyword is not None
        and argument.keyword.value == "vary_header"
    ):
        return None
    call = source.parents.get(argument)
    if not isinstance(call, cst.Call):
        return None
    kept = [a for a in call.args if a is not argument]
    if kept:
        last = kept[-1]
        kept[-1] = last.with_changes(
            comma=call.args[-1].comma
            if call.args[-1] is not argument
            else cst.MaybeSentinel.DEFAULT
        )
    replacement = source.code(call.with_changes(args=kept))
    return Fix(
        SAFE,
        "drop vary_header=False: the library sends Vary: Origin",
        (source.replace(call, replacement),),
    )


@fixer("CORS202", libraries=("handwritten",), applicability=SAFE)
def vary_origin(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """`headers["Access-Control-Allow-Origin"] = origin` under a check -> `Vary: Origin` added
    to the headers before the check (kept with any other Vary values), so refused answers carry
    it too."""
    loc = finding.location
    if loc is None:
        return None
    for node in source.nodes_at(loc.line, loc.column, loc.end_line, loc.end_column):
        statement = node
        while statement is not None and not isinstance(statement, cst.SimpleStatementLine):
            statement = source.parents.get(statement)
        if statement is None or len(statement.body) != 1:
            continue
        vary = _vary_code(source, statement.body[0])
        if vary is None:
            return None
        anchor = statement
        parent = source.parents.get(statement)
        while parent is not None and not isinstance(parent, cst.If | cst.FunctionDef):
            parent = source.parents.get(parent)
        if isinstance(parent, cst.If):
            anchor = parent
        line, column, _, _ = source.span(anchor)
        indent = source.lines[line - 1][: column - 1]
        if indent.strip():
            return None
        edit = Edit(source.path, line, column, line, column, f"{vary}{source.newline}{indent}")
        return Fix(SAFE, "send Vary: Origin with every answer of this code path", (edit,))
    return None


def _vary_code(source: SourceFile, small: cst.BaseSmallStatement) -> str | None:
    """The statement that adds `Origin` to Vary on the headers the sink writes to."""
    if (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Subscript)
    ):
        headers = source.code(small.targets[0].target.value)
        return f'{headers}["Vary"] = ", ".join(v for v in ({headers}.get("Vary"), "Origin") if v)'
    if (
        isinstance(small, cst.Expr)
        and isinstance(small.value, cst.Call)
        and isinstance(small.value.func, cst.Attribute)
        and small.value.func.attr.value == "append"
    ):
        return f'{source.code(small.value.func.value)}.append(("Vary", "Origin"))'
    return None
