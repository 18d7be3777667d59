"""Requirement and lock files: which versions of a CORS library a project admits (CORS302).

One more kind of input beside the framework adapters: it produces `Dependency` facts (a
requirement admitting only vulnerable versions, where it is written), not policies; CORS302 judges
them. This module holds the facts and stays light; reading files is `_analyse.analyse`, imported
by the engine with the first such file. Modules: `_versions` (specifiers as intervals),
`_advisories` (the advisory table), `_entry` (one entry and where it is written),
`_requirements`, `_toml` (pyproject, Pipfile, lock files), `_setup_cfg`, `_analyse`.

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

from dataclasses import dataclass

from corsproof.findings import Location

FRAMEWORK = "dependencies"  # what findings on dependencies name as their framework


@dataclass(frozen=True)
class Advisory:
    """A security advisory of a CORS library (src/corsproof/data/advisories.json)."""

    id: str  # CVE id, or the library's own reference when there is none
    severity: str
    fixed: str | None  # first fixed release; None: no fix released
    summary: str
    source: str  # URL of the advisory record


@dataclass(frozen=True)
class Dependency:
    """A requirement (or lock-file entry) of a CORS library that admits only vulnerable versions
    (CORS302), where it is written."""

    package: str  # PEP 503 normalised name
    specifier: str  # as written: "==4.0.0", "<5", "^3.0"; a lock file's version: "4.0.0"
    locked: bool  # an exact version from a lock file (poetry.lock, uv.lock, Pipfile.lock)
    advisories: tuple[Advisory, ...]
    loc: Location  # the requirement's line, the package name's columns

    framework = FRAMEWORK
