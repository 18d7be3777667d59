"""Generated corpus cases: small projects composed from building blocks.

Four dimensions: how the CORS callable is bound (ALIASES), where the call is made (SCOPES), how
the origins value is computed (VALUES) and where that value lives (CHAINS). The full product is
thousands of projects; `generate` picks up to `limit` of them greedily so that as many pairs of
blocks as possible (alias x value, value x chain, scope x chain, ...) occur at least once, in a
fixed order (no randomness between runs).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

# ---------------------------------------------------------------- alias forms


@dataclass(frozen=True)
class Alias:
    """Binds a CORS library callable and calls it. `call(kwargs)` gives the lines of the call
    (which may create `app` itself); `make_app` creates `app` beforehand (None: the call does)."""

    name: str
    imports: tuple[str, ...]  # binding the CORS library (moved into the function by "local")
    framework: tuple[str, ...]  # binding the app class
    make_app: str | None
    call: Callable[[str], list[str]]
    origins_kw: str
    creds_kw: str


def _line(template: str) -> Callable[[str], list[str]]:
    return lambda kwargs: [template.format(kw=kwargs)]


def _decorator(decorator: str) -> Callable[[str], list[str]]:
    return lambda kwargs: [
        '@app.route("/")',
        f"@{decorator}({kwargs})",
        "def index():",
        '    return "ok"',
    ]


FLASK = ("from flask import Flask",)
STARLETTE = ("from starlette.applications import Starlette",)
QUART = ("from quart import Quart",)

ALIASES = [
    Alias(
        "flask-from",
        ("from flask_cors import CORS",),
        FLASK,
        "Flask(__name__)",
        _line("CORS(app, {kw})"),
        "origins",
        "supports_credentials",
    ),
    Alias(
        "flask-module",
        ("import flask_cors",),
        FLASK,
        "Flask(__name__)",
        _line("flask_cors.CORS(app, {kw})"),
        "origins",
        "supports_credentials",
    ),
    Alias(
        "flask-module-as",
        ("import flask_cors as fc",),
        FLASK,
        "Flask(__name__)",
        _line("fc.CORS(app, {kw})"),
        "origins",
        "supports_credentials",
    ),
    Alias(
        "flask-from-as",
        ("from flask_cors import CORS as Cors",),
        FLASK,
        "Flask(__name__)",
        _line("Cors(app, {kw})"),
        "origins",
        "supports_credentials",
    ),
    Alias(
        "flask-decorator",
        ("from flask_cors import cross_origin",),
        FLASK,
        "Flask(__name__)",
        _decorator("cross_origin"),
        "origins",
        "supports_credentials",
    ),
    Alias(
        "flask-kwdict",
        ("from flask_cors import CORS",),
        FLASK,
        "Flask(__name__)",
        lambda kwargs: [f"cors_options = dict({kwargs})", "CORS(app, **cors_options)"],
        "origins",
        "supports_credentials",
    ),
    Alias(
        "starlette-add",
        ("from starlette.middleware.cors import CORSMiddleware",),
        STARLETTE,
        "Starlette()",
        _line("app.add_middleware(CORSMiddleware, {kw})"),
        "allow_origins",
        "allow_credentials",
    ),
    Alias(
        "starlette-module-as",
        ("import starlette.middleware.cors as cors_module",),
        STARLETTE,
        "Starlette()",
        _line("app.add_middleware(cors_module.CORSMiddleware, {kw})"),
        "allow_origins",
        "allow_credentials",
    ),
    Alias(
        "starlette-list",
        ("from starlette.middleware.cors import CORSMiddleware",),
        (*STARLETTE, "from starlette.middleware import Middleware"),
        None,
        lambda kwargs: [
            "app = Starlette(",
            f"    middleware=[Middleware(CORSMiddleware, {kwargs})],",
            ")",
        ],
        "allow_origins",
        "allow_credentials",
    ),
    Alias(
        "fastapi-as",
        ("from fastapi.middleware.cors import CORSMiddleware as CM",),
        ("from fastapi import FastAPI",),
        "FastAPI()",
        _line("app.add_middleware(CM, {kw})"),
        "allow_origins",
        "allow_credentials",
    ),
    Alias(
        "quart-cors",
        ("import quart_cors",),
        QUART,
        "Quart(__name__)",
        _line("app = quart_cors.cors(app, {kw})"),
        "allow_origin",
        "allow_credentials",
    ),
    Alias(
        "quart-route",
        ("from quart_cors import route_cors",),
        QUART,
        "Quart(__name__)",
        _decorator("route_cors"),
        "allow_origin",
        "allow_credentials",
    ),
]


def _lookalike(line: str) -> str:
    """The same binding from the `lookalike` library (not a CORS library)."""
    if line.startswith("from "):
        return "from lookalike import " + line.split(" import ", 1)[1]
    bound = line.split(" as ")[1] if " as " in line else line.split()[1]
    return f"import lookalike as {bound}"


# ---------------------------------------------------------------- scope forms


@dataclass(frozen=True)
class Scope:
    name: str
    wrap: Callable[[Alias, list[str]], tuple[list[str], list[str]]]
    # (module-level import lines, body lines) from the alias and the lines that make the call


def _indent(lines: list[str], by: int = 4) -> list[str]:
    return [" " * by + line if line else line for line in lines]


def _app_lines(alias: Alias, call: list[str]) -> list[str]:
    return ([f"app = {alias.make_app}"] if alias.make_app else []) + call


def _module(alias: Alias, call: list[str]) -> tuple[list[str], list[str]]:
    return list(alias.imports), _app_lines(alias, call)


def _factory(alias: Alias, call: list[str]) -> tuple[list[str], list[str]]:
    body = ["def create_app():", *_indent([*_app_lines(alias, call), "return app"])]
    return list(alias.imports), [*body, "", "", "app = create_app()"]


def _local_import(alias: Alias, call: list[str]) -> tuple[list[str], list[str]]:
    """The module binds the lookalike; ONE function imports the CORS library locally (its call
    is the one made); another function calls the module-level lookalike (never a CORS call)."""
    module_imports = [_lookalike(line) for line in alias.imports]
    body = [
        "def create_app():",
        *_indent([*alias.imports, "", *_app_lines(alias, call), "return app"]),
        "",
        "",
        "def decoy():",
        *_indent([*_app_lines(alias, call), "return app"]),
        "",
        "",
        "app = create_app()",
        "decoy()",
    ]
    return module_imports, body


def _method(alias: Alias, call: list[str]) -> tuple[list[str], list[str]]:
    body = [
        "class AppFactory:",
        "    def build(self):",
        *_indent([*_app_lines(alias, call), "return app"], 8),
        "",
        "",
        "app = AppFactory().build()",
    ]
    return list(alias.imports), body


def _closure(alias: Alias, call: list[str]) -> tuple[list[str], list[str]]:
    body = [
        "def outer():",
        "    def inner():",
        *_indent([*_app_lines(alias, call), "return app"], 8),
        "",
        "    return inner()",
        "",
        "",
        "app = outer()",
    ]
    return list(alias.imports), body


def _conditional(alias: Alias, call: list[str]) -> tuple[list[str], list[str]]:
    body = ["ENABLE_CORS = True", "if ENABLE_CORS:", *_indent(_app_lines(alias, call))]
    return list(alias.imports), body


SCOPES = [
    Scope("module", _module),
    Scope("factory", _factory),
    Scope("local-import", _local_import),
    Scope("method", _method),
    Scope("closure", _closure),
    Scope("conditional", _conditional),
]


# ---------------------------------------------------------------- value forms


@dataclass(frozen=True)
class Value:
    """ORIGINS = `expr`, after `setup` (module level, in the defining module), followed by
    `after` (statements on ORIGINS where it is defined); `imports` go in the defining module."""

    name: str
    expr: str
    setup: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()


VALUES = [
    Value("list", '["https://a.example.com", "https://b.example.com"]'),
    Value("tuple", '("https://a.example.com",)'),
    Value("star", '"*"'),
    Value("set", '{"https://b.example.com", "https://a.example.com"}'),
    Value(
        "concat", 'BASE + ["https://b.example.com"]', setup=('BASE = ["https://a.example.com"]',)
    ),
    Value(
        "append", '["https://a.example.com"]', after=('ORIGINS.append("https://b.example.com")',)
    ),
    Value(
        "augassign", '["https://a.example.com"]', after=('ORIGINS += ["https://c.example.com"]',)
    ),
    Value(
        "extend",
        "[]",
        after=('ORIGINS.extend(("https://d.example.com", "https://e.example.com"))',),
    ),
    Value(
        "fstring",
        '[f"https://{DOMAIN}", f"https://app.{DOMAIN}"]',
        setup=('DOMAIN = "example.com"',),
    ),
    Value("split", '"https://a.example.com,https://b.example.com".split(",")'),
    Value("join", '",".join(["https://a.example.com", "https://b.example.com"])'),
    Value(
        "comprehension",
        '[f"https://{h}.example.com" for h in HOSTS]',
        setup=('HOSTS = ["a", "b"]',),
    ),
    Value(
        "regex",
        '[re.compile(f"https://{re.escape(h)}") for h in HOSTS]',
        setup=('HOSTS = ["a.example.com", "b.example.com"]',),
        imports=("import re",),
    ),
    Value("env-get", 'os.environ.get("GEN_CORS_ORIGINS", "*")', imports=("import os",)),
    Value(
        "getenv-split",
        'os.getenv("GEN_CORS_ORIGINS", "https://a.example.com,https://b.example.com").split(",")',
        imports=("import os",),
    ),
    Value(
        "environ-list",
        'env.list("GEN_CORS_ORIGINS", default=["https://a.example.com"])',
        setup=("env = environ.Env()",),
        imports=("import environ",),
    ),
    Value(
        "decouple-csv",
        'config("GEN_CORS_ORIGINS", default="https://a.example.com, https://b.example.com", '
        "cast=Csv())",
        imports=("from decouple import Csv, config",),
    ),
    Value(
        "env-conditional",
        '["https://a.example.com"] if os.environ.get("GEN_PRODUCTION") else "*"',
        imports=("import os",),
    ),
    Value(
        "dict-merge",
        '{**DEFAULTS, "origins": ["https://b.example.com"]}["origins"]',
        setup=('DEFAULTS = {"origins": ["https://a.example.com"], "max_age": 1}',),
    ),
]


# ---------------------------------------------------------------- settings-chain forms


@dataclass(frozen=True)
class Chain:
    """Where ORIGINS is defined: `define(value)` gives {file: source lines} for the other files
    and (import lines, module-level lines) for main.py, plus the expression that reads it."""

    name: str
    define: Callable[[Value], tuple[dict[str, list[str]], list[str], list[str], str]]
    accepts: Callable[[Value], bool] = lambda value: True


def _definition(value: Value, indent: int = 0, annotation: str = "") -> list[str]:
    lines = [f"ORIGINS{annotation} = {value.expr}", *value.after]
    return _indent(lines, indent) if indent else lines


def _same(value: Value) -> tuple[dict[str, list[str]], list[str], list[str], str]:
    return {}, list(value.imports), [*value.setup, *_definition(value)], "ORIGINS"


def _module_file(value: Value) -> list[str]:
    return [*value.imports, *([""] if value.imports else []), *value.setup, *_definition(value)]


def _from_import(value: Value) -> tuple[dict[str, list[str]], list[str], list[str], str]:
    files = {"settings_mod.py": _module_file(value)}
    return files, ["from settings_mod import ORIGINS"], [], "ORIGINS"


def _module_import(value: Value) -> tuple[dict[str, list[str]], list[str], list[str], str]:
    files = {"settings_mod.py": _module_file(value)}
    return files, ["import settings_mod"], [], "settings_mod.ORIGINS"


def _package_star(value: Value) -> tuple[dict[str, list[str]], list[str], list[str], str]:
    files = {
        "conf/__init__.py": ["from .base import *  # noqa: F403"],
        "conf/base.py": ['__all__ = ["ORIGINS"]', "", *_module_file(value), 'HIDDEN = "*"'],
    }
    return files, ["from conf import ORIGINS"], [], "ORIGINS"


def _star_override(value: Value) -> tuple[dict[str, list[str]], list[str], list[str], str]:
    """Django style: base.py, then production.py `from .base import *` and overrides."""
    files = {
        "conf/__init__.py": [],
        "conf/base.py": [
            'ORIGINS = ["https://base.example.com"]',
            "CREDENTIALS = False",
        ],
        "conf/production.py": [
            "from .base import *  # noqa: F403",
            *value.imports,
            "",
            *value.setup,
            *_definition(value),
        ],
    }
    return files, ["from conf.production import ORIGINS"], [], "ORIGINS"


def _class_attr(value: Value) -> tuple[dict[str, list[str]], list[str], list[str], str]:
    lines = [*value.setup, "", "", "class Settings:", *_definition(value, 4)]
    return {}, list(value.imports), lines, "Settings.ORIGINS"


def _pydantic(value: Value) -> tuple[dict[str, list[str]], list[str], list[str], str]:
    lines = [
        *value.setup,
        "",
        "",
        "class Settings(BaseSettings):",
        *_definition(value, 4, ": list[str] | str"),
        "",
        "",
        "settings = Settings()",
    ]
    imports = [*value.imports, "from pydantic_settings import BaseSettings"]
    return {}, imports, lines, "settings.ORIGINS"


def _dataclass(value: Value) -> tuple[dict[str, list[str]], list[str], list[str], str]:
    lines = [
        *value.setup,
        "",
        "",
        "@dataclass",
        "class Settings:",
        f"    ORIGINS: object = field(default_factory=lambda: {value.expr})",
        "",
        "",
        "settings = Settings()",
    ]
    imports = [*value.imports, "from dataclasses import dataclass, field"]
    return {}, imports, lines, "settings.ORIGINS"


CHAINS = [
    Chain("same-module", _same),
    Chain("from-import", _from_import),
    Chain("module-import", _module_import),
    Chain("package-star", _package_star),
    Chain("star-override", _star_override),
    Chain("class-attr", _class_attr),
    Chain("pydantic", _pydantic),
    Chain("dataclass", _dataclass, accepts=lambda value: not value.after),
]


# ---------------------------------------------------------------- composing


@dataclass(frozen=True)
class Generated:
    id: str
    files: dict[str, str] = field(hash=False)


def compose(alias: Alias, scope: Scope, value: Value, chain: Chain, index: int) -> Generated:
    credentials = "True" if index % 2 else "False"
    other_files, chain_imports, definitions, ref = chain.define(value)
    kwargs = f"{alias.origins_kw}={ref}, {alias.creds_kw}={credentials}"
    imports, body = scope.wrap(alias, alias.call(kwargs))
    header = [*alias.framework, *imports, *chain_imports]
    main = [
        f'"""Generated: alias={alias.name} scope={scope.name} value={value.name} '
        f'chain={chain.name}."""',
        "",
        *header,
        "",
        *definitions,
        "",
        *body,
    ]
    files = {"main.py": _text(main)}
    files.update({name: _text(lines) for name, lines in other_files.items()})
    case_id = f"g{index:03d}-{alias.name}-{scope.name}-{value.name}-{chain.name}"
    return Generated(case_id, files)


