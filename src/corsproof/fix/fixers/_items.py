"""Editing the items of a literal list, tuple, set, dict or call (remove, append, insert, a
one-element list) so that commas, line breaks and comments around them stay right: what the
fixers that rewrite origin lists share."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from corsproof.fix._model import Edit
from corsproof.fix._source import SourceFile

Item = cst.Arg | cst.BaseElement | cst.BaseDictElement


def _alone_on_lines(source: SourceFile, item: Item) -> bool:
    """The item (with its comma) has its lines to itself, but for a comment."""
    line, column, end_line, end_column = source.span(item)
    if source.lines[line - 1][: column - 1].strip():
        return False
    comma = getattr(item, "comma", None)
    if isinstance(comma, cst.Comma):
        comma_line, _, _, after = source.span(comma)
        if comma_line != end_line:
            return False
        rest = source.lines[end_line - 1][after - 1 :]
    else:
        rest = source.lines[end_line - 1][end_column - 1 :]
    return not rest.strip() or rest.strip().startswith("#")


def remove_items(
    source: SourceFile, container: cst.CSTNode, items: Sequence[Item], indices: set[int]
) -> list[Edit] | None:
    """Edits that delete the items at `indices` (with their commas; whole lines when they have
    their lines to themselves) from a comma-separated sequence; None when nothing would be left.
    A tuple left with one item keeps its comma."""
    keep = [i for i in range(len(items)) if i not in indices]
    if not keep or not indices:
        return None
    runs: list[list[int]] = []
    for index in sorted(indices):
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    edits = []
    kept_comma = isinstance(items[keep[-1]].comma, cst.Comma)
    for run in runs:
        first, last = run[0], run[-1]
        tail = last == len(items) - 1
        if all(_alone_on_lines(source, items[i]) for i in run):
            line = source.span(items[first])[0]
            end_line = source.span(items[last])[2]
            edits.append(Edit(source.path, line, 1, end_line + 1, 1, ""))
        elif not tail:
            start = source.span(items[first])[:2]
            following = source.span(items[last + 1])[:2]
            edits.append(Edit(source.path, *start, *following, ""))
        else:
            before = source.span(items[first - 1])[2:]
            end = source.span(items[last])[2:]
            kept_comma = isinstance(items[last].comma, cst.Comma)
            text = (
                ","
                if isinstance(container, cst.Tuple) and len(keep) == 1 and not kept_comma
                else ""
            )
            kept_comma = kept_comma or bool(text)
            edits.append(Edit(source.path, *before, *end, text))
    if isinstance(container, cst.Tuple) and len(keep) == 1 and not kept_comma:
        _, _, line, column = source.span(items[keep[0]])
        edits.append(Edit(source.path, line, column, line, column, ","))
    return edits


def append_item(
    source: SourceFile, container: cst.CSTNode, items: Sequence[Item], text: str
) -> Edit:
    """An edit that adds `text` as the last item of the bracketed, comma-separated `items` of
    `container` (a call's arguments, a list, a dict): after the last item, on a line of its own
    when the items are one per line."""
    if not items:
        _, _, line, column = source.span(container)  # just after the closing bracket
        return Edit(source.path, line, column - 1, line, column - 1, text)
    last = items[-1]
    line, column, end_line, end_column = source.span(last)
    if not isinstance(last.comma, cst.Comma):
        return Edit(source.path, end_line, end_column, end_line, end_column, ", " + text)
    comma_line, _, _, after = source.span(last.comma)
    rest = source.lines[comma_line - 1][after - 1 :].strip()
    if rest and not rest.startswith("#"):
        return Edit(source.path, comma_line, after, comma_line, after, f" {text},")
    before = source.lines[line - 1][: column - 1]
    indent = before if not before.strip() else " " * (column - 1)
    return source.insert_after_line(comma_line, f"{indent}{text},")


def insert_after_item(source: SourceFile, item: Item, text: str) -> Edit:
    """An edit that adds `text` as an item right after `item`: on a line of its own when `item`
    has its lines to itself."""
    line, column, end_line, end_column = source.span(item)
    if isinstance(item.comma, cst.Comma) and _alone_on_lines(source, item):
        indent = source.lines[line - 1][: column - 1]
        return source.insert_after_line(source.span(item.comma)[0], f"{indent}{text},")
    return Edit(source.path, end_line, end_column, end_line, end_column, ", " + text)


def one_element(source: SourceFile, node: cst.BaseExpression) -> Edit:
    """A string made a sequence of that one string: `("a")` -> `("a",)`, `"a"` -> `["a"]`."""
    if node.lpar:
        _, _, line, column = source.span(node)
        return Edit(source.path, line, column, line, column, ",")
    return source.replace(node, f"[{source.code(node)}]")
