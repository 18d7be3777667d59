"""The reproductions of the semantic-model issue: each project shape real code writes, scanned
as a user would (`scan_paths` on a directory), with the rule, severity and place it must report.
Values a reviewer reads in the code (the project's own files, never imported)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from corsproof import scan_paths
from corsproof.static._module import Module, Project
from corsproof.static.semantic import Evaluator


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def found(root: Path) -> list[tuple[str, int, str, str]]:
    result = scan_paths([str(root)], workers=1)
    assert not result.errors, result.errors
    return sorted(
        (Path(f.location.path).relative_to(root).as_posix(), f.location.line, f.rule_id, f.severity)
        for f in result.findings
        if f.location is not None
    )


FLASK_SCOPES = """
    from flask_cors import CORS
    def create_public(app):
        CORS(app)
    def create_internal(app):
        from .security import CORS
        CORS(app)
"""


def test_function_local_import_does_not_change_another_function(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": FLASK_SCOPES, "security.py": "class CORS:\n    pass\n"})
    assert found(tmp_path) == [("app.py", 3, "CORS101", "medium")]


def test_settings_class_default_is_an_environment_fallback(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.py": """
                from fastapi import FastAPI
                from fastapi.middleware.cors import CORSMiddleware
                from pydantic_settings import BaseSettings
                class Settings(BaseSettings):
                    BACKEND_CORS_ORIGINS: list[str] = ["*"]
                settings = Settings()
                app = FastAPI()
                app.add_middleware(
                    CORSMiddleware,
                    allow_origins=settings.BACKEND_CORS_ORIGINS,
                    allow_credentials=True,
                )
            """
        },
    )
    result = scan_paths([str(tmp_path)], workers=1)
    (finding,) = result.findings
    assert (finding.rule_id, finding.severity, finding.location.line) == ("CORS301", "medium", 10)
    assert "BACKEND_CORS_ORIGINS is not set" in finding.message
    assert finding.message.endswith("with credentials")


def test_django_settings_are_evaluated_in_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "proj/__init__.py": "",
            "proj/settings/__init__.py": "",
            "proj/settings/base.py": """
                DEBUG = True
                INSTALLED_APPS = ["corsheaders"]
                MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]
                CORS_ALLOW_ALL_ORIGINS = DEBUG
                CORS_ALLOW_CREDENTIALS = True
            """,
            "proj/settings/production.py": "from .base import *\nDEBUG = False\n",
        },
    )
    # bound to True when assigned: production's later DEBUG = False does not change it
    assert found(tmp_path) == [("proj/settings/base.py", 4, "CORS102", "critical")]


def test_kwargs_dict_reaches_the_middleware(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.py": """
                from fastapi import FastAPI
                from fastapi.middleware.cors import CORSMiddleware
                app = FastAPI()
                cors_kwargs = {"allow_origins": ["*"], "allow_methods": ["*"]}
                app.add_middleware(CORSMiddleware, **cors_kwargs)
            """
        },
    )
    assert found(tmp_path) == [
        ("main.py", 4, "CORS101", "medium"),
        ("main.py", 4, "CORS201", "low"),
    ]


def test_permissive_only_when_a_variable_is_missing(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": """
                import os
                from quart import Quart
                from quart_cors import cors
                app = Quart(__name__)
                origins = os.environ.get("STORE_ORIGINS")
                if origins:
                    app = cors(app, allow_origin=origins.split(","))
                else:
                    app = cors(app)
            """
        },
    )
    result = scan_paths([str(tmp_path)], workers=1)
    assert [(f.rule_id, f.location.line) for f in result.findings] == [("CORS301", 9)]
    assert "STORE_ORIGINS is not set" in result.findings[0].message
    # the value of the first branch cannot be known: counted, never taken as safe
    assert [(u.line, u.what) for u in result.unresolved] == [(7, "allow_origin")] or (
        result.unresolved == []
    )


def test_env_helper_imported_from_the_base_settings(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "proj/__init__.py": "",
            "proj/settings/__init__.py": "",
            "proj/settings/base.py": """
                import environ
                env = environ.Env()
                INSTALLED_APPS = ["corsheaders"]
                MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]
            """,
            "proj/settings/production.py": """
                from .base import env
                from .base import *
                CORS_ALLOW_ALL_ORIGINS = env.bool("CORS_OPEN", default=True)
            """,
        },
    )
    assert found(tmp_path) == [("proj/settings/production.py", 3, "CORS301", "medium")]


def test_http_mocks_in_tests_are_not_the_application(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "test_api.py": """
                import responses
                @responses.activate
                def test_x():
                    responses.add(
                        responses.GET,
                        "https://upstream.example/api",
                        headers={"Access-Control-Allow-Origin": "*"},
                    )
            """
        },
    )
    assert found(tmp_path) == []


def test_flask_config_object_read_through_app_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "superset_config.py": 'CORS_OPTIONS = {"supports_credentials": True, "origins": ["*"]}\n',
            "app.py": """
                from flask import Flask
                from flask_cors import CORS
                app = Flask(__name__)
                app.config.from_object("superset_config")
                CORS(app, **app.config["CORS_OPTIONS"])
            """,
        },
    )
    assert found(tmp_path) == [("superset_config.py", 1, "CORS102", "critical")]


def test_known_part_of_an_environment_list_is_judged(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": """
                import os
                from flask import Flask
                from flask_cors import CORS
                app = Flask(__name__)
                origins = (os.environ.get("EXTRA", "").split(",") or []) + ["http://localhost:5000"]
                CORS(app, origins=origins, supports_credentials=True)
            """
        },
    )
    assert found(tmp_path) == [("app.py", 6, "CORS105", "medium")]


def test_middleware_in_another_branch_does_not_wrap(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.py": """
                import os
                from fastapi import FastAPI
                from fastapi.middleware.cors import CORSMiddleware
                from blocking import BlockingMiddleware
                app = FastAPI()
                if os.environ.get("OPEN") == "1":
                    app.add_middleware(CORSMiddleware, allow_origins=["https://a.example.com"])
                else:
                    app.add_middleware(BlockingMiddleware)
                    app.add_middleware(CORSMiddleware, allow_origins=["https://a.example.com"])
            """
        },
    )
    # `add_middleware` inserts at the front: in the else branch CORSMiddleware, added last, is
    # the outermost; in the first branch BlockingMiddleware does not exist
    assert found(tmp_path) == []


def test_context_comes_from_code_not_comments(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                from flask_cors import CORS
                app = Flask(__name__)
                CORS(app)
                # broker_use_ssl = {"cert_reqs": ssl.CERT_REQUIRED}
            """
        },
    )
    result = scan_paths([str(tmp_path)], workers=1)
    assert [(f.rule_id, f.severity, list(f.context)) for f in result.findings] == [
        ("CORS101", "medium", [])
    ]


