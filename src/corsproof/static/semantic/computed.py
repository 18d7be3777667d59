"""What the evaluator computes for the CORS calls and settings of one module, as plain data.

Used by the differential tests (tests/differential/), which run the same modules under CPython with
stub libraries that record what they receive: a value computed here must equal CPython's, or be
reported unresolved — never a different value. Also handy to see what the analysis decides:

    python -m corsproof.static.semantic.computed path/to/module.py [ROOT]
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any

from corsproof.static._module import Module, Project, decode_source, parse_source
from corsproof.static.semantic._evaluate import UNKNOWN, Evaluator, Regex, SetList, Value

_CALLS = {
    "flask_cors.CORS": "CORS",
    "flask_cors.extension.CORS": "CORS",
    "flask_cors.cross_origin": "cross_origin",
    "flask_cors.decorator.cross_origin": "cross_origin",
    "quart_cors.cors": "cors",
    "quart_cors.route_cors": "route_cors",
}
_APP_FIRST = {"CORS", "cors"}  # the application is their first argument


def load(path: str | Path, root: str | Path | None = None) -> Module:
    file = Path(path).resolve()
    project = Project(Path(root).resolve() if root else file.parent, str(root or file.parent))
    source = decode_source(file.read_bytes())
    module = Module(file, str(path), source, parse_source(source, str(path)), project)
    project.add(module)
    return module


def normalise(value: Any) -> Any:
    if value is UNKNOWN:
        return None
    if isinstance(value, Regex):
        return {"regex": value.pattern, "flags": value.flags}
    if isinstance(value, SetList):
        return sorted((normalise(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(normalise(v) for v in value)
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return {"opaque": type(value).__name__}


def _complete(value: Any) -> bool:
    """No unknown part anywhere inside (a list or dict may hold an unknown entry)."""
    if value is UNKNOWN:
        return False
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(_complete(v) for v in value)
    if isinstance(value, dict):
        return all(_complete(v) for v in value.values())
    return not hasattr(value, "__dataclass_fields__") or isinstance(value, Regex)


def result(value: Value) -> dict[str, Any]:
    if value.known and (not _complete(value.value) or value.debug is not None):
        # a partly unknown value, or the branch a debug condition selects: not a claim of what
        # Python computes
        reason = "depends on a debug condition" if value.debug else "holds an unknown part"
        value = Value(UNKNOWN, reason=reason)
    return {
        "known": value.known,
        "value": normalise(value.value) if value.known else None,
        "alternatives": [normalise(v.value) for v in value.alternatives]
        if value.alternatives and all(v.known for v in value.alternatives)
        else None,
        "provenance": value.provenance
        if not (value.alternatives and not all(v.known for v in value.alternatives))
        else "unresolved",
        "reason": value.reason,
    }


def _arguments(
    evaluator: Evaluator, call: ast.Call, skip: int
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    args = [result(evaluator.resolve(a)) for a in call.args[skip:]]
    kwargs: dict[str, dict[str, Any]] = {}
    for kw in call.keywords:
        if kw.arg is not None:
            kwargs[kw.arg] = result(evaluator.resolve(kw.value))
            continue
        mapping = evaluator.resolve(kw.value)
        if isinstance(mapping.value, dict) and all(isinstance(k, str) for k in mapping.value):
            for key, item in mapping.value.items():
                kwargs[key] = result(Value(item, mapping.env, mapping.debug))
        else:
            kwargs["**"] = result(mapping if not mapping.known else Value(UNKNOWN))
    return args, kwargs


def evaluate_calls(path: str | Path, root: str | Path | None = None) -> list[dict[str, Any]]:
    """Every CORS-library call the static model finds, with its evaluated arguments."""
    module = load(path, root)
    evaluator = Evaluator(module)
    found: list[dict[str, Any]] = []
    for call in module.nodes(ast.Call):
        assert isinstance(call, ast.Call)
        qual = module.qualname(call.func)
        callee = _CALLS.get(qual)
        skip = 1 if callee in _APP_FIRST else 0
        if callee is None:
            cls = call.args[0] if call.args else None
            middleware = isinstance(call.func, ast.Attribute) and call.func.attr == "add_middleware"
            middleware = middleware or qual.endswith(".Middleware")
            if not (middleware and cls is not None):
                continue
            cls_qual = module.qualname(cls)
            if not (
                cls_qual.endswith(".CORSMiddleware")
                and cls_qual.startswith(("starlette.", "fastapi."))
            ):
                continue
            callee, skip = "CORSMiddleware", 1
        args, kwargs = _arguments(evaluator, call, skip)
        found.append({"callee": callee, "line": call.lineno, "args": args, "kwargs": kwargs})
    return found


def evaluate_names(
    path: str | Path, names: list[str], root: str | Path | None = None
) -> dict[str, dict[str, Any]]:
    """The value each module-level name has when the module has finished executing."""
    module = load(path, root)
    evaluator = Evaluator(module)
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        out[name] = result(evaluator._global(module, name, 0))
    return out


if __name__ == "__main__":  # pragma: no cover - a debugging aid
    target = sys.argv[1]
    print(json.dumps(evaluate_calls(target, sys.argv[2] if len(sys.argv) > 2 else None), indent=2))