def _text(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n") + "\n" if lines else ""


@functools.lru_cache(maxsize=4)
def choose(limit: int = 150) -> list[tuple[int, int, int, int]]:
    """Up to `limit` (alias, scope, value, chain) index tuples covering the pairs of blocks
    greedily, deterministically."""
    dims = [ALIASES, SCOPES, VALUES, CHAINS]
    combos = [
        combo
        for combo in itertools.product(*(range(len(d)) for d in dims))
        if CHAINS[combo[3]].accepts(VALUES[combo[2]])
    ]
    # a fixed, well-spread order of candidates: a prime stride through the product
    order = [combos[(i * 7919) % len(combos)] for i in range(len(combos))]
    keys = {combo: _pairs(combo) for combo in order}
    uncovered = set().union(*keys.values())
    chosen: list[tuple[int, int, int, int]] = []
    while len(chosen) < limit and uncovered:
        best, best_gain = None, 0
        for combo in order:
            gain = len(keys[combo] & uncovered)
            if gain > best_gain:
                best, best_gain = combo, gain
                if gain == 6:
                    break
        if best is None:
            break
        chosen.append(best)
        uncovered -= keys[best]
    return chosen


def _pairs(combo: tuple[int, ...]) -> frozenset[tuple[int, int, int, int]]:
    return frozenset((a, combo[a], b, combo[b]) for a, b in itertools.combinations(range(4), 2))


def coverage(chosen: list[tuple[int, int, int, int]]) -> tuple[int, int]:
    """(pairs of blocks the chosen projects cover, pairs there are among valid projects)."""
    combos = [
        combo
        for combo in itertools.product(*(range(len(d)) for d in (ALIASES, SCOPES, VALUES, CHAINS)))
        if CHAINS[combo[3]].accepts(VALUES[combo[2]])
    ]
    every = set().union(*(_pairs(combo) for combo in combos))
    covered = set().union(*(_pairs(combo) for combo in chosen)) if chosen else set()
    return len(covered), len(every)


def generate(limit: int = 150) -> list[Generated]:
    return [
        compose(ALIASES[a], SCOPES[s], VALUES[v], CHAINS[c], index)
        for index, (a, s, v, c) in enumerate(choose(limit))
    ]
