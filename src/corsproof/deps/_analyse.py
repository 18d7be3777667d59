"""One requirement or lock file to its `Dependency` facts: the file's kind chosen by name, a lock entry left out when the manifest next to it reports the same advisories."""

from __future__ import annotations

import os
from pathlib import Path

from corsproof.deps import Dependency
from corsproof.deps._advisories import relevant
from corsproof.deps._entry import Entry
from corsproof.deps._requirements import read_text, requirements, utf8_text
from corsproof.deps._setup_cfg import setup_cfg
from corsproof.deps._toml import pipfile, pipfile_lock, pyproject, toml_lock
from corsproof.static._read import AnalysisError

LOCK_FILES = {
    "poetry.lock": "pyproject.toml",
    "uv.lock": "pyproject.toml",
    "Pipfile.lock": "Pipfile",
}


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
    text = read_text(manifest)
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
) -> list[Dependency]:
    """The `Dependency` facts of one requirement or lock file (AnalysisError when malformed); the
    files it includes that cannot be read go to `problems` (see `requirements`)."""
    name = path.name
    if not relevant(name, data):
        return []
    text = utf8_text(data)
    found = []
    reported = _manifest_reports(path, display) if name in LOCK_FILES else {}
    for entry in entries_of(name, text, display, path, problems):
        advisories = entry.advisories()
        if not advisories:
            continue
        if entry.locked and {a.id for a in advisories} <= reported.get(entry.package, set()):
            continue  # the manifest's line already reports them
        found.append(entry.dependency(advisories))
    return found
