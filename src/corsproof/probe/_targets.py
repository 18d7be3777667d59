"""Where targets come from: URLs, a targets file, an OpenAPI/Swagger document, an imported app.

Every source is a lazy iterator of `Target` (or `BadTarget` for an entry that cannot be probed), so
the engine can stream millions of targets without holding them.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from corsproof.findings import Target

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
IN_PROCESS_BASE = "http://localhost"
_METHOD_TOKEN = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class BadTarget:
    """An entry that names no probe-able target; reported under `errors`."""

    path: str
    message: str


class TargetSourceError(Exception):
    """A target source (file, OpenAPI document, application) cannot be used at all."""


def check_url(url: str) -> str | None:
    """Why `url` cannot be probed, or None when it is an absolute http(s) URL."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        return f"not a valid URL: {exc}"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "not an absolute http:// or https:// URL"
    return None


def url_targets(urls: Iterable[str], method: str = "GET") -> Iterator[Target | BadTarget]:
    for url in urls:
        problem = check_url(url)
        yield BadTarget(url, problem) if problem else Target(url, method)


def file_targets(path: str) -> Iterator[Target | BadTarget]:
    """One URL per line (optionally `METHOD URL`); blank lines and `#` comments are skipped."""
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed by the generator
    except OSError as exc:
        raise TargetSourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return _file_lines(path, handle)


def _file_lines(path: str, handle: Any) -> Iterator[Target | BadTarget]:
    with handle:
        for number, raw in enumerate(handle, 1):
            line = re.sub(r"(^|\s)#.*$", "", raw).strip()
            if not line:
                continue
            words = line.split()
            method = "GET"
            if len(words) == 2 and _METHOD_TOKEN.fullmatch(words[0]):
                method, line = words[0].upper(), words[1]
            elif len(words) != 1:
                yield BadTarget(f"{path}:{number}", f"expected a URL, got {line!r}")
                continue
            problem = check_url(line)
            yield (
                BadTarget(f"{path}:{number}", f"{line}: {problem}")
                if problem
                else Target(line, method)
            )


def path_targets(paths: Iterable[str], base_url: str = IN_PROCESS_BASE) -> Iterator[Target]:
    base = base_url.rstrip("/")
    for path in paths:
        yield Target(base + ("" if path.startswith("/") else "/") + path, "GET")


# ------------------------------------------------------------------------------------- OpenAPI


