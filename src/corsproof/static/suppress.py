"""Inline suppressions, on any line of the statement a finding is in:

- `# corsproof: ignore[CORS101]` and bare `# corsproof: ignore` (every rule);
- `# noqa: CORS101` (other tools' codes in the list are left to them) and, as in Ruff and flake8, a
  bare `# noqa` (every rule);
- `# nosec`, as Bandit reads it: bare, every rule; `# nosec CORS101` (or `B101, CORS101`) only the
  CORS ids it names.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tokenize
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from corsproof._text import source_lines, unix_newlines
from corsproof.findings import Finding, UnusedSuppression

_IGNORE = re.compile(r"#\s*corsproof:\s*ignore(?:\[([A-Za-z0-9_,\s-]*)\])?")
_NOQA = re.compile(r"#\s*noqa:\s*([A-Za-z0-9_,\s]+)", re.IGNORECASE)
_BARE_NOQA = re.compile(r"#\s*noqa(?!\s*:)(?![A-Za-z0-9_])", re.IGNORECASE)
_NOSEC = re.compile(r"#\s*nosec(?![A-Za-z0-9_])[ \t]*([A-Za-z0-9_, \t]*)", re.IGNORECASE)
ALL = "*"


def _named(text: str, *, bare: bool) -> set[str]:
    """The rule ids the suppression comments in `text` name (`*`: every rule). `bare`: a bare
    `# noqa` or `# nosec` counts too, as every rule (it hides them, but speaks for every tool)."""
    found: set[str] = set()
    for match in _IGNORE.finditer(text):
        if match.group(1) is None:
            found.add(ALL)
        else:
            found.update(r.strip().upper() for r in match.group(1).split(",") if r.strip())
    for match in _NOQA.finditer(text):
        found.update(_cors_ids(match.group(1)))
    if bare and _BARE_NOQA.search(text):
        found.add(ALL)
    for match in _NOSEC.finditer(text):
        if re.search(r"[^,\s]", match.group(1)):
            found.update(_cors_ids(match.group(1)))
        elif bare:
            found.add(ALL)
    return found


def parse_line(line: str) -> frozenset[str]:
    """The rule ids a line suppresses (`*` for all)."""
    return frozenset(_named(line, bare=True)) if "#" in line else frozenset()


def _cors_ids(listed: str) -> set[str]:
    return {r.upper() for r in re.split(r"[,\s]+", listed) if r.upper().startswith("CORS")}


def _text(data: bytes) -> str:
    """The file's text with its line ends as the parser reads them (`\\r\\n` and `\\r` are `\\n`)."""
    return unix_newlines(data.decode("utf-8", errors="replace"))


def split_lines(data: bytes) -> tuple[str, ...]:
    """Lines as the parser numbers them: `\\n`, `\\r\\n` and `\\r` end one, nothing else
    (str.splitlines would also split at a form feed or U+2028)."""
    return tuple(source_lines(data.decode("utf-8", errors="replace")))


