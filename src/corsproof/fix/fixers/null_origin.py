"""The origin `null` trusted -> no longer (safe: every real origin the code trusts still passes;
browsers send `Origin: null` only from sandboxed iframes, `data:` and `file:` documents).

`"null"` is removed from a literal list, tuple or set of origins, or from the keys of an
aiohttp-cors mapping, with its comma (a line of its own goes whole); a list of only `"null"` is
left for a person to decide. django-cors-headers accepts `null` through entries without a scheme
(`urlsplit` gives them no scheme and no host, as it gives `null`): those go too, and a string set
where the setting wants a list (read one character at a time) becomes a one-element tuple/list.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import libcst as cst

from corsproof.findings import Finding
from corsproof.fix._model import SAFE, Fix
from corsproof.fix._registry import FixContext, fixer, literal_string
from corsproof.fix._source import SourceFile
from corsproof.fix.fixers._items import one_element, remove_items
from corsproof.fix.fixers.allow_list import DJANGO_LISTS, string_as_setting

SEQUENCES = (cst.List, cst.Tuple, cst.Set)


def _null(value: str | None) -> bool:
    return value == "null"


def _django_null(value: str | None) -> bool:
    """django-cors-headers compares the scheme and host of `urlsplit`: an entry with neither
    matches `Origin: null`."""
    if value is None:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc


@fixer("CORS103", applicability=SAFE)
def remove_null(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """Remove `"null"` from a literal list, tuple or set of origins (or an aiohttp-cors mapping's
    keys), keeping the other origins; django-cors-headers: also the entries without a scheme."""
    node = source.expression_at(finding.location)
    if node is None:
        return None
    accepts_null = _django_null if finding.framework == "django-cors-headers" else _null
    up = source.parents
    if isinstance(node, cst.Name):
        node = _constant(source, node)
        if node is None:
            return None
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        if not accepts_null(literal_string(node)):
            return None
        parent = up.get(node)
        container = up.get(parent) if parent is not None else None
        if isinstance(parent, cst.Element) and parent.value is node:
            node = container
        elif isinstance(parent, cst.DictElement) and parent.key is node:
            node = container
        else:
            return None
    # every such entry of the container goes, whichever one the finding names: the findings of
    # two entries of one list get the same edits (made once), not two that overlap
    if isinstance(node, SEQUENCES):
        container, items = node, list(node.elements)
        indices = {
            i
            for i, e in enumerate(items)
            if isinstance(e, cst.Element) and accepts_null(literal_string(e.value))
        }
    elif isinstance(node, cst.Dict):
        container, items = node, list(node.elements)
        indices = {
            i
            for i, e in enumerate(items)
            if isinstance(e, cst.DictElement) and accepts_null(literal_string(e.key))
        }
    else:
        return None
    edits = remove_items(source, container, items, indices)
    if not edits:
        return None  # no "null" there, or nothing else: what should be trusted is a person's call
    removed = sorted({source.code(_entry(items[i])) for i in indices})
    return Fix(SAFE, f"stop trusting Origin: null (remove {', '.join(removed)})", tuple(edits))


@fixer("CORS103", libraries=("django-cors-headers",), applicability=SAFE)
def django_string_setting(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """`CORS_ALLOWED_ORIGINS = ("https://app.example.com")` (a string: read one character at a
    time, which lets `null` in and not the origin) -> a sequence of that one origin."""
    node = string_as_setting(finding, source, DJANGO_LISTS)
    if node is None or _django_null(literal_string(node)):
        return None
    return Fix(
        SAFE,
        "a sequence of that one origin (a string is read one character at a time)",
        (one_element(source, node),),
    )


def _entry(item: cst.CSTNode) -> cst.CSTNode:
    if isinstance(item, cst.DictElement):
        return item.key
    if isinstance(item, cst.Element):
        return item.value
    return item


def _constant(source: SourceFile, name: cst.Name) -> cst.BaseExpression | None:
    """The literal sequence a module-level name is bound to, when the module binds it once."""
    bindings = []
    for node in source.positions:
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(
            node, cst.AnnAssign | cst.AugAssign | cst.For | cst.CompFor | cst.NamedExpr
        ):
            targets = [node.target]
        elif isinstance(node, cst.AsName):
            targets = [node.name]
        elif isinstance(node, cst.ImportAlias) and node.asname is None:
            targets = [node.name]
        else:
            continue
        if any(_binds(t, name.value) for t in targets):
            bindings.append(node)
    if len(bindings) != 1 or not isinstance(bindings[0], cst.Assign):
        return None
    assign = bindings[0]
    statement = source.parents.get(assign)
    if not (
        len(assign.targets) == 1
        and isinstance(assign.targets[0].target, cst.Name)
        and isinstance(statement, cst.SimpleStatementLine)
        and isinstance(source.parents.get(statement), cst.Module)
        and isinstance(assign.value, SEQUENCES)
    ):
        return None
    return assign.value


def _binds(target: cst.BaseExpression, name: str) -> bool:
    if isinstance(target, cst.Name):
        return target.value == name
    if isinstance(target, cst.Tuple | cst.List):
        return any(_binds(e.value, name) for e in target.elements)
    if isinstance(target, cst.StarredElement):
        return _binds(target.value, name)
    return False
