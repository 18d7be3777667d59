"""`pyproject.toml` (PEP 621, PEP 735, uv, Poetry), `Pipfile`, and the lock files `poetry.lock`, `uv.lock` (TOML) and `Pipfile.lock` (JSON): entries with the line they are written on."""

from __future__ import annotations

import bisect
import json
import re
import tomllib
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from corsproof._text import source_lines
from corsproof.deps._advisories import advisory_table
from corsproof.deps._entry import Entry, name_columns, requirement_entry
from corsproof.deps._versions import Span, pep440_spans, poetry_spans
from corsproof.static._read import AnalysisError


def _toml(text: str, kind: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AnalysisError(f"invalid {kind}: {exc}") from None


def _key_pattern(key: str) -> str:
    escaped = re.escape(key)
    return rf"(?:{escaped}|\"{escaped}\"|'{escaped}')"


def _header(parts: list[str], array: bool = False) -> re.Pattern[str]:
    dotted = r"\s*\.\s*".join(_key_pattern(part) for part in parts)
    left, right = (r"\[\[", r"\]\]") if array else (r"\[", r"\]")
    return re.compile(rf"^\s*{left}\s*{dotted}\s*{right}")


class _Text:
    """Finds where a value read by tomllib is written (tomllib keeps no positions)."""

    def __init__(self, text: str) -> None:
        self.lines = source_lines(text)
        self.used: set[tuple[int, int]] = set()

    def header(self, parts: list[str]) -> int:
        """Index of the line of the table header `[a.b.c]`; 0 if it is not written as a header."""
        pattern = _header(parts)
        for index, line in enumerate(self.lines):
            if pattern.match(line):
                return index
        return 0

    def string(self, value: str, start: int) -> tuple[int, int] | None:
        """(line index, column index) of the first unused TOML string literal `value` from line
        `start` on (then from the top)."""
        needles = (f'"{value}"', f"'{value}'")
        for begin, end in ((start, len(self.lines)), (0, start)):
            for index in range(begin, end):
                line = self.lines[index]
                for needle in needles:
                    column = line.find(needle)
                    while column != -1:
                        if (index, column) not in self.used:
                            self.used.add((index, column))
                            return index, column + 1
                        column = line.find(needle, column + 1)
        return None

    def key(self, key: str, start: int) -> int | None:
        """Index of the first unused line assigning `key` from line `start` on (then the top)."""
        pattern = re.compile(rf"^\s*{_key_pattern(key)}\s*=")
        for begin, end in ((start, len(self.lines)), (0, start)):
            for index in range(begin, end):
                if (index, -1) not in self.used and pattern.match(self.lines[index]):
                    self.used.add((index, -1))
                    return index
        return None

    def pep508(self, value: str, start: int, path: str) -> Entry | None:
        found = self.string(value, start)
        if found is None:
            index, column = start, 0
        else:
            index, column = found
        return requirement_entry(value, path, index + 1, self.lines[index], column)

    def table_entry(
        self, parts: list[str], key: str, value: Any, path: str, spans_of_text: Any
    ) -> Entry | None:
        """`key = "…"` / `key = {version = "…"}` in table `parts` (Poetry, Pipfile), or a
        `[parts.key]` sub-table with a `version` key."""
        package = canonicalize_name(key)
        if package not in advisory_table():
            return None
        versions: list[str] = []
        items = value if isinstance(value, list) else [value]
        for item in items:
            version = item.get("version") if isinstance(item, dict) else item
            if not isinstance(version, str):
                return None  # git, path, url: no version to judge
            versions.append(version)
        if not versions:
            return None
        spans: list[Span] = []
        for version in versions:
            one = spans_of_text(version)
            if one is None:
                return None
            spans.extend(one)
        start = self.header(parts)
        index = self.key(key, start)
        if index is None:
            sub = self.header([*parts, key])
            index = self.key("version", sub) if sub else None
        if index is None:
            index = start
        line = self.lines[index]
        column, end = name_columns(line, key)
        return Entry(
            package, " || ".join(versions), tuple(spans), path, index + 1, column, end, line
        )


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def pyproject(text: str, display: str) -> list[Entry]:
    data = _toml(text, "TOML")
    where = _Text(text)
    entries: list[Entry | None] = []
    project = _table(data.get("project"))
    start = where.header(["project"])
    entries.extend(where.pep508(s, start, display) for s in _strings(project.get("dependencies")))
    optional = _table(project.get("optional-dependencies"))
    start = where.header(["project", "optional-dependencies"])
    for values in optional.values():
        entries.extend(where.pep508(s, start, display) for s in _strings(values))
    start = where.header(["dependency-groups"])
    for values in _table(data.get("dependency-groups")).values():
        entries.extend(where.pep508(s, start, display) for s in _strings(values))
    tool = _table(data.get("tool"))
    start = where.header(["tool", "uv"])
    uv = _table(tool.get("uv"))
    entries.extend(where.pep508(s, start, display) for s in _strings(uv.get("dev-dependencies")))
    poetry = _table(tool.get("poetry"))
    tables: list[tuple[list[str], dict[str, Any]]] = [
        (["tool", "poetry", "dependencies"], _table(poetry.get("dependencies"))),
        (["tool", "poetry", "dev-dependencies"], _table(poetry.get("dev-dependencies"))),
    ]
    for group, content in _table(poetry.get("group")).items():
        parts = ["tool", "poetry", "group", group, "dependencies"]
        tables.append((parts, _table(_table(content).get("dependencies"))))
    for parts, table in tables:
        for key, value in table.items():
            entries.append(where.table_entry(parts, key, value, display, poetry_spans))
    return [entry for entry in entries if entry is not None]


PIPFILE_NOT_PACKAGES = {"source", "requires", "pipenv", "scripts"}


def pipfile(text: str, display: str) -> list[Entry]:
    data = _toml(text, "TOML")
    where = _Text(text)
    entries: list[Entry | None] = []
    for section, table in data.items():
        if section in PIPFILE_NOT_PACKAGES or not isinstance(table, dict):
            continue
        for key, value in table.items():
            entries.append(where.table_entry([section], key, value, display, pep440_spans))
    return [entry for entry in entries if entry is not None]


_PACKAGE = re.compile(r"^\s*\[\[\s*package\s*\]\]")
_TABLE = re.compile(r"^\s*\[")
_VERSION = re.compile(r"^\s*(?:version|\"version\"|'version')\s*=")
_NAME = re.compile(r"^\s*(?:name|\"name\"|'name')\s*=")


def _exactly(version: str) -> tuple[Span, ...] | None:
    try:
        exact = Version(version)
    except InvalidVersion:
        return None
    return (Span((exact, True), (exact, True)),)


def toml_lock(text: str, display: str) -> list[Entry]:
    """poetry.lock and uv.lock: `[[package]]` tables with `name` and `version`."""
    data = _toml(text, "TOML")
    packages = data.get("package")
    if not isinstance(packages, list):
        return []
    lines = source_lines(text)
    headers = [index for index, line in enumerate(lines) if _PACKAGE.match(line)]
    aligned = len(headers) == len(packages)
    entries = []
    for number, item in enumerate(packages):
        if not isinstance(item, dict):
            continue
        name, version = item.get("name"), item.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            continue
        source = item.get("source")
        if isinstance(source, dict) and ("editable" in source or "virtual" in source):
            continue  # uv.lock: the project itself (or a workspace member), not a release
        package = canonicalize_name(name)
        if package not in advisory_table():
            continue
        spans = _exactly(version)
        if spans is None:
            continue
        index = _lock_line(lines, headers[number] if aligned else None, name, version)
        line = lines[index]
        column = len(line) - len(line.lstrip()) + 1
        end = len(line.rstrip()) + 1
        entries.append(
            Entry(package, version, spans, display, index + 1, column, end, line, locked=True)
        )
    return entries


def _lock_line(lines: list[str], header: int | None, name: str, version: str) -> int:
    """The `version = …` line of a `[[package]]` table (found by its header, else by its name)."""
    if header is None:
        quoted = re.compile(rf"^\s*name\s*=\s*[\"']{re.escape(name)}[\"']")
        header = next((i for i, line in enumerate(lines) if quoted.match(line)), 0)
    for index in range(header + 1, len(lines)):
        line = lines[index]
        if _TABLE.match(line):
            break
        if _VERSION.match(line) and version in line:
            return index
    return header


def pipfile_lock(text: str, display: str) -> list[Entry]:
    """Pipfile.lock (JSON): `{"default": {"flask-cors": {"version": "==4.0.0"}}, "develop": …}`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnalysisError(
            f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        return []
    lines = source_lines(text)
    starts = [0]  # offset of each line's first character
    for line in text.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    used: set[int] = set()
    entries = []
    for section, packages in data.items():
        if section == "_meta" or not isinstance(packages, dict):
            continue
        found = re.search(rf"\"{re.escape(section)}\"\s*:\s*\{{", text)
        section_at = found.start() if found else 0
        for name, info in packages.items():
            package = canonicalize_name(name)
            if package not in advisory_table() or not isinstance(info, dict):
                continue
            version = info.get("version")
            if not isinstance(version, str) or not version.startswith("=="):
                continue
            spans = _exactly(version[2:])
            if spans is None:
                continue
            at = _json_entry(text, name, version, section_at, used)
            index = bisect.bisect_right(starts, at) - 1
            line = lines[index]
            column = len(line) - len(line.lstrip()) + 1
            entries.append(
                Entry(
                    package,
                    version[2:],
                    spans,
                    display,
                    index + 1,
                    column,
                    len(line.rstrip()) + 1,
                    line,
                    locked=True,
                )
            )
    return entries


def _json_entry(text: str, name: str, version: str, start: int, used: set[int]) -> int:
    """Offset of the `"version"` of package `name` in the JSON text (of its key if not found)."""
    key = re.compile(rf"\"{re.escape(name)}\"\s*:\s*\{{")
    value = re.compile(rf"\"version\"\s*:\s*\"{re.escape(version)}\"")
    for begin in (start, 0):
        for match in key.finditer(text, begin):
            if match.start() in used:
                continue
            used.add(match.start())
            following = value.search(text, match.end())
            closing = text.find("}", match.end())
            if following and (closing == -1 or following.start() < closing):
                return following.start()
            return match.start()
    return 0
