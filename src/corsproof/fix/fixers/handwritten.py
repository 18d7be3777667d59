"""Hand-written headers that send back every Origin -> send it only when it is in an allow-list
constant the fix adds (unsafe: it narrows who is trusted), with `Vary: Origin`."""

from __future__ import annotations

import libcst as cst

from corsproof.findings import Finding
from corsproof.fix._model import SAFE, UNSAFE, Edit, Fix
from corsproof.fix._registry import FixContext, fixer, import_from, import_os, literal_string
from corsproof.fix._source import SourceFile

CONSTANT = "CORS_ALLOWED_ORIGINS"


@fixer("CORS101", "CORS102", libraries=("handwritten",), applicability=UNSAFE)
def allow_list_check(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """`headers["Access-Control-Allow-Origin"] = origin` -> only when `origin` is in a constant
    set of trusted origins, with `Vary: Origin` on every response."""
    loc = finding.location
    if loc is None:
        return None
    for node in source.nodes_at(loc.line, loc.column, loc.end_line, loc.end_column):
        statement = _statement(source, node)
        if statement is None:
            continue
        assign = statement.body[0]
        assert isinstance(assign, cst.Assign)
        target = assign.targets[0].target
        if not (
            isinstance(target, cst.Subscript)
            and "access-control-allow-origin" in source.code(target).lower()
        ):
            continue
        value = source.code(assign.value)
        if value.strip() in ('"*"', "'*'"):
            return None
        headers = source.code(target.value)
        line, column, end_line, _ = source.span(statement)
        indent = source.lines[line - 1][: column - 1]
        if indent.strip():
            return None  # another statement before it on the line
        nl = source.newline
        block = (
            f'{headers}["Vary"] = "Origin"{nl}'
            f"{indent}if {value} in {CONSTANT}:{nl}"
            f"{indent}    {source.code(statement).strip()}"
        )
        end_column = len(source.lines[end_line - 1]) + 1
        edits = [Edit(source.path, line, column, end_line, end_column, block)]
        if not _defines(source, CONSTANT):
            edits += _constant(source, context)
        return Fix(
            UNSAFE,
            f"send the origin back only when it is in {CONSTANT} ({context.origins_said}), "
            "with Vary: Origin",
            tuple(edits),
        )
    return None


def _statement(source: SourceFile, node: cst.CSTNode) -> cst.SimpleStatementLine | None:
    parents = source.parents
    while node is not None and not isinstance(node, cst.SimpleStatementLine):
        node = parents.get(node)
    if (
        isinstance(node, cst.SimpleStatementLine)
        and len(node.body) == 1
        and isinstance(node.body[0], cst.Assign)
        and len(node.body[0].targets) == 1
    ):
        return node
    return None


def _defines(source: SourceFile, name: str) -> bool:
    return any(
        isinstance(s, cst.SimpleStatementLine)
        and any(
            isinstance(small, cst.Assign)
            and any(source.code(t.target) == name for t in small.targets)
            for small in s.body
        )
        for s in source.module.body
    )


def _constant(source: SourceFile, context: FixContext) -> list[Edit]:
    """`CORS_ALLOWED_ORIGINS = frozenset({...})` after the module's imports."""
    if context.allow_origins:
        code = "frozenset({" + ", ".join(f'"{o}"' for o in context.allow_origins) + "})"
        extra: list[Edit] = []
    else:
        code = f'frozenset(o for o in os.environ.get("{context.env_name}", "").split(",") if o)'
        extra = import_os(source)
    last_import = 0
    for statement in source.module.body:
        if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(s, cst.Import | cst.ImportFrom | cst.Expr) for s in statement.body
        ):
            last_import = source.span(statement)[2]
            continue
        break
    text = f"{source.newline}{CONSTANT} = {code}"
    if last_import == 0:
        return [*extra, Edit(source.path, 1, 1, 1, 1, f"{CONSTANT} = {code}{source.newline * 2}")]
    return [*extra, source.insert_after_line(last_import, text)]


