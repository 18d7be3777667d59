"""Runs corpus cases under CPython with the stub libraries, recording what they receive.

    python -I -S differential_runner.py JOBS.json

`-S` keeps site-packages (the real flask_cors, starlette, ...) off sys.path and `-I` ignores
PYTHON* variables; the stubs directory is put first on sys.path here, and every stub that was
imported is checked to be the stub. JOBS.json is a list of {"case", "root", "entry"}: each case's
entry module (a dotted name, importable from `root`) is imported in a fresh set of modules, and
its calls to the stub libraries are appended to the file named by CORSPROOF_ORACLE_OUT, as are:

- {"kind": "names", "case", "file", "names"}: the upper-case module-level values each module of
  the case had when it finished executing (its own code, not what others did to it later);
- {"kind": "done", "case"} or {"kind": "error", "case", "error"}.

Environment variables set by a case are undone before the next one.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import json
import os
import re
import sys
import traceback
import types
from typing import Any

HERE = os.path.dirname(os.path.realpath(__file__))
STUBS = os.path.join(HERE, "stubs")
STUB_PACKAGES = (
    "flask_cors",
    "quart_cors",
    "starlette",
    "fastapi",
    "flask",
    "quart",
    "environ",
    "decouple",
    "pydantic",
    "pydantic_settings",
    "dotenv",
    "lookalike",
)
UPPER = re.compile(r"^[A-Z][A-Z0-9_]*$")

sys.dont_write_bytecode = True
sys.path.insert(0, STUBS)

import _differential_recorder as recorder  # noqa: E402


def _check_stubs() -> None:
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in STUB_PACKAGES:
            origin = os.path.realpath(getattr(module, "__file__", "") or "")
            if not origin.startswith(STUBS + os.sep):
                raise RuntimeError(f"{name} was imported from {origin}, not from the stubs")


class _SnapshotLoader(importlib.machinery.SourceFileLoader):
    """Records a module's upper-case values right after its own code has run."""

    def exec_module(self, module: types.ModuleType) -> None:
        super().exec_module(module)
        snapshot(module)


class _SnapshotFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if (
            spec is not None
            and spec.origin
            and spec.origin.endswith(".py")
            and recorder.inside_case(spec.origin)
        ):
            spec.loader = _SnapshotLoader(fullname, spec.origin)
        return spec


def _is_value(value: Any) -> bool:
    return not isinstance(value, (types.ModuleType, types.FunctionType, type)) and not callable(
        value
    )


def snapshot(module: types.ModuleType) -> None:
    names = {
        name: recorder.normalise(value)
        for name, value in vars(module).items()
        if UPPER.match(name) and _is_value(value)
    }
    file = os.path.relpath(os.path.realpath(module.__file__), recorder._STATE["root"])
    recorder.write({"kind": "names", "file": file.replace(os.sep, "/"), "names": names})


def _purge(root: str) -> None:
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if origin and os.path.realpath(origin).startswith(root + os.sep):
            del sys.modules[name]


def run_case(job: dict[str, Any]) -> None:
    root = os.path.realpath(job["root"])
    environ = dict(os.environ)
    recorder.begin(job["case"], root)
    sys.path.insert(1, root)  # after the stubs: a corpus module never hides a stub library
    importlib.invalidate_caches()
    try:
        importlib.import_module(job["entry"])
        recorder.write({"kind": "done"})
    except BaseException:  # noqa: BLE001 - a corpus module that fails is reported, not fatal
        recorder.write({"kind": "error", "error": traceback.format_exc()})
    finally:
        sys.path.remove(root)
        _purge(root)
        os.environ.clear()
        os.environ.update(environ)
        _check_stubs()


def main(argv: list[str]) -> int:
    for package in STUB_PACKAGES:
        importlib.import_module(package)
    _check_stubs()
    sys.meta_path.insert(0, _SnapshotFinder())
    with open(argv[1], encoding="utf-8") as handle:
        jobs = json.load(handle)
    for job in jobs:
        run_case(job)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