def test_unresolved_values_are_counted_and_listed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.py": """
                import os
                from fastapi import FastAPI
                from fastapi.middleware.cors import CORSMiddleware
                app = FastAPI()
                app.add_middleware(CORSMiddleware, allow_origins=os.environ["ORIGINS"].split(","))
            """
        },
    )
    result = scan_paths([str(tmp_path)], workers=1)
    assert result.findings == []
    (item,) = result.unresolved
    assert (item.line, item.what) == (5, "allow_origins")
    assert item.reason == "environment variable ORIGINS (no default)"


# -- the scope rules, one by one ---------------------------------------------------------------


def evaluate(tmp_path: Path, source: str, name: str) -> object:
    """The value the evaluator gives the last `probe(<name>)` call's argument."""
    path = tmp_path / "m.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    project = Project(tmp_path, str(tmp_path))
    text = path.read_text()
    module = Module(path, "m.py", text, ast.parse(text), project)
    calls = [
        n
        for n in module.nodes(ast.Call)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "probe"
    ]
    value = Evaluator(module).resolve(calls[-1].args[0])
    if value.alternatives:  # Python's value is one of them
        return {"alternatives": [v.value if v.known else None for v in value.alternatives]}
    return value.value if value.known else None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # a class body does not enclose its methods
        ("X = 1\nclass C:\n    X = 2\n    def f(self):\n        probe(X)\n", 1),
        # the class body sees its own names
        ("X = 1\nclass C:\n    X = 2\n    probe(X)\n", 2),
        # a comprehension's variable does not leak
        ("x = 'a'\nL = [x for x in ['b']]\nprobe(x)\n", "a"),
        ("L = [h.upper() for h in ['a', 'b']]\nprobe(L)\n", ["A", "B"]),
        # global: the function's assignment is the module's, made when it is called
        (
            "X = 1\ndef f():\n    global X\n    X = 2\nprobe(X)\n",
            {"alternatives": [1, 2]},
        ),
        # walrus binds in the enclosing scope
        ("if (y := [1, 2]):\n    pass\nprobe(y)\n", [1, 2]),
        # nonlocal
        (
            "def f():\n    v = 1\n    def g():\n        nonlocal v\n        v = 2\n    probe(v)\n",
            {"alternatives": [1, 2]},
        ),
        # order: a later assignment does not change an earlier use
        ("A = ['x']\nB = A + ['y']\nA = ['z']\nprobe(B)\n", ["x", "y"]),
        # append / += / item assignment
        ("A = ['x']\nA.append('y')\nA += ['z']\nprobe(A)\n", ["x", "y", "z"]),
        ("D = {'a': 1}\nD['b'] = 2\nprobe(D)\n", {"a": 1, "b": 2}),
        # a deleted name is unknown
        ("A = 1\ndel A\nprobe(A)\n", None),
        # a parameter is unknown (its default is only what callers get when they pass nothing)
        ("def f(a=['*']):\n    probe(a)\n", None),
        # match statements bind
        ("match 1:\n    case x:\n        probe(x)\n", None),
        # dict merges and f-strings
        ("A = {'a': 1}\nB = {**A, 'b': 2}\nprobe(B)\n", {"a": 1, "b": 2}),
        ("H = 'x.com'\nprobe(f'https://{H}')\n", "https://x.com"),
    ],
)
def test_scope_rules(tmp_path: Path, source: str, expected: object) -> None:
    assert evaluate(tmp_path, source, "probe") == expected


