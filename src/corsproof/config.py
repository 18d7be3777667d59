"""`[tool.corsproof]` in pyproject.toml: the same keys as the command line; flags win."""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corsproof.findings import SEVERITIES, Finding
from corsproof.rules._select import matches

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


def _rules(value: Any, key: str) -> set[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[tool.corsproof] {key} must be a list of rule ids")
    return {v.strip().upper() for v in value if v.strip()}


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
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {pyproject}: {exc}") from None
    table = document.get("tool", {}).get("corsproof")
    if table is None:
        return Config()
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.corsproof] must be a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ConfigError(
            f"{pyproject}: unknown key(s) in [tool.corsproof]: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(KEYS))})"
        )
    config = Config(path=pyproject)
    if "select" in table:
        config.select = _rules(table["select"], "select")
    if "ignore" in table:
        config.ignore = _rules(table["ignore"], "ignore")
    if "fail-on" in table:
        if table["fail-on"] not in SEVERITIES:
            raise ConfigError(f"{pyproject}: fail-on must be one of {', '.join(SEVERITIES)}")
        config.fail_on = table["fail-on"]
    if "exclude" in table:
        exclude = table["exclude"]
        if not isinstance(exclude, list) or not all(isinstance(v, str) for v in exclude):
            raise ConfigError(f"{pyproject}: exclude must be a list of globs")
        config.exclude = list(exclude)
    if "trusted-origins" in table:
        origins = table["trusted-origins"]
        if not isinstance(origins, list) or not all(isinstance(v, str) for v in origins):
            raise ConfigError(f"{pyproject}: trusted-origins must be a list of origins")
        config.trusted_origins = tuple(origins)
    if "per-path-ignores" in table:
        mapping = table["per-path-ignores"]
        if not isinstance(mapping, dict):
            raise ConfigError(f"{pyproject}: per-path-ignores must be a table of glob = [rules]")
        config.per_path_ignores = {
            glob: _rules(rules, f"per-path-ignores.{glob}") for glob, rules in mapping.items()
        }
    return config
