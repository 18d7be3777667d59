"""`requirements*.txt`: logical lines, comments and per-requirement options, `-r`/`-c` includes followed (bounded, each file once)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from corsproof._text import source_lines
from corsproof.deps._entry import Entry, requirement_entry
from corsproof.static._read import MAX_BYTES, AnalysisError, open_source, read_bounded

_COMMENT = re.compile(r"(^|\s+)#.*$")
_INCLUDE = re.compile(r"^(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+)?(\S+)")


MAX_INCLUDE_DEPTH = 10


def _logical_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(0-based index of the first physical line, text) with continuations joined and comments
    removed, as pip reads them."""
    index = 0
    while index < len(lines):
        first = index
        parts = []
        line = lines[index]
        while line.endswith("\\") and index + 1 < len(lines):
            parts.append(line[:-1])
            index += 1
            line = lines[index]
        parts.append(line)
        index += 1
        text = _COMMENT.sub("", "".join(parts)).strip()
        if text:
            yield first, text


def _display_join(display: str, target: str) -> str:
    """The display path of `target` as written in the file shown as `display`: the path the walk
    shows for the same file, so that findings in it are found once."""
    joined = os.path.join(os.path.dirname(display), target)
    if ".." in Path(joined).parts:
        joined = os.path.normpath(joined)
    return joined


def read_text(path: Path, why: list[str] | None = None) -> str | None:
    """A requirement or manifest file's text; None when it cannot be read (the reason appended
    to `why`)."""
    try:
        # (a FIFO named by `-r` or as a manifest is skipped, never waited on)
        with open_source(path) as handle:
            data = read_bounded(handle, MAX_BYTES)
        if len(data) > MAX_BYTES:
            return _unread(why, f"larger than {MAX_BYTES >> 20} MB")
        return utf8_text(data)
    except AnalysisError as exc:
        return _unread(why, str(exc))
    except OSError as exc:
        return _unread(why, exc.strerror or str(exc))


def utf8_text(data: bytes) -> str:
    """The text of a requirement or lock file (UTF-8, a BOM allowed); AnalysisError naming the
    line and byte where it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise AnalysisError(f"not valid UTF-8 (line {line}, byte {exc.start})") from None


def _unread(why: list[str] | None, reason: str) -> None:
    if why is not None:
        why.append(reason)
    return None


def requirements(
    text: str,
    display: str,
    real: Path,
    seen: set[str] | None = None,
    depth: int = 0,
    problems: list[tuple[str, str]] | None = None,
) -> list[Entry]:
    """A requirements file and the files it includes (`-r`) or constrains with (`-c`); an included
    file that cannot be read is put in `problems` as (its display path, why): the set of
    requirements is then incomplete, which a clean report must not hide."""
    seen = seen if seen is not None else {os.path.realpath(real)}
    lines = source_lines(text)
    entries: list[Entry] = []
    for index, logical in _logical_lines(lines):
        if logical.startswith("-"):
            match = _INCLUDE.match(logical)
            if match is None or depth >= MAX_INCLUDE_DEPTH or "://" in match.group(1):
                continue
            target = match.group(1)
            included = real.parent / target
            key = os.path.realpath(included)
            if key in seen:
                continue
            seen.add(key)
            shown = _display_join(display, target)
            why: list[str] = []
            content = read_text(included, why)
            if content is not None:
                entries.extend(requirements(content, shown, included, seen, depth + 1, problems))
            elif problems is not None:
                flag = logical.split(None, 1)[0].split("=", 1)[0]
                problems.append(
                    (shown, f"cannot read ({flag} in {display}, line {index + 1}): {why[0]}")
                )
            continue
        entry = requirement_entry(logical, display, index + 1, lines[index])
        if entry is not None:
            entries.append(entry)
    return entries