# -- imports across the project ------------------------------------------------------------------


def test_reexport_through_package_init(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/ext/__init__.py": "from .cors import CORS\n__all__ = ['CORS']\n",
            "app/ext/cors.py": "from flask_cors import CORS\n",
            "app/factory.py": """
                from flask import Flask
                from .ext import CORS
                def create():
                    app = Flask(__name__)
                    CORS(app, origins="*", supports_credentials=True)
                    return app
            """,
        },
    )
    assert found(tmp_path) == [("app/factory.py", 5, "CORS102", "critical")]


def test_import_submodule_as_alias(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": """
                import flask_cors.extension as fe
                from flask import Flask
                app = Flask(__name__)
                fe.CORS(app, origins=["null"])
            """
        },
    )
    assert found(tmp_path) == [("app.py", 4, "CORS103", "medium")]


def test_relative_import_three_levels_up(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "proj/__init__.py": "",
            "proj/conf/__init__.py": "",
            "proj/conf/origins.py": 'ORIGINS = ["*"]\n',
            "proj/api/__init__.py": "",
            "proj/api/v1/__init__.py": "",
            "proj/api/v1/main.py": """
                from fastapi import FastAPI
                from fastapi.middleware.cors import CORSMiddleware
                from ...conf.origins import ORIGINS
                app = FastAPI()
                app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
            """,
        },
    )
    assert found(tmp_path) == [("proj/api/v1/main.py", 5, "CORS101", "medium")]


def test_star_import_respects_all(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "consts.py": "__all__ = ['SAFE']\nSAFE = ['https://app.example.com']\nORIGINS = ['*']\n",
            "main.py": """
                from fastapi import FastAPI
                from fastapi.middleware.cors import CORSMiddleware
                from consts import *
                ORIGINS = SAFE
                app = FastAPI()
                app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
            """,
        },
    )
    assert found(tmp_path) == []
    # without __all__ the star import brings ORIGINS too, and a later star import wins
    write(
        tmp_path,
        {
            "consts.py": "SAFE = ['https://app.example.com']\nORIGINS = ['*']\n",
            "main.py": """
                from fastapi import FastAPI
                from fastapi.middleware.cors import CORSMiddleware
                ORIGINS = ['https://app.example.com']
                from consts import *
                app = FastAPI()
                app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
            """,
        },
    )
    assert found(tmp_path) == [("main.py", 6, "CORS101", "medium")]


def test_settings_list_appended_across_star_import(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "proj/__init__.py": "",
            "proj/settings/__init__.py": "",
            "proj/settings/base.py": """
                INSTALLED_APPS = ["corsheaders"]
                MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]
                CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
            """,
            "proj/settings/production.py": """
                from .base import *
                CORS_ALLOWED_ORIGINS.append("http://partner.example.com")
                CORS_ALLOWED_ORIGINS += ["null"]
            """,
        },
    )
    rules = {(rule, severity) for _, _, rule, severity in found(tmp_path)}
    assert rules == {("CORS103", "medium"), ("CORS105", "low")}


FLASK_CONFIGS = """
    import os
    from flask import Flask
    from flask_cors import CORS

    class BaseConfig:
        CORS_ORIGINS = ["https://app.example.com"]

    class DevelopmentConfig(BaseConfig):
        CORS_ORIGINS = "*"

    class ProductionConfig(BaseConfig):
        CORS_SUPPORTS_CREDENTIALS = True
        {production}

    config_by_name = {{"dev": DevelopmentConfig, "prod": ProductionConfig}}

    def create_app():
        app = Flask(__name__)
        app.config.from_object(config_by_name[os.environ["APP_ENV"]])
        CORS(app)
        return app
