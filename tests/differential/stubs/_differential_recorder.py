"""Records what the stub CORS libraries receive, for the differential tests.

The runner (tests/differential/differential_runner.py) calls `begin` before each corpus case;
every stub call then appends one JSON line to the file named by `CORSPROOF_ORACLE_OUT`:
{"kind": "call", "case", "file", "line", "col", "callee", "args", "kwargs"}, where `file` and
`line` are those of the innermost frame inside the case's directory (the corpus code that made
the call) and the values are normalised (tuple -> list, set -> sorted list, dict keys as str,
compiled regex -> {"regex", "flags"}, anything else -> {"opaque": type name}).
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

_STATE: dict[str, Any] = {"case": None, "root": None}


def begin(case: str, root: str) -> None:
    _STATE["case"] = case
    _STATE["root"] = os.path.realpath(root)


def inside_case(filename: str) -> bool:
    root = _STATE["root"]
    if root is None or not filename or filename.startswith("<"):
        return False
    path = os.path.realpath(filename)
    return path == root or path.startswith(root + os.sep)


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def normalise(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        return {"opaque": "too-deep"}
    if value is None or isinstance(value, (bool, int, float, str)):
        if type(value) in (bool, int, float, str) or value is None:
            return value
        return {"opaque": type(value).__name__}
    if type(value) in (list, tuple):
        return [normalise(item, depth + 1) for item in value]
    if type(value) in (set, frozenset):
        return sorted((normalise(item, depth + 1) for item in value), key=_sort_key)
    if type(value) is dict:
        return {str(key): normalise(item, depth + 1) for key, item in value.items()}
    if isinstance(value, re.Pattern):
        flags = value.flags
        if isinstance(value.pattern, str):
            flags &= ~re.UNICODE  # implicit for str patterns: re.compile("x").flags == 32
        return {"regex": value.pattern, "flags": flags}
    return {"opaque": type(value).__name__}


def _write(entry: dict[str, Any]) -> None:
    out = os.environ.get("CORSPROOF_ORACLE_OUT")
    if not out:
        raise RuntimeError("CORSPROOF_ORACLE_OUT is not set")
    with open(out, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, sort_keys=True) + "\n")


def call_site() -> tuple[str | None, int | None, int | None]:
    """The corpus file, line and column of the innermost frame inside the case directory."""
    frame = sys._getframe(1)
    while frame is not None and not inside_case(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return None, None, None
    positions = list(frame.f_code.co_positions())
    index = frame.f_lasti // 2
    line, col = frame.f_lineno, None
    if 0 <= index < len(positions) and positions[index][0] is not None:
        line, col = positions[index][0], positions[index][2]
    path = os.path.relpath(os.path.realpath(frame.f_code.co_filename), _STATE["root"])
    return path.replace(os.sep, "/"), line, col


def record(callee: str, args: tuple[Any, ...] | list[Any], kwargs: dict[str, Any]) -> None:
    file, line, col = call_site()
    _write(
        {
            "kind": "call",
            "case": _STATE["case"],
            "file": file,
            "line": line,
            "col": col,
            "callee": callee,
            "args": [normalise(arg) for arg in args],
            "kwargs": {name: normalise(value) for name, value in kwargs.items()},
        }
    )


def write(entry: dict[str, Any]) -> None:
    _write({"case": _STATE["case"], **entry})
