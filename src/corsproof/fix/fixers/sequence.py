"""One origin written as a plain string where the library expects a list, so that `origin in
"https://api.example.net"` tests substrings -> a one-element list (safe: that origin still
matches, its prefixes no longer do)."""

from __future__ import annotations

import libcst as cst

from corsproof.findings import Finding
from corsproof.fix._model import SAFE, Fix
from corsproof.fix._registry import FixContext, fixer, literal_string
from corsproof.fix._source import SourceFile


@fixer("CORS104", applicability=SAFE)
def one_element_list(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """`allow_origins="https://api.example.net"` (a string: `in` tests substrings) ->
    `allow_origins=["https://api.example.net"]`."""
    loc = finding.location
    if loc is None or "(a string: `origin in` tests substrings)" not in finding.message:
        return None
    for node in source.nodes_at(loc.line, loc.column, loc.end_line, loc.end_column):
        if isinstance(node, cst.SimpleString) and literal_string(node) not in (None, "*"):
            code = source.code(node)
            return Fix(
                SAFE, f"a list of one origin: [{code}]", (source.replace(node, f"[{code}]"),)
            )
    return None
