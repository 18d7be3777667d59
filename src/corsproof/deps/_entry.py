"""One requirement or lock entry of a CORS library and where it is written (`Entry`), and the reading of one PEP 508 requirement line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from corsproof.deps import Advisory, Dependency
from corsproof.deps._advisories import advisory_table, affected_by
from corsproof.deps._versions import Span, spans_of_set
from corsproof.findings import Location


@dataclass
class Entry:
    """One requirement or lock entry of a CORS library, where it is written."""

    package: str  # normalised
    specifier: str  # as written
    spans: tuple[Span, ...] | None
    path: str  # display path
    line: int
    column: int
    end_column: int
    source: str  # the line's text
    locked: bool = False

    def advisories(self) -> tuple[Advisory, ...]:
        return () if self.spans is None else affected_by(self.package, self.spans)

    def dependency(self, advisories: tuple[Advisory, ...]) -> Dependency:
        loc = Location(
            self.path, self.line, self.column, self.line, self.end_column, source=self.source
        )
        return Dependency(self.package, self.specifier, self.locked, advisories, loc)


def name_columns(line: str, name: str, start: int = 0) -> tuple[int, int]:
    """1-based column span of `name` (any PEP 503 spelling) in `line`; the line's text else."""
    pattern = "[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", name))
    match = re.compile(pattern, re.IGNORECASE).search(line, start)
    if match:
        return match.start() + 1, match.end() + 1
    stripped = len(line) - len(line.lstrip())
    return stripped + 1, len(line.rstrip()) + 1


_REQ_NAME = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*")
_REQ_OPTIONS = re.compile(r"\s+--?[A-Za-z]")  # `--hash=…` and other per-requirement options


def requirement_entry(text: str, path: str, number: int, line: str, start: int = 0) -> Entry | None:
    """A PEP 508 requirement string of a CORS library, found on `line` (1-based `number`)."""
    text = _REQ_OPTIONS.split(text, maxsplit=1)[0].strip()
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    if requirement.url:
        return None
    package = canonicalize_name(requirement.name)
    if package not in advisory_table():
        return None
    written = text.split(";", 1)[0]
    head = _REQ_NAME.match(written)
    specifier = written[head.end() :] if head else str(requirement.specifier)
    specifier = specifier.strip().removeprefix("(").removesuffix(")").strip()
    column, end = name_columns(line, requirement.name, start)
    return Entry(
        package,
        specifier,
        spans_of_set(requirement.specifier),
        path,
        number,
        column,
        end,
        line,
    )
