"""Requirement and lock files: which versions of a CORS library a project admits (CORS302).

Formats read (the walker yields them, `engine.analyse_file` routes them here):

- `requirements*.txt` and any `*.txt` in a `requirements/` directory: one PEP 508 requirement per
  line, `\\` continuations, `#` comments, per-requirement options (`--hash=…`) dropped;
  `-r/--requirement` and `-c/--constraint` files are followed relative to the including file
  (a finding in an included file is reported in that file, so it is the same finding when the
  walk reaches the file too);
- `pyproject.toml`: PEP 621 `[project] dependencies` and `optional-dependencies`, PEP 735
  `[dependency-groups]`, `[tool.uv] dev-dependencies`, Poetry `[tool.poetry.dependencies]`,
  `dev-dependencies` and `[tool.poetry.group.<name>.dependencies]` (`"^3.0"`, `"~3.0"`, `"3.*"`,
  `{version = "…"}`, a list of such tables, `||` alternatives);
- `Pipfile` (`[packages]`, `[dev-packages]` and other categories) and `Pipfile.lock` (JSON);
- `poetry.lock` and `uv.lock` (`[[package]]` name and version);
- `setup.cfg`: `[options] install_requires` and `[options.extras_require]`.

A requirement is reported when it admits at least one version and every version it admits is
affected by an advisory of `corsproof/data/advisories.json` — a pin (`==4.0.0`), or a cap that
stops before the fix (`<5`, `<=4.0.1`, `~=3.0`, `^3.0`, `3.*`). Specifiers are turned into
intervals of versions and compared with the advisory's affected interval (`packaging` decides
membership of a single version, pre-release rules included). A lower bound that admits a fixed
release (`>=3.0`) is not reported; a lock file's exact version is, unless the manifest next to it
(`pyproject.toml` for `poetry.lock`/`uv.lock`, `Pipfile` for `Pipfile.lock`) already reports every
advisory of that entry. A malformed TOML or JSON file is an error (listed under `errors`);
requirement lines that do not parse are skipped, as are names of no CORS library.

Not modelled: environment markers and extras (a requirement is judged as if it applied to every
environment), editable, VCS, URL and path requirements (no version), `${VAR}` substitutions,
pip options other than `-r`/`-c`, `setup.py`, build-system requirements, local version labels.
A file whose bytes name no CORS library of the advisory table (and, for requirement files, include
no other file) is not parsed.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from corsproof.findings import Location
from corsproof.policy import Advisory, CorsPolicy, Dependency
from corsproof.static._module import MAX_BYTES, AnalysisError, open_source, read_bounded

MAX_INCLUDE_DEPTH = 10
LOCK_FILES = {
    "poetry.lock": "pyproject.toml",
    "uv.lock": "pyproject.toml",
    "Pipfile.lock": "Pipfile",
}

# ------------------------------------------------------------------------------ the advisories


@dataclass(frozen=True)
class Affected:
    """One advisory of a package and the versions it affects."""

    advisory: Advisory
    spec: SpecifierSet
    spans: tuple[Span, ...]


@lru_cache(maxsize=1)
def advisory_table() -> dict[str, tuple[Affected, ...]]:
    """The advisories of `corsproof/data/advisories.json` by PEP 503 normalised package name."""
    raw = json.loads(
        resources.files("corsproof").joinpath("data/advisories.json").read_text(encoding="utf-8")
    )
    table: dict[str, list[Affected]] = {}
    for item in raw["advisories"]:
        advisory = Advisory(
            item["id"], item["severity"], item["fixed"], item["summary"], item["source"]
        )
        spec = SpecifierSet(item["affected"])
        spans = spans_of_set(spec)
        if spans is None:  # pragma: no cover - the data is validated by the tests
            raise ValueError(f"advisory {item['id']}: cannot read affected {item['affected']!r}")
        table.setdefault(canonicalize_name(item["package"]), []).append(
            Affected(advisory, spec, tuple(spans))
        )
    return {name: tuple(items) for name, items in table.items()}


@lru_cache(maxsize=1)
def _prefilter() -> re.Pattern[bytes]:
    """The bytes of any spelling of a package of the table (`Flask_CORS`, `flask.cors`…)."""
    alternatives = [
        b"[-_.]+".join(re.escape(part.encode()) for part in name.split("-"))
        for name in sorted(advisory_table())
    ]
    return re.compile(b"(?i)" + b"|".join(alternatives))


_INCLUDES = re.compile(rb"(?m)^[ \t]*(?:-[rc]|--requirement|--constraint)")


def relevant(name: str, data: bytes) -> bool:
    """Can this file hold a finding? It names a CORS library, or (requirements) includes a file."""
    if _prefilter().search(data):
        return True
    return name.endswith(".txt") and _INCLUDES.search(data) is not None


# ------------------------------------------------------------------------ versions as intervals

Bound = tuple[Version, bool] | None  # (version, inclusive); None: unbounded


@dataclass(frozen=True)
class Span:
    """An interval of versions in PEP 440 order."""

    low: Bound
    high: Bound

    def empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        (low, low_in), (high, high_in) = self.low, self.high
        return low > high or (low == high and not (low_in and high_in))

    def point(self) -> Version | None:
        if self.low is not None and self.high is not None and self.low[0] == self.high[0]:
            return self.low[0]
        return None


ANY = (Span(None, None),)


def _higher_low(a: Bound, b: Bound) -> Bound:
    if a is None or b is None:
        return b if a is None else a
    if a[0] != b[0]:
        return a if a[0] > b[0] else b
    return (a[0], a[1] and b[1])


def _lower_high(a: Bound, b: Bound) -> Bound:
    if a is None or b is None:
        return b if a is None else a
    if a[0] != b[0]:
        return a if a[0] < b[0] else b
    return (a[0], a[1] and b[1])


def intersect(xs: tuple[Span, ...], ys: tuple[Span, ...]) -> tuple[Span, ...]:
    spans = (Span(_higher_low(x.low, y.low), _lower_high(x.high, y.high)) for x in xs for y in ys)
    return tuple(span for span in spans if not span.empty())


def _within(inner: Span, outer: Span) -> bool:
    if outer.low is not None:
        if inner.low is None or inner.low[0] < outer.low[0]:
            return False
        if inner.low[0] == outer.low[0] and inner.low[1] and not outer.low[1]:
            return False
    if outer.high is not None:
        if inner.high is None or inner.high[0] > outer.high[0]:
            return False
        if inner.high[0] == outer.high[0] and inner.high[1] and not outer.high[1]:
            return False
    return True


def subset(xs: tuple[Span, ...], ys: tuple[Span, ...]) -> bool:
    """Every version of `xs` is in `ys` (each span of `xs` inside one span of `ys`)."""
    return all(any(_within(x, y) for y in ys) for x in xs)


def _release(numbers: tuple[int, ...] | list[int], epoch: int = 0) -> Version:
    prefix = f"{epoch}!" if epoch else ""
    return Version(prefix + ".".join(str(n) for n in numbers) + ".dev0")


def _prefix_span(prefix: str) -> Span | None:
    """`3.0.*`: [3.0.dev0, 3.1.dev0), the versions whose release starts with 3.0."""
    try:
        version = Version(prefix)
    except InvalidVersion:
        return None
    if version.pre or version.post is not None or version.dev is not None or version.local:
        return None
    release = version.release
    upper = (*release[:-1], release[-1] + 1)
    return Span((_release(release, version.epoch), True), (_release(upper, version.epoch), False))


def spans_of(spec: Specifier) -> tuple[Span, ...] | None:
    """The versions one PEP 440 specifier admits; None when it cannot be read as an interval."""
    operator, text = spec.operator, spec.version
    if text.endswith(".*"):
        span = _prefix_span(text[:-2])
        if span is None or operator not in ("==", "!="):
            return None
        if operator == "==":
            return (span,)
        return (Span(None, (span.low[0], False)), Span(span.high, None))  # type: ignore[index]
    try:
        version = Version(text)
    except InvalidVersion:
        return None  # `===foo`: arbitrary equality with a non-PEP 440 string
    if operator in ("==", "==="):
        return (Span((version, True), (version, True)),)
    if operator == "!=":
        return (Span(None, (version, False)), Span((version, False), None))
    if operator == ">=":
        return (Span((version, True), None),)
    if operator == ">":
        return (Span((version, False), None),)
    if operator == "<=":
        return (Span(None, (version, True)),)
    if operator == "<":
        return (Span(None, (version, False)),)
    if operator == "~=":  # ~=2.2.1: >=2.2.1, ==2.2.*
        release = version.release
        upper = (*release[:-2], release[-2] + 1)
        return (Span((version, True), (_release(upper, version.epoch), False)),)
    return None


def spans_of_set(specs: SpecifierSet) -> tuple[Span, ...] | None:
    spans = ANY
    for spec in specs:
        one = spans_of(spec)
        if one is None:
            return None
        spans = intersect(spans, one)
    return spans


def pep440_spans(text: str) -> tuple[Span, ...] | None:
    """A Pipfile version: a PEP 440 specifier set, `*`, or a bare version (meaning `==`)."""
    text = text.strip()
    if text in ("", "*"):
        return ANY
    if text[0].isdigit():
        text = "==" + text
    try:
        return spans_of_set(SpecifierSet(text))
    except InvalidSpecifier:
        return None


_POETRY_TOKEN = re.compile(r"(\^|~=|~|===|==|!=|>=|<=|>|<|=)?\s*(\*|[0-9][0-9A-Za-z.*+!_-]*)")


def _caret(version: Version) -> Span:
    """Poetry `^1.2.3` >=1.2.3,<2.0.0; `^0.2.3` <0.3.0; `^0.0.3` <0.0.4; `^0` <1; `^0.0` <0.1."""
    release = list(version.release)
    nonzero = next((i for i, n in enumerate(release) if n), None)
    if nonzero is None:
        index = 0 if len(release) == 1 else len(release) - 1
    else:
        index = nonzero
    upper = (*release[:index], release[index] + 1)
    return Span((version, True), (_release(upper, version.epoch), False))


def _tilde(version: Version) -> Span:
    """Poetry `~1.2.3` >=1.2.3,<1.3.0; `~1.2` <1.3; `~1` <2."""
    release = version.release
    upper = (release[0] + 1,) if len(release) == 1 else (release[0], release[1] + 1)
    return Span((version, True), (_release(upper, version.epoch), False))


def _poetry_one(operator: str, text: str) -> tuple[Span, ...] | None:
    if text == "*":
        return ANY if operator in ("", "=", "==") else None
    if operator in ("", "="):
        operator = "=="
    if operator in ("^", "~"):
        try:
            version = Version(text)
        except InvalidVersion:
            return None
        return ((_caret if operator == "^" else _tilde)(version),)
    try:
        return spans_of(Specifier(operator + text))
    except InvalidSpecifier:
        return None


def poetry_spans(text: str) -> tuple[Span, ...] | None:
    """A Poetry version constraint: `^3.0`, `~3.0`, `3.*`, `>=1.2,<2`, `>= 1.2 < 2`, `a || b`."""
    alternatives: list[Span] = []
    for alternative in text.split("||"):
        spans = ANY
        position = 0
        for match in _POETRY_TOKEN.finditer(alternative):
            if alternative[position : match.start()].strip(" ,\t"):
                return None
            position = match.end()
            one = _poetry_one(match.group(1) or "", match.group(2))
            if one is None:
                return None
            spans = intersect(spans, one)
        if alternative[position:].strip(" ,\t"):
            return None
        alternatives.extend(spans)
    return tuple(alternatives)


def affected_by(package: str, spans: tuple[Span, ...]) -> tuple[Advisory, ...]:
    """The advisories of `package` that affect every version `spans` admits (none if it admits
    none)."""
    if not spans:
        return ()
    point = spans[0].point() if len(spans) == 1 else None
    found = []
    for affected in advisory_table().get(package, ()):
        if point is not None:
            hit = affected.spec.contains(point, prereleases=True)
        else:
            hit = subset(spans, affected.spans)
        if hit:
            found.append(affected.advisory)
    return tuple(found)


# ---------------------------------------------------------------------------- what files hold


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

    def policy(self, advisories: tuple[Advisory, ...]) -> CorsPolicy:
        loc = Location(
            self.path, self.line, self.column, self.line, self.end_column, source=self.source
        )
        dependency = Dependency(self.package, self.specifier, self.locked, advisories)
        return CorsPolicy(framework="dependencies", loc=loc, dependency=dependency)


def _name_columns(line: str, name: str, start: int = 0) -> tuple[int, int]:
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
    column, end = _name_columns(line, requirement.name, start)
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


# -------------------------------------------------------------------------------- requirements

_COMMENT = re.compile(r"(^|\s+)#.*$")
_INCLUDE = re.compile(r"^(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+)?(\S+)")


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


def _read_text(path: Path, why: list[str] | None = None) -> str | None:
    """A requirement or manifest file's text; None when it cannot be read (the reason appended
    to `why`)."""
    try:
        # (a FIFO named by `-r` or as a manifest is skipped, never waited on)
        with open_source(path) as handle:
            data = read_bounded(handle, MAX_BYTES)
        if len(data) > MAX_BYTES:
            return _unread(why, f"larger than {MAX_BYTES >> 20} MB")
        return _utf8(data)
    except AnalysisError as exc:
        return _unread(why, str(exc))
    except OSError as exc:
        return _unread(why, exc.strerror or str(exc))


def _utf8(data: bytes) -> str:
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
    lines = _lines(text)
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
            content = _read_text(included, why)
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


# -------------------------------------------------------------------------------------- TOML


def _lines(text: str) -> list[str]:
    # numbered as suppress.py numbers them: split at "\n" only
    return [line.removesuffix("\r") for line in text.split("\n")]


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
        self.lines = _lines(text)
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
        column, end = _name_columns(line, key)
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
    lines = _lines(text)
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
    lines = _lines(text)
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


# ------------------------------------------------------------------------------------ setup.cfg

_SECTION = re.compile(r"^\[([^\]]+)\]")
_OPTION = re.compile(r"^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$")
_CFG_COMMENT = re.compile(r"\s+[#;].*$")


def setup_cfg(text: str, display: str) -> list[Entry]:
    """`[options] install_requires` and every key of `[options.extras_require]`: an INI file read
    line by line (a value on the key's line, then one requirement per indented line)."""
    lines = _lines(text)
    section = ""
    collecting = False
    entries = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if line[0] not in " \t":
            header = _SECTION.match(stripped)
            if header:
                section = header.group(1).strip().lower()
                collecting = False
                continue
            option = _OPTION.match(stripped)
            if option is None:
                collecting = False
                continue
            key = option.group(1).strip().lower()
            collecting = (section == "options" and key == "install_requires") or (
                section == "options.extras_require"
            )
            value = option.group(2)
            if not collecting or not value.strip():
                continue
            column = line.find(value)
            parts = [value] if ";" not in value else _semicolon_list(value)
        elif collecting:
            column = line.find(stripped)
            parts = [stripped]
        else:
            continue
        for part in parts:
            part = _CFG_COMMENT.sub("", part).strip()
            if not part or part.startswith(("file:", "attr:")):
                continue
            entry = requirement_entry(part, display, index + 1, line, max(column, 0))
            if entry is not None:
                entries.append(entry)
    return entries


def _semicolon_list(value: str) -> list[str]:
    """`a==1; b==2` (setuptools' list-semi) unless it is one requirement with a marker."""
    try:
        Requirement(_CFG_COMMENT.sub("", value).strip())
    except InvalidRequirement:
        return value.split(";")
    return [value]


# --------------------------------------------------------------------------------------- entry


def entries_of(
    name: str,
    text: str,
    display: str,
    real: Path,
    problems: list[tuple[str, str]] | None = None,
) -> list[Entry]:
    if name == "pyproject.toml":
        return pyproject(text, display)
    if name == "Pipfile":
        return pipfile(text, display)
    if name == "Pipfile.lock":
        return pipfile_lock(text, display)
    if name in ("poetry.lock", "uv.lock"):
        return toml_lock(text, display)
    if name == "setup.cfg":
        return setup_cfg(text, display)
    return requirements(text, display, real, problems=problems)


def _manifest_reports(lock: Path, display: str) -> dict[str, set[str]]:
    """The advisories the manifest next to a lock file reports, by package."""
    name = LOCK_FILES[lock.name]
    manifest = lock.parent / name
    text = _read_text(manifest)
    if text is None:
        return {}
    try:
        entries = entries_of(name, text, os.path.join(os.path.dirname(display), name), manifest)
    except AnalysisError:
        return {}
    reports: dict[str, set[str]] = {}
    for entry in entries:
        reports.setdefault(entry.package, set()).update(a.id for a in entry.advisories())
    return reports


def analyse(
    path: Path, display: str, data: bytes, problems: list[tuple[str, str]] | None = None
) -> list[CorsPolicy]:
    """The CORS302 policies of one requirement or lock file (AnalysisError when malformed); the
    files it includes that cannot be read go to `problems` (see `requirements`)."""
    name = path.name
    if not relevant(name, data):
        return []
    text = _utf8(data)
    policies = []
    reported = _manifest_reports(path, display) if name in LOCK_FILES else {}
    for entry in entries_of(name, text, display, path, problems):
        advisories = entry.advisories()
        if not advisories:
            continue
        if entry.locked and {a.id for a in advisories} <= reported.get(entry.package, set()):
            continue  # the manifest's line already reports them
        policies.append(entry.policy(advisories))
    return policies
