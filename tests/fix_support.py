"""What the `corsproof fix` tests share: the cases every fix is tried on, a case copied to a
working directory, and a fixed file imported as a fresh module."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import uuid
from pathlib import Path
from types import ModuleType

from fixture_support import fixture_cases

ROOT = Path(__file__).resolve().parent.parent
# every fixture case and every example: what the sweep and the fix snapshots run on
FIX_CASES = [*fixture_cases(), *sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())]


def case_id(case: Path) -> str:
    return case.relative_to(ROOT).as_posix()


def copy_case(case: Path, work: Path) -> Path:
    """A copy of the case (a directory, or one file) as the directory `work`."""
    if case.is_dir():
        shutil.copytree(case, work)
    else:
        work.mkdir()
        shutil.copy(case, work / case.name)
    return work


def load(path: Path) -> ModuleType:
    """The file imported under a name never used before (no cached module, no shared app)."""
    name = f"corsproof_fixed_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module
