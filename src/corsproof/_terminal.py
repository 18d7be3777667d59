"""The terminal: colour decisions, progress on stderr (never on stdout, which carries reports), and
`printable`, through which every string from a scanned project or a probed server goes before it
reaches a terminal."""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

# zero-width joiners shape emoji and Indic/Arabic text; every other format character (bidi
# overrides such as U+202E, zero-width spaces, BOM) can make a line read differently than it is
_KEPT_FORMAT = frozenset({"\u200c", "\u200d"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8 (a file name, os.fsdecode)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def unsafe(char: str) -> bool:
    """A character that must not reach a terminal raw: a control character (C0, DEL, C1: ESC
    starts colour, cursor and OSC 8 link sequences, CR and LF forge lines), a line or paragraph
    separator, a format character (bidi overrides) or a lone surrogate."""
    category = unicodedata.category(char)
    if category == "Cf":
        return char not in _KEPT_FORMAT
    return category in ("Cc", "Cs", "Zl", "Zp")


def printable(text: object) -> str:
    """`text` with every unsafe character shown as an escape (`\\x1b`, `\\r`, `\\n`,
    `\\u202e`; a byte of a non-UTF-8 file name as `\\xe9`): one line, no terminal control.
    Backslashes are kept as they are (source code and regular expressions stay readable)."""
    text = str(text)
    if text.isprintable():  # the common case; everything `unsafe` is not printable
        return text
    return "".join(_escape(c) if unsafe(c) else c for c in text)


def encodable(text: str) -> str:
    """`text` with lone surrogates (a non-UTF-8 file name's bytes) escaped, everything else kept:
    for reports that are not for a terminal (HTML) but must still encode as UTF-8."""
    if text.isprintable():
        return text
    return "".join(_escape(c) if unicodedata.category(c) == "Cs" else c for c in text)


def use_color(stream: TextIO) -> bool:
    """Colour on a terminal; `NO_COLOR` (set and non-empty) disables, `FORCE_COLOR` forces."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def code_frames(stream: TextIO) -> bool:
    """The terminal view of the text report (code frames around each finding): on a terminal,
    whatever `NO_COLOR` says (it removes colour, not structure), or when `FORCE_COLOR` asks for
    it through a pipe; never with `TERM=dumb` unless forced."""
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def report_width(stream: TextIO) -> int | None:
    """Where the terminal view wraps: the terminal's width; through a pipe `COLUMNS` when it is a
    positive number, else None (no wrapping: a log or a CI page wraps for itself)."""
    if getattr(stream, "isatty", lambda: False)():
        return shutil.get_terminal_size((100, 24)).columns
    columns = os.environ.get("COLUMNS", "").strip()
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def progress_enabled(no_progress: bool, quiet: bool) -> bool:
    if no_progress or quiet or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


@contextmanager
def progress_bar(description: str, enabled: bool) -> Iterator[Callable[..., None]]:
    """A rich progress line on stderr; `update(advance=1, **fields)`. A no-op when disabled."""
    if not enabled:
        yield lambda *args, **kwargs: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, emoji=False, highlight=False)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.completed} {task.fields[unit]}"),
        # the detail is a scanned file's name: never markup (`[link=…]`), escaped by `update`
        TextColumn("{task.fields[detail]}", style="dim", markup=False),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=None, unit="", detail="")

        def update(advance: int = 0, **fields: Any) -> None:
            if "detail" in fields:
                fields["detail"] = printable(fields["detail"])
            progress.update(task, advance=advance, **fields)

        yield update
