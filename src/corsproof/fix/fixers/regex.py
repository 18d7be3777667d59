"""An origin pattern an attacker's host passes -> the same pattern anchored at both ends with its
host dots escaped (safe: every origin it was written for still matches)."""

from __future__ import annotations

import re

import libcst as cst

from corsproof.findings import Finding
from corsproof.fix._model import SAFE, Fix
from corsproof.fix._registry import FixContext, fixer, literal_string
from corsproof.fix._source import SourceFile

# a `.` that is not escaped, not inside [...], and not a quantified wildcard (`.*`, `.+`, `.?`,
# `.{`): a host separator meant literally
_LITERAL_DOT = re.compile(r"(?<!\\)\.(?![*+?{])")


def tightened(pattern: str) -> str:
    """`https://.*.example.com` -> `^https://.*\\.example\\.com$`; alternatives grouped
    (`^(?:a|b)$`); a trailing `.*` (an origin has no path: only a port can follow the host) ->
    an optional port."""
    out = []
    escaped = False
    in_class = False
    for index, char in enumerate(pattern):
        if escaped:
            out.append(char)
            escaped = False
            continue
        if char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif (
            char == "."
            and not in_class
            and not (index + 1 < len(pattern) and pattern[index + 1] in "*+?{")
        ):
            out.append("\\.")
            continue
        out.append(char)
    body = "".join(out)
    body = body.removeprefix("^")
    if body.endswith("\\Z"):
        body = body[:-2]
    elif body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    alternatives = _top_level_split(body)
    alternatives = [_port_not_anything(a) for a in alternatives]
    if len(alternatives) > 1:
        return "^(?:" + "|".join(alternatives) + ")$"
    return "^" + alternatives[0] + "$"


def _top_level_split(pattern: str) -> list[str]:
    """The alternatives of a pattern at its top level (`|` outside groups and classes)."""
    parts, depth, start, escaped, in_class = [], 0, 0, False, False
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    return parts


def _port_not_anything(alternative: str) -> str:
    """A host followed by `.*` or `.+` at the end: an origin can only go on with a port."""
    for tail in (".*", ".+"):
        if alternative.endswith(tail) and not alternative.endswith("\\" + tail):
            return alternative[: -len(tail)] + "(?::[0-9]+)?"
    return alternative


def _raw(pattern: str, node: cst.SimpleString) -> str:
    """The pattern written as a raw string literal with the node's quote."""
    quote = node.quote
    if quote in pattern or pattern.endswith("\\"):
        return repr(pattern)
    return f"r{quote}{pattern}{quote}"


# libraries whose origin strings are regular expressions (Litestar's `*` is a glob turned into
# `.*`; Falcon and aiohttp-cors compare strings exactly)
REGEX_LIBRARIES = (
    "flask-cors",
    "sanic-cors",
    "quart-cors",
    "cherrypy-cors",
    "starlette",
    "django-cors-headers",
    "handwritten",
)


@fixer("CORS104", libraries=REGEX_LIBRARIES, applicability=SAFE)
def anchor_pattern(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """Anchor an origin regex at both ends (`^…$`) and escape the dots of its host."""
    loc = finding.location
    if loc is None or "(a string: `origin in` tests substrings)" in finding.message:
        return None  # a string the library tests with `in`, not a pattern (fixers/sequence.py)
    for node in source.nodes_at(loc.line, loc.column, loc.end_line, loc.end_column):
        if (
            isinstance(node, cst.Call)
            and source.code(node.func) in ("re.compile", "compile")
            and node.args
            and node.args[0].keyword is None
        ):
            node = node.args[0].value  # a compiled pattern: its string
        pattern = literal_string(node)
        if pattern is None or not isinstance(node, cst.SimpleString):
            continue
        fixed = tightened(pattern)
        if fixed == pattern:
            return None
        try:
            re.compile(fixed)
        except re.error:
            return None
        return Fix(
            SAFE,
            f"anchor the pattern and escape its dots: {fixed}",
            (source.replace(node, _raw(fixed, node)),),
        )
    return None