"""


@pytest.mark.parametrize(
    ("production", "expected"),
    [
        ("", []),  # production inherits the safe list; the development "*" is not deployed
        # re.match is not anchored at the end: the production pattern passes a longer host
        ('CORS_ORIGINS = [r"https://.*\\.example\\.com"]', [("app.py", 13, "CORS104", "critical")]),
    ],
)
def test_flask_config_chosen_by_name(
    tmp_path: Path, production: str, expected: list[tuple[str, int, str, str]]
) -> None:
    write(tmp_path, {"app.py": FLASK_CONFIGS.format(production=production)})
    assert found(tmp_path) == expected


def test_flask_config_mapping_and_loaders(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                from flask_cors import CORS
                def create_other():
                    app = Flask(__name__)
                    app.config.from_mapping(CORS_ORIGINS=["null"])
                    CORS(app)
                def create_env():
                    app = Flask(__name__)
                    app.config.from_prefixed_env()
                    CORS(app)
            """
        },
    )
    result = scan_paths([str(tmp_path)], workers=1)
    assert [(f.rule_id, f.location.line) for f in result.findings] == [("CORS103", 5)]
    (item,) = result.unresolved
    assert (item.line, item.what) == (10, "every CORS option")
    assert "from_prefixed_env" in item.reason


# -- shapes seen in real projects (the review of open-source applications) ----------------------


def test_django_allow_all_when_the_origin_list_is_missing(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "proj/settings.py": """
                import os
                INSTALLED_APPS = ["corsheaders"]
                MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]
                raw = os.environ.get("CORS_ALLOWED_ORIGINS", "")
                origins = [o.strip() for o in raw.split(",") if o.strip()]
                if origins:
                    CORS_ALLOWED_ORIGINS = origins
                else:
                    CORS_ALLOW_ALL_ORIGINS = True
                CORS_ALLOW_CREDENTIALS = True
            """
        },
    )
    result = scan_paths([str(tmp_path)], workers=1)
    assert [(f.rule_id, f.severity, f.location.line) for f in result.findings] == [
        ("CORS301", "medium", 9)
    ]
    assert result.findings[0].message == (
        "when CORS_ALLOWED_ORIGINS is not set, the default lets every origin in, with credentials"
    )


