"""Source lines around a finding, for the code frames of the text and HTML reports."""

from __future__ import annotations

from functools import lru_cache

from corsproof.findings import Location


@lru_cache(maxsize=64)
def _lines(path: str) -> tuple[str, ...]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return tuple(handle.read().splitlines())
    except OSError:
        return ()


def frame(loc: Location, radius: int = 2) -> list[tuple[int, str]]:
    """(line number, text) of the reported lines and `radius` lines around them; the reported
    line alone (from the finding) when the file cannot be read any more."""
    lines = _lines(loc.path)
    if not lines or loc.line > len(lines):
        return [(loc.line, loc.source)] if loc.source else []
    first, last = max(1, loc.line - radius), min(len(lines), loc.end_line + radius)
    return [(number, lines[number - 1][:300]) for number in range(first, last + 1)]
