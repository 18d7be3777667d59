"""Lines of Python source as the parser numbers them: `\\n`, `\\r\\n` and a lone `\\r` end a line;
nothing else does (`str.splitlines` would also split at a form feed, `\\x1c`-`\\x1e`, U+0085,
U+2028 and U+2029, and shift every line number after them). One helper for the code frames of the
reporters, the suppression comments and the fixes, so that all three count the same lines as the
findings do."""

from __future__ import annotations


def unix_newlines(text: str) -> str:
    """The text with every line end written `\\n`."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def source_lines(text: str) -> list[str]:
    """Line N is `source_lines(text)[N - 1]`, without its end (a last empty entry when the text
    ends with a line end)."""
    return unix_newlines(text).split("\n")