# ------------------------------------------------------------------- weak checks (CORS104)


def _check_text(finding: Finding) -> str | None:
    """The check the message quotes: "`if origin.endswith(...)` accepts …" -> the condition."""
    message = finding.message
    if not message.startswith("`if "):
        return None
    end = message.find("`", 1)
    if end < 0:
        return None
    text = message[4:end]
    return text.split(": return")[0].removeprefix("not ").strip()


def _function(source: SourceFile, node: cst.CSTNode) -> cst.CSTNode | None:
    parents = source.parents
    while node is not None and not isinstance(node, cst.FunctionDef):
        node = parents.get(node)
    return node


def _holds_origin(source: SourceFile, function: cst.CSTNode, subject: cst.CSTNode) -> bool:
    """Is `subject` a variable that holds the request's whole Origin (not a host or a netloc
    taken from it)? Then comparing its parsed form is what the check meant."""
    if not isinstance(subject, cst.Name):
        return False
    name = subject.value
    if isinstance(function, cst.FunctionDef) and any(
        p.name.value == name and "origin" in name.lower() for p in function.params.params
    ):
        return True
    found = False
    for node in source.positions:
        if isinstance(node, cst.Assign) and _function(source, node) is function:
            if any(source.code(t.target) == name for t in node.targets):
                value = source.code(node.value).lower()
                if "origin" not in value or any(
                    word in value for word in ("netloc", "host", "urlparse", "urlsplit", "split(")
                ):
                    return False
                found = True
    return found


def _exact(source: SourceFile, node: cst.CSTNode, function: cst.CSTNode) -> str | None:
    """An exact comparison with the parsed origin for a weak string test, or None."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        method = node.func.attr.value
        if not _holds_origin(source, function, node.func.value):
            return None
        subject = source.code(node.func.value)
        if len(node.args) != 1 or node.args[0].keyword is not None:
            return None
        value = literal_string(node.args[0].value)
        if value is None or not value:
            return None
        if method == "startswith" and "://" in value:
            return f"{subject} == {source.code(node.args[0].value)}"
        if method == "endswith" and "://" not in value and "/" not in value:
            name = value.lstrip(".")
            host = f'(urlsplit({subject}).hostname or "")'
            if value.startswith("."):
                return f'{host}.endswith(".{name}")'
            return f'{host} == "{name}" or {host}.endswith(".{name}")'
        return None
    if (
        isinstance(node, cst.Comparison)
        and len(node.comparisons) == 1
        and isinstance(node.comparisons[0].operator, cst.In)
    ):
        needle = literal_string(node.left)
        haystack = node.comparisons[0].comparator
        if (
            needle
            and "://" not in needle
            and "/" not in needle
            and _holds_origin(source, function, haystack)
        ):
            return f'urlsplit({source.code(haystack)}).hostname == "{needle}"'
    return None


@fixer("CORS104", libraries=("handwritten",), applicability=SAFE)
def exact_comparison(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """`origin.endswith("example.com")`, `origin.startswith("https://app.example.com")`,
    `"app.example.com" in origin` -> exact comparisons with the parsed origin (the host, or
    a subdomain of it, for a suffix)."""
    text = _check_text(finding)
    loc = finding.location
    if text is None or loc is None:
        return None
    anchors = source.nodes_at(loc.line, loc.column, loc.end_line, loc.end_column)
    function = _function(source, anchors[0]) if anchors else None
    if function is None:
        return None
    for node in source.positions:
        # the weak test itself, or one operand of the condition (`a and origin.endswith(…)`)
        if not isinstance(node, cst.Call | cst.Comparison) or source.code(node) not in text:
            continue
        if _function(source, node) is not function:
            continue
        exact = _exact(source, node, function)
        if exact is None:
            continue
        replacement = exact if " or " not in exact else f"({exact})"
        edits = [source.replace(node, replacement)]
        if "urlsplit(" in exact:
            edits += import_from(source, "urllib.parse", "urlsplit")
        return Fix(SAFE, f"compare exactly: {exact}", tuple(edits))
    return None
