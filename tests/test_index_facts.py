"""What the analysis decides from the node index and the bytes of other files before it builds any
scope (`may_end`, `may_resolve`, `code_match`, re-exports): it may only ever rule out what
surely cannot matter, so every case here where something *can* matter must answer yes."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest

from corsproof.static._module import (
    Module,
    Project,
    _imports_in,
    _ImportSummary,
    code_match,
    decode_source,
    parse_source,
)

HEADERS = re.compile(rb"(?i:access-control-)|access_control_")


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def module(root: Path, name: str) -> Module:
    path = (root / name).resolve()
    source = decode_source(path.read_bytes())
    return Module(path, name, source, parse_source(source, name), Project(root.resolve(), "."))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (b"x = 1\n# Access-Control-Allow-Origin\n", False),
        (b"x = 1  # sets access_control_allow_origin\n", False),
        (b'h = "Access-Control-Allow-Origin"  # x\n', True),
        (b'x = "#"; h = "Access-Control-Allow-Origin"\n', True),  # the # is in a string
        (b"ACCESS_CONTROL = 1\nx = access_control_max_age\n", True),
        (b'doc = """\nAccess-Control-Allow-Origin\n"""\n', True),  # string text counts
        (b"x = 1\r# Access-Control-Allow-Origin\r", True),  # \r line ends: undecided
    ],
)
def test_code_match_leaves_out_only_comments(source: bytes, expected: bool) -> None:
    assert code_match(source, HEADERS) is expected


def test_import_summary() -> None:
    summary = _ImportSummary.read(
        b"from a import (b,  # the b\n c)\nimport x.y as z\nfrom .q import r, \\\n  s\n"
        b"from t import u as v\nif x: from w import y\n"
    )
    assert not summary.star
    assert {"b", "c", "x", "y", "z", "r", "s", "u", "v"} <= summary.words
    assert summary.sources["b"] == [(0, "a", "b")]
    assert summary.sources["c"] == [(0, "a", "c")]
    assert summary.sources["s"] == [(1, "q", "s")]
    assert summary.sources["v"] == [(0, "t", "u")]
    assert summary.sources["y"] == [(0, "w", "y")]  # `if x: from w import y`
    assert summary.modules["z"] == ["x.y"]
    assert _ImportSummary.read(b"from m import *\n").star


def test_imports_in() -> None:
    found = _imports_in(
        b"from a import (b,  # the b\n c)\nimport x.y as z, p\nfrom .q import r, \\\n  s\n"
        b"from .. import t\nif x: from w import y\nfrom m import *\nreimport = 1\n"
    )
    assert found == {
        (0, "a"), (0, "a.b"), (0, "a.c"), (0, "x"), (0, "x.y"), (0, "p"), (1, "q"), (1, "q.r"),
        (1, "q.s"), (2, ""), (2, "t"), (0, "w"), (0, "w.y"), (0, "m"),
    }  # fmt: skip


def test_what_an_import_can_carry_is_read_through_the_project(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "from .a import ACAO\n",
            # a cycle between a and b; the value is in c, reached from b
            "pkg/a.py": "from .b import ACAO\n",
            "pkg/b.py": "from .a import ACAO\nfrom .c import ACAO\n",
            "pkg/c.py": 'ACAO = "Access-Control-Allow-Origin"\n',
            "pkg/lib.py": "from six import SIX\n",  # a library's value
            "pkg/odd.py": "if True: from .c import ACAO\n",  # a compound statement
            "pkg/helper.py": "from . import c\ndef name():\n    return c.ACAO\n",  # inlined
            "pkg/mod.py": "import pkg.c as names\n",
            "pkg/comment.py": "# Access-Control-Allow-Origin\nimport os\n",
            "pkg/cyc1.py": "from .cyc2 import NAME\n",
            "pkg/cyc2.py": "from .cyc1 import NAME\nNAME = 1\n",
        },
    )
    project = Project(tmp_path.resolve(), ".")
    pkg = tmp_path.resolve() / "pkg"
    for name in ("__init__.py", "a.py", "b.py", "c.py", "odd.py", "helper.py", "mod.py"):
        assert project.reaches(pkg / name, HEADERS), name
    for name in ("lib.py", "comment.py", "cyc1.py", "cyc2.py"):
        assert not project.reaches(pkg / name, HEADERS), name


def test_calls_ruled_out_from_the_index(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/ext.py": "from aiohttp_cors import setup as cors_setup\n",
            "app/main.py": """
                import aiohttp_cors as ac
                from aiohttp_cors import setup
                from .ext import cors_setup
                def build(runner, app):
                    runner.setup()
                    setup(app)
                    ac.setup(app)
                    cors_setup(app)
                    other.setup(app)
            """,
        },
    )
    main = module(tmp_path, "app/main.py")
    calls = {ast.unparse(c.func): c.func for c in main.nodes(ast.Call)}
    names = {"aiohttp_cors.setup"}
    assert not main.resolves_to(calls["runner.setup"], names)
    assert not main.resolves_to(calls["other.setup"], names)
    assert main.resolves_to(calls["setup"], names) == "aiohttp_cors.setup"
    assert main.resolves_to(calls["ac.setup"], names) == "aiohttp_cors.setup"
    assert main.resolves_to(calls["cors_setup"], names) == "aiohttp_cors.setup"
    assert main.may_end(calls["cors_setup"], {"setup"})  # renamed in a project module
    # no scope was built for the calls ruled out alone
    bare = module(tmp_path, "app/main.py")
    for call in bare.nodes(ast.Call):
        if ast.unparse(call.func) in ("runner.setup", "other.setup"):
            assert not bare.resolves_to(call.func, names)
    assert not bare.semantic.bound


def test_reexport_targets_end_at_a_library_or_a_definition(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "from .ext import make_cors\nfrom .util import helper\n",
            "pkg/ext.py": "from .inner import C as make_cors\n",
            "pkg/inner.py": "from flask_cors import CORS as C\n",
            "pkg/util.py": "def helper():\n    pass\n",
            "pkg/odd.py": "if True: from flask_cors import CORS\n",
            "pkg/docs.py": '"""\n>>> from flask_cors import CORS\n"""\nfrom .util import helper\n',
        },
    )
    project = Project(tmp_path.resolve(), ".")
    pkg = tmp_path.resolve() / "pkg"
    assert project.reexport_targets(pkg / "__init__.py", "make_cors", "pkg.make_cors") == {
        "pkg.make_cors",
        "ext.make_cors",  # as written in the module it comes through (relative: no dots)
        "inner.C",
        "flask_cors.CORS",
    }
    assert project.reexport_targets(pkg / "__init__.py", "helper", "pkg.helper") == {
        "pkg.helper",
        "util.helper",
    }
    # an import in a compound statement is read too
    assert project.reexport_targets(pkg / "odd.py", "CORS", "pkg.odd.CORS") == {
        "pkg.odd.CORS",
        "flask_cors.CORS",
    }
    # a doctest example is read as one more source: more names, never fewer
    assert "flask_cors.CORS" in (project.reexport_targets(pkg / "docs.py", "CORS", "x") or ())


def test_names_through_a_project_star_import(tmp_path: Path) -> None:
    """A name a project star import may bind stands for what that module's chain of imports of
    it ends at, read from the bytes: a call of a name it does not import is ruled out without
    parsing it; one it re-exports (directly, through a further star, or renamed) resolves."""
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/helpers.py": "from aiohttp_cors import setup\nfrom .more import *\n",
            "app/more.py": "from aiohttp_cors import setup as make\ndef local(): pass\n",
            "app/own.py": "def setup(app): pass\n",
            "app/main.py": """
                from .helpers import *
                def build(app):
                    setup(app)
                    make(app)
                    local(app)
                    len(app)
            """,
            "app/other.py": """
                from .own import *
                def build(app):
                    setup(app)
            """,
        },
    )
    names = {"aiohttp_cors.setup"}
    main = module(tmp_path, "app/main.py")
    calls = {ast.unparse(c.func): c.func for c in main.nodes(ast.Call)}
    assert not main.resolves_to(calls["len"], names)
    assert not main.resolves_to(calls["local"], names)
    assert not main.project._cache  # ruled out from the bytes: nothing parsed
    assert not main.semantic.bound
    assert main.resolves_to(calls["setup"], names) == "aiohttp_cors.setup"
    assert main.resolves_to(calls["make"], names) == "aiohttp_cors.setup"
    other = module(tmp_path, "app/other.py")
    (call,) = other.nodes(ast.Call)
    assert not other.resolves_to(call.func, names)  # the project's own setup()  # type: ignore[attr-defined]


def test_a_star_import_of_a_missing_relative_module_may_bind_anything(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/main.py": "from ._generated import *\nsetup(app)\n",
        },
    )
    main = module(tmp_path, "app/main.py")
    (call,) = main.nodes(ast.Call)
    assert main.may_end(call.func, {"setup"})  # type: ignore[attr-defined]
    assert main.name_facts.heads(main, "setup") is None


def test_star_closure_reads_stars_from_bytes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "conf/__init__.py": "",
            "conf/dev.py": "from .base import *\nDEBUG = True\n",
            "conf/base.py": "from .common import *\n",
            "conf/common.py": "INSTALLED_APPS = []\n",
            "conf/lone.py": "X = 1\n",
        },
    )
    project = Project(tmp_path.resolve(), ".")
    conf = tmp_path.resolve() / "conf"
    assert project.star_closure([conf / "dev.py"]) == [
        conf / "dev.py",
        conf / "base.py",
        conf / "common.py",
    ]
    assert project.star_closure([conf / "lone.py"]) == [conf / "lone.py"]
    assert project.mentions(conf / "common.py", [b"INSTALLED_APPS"])
    assert not project.mentions(conf / "base.py", [b"INSTALLED_APPS"])
    assert not project._cache  # nothing parsed


def test_reaches_remembers_the_chain_to_a_match(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": "from .b import value\n",
            "app/b.py": "from .c import HEADER as value\n",
            "app/c.py": 'HEADER = "Access-Control-Allow-Origin"\n',
            "app/d.py": "# Access-Control-Allow-Origin in a comment only\nfrom .e import x\n",
            "app/e.py": "x = 1\n",
        },
    )
    project = Project(tmp_path.resolve(), ".")
    app = tmp_path.resolve() / "app"
    assert project.reaches(app / "a.py", HEADERS)
    (app / "c.py").write_text("HEADER = 'x'\n")  # what was found is kept for b too
    assert project.reaches(app / "b.py", HEADERS)
    assert not project.reaches(app / "d.py", HEADERS)
    assert not project.reaches(app / "e.py", HEADERS)


def test_django_settings_names_are_looked_for_in_star_imported_bytes(tmp_path: Path) -> None:
    from corsproof.static.adapters._django_settings import may_name_signs

    write(
        tmp_path,
        {
            "conf/__init__.py": "",
            "conf/staging.py": "from .base import *\nDEBUG = False\n",
            "conf/base.py": "from .cors import *\n",
            "conf/cors.py": "CORS_ALLOW_ALL_ORIGINS = True\n",
            "conf/plain.py": "from .util import *\n# CORS_ in a comment\n",
            "conf/util.py": "def helper(): pass\n",
        },
    )
    assert may_name_signs(module(tmp_path, "conf/staging.py"))  # two stars away
    plain = module(tmp_path, "conf/plain.py")
    assert not may_name_signs(plain)
    assert not plain.project._cache  # decided without parsing util.py
