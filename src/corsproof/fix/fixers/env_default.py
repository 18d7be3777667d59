"""An environment variable whose default trusts every origin -> an empty default (safe: the
deployments that set the variable keep their origins; one that forgot it fails closed)."""

from __future__ import annotations

import libcst as cst

from corsproof.findings import Finding
from corsproof.fix._model import SAFE, Fix
from corsproof.fix._registry import FixContext, fixer, is_wildcard
from corsproof.fix._source import SourceFile

_GETTERS = ("getenv", "get", "env", "str", "list")


@fixer("CORS301", applicability=SAFE)
def empty_default(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """`os.getenv("ORIGINS", "*")` -> `os.getenv("ORIGINS", "")`: no origin when unset."""
    loc = finding.location
    if loc is None:
        return None
    edits = []
    for node, where in source.positions.items():
        if not isinstance(node, cst.Call) or not (
            (where.start.line, where.start.column + 1) >= (loc.line, loc.column)
            and (where.end.line, where.end.column + 1) <= (loc.end_line, loc.end_column)
        ):
            continue
        name = (
            node.func.attr.value
            if isinstance(node.func, cst.Attribute)
            else (node.func.value if isinstance(node.func, cst.Name) else "")
        )
        if name not in _GETTERS:
            continue
        for index, arg in enumerate(node.args):
            default = (
                arg.keyword is None
                and index == 1
                or (arg.keyword is not None and arg.keyword.value == "default")
            )
            if default and is_wildcard(arg.value):
                empty = '""' if isinstance(arg.value, cst.SimpleString) else "[]"
                split = _split_of(source, node)
                if split is None or empty != '""':
                    edits.append(source.replace(arg.value, empty))
                    continue
                # `"".split(",")` is `[""]`, an entry some libraries read as `null`'s origin
                # (django-cors-headers compares scheme and host): keep no empty entry
                getter = node.with_changes(
                    args=[
                        a.with_changes(value=cst.SimpleString('""')) if a is arg else a
                        for a in node.args
                    ]
                )
                assert isinstance(split.func, cst.Attribute)
                fixed = split.with_changes(func=split.func.with_changes(value=getter))
                edits.append(source.replace(split, f"[o for o in {source.code(fixed)} if o]"))
    if not edits:
        return None
    return Fix(SAFE, "fail closed: default to no origin when the variable is unset", tuple(edits))


def _split_of(source: SourceFile, getter: cst.Call) -> cst.Call | None:
    """The `getter(...).split(...)` call around a getter, if that is how its value is read."""
    attribute = source.parents.get(getter)
    if not (
        isinstance(attribute, cst.Attribute)
        and attribute.value is getter
        and attribute.attr.value == "split"
    ):
        return None
    call = source.parents.get(attribute)
    return call if isinstance(call, cst.Call) and call.func is attribute else None
