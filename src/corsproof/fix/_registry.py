"""Fixers: one function per (rule, library) case, registered by `@fixer`; the core never names one.

A fixer gets the finding, the file it is in (`SourceFile`: text, libcst tree, positions) and the
`FixContext` (the origins to keep trusting), and returns a `Fix` or None when the case is not one
it can rewrite. Adding a fixer: a function in a module of `corsproof.fix.fixers` plus its import
line in that package's `__init__`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from corsproof.findings import Finding
from corsproof.fix._model import Edit, Fix
from corsproof.fix._source import SourceFile

ANY = "*"  # a fixer for every library


@dataclass(frozen=True)
class FixContext:
    """What fixes may assume: the front ends that must keep working (`--allow-origin`, else
    `[tool.corsproof] trusted-origins`); none known: the list is read from an environment
    variable that defaults to empty (fail closed)."""

    allow_origins: tuple[str, ...] = ()
    env_name: str = "CORS_ALLOWED_ORIGINS"

    def origins_code(self, source: SourceFile) -> tuple[str, list[Edit]]:
        """A list expression of the trusted origins, and the edits it needs (`import os`)."""
        if self.allow_origins:
            return "[" + ", ".join(quote(o) for o in self.allow_origins) + "]", []
        code = f'[o for o in os.environ.get("{self.env_name}", "").split(",") if o]'
        return code, import_os(source)

    @property
    def origins_said(self) -> str:
        if self.allow_origins:
            return ", ".join(self.allow_origins)
        return f"the origins in the {self.env_name} environment variable (comma-separated; none when unset)"


Fixer = Callable[[Finding, SourceFile, FixContext], Fix | None]
_FIXERS: dict[tuple[str, str], list[Fixer]] = {}
_APPLICABILITY: dict[Fixer, str] = {}  # what each fixer's fixes are, for `corsproof explain`


def fixer(
    *rule_ids: str, libraries: tuple[str, ...] = (ANY,), applicability: str
) -> Callable[[Fixer], Fixer]:
    def register(function: Fixer) -> Fixer:
        for rule_id in rule_ids:
            for library in libraries:
                _FIXERS.setdefault((rule_id, library), []).append(function)
        _APPLICABILITY[function] = applicability
        return function

    return register


def fix_for(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """The first registered fixer's fix for this finding (the library's own before general)."""
    for key in ((finding.rule_id, finding.framework), (finding.rule_id, ANY)):
        for function in _FIXERS.get(key, ()):
            found = function(finding, source, context)
            if found is not None and found.edits:
                return found
    return None


def offered(rule_id: str) -> list[tuple[str, str, str]]:
    """(applicability, library or "*", what it does) of each fixer of a rule, for `corsproof
    explain`: the first paragraph of the fixer's docstring."""
    out = []
    for (rule, library), functions in sorted(_FIXERS.items()):
        if rule != rule_id:
            continue
        for function in functions:
            text = " ".join(
                (function.__doc__ or function.__name__).strip().split("\n\n")[0].split()
            )
            item = (_APPLICABILITY[function], library, text)
            if item not in out:
                out.append(item)
    return out


# ----------------------------------------------------------------------------- helpers


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def import_edits(
    source: SourceFile, statement: str, present: Callable[[cst.BaseSmallStatement], bool]
) -> list[Edit]:
    """`statement` (an import) after the module's docstring and __future__ imports, unless a
    top-level statement of the module already is it (`present`)."""
    module = source.module
    for line in module.body:
        if isinstance(line, cst.SimpleStatementLine) and any(present(s) for s in line.body):
            return []
    after = 0
    for line in module.body:
        if isinstance(line, cst.SimpleStatementLine) and (
            _is_docstring(line)
            or any(
                isinstance(s, cst.ImportFrom)
                and source.code(s.module or cst.Name("")) == "__future__"
                for s in line.body
            )
        ):
            after = source.span(line)[2]
            continue
        break
    if after == 0:
        return [Edit(source.path, 1, 1, 1, 1, statement + source.newline)]
    return [source.insert_after_line(after, statement)]


def import_os(source: SourceFile) -> list[Edit]:
    """`import os`, unless the module has it."""
    return import_edits(
        source,
        "import os",
        lambda small: (
            isinstance(small, cst.Import)
            and any(source.code(a.name) == "os" and a.asname is None for a in small.names)
        ),
    )


def import_from(source: SourceFile, module: str, name: str) -> list[Edit]:
    """`from module import name`, unless the module has it."""
    return import_edits(
        source,
        f"from {module} import {name}",
        lambda small: (
            isinstance(small, cst.ImportFrom)
            and small.module is not None
            and source.code(small.module) == module
            and not isinstance(small.names, cst.ImportStar)
            and any(source.code(a.name) == name and a.asname is None for a in small.names)
        ),
    )


def _is_docstring(statement: cst.SimpleStatementLine) -> bool:
    return (
        len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def literal_string(node: cst.CSTNode) -> str | None:
    """The value of a plain string literal (no f-string, no implicit concatenation)."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def is_wildcard(node: cst.CSTNode) -> bool:
    """`"*"`, or a list/tuple/set whose only element is `"*"`."""
    if literal_string(node) == "*":
        return True
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        values = [literal_string(e.value) for e in node.elements if isinstance(e, cst.Element)]
        return values == ["*"] and len(node.elements) == 1
    return False
