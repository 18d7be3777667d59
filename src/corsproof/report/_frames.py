"""Source lines around a finding, for the code frames of the text and HTML reports."""

from __future__ import annotations

import io
import os
import stat
import tokenize
from collections.abc import Mapping

from corsproof._text import source_lines
from corsproof.findings import Location


def _decode(data: bytes) -> str:
    """The text as Python reads it (BOM, PEP 263 declaration); undecodable bytes replaced."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError, UnicodeError):
        return data.decode("utf-8", errors="replace")


def _read(path: str) -> tuple[str, ...]:
    try:
        with open(path, "rb") as handle:
            text = _decode(handle.read())
    except OSError:
        return ()
    return _split(text)


def _lines(path: str) -> tuple[str, ...]:
    """The file's lines as it is now."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return ()
    if not stat.S_ISREG(st.st_mode):  # replaced by a FIFO since the scan: never block on it
        return ()
    return _read(path)


def _split(text: str) -> tuple[str, ...]:
    # lines as Python counts them: only \n, \r\n and \r end one (`splitlines` would also split at
    # form feeds, \x1c-\x1e, U+0085, U+2028 and U+2029, and shift the frame)
    lines = source_lines(text)
    if lines and lines[-1] == "":
        lines.pop()
    return tuple(lines)


class Frames:
    """The code frames of one report: each file read once, when its first finding is framed, and
    nothing kept after the report. `given`: texts that did not come from disk (stdin), by path."""

    def __init__(self, given: Mapping[str, bytes] | None = None) -> None:
        self._given = given or {}
        self._read: dict[str, tuple[str, ...]] = {}

    def _lines_of(self, path: str) -> tuple[str, ...]:
        lines = self._read.get(path)
        if lines is None:
            text = self._given.get(path)
            lines = self._read[path] = _lines(path) if text is None else _split(_decode(text))
        return lines

    def __call__(self, loc: Location, radius: int = 2) -> list[tuple[int, str]]:
        """(line number, text) of the reported lines and `radius` lines around them; the
        reported line alone (from the finding) when the file cannot be read any more."""
        return _frame(self._lines_of(loc.path), loc, radius)


def frame(
    loc: Location, radius: int = 2, given: Mapping[str, bytes] | None = None
) -> list[tuple[int, str]]:
    """One finding's frame (`Frames` for a whole report)."""
    return Frames(given)(loc, radius)


def _frame(lines: tuple[str, ...], loc: Location, radius: int) -> list[tuple[int, str]]:
    if not lines or loc.line > len(lines):
        return [(loc.line, loc.source)] if loc.source else []
    first, last = max(1, loc.line - radius), min(len(lines), loc.end_line + radius)
    return [(number, lines[number - 1][:300]) for number in range(first, last + 1)]
