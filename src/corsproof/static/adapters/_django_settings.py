"""Recognising a Django settings module for the django-cors-headers adapter: the names of the
settings it reads, the names that mark a settings module, the chain of project modules a settings
module star-imports (`from .base import *`), whether it is Django's rather than another
framework's config module that uses `CORS_*` names, and whether it is a development module."""

from __future__ import annotations

import ast
import re
from typing import NamedTuple

from corsproof.static._module import Module

# (new name, old name) read as getattr(settings, new, getattr(settings, old, default))
ALLOW_ALL = ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")
ALLOWED_ORIGINS = ("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST")
ORIGIN_REGEXES = ("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST")
# names only django-cors-headers reads (flask-cors/sanic-cors share CORS_ALLOW_HEADERS,
# CORS_EXPOSE_HEADERS and CORS_ALLOW_PRIVATE_NETWORK, so those alone do not make a Django module)
_OWN_SETTINGS = {
    *ALLOW_ALL,
    *ALLOWED_ORIGINS,
    *ORIGIN_REGEXES,
    "CORS_ALLOW_CREDENTIALS",
    "CORS_ALLOW_METHODS",
    "CORS_URLS_REGEX",
    "CORS_PREFLIGHT_MAX_AGE",
    "CORS_REPLACE_HTTPS_REFERER",
}
_SETTINGS = {
    *_OWN_SETTINGS,
    "CORS_ALLOW_HEADERS",
    "CORS_EXPOSE_HEADERS",
    "CORS_ALLOW_PRIVATE_NETWORK",
}
_DJANGO_NAMES = {  # (with _OWN_SETTINGS: _SIGNS, below)
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "MIDDLEWARE_CLASSES",
    "ROOT_URLCONF",
    "ALLOWED_HOSTS",
    "WSGI_APPLICATION",
    "ASGI_APPLICATION",
    "DATABASES",
    "AUTH_PASSWORD_VALIDATORS",
    "DEFAULT_AUTO_FIELD",
    "TEMPLATES",
    "STATIC_URL",
    "USE_TZ",
    "LANGUAGE_CODE",
}
# a settings module names one of these (in its source first: a word test before any set)
_SIGNS = frozenset(_DJANGO_NAMES | _OWN_SETTINGS)
_SIGN_BYTES = tuple(name.encode("ascii") for name in sorted(_SIGNS))
# names no other framework's configuration uses (unlike CORS_ALLOWED_ORIGINS, which FastAPI
# projects also write in their config modules)
_SPECIFIC = {
    *ALLOW_ALL,
    "CORS_ORIGIN_WHITELIST",
    *ORIGIN_REGEXES,
    "CORS_URLS_REGEX",
    "CORS_PREFLIGHT_MAX_AGE",
    "CORS_REPLACE_HTTPS_REFERER",
}
_DJANGO_IMPORTS = {"django", "environ", "corsheaders", "split_settings", "configurations"}
_OTHER_FRAMEWORKS = {
    "fastapi",
    "starlette",
    "flask",
    "quart",
    "sanic",
    "litestar",
    "falcon",
    "aiohttp",
    "pydantic_settings",
    "tornado",
    "bottle",
    "pyramid",
}
_DEV_WORDS = {"dev", "devel", "develop", "development", "test", "tests", "testing"}
# a settings leaf: `from .base import *` and, within the next 16 kB, a settings assignment
# (bounded, so that the scan stays linear and fits the engine's chunk overlap)
SETTINGS_LEAF = (
    rb"import[ \t]+\*(?s:.{0,16000}?)\n(?:DEBUG|ALLOWED_HOSTS|INSTALLED_APPS|MIDDLEWARE|DATABASES|"
    rb"SECRET_KEY|ROOT_URLCONF|CACHES|LOGGING|(?:STATIC|MEDIA|EMAIL|SECURE|SESSION|CSRF)_\w+)[ \t]*\+?="
)


class Recognised(NamedTuple):
    """A Django settings module: it and what it star-imports (nearest first), and the CORS
    settings they assign (sorted)."""

    chain: list[Module]
    configured: list[str]


