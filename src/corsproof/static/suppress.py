"""Inline suppressions, on any line of the statement a finding is in:

- `# corsproof: ignore[CORS101]` and bare `# corsproof: ignore` (every rule);
- `# noqa: CORS101` (other tools' codes in the list are left to them) and, as in Ruff and flake8, a
  bare `# noqa` (every rule);
- `# nosec`, as Bandit reads it: bare, every rule; `# nosec CORS101` (or `B101, CORS101`) only the
  CORS ids it names.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from corsproof.findings import Finding

_IGNORE = re.compile(r"#\s*corsproof:\s*ignore(?:\[([A-Za-z0-9_,\s-]*)\])?")
_NOQA = re.compile(r"#\s*noqa:\s*([A-Za-z0-9_,\s]+)", re.IGNORECASE)
_BARE_NOQA = re.compile(r"#\s*noqa(?!\s*:)(?![A-Za-z0-9_])", re.IGNORECASE)
_NOSEC = re.compile(r"#\s*nosec(?![A-Za-z0-9_])[ \t]*([A-Za-z0-9_, \t]*)", re.IGNORECASE)
ALL = "*"


def parse_line(line: str) -> frozenset[str]:
    """The rule ids a line suppresses (`*` for all)."""
    if "#" not in line:
        return frozenset()
    found: set[str] = set()
    for match in _IGNORE.finditer(line):
        if match.group(1) is None:
            found.add(ALL)
        else:
            found.update(r.strip().upper() for r in match.group(1).split(",") if r.strip())
    for match in _NOQA.finditer(line):
        found.update(_cors_ids(match.group(1)))
    if _BARE_NOQA.search(line):
        found.add(ALL)
    for match in _NOSEC.finditer(line):
        codes = [c for c in re.split(r"[,\s]+", match.group(1)) if c]
        found.update(_cors_ids(match.group(1)) if codes else {ALL})
    return frozenset(found)


def _cors_ids(listed: str) -> set[str]:
    return {r.upper() for r in re.split(r"[,\s]+", listed) if r.upper().startswith("CORS")}


def _lines(path: str) -> tuple[str, ...]:
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return _file_lines(path, (st.st_mtime_ns, st.st_size))  # a file edited since: read again


@lru_cache(maxsize=32)  # only files with findings are read; a few files' lines at a time
def _file_lines(path: str, version: tuple[int, int]) -> tuple[str, ...]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            # numbered as the parser numbers them: universal newlines, and nothing else ends a
            # line (str.splitlines would also split at a form feed or \u2028)
            return tuple(handle.read().split("\n"))
    except OSError:
        return ()


def is_suppressed(finding: Finding) -> bool:
    loc = finding.location
    if loc is None:
        return False
    lines = _lines(loc.path)
    first = min(loc.stmt_line or loc.line, loc.line)
    last = max(loc.stmt_end_line or loc.end_line, loc.end_line)
    for number in range(first, min(last, len(lines)) + 1):
        rules = parse_line(lines[number - 1])
        if ALL in rules or finding.rule_id in rules:
            return True
    return False