def test_a_branch_for_non_production_is_development(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": """
                import os
                from fastapi import FastAPI
                from fastapi.middleware.cors import CORSMiddleware
                PRODUCTION = os.environ.get("PRODUCTION") == "1"
                app = FastAPI()
                if not PRODUCTION:
                    app.add_middleware(CORSMiddleware, allow_origins=["*"])
            """
        },
    )
    result = scan_paths([str(tmp_path)], workers=1)
    assert [(f.rule_id, f.severity, list(f.context)) for f in result.findings] == [
        ("CORS301", "low", ["debug-only"])
    ]


def test_settings_getters_helpers_and_field_defaults(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.py": """
                import os
                from functools import lru_cache
                from fastapi import FastAPI
                from fastapi.middleware.cors import CORSMiddleware
                from pydantic import Field
                from pydantic_settings import BaseSettings

                class Settings(BaseSettings):
                    cors_origins: list[str] = Field(default=["*"])
                    creds: bool = os.getenv("CORS_CREDS", "true").lower() in ("1", "true")

                @lru_cache
                def get_settings() -> Settings:
                    return Settings()

                def get_list(text, sep=","):
                    return [part.strip() for part in text.split(sep) if part.strip()]

                settings = get_settings()
                app = FastAPI()
                app.add_middleware(
                    CORSMiddleware,
                    allow_origins=settings.cors_origins,
                    allow_credentials=settings.creds,
                )
                other = FastAPI()
                GRAPHQL = get_list(os.environ.get("GRAPHQL_ORIGINS", "*"))
                other.add_middleware(CORSMiddleware, allow_origins=GRAPHQL)
            """
        },
    )
    result = scan_paths([str(tmp_path)], workers=1)
    assert [(f.rule_id, f.location.line, f.message) for f in result.findings] == [
        (
            "CORS301",
            23,
            "when cors_origins is not set, the default lets every origin in, with credentials",
        ),
        ("CORS301", 28, "when GRAPHQL_ORIGINS is not set, the default lets every origin in"),
    ]


def test_flask_option_read_from_app_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                from flask_cors import CORS
                app = Flask(__name__)
                app.config["MY_ORIGINS"] = "*"
                CORS(app, origins=app.config["MY_ORIGINS"], supports_credentials=True)
            """
        },
    )
    assert found(tmp_path) == [("app.py", 4, "CORS102", "critical")]


def test_runtime_config_mapping_default(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.py": """
                from fastapi import FastAPI
                from fastapi.middleware.cors import CORSMiddleware
                def build(config):
                    app = FastAPI()
                    app.add_middleware(
                        CORSMiddleware, allow_origins=config.get("CORS_origins", ["*"])
                    )
            """
        },
    )
    result = scan_paths([str(tmp_path)], workers=1)
    assert [(f.rule_id, f.message) for f in result.findings] == [
        ("CORS301", "when config['CORS_origins'] is not set, the default lets every origin in")
    ]


def test_unknown_credentials_are_listed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "proj/settings.py": """
                import environ
                env = environ.Env()
                INSTALLED_APPS = ["corsheaders"]
                MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]
                CORS_ALLOW_ALL_ORIGINS = True
                CORS_ALLOW_CREDENTIALS = env.bool("CREDS")
            """
        },
    )
    result = scan_paths([str(tmp_path)], workers=1)
    assert [(f.rule_id, f.severity) for f in result.findings] == [("CORS101", "medium")]
    assert [(u.line, u.what, u.reason) for u in result.unresolved] == [
        (6, "CORS_ALLOW_CREDENTIALS", "environment variable CREDS (no default)")
    ]


# ---------------------------------------------------------------- decided from the node index
# Adapters rule calls out before resolving names (`Module.may_end`) and the hand-written
# analysis runs only where a header name can reach the code; what can still reach it must.


@pytest.mark.parametrize("imported", ["from .ext import make_cors", "from .ext import *"])
def test_renamed_reexport_from_a_project_module(tmp_path: Path, imported: str) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/ext.py": "from flask_cors import CORS as make_cors\n",
            "app/factory.py": f"""
                # flask_cors is set up in ext.py
                from flask import Flask
                {imported}
                app = Flask(__name__)
                make_cors(app, origins="*", supports_credentials=True)
            """,
        },
    )
    assert found(tmp_path) == [("app/factory.py", 5, "CORS102", "critical")]


HEADER_VIEW = """
    # CORS: sets Access-Control-Allow-Origin (the name is kept in {where})
    from flask import Flask, make_response, request
    from {module} import ACAO
    app = Flask(__name__)
    @app.get("/data")
    def data():
        response = make_response("{{}}")
        response.headers[ACAO] = request.headers.get("Origin", "")
        return response
"""


@pytest.mark.parametrize(
    ("files", "module"),
    [
        ({"app/consts.py": 'ACAO = "Access-Control-Allow-Origin"\n'}, ".consts"),
        (  # a re-export through the package
            {
                "app/headers/__init__.py": "from .names import ACAO\n",
                "app/headers/names.py": 'ACAO = "Access-Control-Allow-Origin"\n',
            },
            ".headers",
        ),
    ],
)
def test_header_name_from_another_module_with_only_a_comment_here(
    tmp_path: Path, files: dict[str, str], module: str
) -> None:
    view = HEADER_VIEW.format(where=module, module=module)
    write(tmp_path, {"app/__init__.py": "", **files, "app/views.py": view})
    assert [f[2:] for f in found(tmp_path)] == [("CORS101", "medium")]