def recognise(module: Module) -> Recognised | None:
    """The module as Django settings, or None when it is not one (read in the order that parses
    the least: source words first, then the star-imported modules, then the bindings)."""
    if not may_name_signs(module):
        return None  # no settings name in it or in what it star-imports: nothing to parse
    chain = settings_chain(module)
    if not any(
        any(name in m.source for name in _SIGNS) and _written_names(m) & _SIGNS for m in chain
    ):
        return None  # no settings name written anywhere: no scope to build
    names = set().union(*(_assigned_names(m) for m in chain))
    if not names & (_DJANGO_NAMES | _OWN_SETTINGS) or not _is_django(module, chain, names):
        return None
    return Recognised(chain, sorted(names & _SETTINGS))


def settings_chain(module: Module) -> list[Module]:
    """The module and every project module it star-imports, transitively (nearest first)."""
    chain = [module]
    seen = {module.path.resolve()}
    index = 0
    while index < len(chain):
        for path in reversed(chain[index].star_imports):
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            other = module.project.load(path)
            if other is not None:
                chain.append(other)
        index += 1
    return chain


def may_name_signs(module: Module) -> bool:
    """Does a settings name (`_SIGNS`) appear in the module's source or in the bytes of a project
    module it may star-import, transitively? (Read before any of them is parsed: `settings_chain`
    parses them, and a package's `__init__` star-imports its whole package.)"""
    if any(name in module.source for name in _SIGNS):
        return True
    project = module.project
    return any(
        project.mentions(path, _SIGN_BYTES) for path in project.star_closure(module.star_imports)
    )


def _written_names(module: Module) -> set[str]:
    """Every name written anywhere in the module (a superset of its module-level bindings), from
    the node index alone."""
    names = {node.id for node in module.nodes(ast.Name)}  # type: ignore[attr-defined]
    for node in module.nodes(ast.alias):
        names.add(node.asname or node.name.split(".")[0])  # type: ignore[attr-defined]
    for node in module.nodes(
        ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler, ast.MatchAs
    ):
        names.add(getattr(node, "name", None) or "")
    for node in module.nodes(ast.MatchStar):
        names.add(node.name or "")  # type: ignore[attr-defined]
    for node in module.nodes(ast.MatchMapping):
        names.add(node.rest or "")  # type: ignore[attr-defined]
    return names


def _assigned_names(module: Module) -> set[str]:
    """Names bound at module level (assigned, also in if/try blocks, or imported by name)."""
    return set(module.semantic.module_scope.bindings)


def _imported_tops(module: Module) -> set[str]:
    tops: set[str] = set()
    for node in module.nodes(ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            tops.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            tops.add(node.module.split(".")[0])
    return tops


def _is_django(module: Module, chain: list[Module], names: set[str]) -> bool:
    """Django settings rather than another framework's config module that uses CORS_* names."""
    if _imported_tops(module) & _OTHER_FRAMEWORKS:
        return False
    if names & (_DJANGO_NAMES | _SPECIFIC):
        return True
    if any(_imported_tops(m) & _DJANGO_IMPORTS for m in chain):
        return True
    if any("corsheaders" in m.source for m in chain):
        return True
    directory = module.path.parent
    root = module.project.root
    while directory == root or root in directory.parents:
        if (directory / "manage.py").is_file():
            return True
        directory = directory.parent
    return False


def development(module: Module) -> str | None:
    """A development settings module: named so (dev.py, test_settings.py) or a leaf that
    star-imports a base and turns DEBUG on itself (cookiecutter's local.py)."""
    stem = module.path.stem if module.path.stem != "__init__" else module.path.parent.name
    words = set(re.split(r"[^a-z0-9]+", stem.lower()))
    body = module.tree.body
    first = next((s.lineno for s in body if isinstance(s, (ast.Assign, ast.AnnAssign))), 10**9)
    # a leaf: its base is star-imported before anything is assigned (not `from .local import *` last)
    leaf = bool(module.star_imports) and any(
        isinstance(s, ast.ImportFrom) and any(a.name == "*" for a in s.names) and s.lineno < first
        for s in body
    )
    debug_on = any(
        isinstance(s, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "DEBUG" for t in s.targets)
        and isinstance(s.value, ast.Constant)
        and s.value.value is True
        for s in body
    )
    if words & _DEV_WORDS or (leaf and debug_on):
        return f"DEBUG (development settings {module.path.name})"
    return None