def _read_lines(path: str) -> tuple[str, ...]:
    """The file's lines; none for what is not a regular file any more (never block on a FIFO)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return ()
        with open(path, "rb") as handle:
            return split_lines(handle.read())
    except (OSError, ValueError):
        return ()


def suppressing(
    finding: Finding, lines_of: Callable[[str], tuple[str, ...]]
) -> tuple[int, str] | None:
    """The line whose comment hides `finding`, and what on it does (the rule id, or `*`)."""
    loc = finding.location
    if loc is None:
        return None
    lines = lines_of(loc.path)
    first = min(loc.stmt_line or loc.line, loc.line)
    last = max(loc.stmt_end_line or loc.end_line, loc.end_line)
    for number in range(first, min(last, len(lines)) + 1):
        rules = parse_line(lines[number - 1])
        if finding.rule_id in rules:
            return number, finding.rule_id
        if ALL in rules:
            return number, ALL
    return None


# ------------------------------------------------------------- --report-unused-suppressions

# a comment that may concern corsproof: its own, or a noqa/nosec list naming a CORS id
_OURS = re.compile(rb"corsproof:\s*ignore|(?:noqa|nosec)[^\n]*cors", re.IGNORECASE)


@dataclass(frozen=True)
class SuppressionComment:
    """A suppression comment that names corsproof (`# corsproof: ignore[...]`, or a `# noqa:` /
    `# nosec` list with CORS ids). Bare `# noqa` and `# nosec` speak for every tool, so they are
    never reported as unused by corsproof."""

    path: str
    line: int
    column: int
    text: str  # the comment, from its `#`
    rules: frozenset[str]  # the CORS ids it names, or {"*"}


def _comments(data: bytes, python: bool) -> list[tuple[int, int, str]]:
    """(line, column, comment text) of each `#` comment: tokens for Python (a `# noqa` inside a
    string is no comment), the text after `#` for requirement and lock files."""
    text = _text(data)
    if python:
        try:
            tokens = tokenize.generate_tokens(io.StringIO(text).readline)
            return [
                (t.start[0], t.start[1] + 1, t.string) for t in tokens if t.type == tokenize.COMMENT
            ]
        except (tokenize.TokenError, SyntaxError):
            pass  # a file the parser refused: read as lines, as the suppressions are
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        if "#" in line:
            out.append((number, line.index("#") + 1, line[line.index("#") :]))
    return out


def comments_in(data: bytes, display: str) -> list[SuppressionComment]:
    """The corsproof suppression comments of a file, numbered as `suppressing` numbers lines."""
    if not _OURS.search(data):
        return []
    out = []
    for number, column, comment in _comments(data, display.endswith((".py", ".pyw"))):
        rules = _named(comment, bare=False)
        if rules:
            out.append(
                SuppressionComment(display, number, column, comment.strip(), frozenset(rules))
            )
    return out


class SuppressionUse:
    """`suppressed` for the judge that also remembers which comment hid which finding.

    `given`: files whose text did not come from disk (stdin), by their display path."""

    def __init__(self, given: dict[str, bytes] | None = None) -> None:
        self.used: set[tuple[str, int, str]] = set()
        self._given = {path: split_lines(data) for path, data in (given or {}).items()}
        # the lines of the last files read: findings come sorted by file, so a few suffice, and
        # they live as long as this run's judging, never into another run
        self._read: OrderedDict[str, tuple[str, ...]] = OrderedDict()

    def _lines_of(self, path: str) -> tuple[str, ...]:
        given = self._given.get(path)
        if given is not None:
            return given
        lines = self._read.get(path)
        if lines is None:
            lines = self._read[path] = _read_lines(path)
            if len(self._read) > 32:
                self._read.popitem(last=False)
        return lines

    def __call__(self, finding: Finding) -> bool:
        hit = suppressing(finding, self._lines_of)
        if hit is None or finding.location is None:
            return False
        self.used.add((finding.location.path, *hit))
        return True

    def unused(
        self, comments: list[SuppressionComment], known: set[str], selected: set[str] | None
    ) -> list[UnusedSuppression]:
        out = []
        for comment in comments:
            idle = sorted(
                r for r in comment.rules if (comment.path, comment.line, r) not in self.used
            )
            if not idle:
                continue
            reasons = []
            for rule in idle:
                if rule == ALL:
                    reasons.append("no finding on this statement")
                elif rule not in known:
                    reasons.append(f"{rule} is not a corsproof rule")
                elif selected is not None and rule not in selected:
                    reasons.append(f"{rule} is not selected")
                else:
                    reasons.append(f"no {rule} finding on this statement")
            out.append(
                UnusedSuppression(
                    comment.path,
                    comment.line,
                    comment.column,
                    comment.text,
                    tuple(idle),
                    "; ".join(reasons),
                )
            )
        return out
