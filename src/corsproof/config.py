"""`[tool.corsproof]` in pyproject.toml: the same keys as the command line; flags win."""

from __future__ import annotations

import difflib
import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from corsproof.findings import SEVERITIES, Finding
from corsproof.rules._select import matches, unknown_selectors

KEYS = {"select", "ignore", "fail-on", "exclude", "trusted-origins", "per-path-ignores"}


class ConfigError(Exception):
    pass


@dataclass
class Config:
    path: Path | None = None
    select: set[str] | None = None
    ignore: set[str] | None = None
    fail_on: str | None = None
    exclude: list[str] = field(default_factory=list)
    trusted_origins: tuple[str, ...] = ()
    per_path_ignores: dict[str, set[str]] = field(default_factory=dict)

    def ignored_by_path(self, finding: Finding) -> bool:
        """Per-path ignores: globs relative to the directory of pyproject.toml."""
        if finding.location is None or not self.per_path_ignores:
            return False
        path = Path(finding.location.path)
        candidates = {path.as_posix()}
        if self.path is not None:
            try:
                candidates.add(path.resolve().relative_to(self.path.parent.resolve()).as_posix())
            except ValueError:
                pass
        for pattern, rules in self.per_path_ignores.items():
            if any(fnmatch.fnmatch(c, pattern) for c in candidates) and matches(
                rules, finding.rule_id
            ):
                return True
        return False


def find_pyproject(start: Path) -> Path | None:
    directory = start if start.is_dir() else start.parent
    directory = directory.resolve()
    for candidate in (directory, *directory.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


class _Where:
    """File and line of a key of `[tool.corsproof]`, for error messages (tomllib keeps no
    positions: the line is found in the text, by the table headers and `key =` lines)."""

    _PART = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)"""
    _DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
    _HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
    _KEY = re.compile(rf"^\s*({_DOTTED})\s*=")

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.split("\n")

    @classmethod
    def _name(cls, dotted: str) -> str:
        return ".".join(p.strip().strip("\"'") for p in re.findall(cls._PART, dotted))

    def _line(self, key: str | None, table: str) -> int | None:
        """The line that sets `key` in `table` (plain, dotted or under a parent table), else
        the table's header line."""
        current, header = "", None
        for number, line in enumerate(self.lines, 1):
            match = self._HEADER.match(line)
            if match:
                current = self._name(match[1])
                header = number if current == table and header is None else header
                continue
            match = self._KEY.match(line)
            if key is not None and match:
                name = self._name(match[1])
                if (f"{current}.{name}" if current else name) == f"{table}.{key}":
                    return number
        return header

    def error(self, key: str | None, message: str, table: str = "tool.corsproof") -> ConfigError:
        line = self._line(key, table)
        where = f"{self.path}:{line}" if line else str(self.path)
        return ConfigError(f"{where}: {message}")


def _rules(
    value: Any, key: str, where: _Where, table: str = "tool.corsproof", label: str | None = None
) -> set[str]:
    """A list of rule selectors (`key` in `table`; `label`: how the message names it)."""
    label = label or key
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(
            key,
            f'{label} must be a list of rule ids or prefixes, e.g. {label} = ["CORS101", "CORS3"]',
            table,
        )
    rules = {v.strip().upper() for v in value if v.strip()}
    unknown = unknown_selectors(sorted(r for r in rules if r != "*"))
    if unknown:
        raise where.error(
            key,
            f"{label}: unknown rule id or prefix: {', '.join(unknown)} "
            "(`corsproof rules` lists them)",
            table,
        )
    return rules


def load_config(paths: list[str]) -> Config:
    """The configuration that applies to the first scanned path (searching upwards), if any."""
    start = Path(paths[0]) if paths else Path.cwd()
    pyproject = find_pyproject(start if start.exists() else Path.cwd())
    if pyproject is None:
        return Config()
    return load_config_file(pyproject)


def load_config_file(path: str | Path) -> Config:
    """`[tool.corsproof]` of one pyproject.toml (an empty Config when the table is absent)."""
    pyproject = Path(path)
    try:
        text = pyproject.read_text(encoding="utf-8")
        document = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"cannot read {pyproject}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{pyproject}: not UTF-8 ({exc.reason}); TOML files are UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: not valid TOML: {exc}") from None
    tool = document.get("tool", {})
    table = tool.get("corsproof") if isinstance(tool, dict) else None
    if table is None:
        return Config()
    where = _Where(pyproject, text)
    if not isinstance(table, dict):
        raise where.error(None, "[tool.corsproof] must be a table of settings", "tool")
    for key in sorted(set(table) - KEYS):
        close = difflib.get_close_matches(key, sorted(KEYS), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise where.error(
            key,
            f"unknown key {key!r} in [tool.corsproof]; {hint}valid keys: {', '.join(sorted(KEYS))}",
        )
    config = Config(path=pyproject)
    if "select" in table:
        config.select = _rules(table["select"], "select", where)
    if "ignore" in table:
        config.ignore = _rules(table["ignore"], "ignore", where)
    if "fail-on" in table:
        if table["fail-on"] not in SEVERITIES:
            raise where.error(
                "fail-on",
                f"fail-on = {table['fail-on']!r}: must be one of {', '.join(SEVERITIES)}",
            )
        config.fail_on = table["fail-on"]
    if "exclude" in table:
        exclude = table["exclude"]
        if not isinstance(exclude, list) or not all(isinstance(v, str) for v in exclude):
            raise where.error(
                "exclude", 'exclude must be a list of gitignore-style globs, e.g. ["tests/*"]'
            )
        config.exclude = list(exclude)
    if "trusted-origins" in table:
        origins = table["trusted-origins"]
        if not isinstance(origins, list) or not all(isinstance(v, str) for v in origins):
            raise where.error(
                "trusted-origins",
                'trusted-origins must be a list of origins, e.g. ["https://app.example.com"]',
            )
        for origin in origins:
            parts = urlsplit(origin.strip())
            if (
                parts.scheme not in ("http", "https")
                or not parts.hostname
                or parts.path
                not in (
                    "",
                    "/",
                )
            ):
                raise where.error(
                    "trusted-origins",
                    f"trusted-origins: {origin!r} is not an origin; write scheme://host[:port], "
                    "e.g. https://app.example.com",
                )
        config.trusted_origins = tuple(origins)
    if "per-path-ignores" in table:
        mapping = table["per-path-ignores"]
        if not isinstance(mapping, dict):
            raise where.error(
                "per-path-ignores",
                'per-path-ignores must be a table of glob = [rules], e.g. "tests/*" = ["CORS101"]',
            )
        config.per_path_ignores = {
            glob: _rules(
                rules, glob, where, "tool.corsproof.per-path-ignores", f'per-path-ignores."{glob}"'
            )
            for glob, rules in mapping.items()
        }
    return config