def load_document(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise TargetSourceError(
            f"{path}: not UTF-8 text (byte {exc.start}): save the document as UTF-8"
        ) from exc
    except OSError as exc:
        raise TargetSourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
    document: Any
    try:
        document = json.loads(text)
    except ValueError as json_error:
        import yaml

        try:
            document = yaml.safe_load(text)
        except (yaml.YAMLError, RecursionError) as exc:
            raise TargetSourceError(_syntax_error(path, json_error, exc)) from exc
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise TargetSourceError(f"{path}: not an OpenAPI 3 or Swagger 2.0 document (no `paths`)")
    if not (str(document.get("openapi", "")).startswith("3") or document.get("swagger") == "2.0"):
        raise TargetSourceError(f"{path}: neither `openapi: 3.x` nor `swagger: '2.0'`")
    return document


def _syntax_error(path: str, json_error: ValueError, yaml_error: BaseException) -> str:
    """One line: the file, the line and column, what is wrong there and what to do.

    A `.json` file is reported with the JSON parser's complaint, anything else with YAML's (YAML
    reads JSON too). PyYAML's own message spans several lines with a caret drawing."""
    what = "fix the document, or pass an OpenAPI 3.x / Swagger 2.0 file in JSON or YAML"
    if path.lower().endswith(".json") and isinstance(json_error, json.JSONDecodeError):
        return (
            f"{path}:{json_error.lineno}:{json_error.colno}: invalid JSON: {json_error.msg}: {what}"
        )
    mark = getattr(yaml_error, "problem_mark", None)
    problem = getattr(yaml_error, "problem", None) or type(yaml_error).__name__
    context = getattr(yaml_error, "context", None)
    context_mark = getattr(yaml_error, "context_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else path
    detail = str(problem)
    if context and context_mark is not None and mark is not None:
        if context_mark.line != mark.line:
            detail += f" ({context} that starts on line {context_mark.line + 1})"
        else:
            detail += f" ({context})"
    return " ".join(f"{where}: invalid YAML: {detail}: {what}".split())


def _resolve(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """Follow local `$ref`s (`#/components/...`, `#/parameters/...`)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 20:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return {}
            target = target[part]
        node = target
        depth += 1
    return node


def _spec_base(document: dict[str, Any]) -> str:
    """The server URL the document names (may be relative, may be empty)."""
    if "swagger" in document:
        host = document.get("host")
        base_path = str(document.get("basePath") or "")
        if not host:
            return base_path
        schemes = document.get("schemes") or ["https"]
        scheme = "https" if "https" in schemes else str(schemes[0])
        return f"{scheme}://{host}{base_path}"
    servers = document.get("servers") or []
    if not servers or not isinstance(servers[0], dict):
        return ""
    url = str(servers[0].get("url") or "")
    for name, var in (servers[0].get("variables") or {}).items():
        if isinstance(var, dict) and "default" in var:
            url = url.replace("{" + name + "}", str(var["default"]))
    return url


def openapi_base(document: dict[str, Any], base_url: str | None) -> str:
    """`--base-url` joined with the document's own relative base path, or the document's URL."""
    spec = _spec_base(document).rstrip("/")
    if base_url:
        base = base_url.rstrip("/")
        if spec.startswith("/") and not urlsplit(base).path.rstrip("/").endswith(spec):
            base += spec
        return base
    if check_url(spec or "-") is not None:
        raise TargetSourceError(
            f"the document names no absolute server URL: pass --base-url (found {spec!r})"
            if spec
            else "the document names no server: pass --base-url"
        )
    return spec


def _example(document: dict[str, Any], param: dict[str, Any]) -> Any:
    for key in ("example", "x-example", "default"):
        if key in param:
            return param[key]
    examples = param.get("examples")
    if isinstance(examples, dict):
        for example in examples.values():
            example = _resolve(document, example)
            if isinstance(example, dict) and "value" in example:
                return example["value"]
    schema = _resolve(document, param.get("schema") or param)
    if isinstance(schema, dict):
        for key in ("example", "default"):
            if key in schema:
                return schema[key]
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return schema["examples"][0]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
    return None


_PLACEHOLDERS = {
    "uuid": "00000000-0000-4000-8000-000000000000",
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "email": "user@example.com",
}


def _placeholder(document: dict[str, Any], param: dict[str, Any]) -> str:
    schema = _resolve(document, param.get("schema") or param)
    if not isinstance(schema, dict):
        return "1"
    kind = schema.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1: ["string", "null"]
        kind = next((k for k in kind if k != "null"), None)
    if kind in ("integer", "number"):
        return "1"
    if kind == "boolean":
        return "true"
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _PLACEHOLDERS:
        return _PLACEHOLDERS[fmt]
    if kind == "string":
        return "example"
    return "1"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "1"
    return str(value)


def openapi_targets(path: str, base_url: str | None) -> Iterator[Target | BadTarget]:
    """Every path and documented method; path parameters from examples/defaults or a placeholder."""
    document = load_document(path)
    base = openapi_base(document, base_url)
    return _operations(document, base)


def _operations(document: dict[str, Any], base: str) -> Iterator[Target | BadTarget]:
    for template, item in document["paths"].items():
        item = _resolve(document, item)
        if not isinstance(template, str) or not isinstance(item, dict):
            continue
        shared = {
            (p.get("name"), p.get("in")): p
            for p in (_resolve(document, x) for x in item.get("parameters") or [])
            if isinstance(p, dict)
        }
        for method in HTTP_METHODS:
            operation = _resolve(document, item.get(method))
            if not isinstance(operation, dict):
                continue
            params = dict(shared)
            for raw in operation.get("parameters") or []:
                param = _resolve(document, raw)
                if isinstance(param, dict):
                    params[(param.get("name"), param.get("in"))] = param

            def fill(match: re.Match[str], params: dict[Any, Any] = params) -> str:
                param = params.get((match.group(1), "path"), {})
                value = _example(document, param)
                text = _value(value) if value is not None else _placeholder(document, param)
                return quote(text, safe="")

            url = base + re.sub(r"\{([^}/]+)\}", fill, template)
            problem = check_url(url)
            if problem:
                yield BadTarget(f"{method.upper()} {template}", f"{url}: {problem}")
            else:
                yield Target(url, method.upper())


# --------------------------------------------------------------------------------- in-process


@dataclass(frozen=True)
class FailedApp:
    """An application whose code ended its own import, factory call or start-up.

    `load_app` returns it instead of raising, so that the run still produces its report: the
    failure is one entry under `errors` (path: the `--app` spec) and nothing is probed."""

    spec: str
    message: str


@dataclass(frozen=True)
class LoadedApp:
    """A WSGI or ASGI application `load_app` imported, with the `--app` spec that names it in
    errors. Give it to `probe_targets(app=...)` as it is."""

    app: Any
    spec: str


def app_label(app: Any) -> str:
    """How errors name an application: its `--app` spec when `load_app` made it."""
    spec = getattr(app, "spec", None)
    return spec if isinstance(spec, str) else "application"


def unwrap(app: Any) -> Any:
    """The application itself (`load_app` gives it with its spec)."""
    return app.app if isinstance(app, LoadedApp) else app


def _missing_module(exc: BaseException, module_name: str) -> bool:
    """The module named by --app (or a package above it) does not exist — not an import inside."""
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return False
    parts = module_name.split(".")
    return exc.name in {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def load_app(spec: str, app_dir: str | None = None, *, isolate: bool = False) -> Any:
    """Import `MODULE:ATTR` (ATTR may be dotted; `ATTR()` calls a factory) from `app_dir`.

    Raises `TargetSourceError` for what the command line got wrong (the spec's form, a directory
    or module that does not exist, a missing attribute, an object that is no application).
    Whatever the application's own code does while it is imported or built — an exception,
    `sys.exit()`, a `KeyboardInterrupt` it raises — gives a `FailedApp` (a real Ctrl-C still
    interrupts). `isolate=True` imports and runs the application in a child process
    (`IsolatedApp`), which survives even `os._exit()`. Otherwise the application comes as a
    `LoadedApp` (the application and its spec)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise TargetSourceError(f"--app expects MODULE:ATTR, got {spec!r}")
    if app_dir is not None and not os.path.isdir(app_dir):
        problem = (
            "is a file, not a directory"
            if os.path.exists(app_dir)
            else "the directory does not exist"
        )
        raise TargetSourceError(
            f"--app-dir {app_dir}: {problem} (name the directory that contains "
            f"{module_name.split('.')[0]!r})"
        )
    directory = os.path.abspath(app_dir or os.getcwd())
    if isolate:
        from corsproof.probe._isolate import IsolatedApp

        return IsolatedApp.start(spec, directory)
    return _load_here(spec, module_name, attr, directory)


def _load_here(spec: str, module_name: str, attr: str, directory: str) -> Any:
    from corsproof.probe._guard import AppFailure, run_guarded

    if directory not in sys.path:
        sys.path.insert(0, directory)
    try:
        module = run_guarded(
            f"importing {module_name!r}", lambda: importlib.import_module(module_name)
        )
    except AppFailure as exc:
        cause = exc.__cause__
        if cause is not None and _missing_module(cause, module_name):
            raise TargetSourceError(
                f"cannot import {module_name!r}: no module named {cause.name!r} in {directory} "  # type: ignore[attr-defined]
                "(check --app, and --app-dir for the directory that contains it)"
            ) from cause
        return FailedApp(spec, f"{exc}: the application was not probed")
    factory = attr.endswith("()")
    missing = object()

    def resolve() -> Any:  # attribute access may run the application's code too
        obj: Any = module
        for part in attr.removesuffix("()").split("."):
            obj = getattr(obj, part, missing)
            if obj is missing:
                break
        return obj

    try:
        obj = run_guarded(f"reading {spec}", resolve)
    except AppFailure as exc:
        return FailedApp(spec, f"{exc}: the application was not probed")
    if obj is missing:
        raise TargetSourceError(f"{module_name!r} has no attribute {attr.removesuffix('()')!r}")
    if factory:
        try:
            obj = run_guarded(spec, obj)
        except AppFailure as exc:
            return FailedApp(spec, f"{exc}: the application was not probed")
    if not callable(obj):
        raise TargetSourceError(f"{spec} is not a WSGI or ASGI application")
    return LoadedApp(obj, spec)


def is_asgi(app: Any) -> bool:
    """ASGI: an `async` callable taking (scope, receive, send); WSGI: (environ, start_response)."""
    app = unwrap(app)
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    if inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app):
        return True
    try:
        params = [
            p
            for p in inspect.signature(app).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return False
    return len(params) == 3
