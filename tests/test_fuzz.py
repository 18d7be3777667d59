"""Fuzzing as a habit: generated programs and server answers never break the analysis.

- Any Python program (`hypothesmith`, from the language grammar) with CORS words in it, so that
  every adapter's prefilter lets it through: the per-file analysis returns (no internal error,
  no crash) within a bounded time.
- CORS-shaped programs from a small grammar (imports and aliases of flask-cors, Starlette/FastAPI
  and django-cors-headers; assignments; calls with literal and environment-default arguments;
  if/else; functions; classes; comprehensions): the same findings (rule, severity, message,
  proof origin) for a program and for the same program reformatted (comments, extra
  parentheses, line breaks inside brackets), through `scan_paths` on real files.
- The probe's reading of response headers (`Observation`, `Exchange` over `Reply`), from
  arbitrary header bytes decoded as httpx decodes them: the observed policy, the findings, their
  evidence and the text report never raise.

A run here is short (CI). A long run: `CORSPROOF_FUZZ_EXAMPLES=5000 python -m pytest
tests/test_fuzz.py -p no:cacheprovider` (see docs/fuzzing.md).
"""

from __future__ import annotations

import os
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import httpx
import hypothesmith
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from corsproof import scan_paths
from corsproof.findings import FileError, Finding, ScanResult, Target
from corsproof.judge import judge_policies
from corsproof.report import render_json, render_text
from corsproof.static import engine
from corsproof.static.walker import FileJob

# hypothesmith checks its programs with compile(), which warns about `1()` and the like
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

PER_FILE_SECONDS = 10.0  # generous for a 2-core CI machine; a hang would take forever


def examples(default: int) -> int:
    return int(os.environ.get("CORSPROOF_FUZZ_EXAMPLES", default))


def fuzz_settings(default: int) -> settings:
    return settings(
        max_examples=examples(default),
        deadline=None,  # timed below, per file, with a bound that a slow CI machine meets
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# every adapter's prefilter (and the authentication-context words) matches this comment
MARKER = (
    "\n# CORS CORSMiddleware flask_cors cross_origin corsheaders CORS_ALLOWED_ORIGINS "
    "Access-Control-Allow-Origin aiohttp_cors quart_cors sanic_cors falcon litestar cherrypy_cors "
    "CORSConfig add_middleware response.headers Origin\n"
)


def analyse(path: Path) -> engine.FileOutcome:
    started = time.perf_counter()
    outcome = engine.analyse_file(FileJob(path, path.name, path.parent, str(path.parent)))
    elapsed = time.perf_counter() - started
    assert elapsed < PER_FILE_SECONDS, f"{elapsed:.1f}s for {path.read_text()!r}"
    assert not (outcome.error or "").startswith(("internal error", "the analysis crashed")), (
        outcome.error,
        path.read_text(),
    )
    return outcome


# ------------------------------------------------------------------------- any Python program


@fuzz_settings(25)
@given(source=hypothesmith.from_grammar())
def test_any_program_is_analysed_without_an_internal_error(
    source: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("grammar") / "app.py"
    path.write_text(source + MARKER, encoding="utf-8")
    analyse(path)


# ------------------------------------------------------------------ CORS-shaped programs


@dataclass(frozen=True)
class Lit:
    value: object


@dataclass(frozen=True)
class Name:
    text: str


@dataclass(frozen=True)
class List:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Call:
    func: Expr
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class Attr:
    obj: Expr
    name: str


@dataclass(frozen=True)
class Sub:
    obj: Expr
    key: Expr


@dataclass(frozen=True)
class IfExp:
    body: Expr
    test: Expr
    orelse: Expr


@dataclass(frozen=True)
class Compare:
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Comp:
    elt: Expr
    var: str
    iter: Expr


@dataclass(frozen=True)
class Concat:
    left: Expr
    right: Expr


Expr = Union[Lit, Name, List, Call, Attr, Sub, IfExp, Compare, Comp, Concat]  # noqa: UP007


@dataclass(frozen=True)
class Import:
    module: str
    names: tuple[tuple[str, str | None], ...] = ()  # empty: `import module [as alias]`
    alias: str | None = None


@dataclass(frozen=True)
class Assign:
    target: str
    value: Expr


@dataclass(frozen=True)
class Do:
    value: Expr


@dataclass(frozen=True)
class If:
    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]


@dataclass(frozen=True)
class Def:
    name: str
    body: tuple[Stmt, ...]
    decorators: tuple[Expr, ...] = ()
    returns: Expr | None = None


@dataclass(frozen=True)
class Class:
    name: str
    body: tuple[Stmt, ...]


Stmt = Union[Import, Assign, Do, If, Def, Class]  # noqa: UP007

# comments that say nothing to the analysis (no suppression, no authentication words)
COMMENTS = ("# TODO tidy up", "# see the deployment notes", "#", "# (kept for now)", "# ---")


class Style:
    """How a program is written: `rnd` None is the compact form; otherwise each choice (a
    comment, parentheses, a line break inside brackets) is drawn from `rnd`."""

    def __init__(self, rnd: random.Random | None = None) -> None:
        self.rnd = rnd

    def maybe(self, chance: float = 0.5) -> bool:
        return self.rnd is not None and self.rnd.random() < chance

    def comment(self) -> str:
        assert self.rnd is not None
        return self.rnd.choice(COMMENTS)


def expr(e: Expr, s: Style) -> str:
    text = _expr(e, s)
    return f"({text})" if s.maybe(0.25) else text


def _items(parts: list[str], open_: str, close: str, s: Style) -> str:
    if not parts or not s.maybe():
        return open_ + ", ".join(parts) + close
    lines = [open_]
    for part in parts:
        if s.maybe(0.3):
            lines.append(f"    {s.comment()}")
        trailing = f"  {s.comment()}" if s.maybe(0.3) else ""
        lines.append(f"    {part},{trailing}")
    lines.append(close)
    return "\n".join(lines)


def _expr(e: Expr, s: Style) -> str:
    if isinstance(e, Lit):
        return repr(e.value)
    if isinstance(e, Name):
        return e.text
    if isinstance(e, List):
        return _items([expr(i, s) for i in e.items], "[", "]", s)
    if isinstance(e, Call):
        parts = [expr(a, s) for a in e.args] + [f"{k}={expr(v, s)}" for k, v in e.kwargs]
        return _expr(e.func, s) + _items(parts, "(", ")", s)
    if isinstance(e, Attr):
        return f"{expr(e.obj, s)}.{e.name}"
    if isinstance(e, Sub):
        return f"{expr(e.obj, s)}[{expr(e.key, s)}]"
    if isinstance(e, IfExp):  # always in parentheses: the same tree wherever it stands
        return f"({expr(e.body, s)} if {expr(e.test, s)} else {expr(e.orelse, s)})"
    if isinstance(e, Compare):
        return f"({expr(e.left, s)} == {expr(e.right, s)})"
    if isinstance(e, Concat):
        return f"({expr(e.left, s)} + {expr(e.right, s)})"
    if isinstance(e, Comp):
        if s.maybe():
            return f"[\n    {expr(e.elt, s)}\n    for {e.var} in {expr(e.iter, s)}\n]"
        return f"[{expr(e.elt, s)} for {e.var} in {expr(e.iter, s)}]"
    raise TypeError(e)


def stmts(body: tuple[Stmt, ...], s: Style, indent: str = "") -> list[str]:
    lines: list[str] = []
    for stmt in body:
        if s.maybe(0.3):
            lines.append("")
        if s.maybe(0.3):
            lines.append(f"{indent}{s.comment()}")
        lines.extend(_stmt(stmt, s, indent))
    return lines or [f"{indent}pass"]


def _stmt(stmt: Stmt, s: Style, indent: str) -> list[str]:
    def simple(text: str) -> list[str]:
        lines = text.split("\n")  # continuation lines are inside brackets: any indentation
        lines[0] = indent + lines[0]
        if s.maybe(0.3):
            lines[-1] += f"  {s.comment()}"
        return lines

    if isinstance(stmt, Import):
        if not stmt.names:
            return simple(f"import {stmt.module}" + (f" as {stmt.alias}" if stmt.alias else ""))
        names = [n + (f" as {a}" if a else "") for n, a in stmt.names]
        if s.maybe():
            return simple(f"from {stmt.module} import " + _items(names, "(", ")", s))
        return simple(f"from {stmt.module} import {', '.join(names)}")
    if isinstance(stmt, Assign):
        return simple(f"{stmt.target} = {expr(stmt.value, s)}")
    if isinstance(stmt, Do):
        return simple(_expr(stmt.value, s))  # an expression statement
    if isinstance(stmt, If):
        lines = [f"{indent}if {expr(stmt.test, s)}:", *stmts(stmt.body, s, indent + "    ")]
        if stmt.orelse:
            lines += [f"{indent}else:", *stmts(stmt.orelse, s, indent + "    ")]
        return lines
    if isinstance(stmt, Def):
        inner = indent + "    "
        body = stmts(stmt.body, s, inner) if stmt.body else []
        if stmt.returns is not None:
            body += simple(f"    return {expr(stmt.returns, s)}")
        decorators = [f"{indent}@{_expr(d, s)}" for d in stmt.decorators]
        return [*decorators, f"{indent}def {stmt.name}():", *(body or [f"{inner}pass"])]
    if isinstance(stmt, Class):
        return [f"{indent}class {stmt.name}:", *stmts(stmt.body, s, indent + "    ")]
    raise TypeError(stmt)


def render(program: tuple[Stmt, ...], s: Style) -> str:
    return "\n".join(stmts(program, s)) + "\n"


# ---------------------------------------------------------------- the grammar's strategies

ORIGINS = (
    "*",
    "https://app.example.com",
    "https://admin.example.com",
    "https://*.example.com",
    r"https://.*\.example\.com",
    r"^https://[a-z]+\.example\.com$",
    "null",
    "http://localhost:3000",
    "http://app.example.com",
    "https://example.com.evil.example",
)
ENV_NAMES = ("CORS_ORIGINS", "ALLOWED_ORIGINS", "FRONTEND_URL", "ENV", "DEBUG")
OS = Name("os")


def env_get(name: str, default: Expr | None) -> Expr:
    if default is None:
        return Sub(Attr(OS, "environ"), Lit(name))
    return Call(Attr(Attr(OS, "environ"), "get"), (Lit(name), default))


origin = st.sampled_from(ORIGINS).map(Lit)
env_name = st.sampled_from(ENV_NAMES)
origin_list = st.lists(origin, min_size=1, max_size=3).map(lambda xs: List(tuple(xs)))


def origins_expr(names: tuple[str, ...] = ()) -> st.SearchStrategy[Expr]:
    """A value for an origins option: literals, lists, environment defaults, conditionals,
    comprehensions, concatenations, and names assigned before."""
    leaves: list[st.SearchStrategy[Expr]] = [
        origin,
        origin_list,
        st.builds(env_get, env_name, origin),
        st.builds(lambda n, d: Call(Attr(OS, "getenv"), (Lit(n), d)), env_name, origin),
        st.builds(
            lambda n, xs: Call(
                Attr(Call(Attr(OS, "getenv"), (Lit(n), Lit(",".join(xs)))), "split"), (Lit(","),)
            ),
            env_name,
            st.lists(st.sampled_from(ORIGINS), min_size=1, max_size=3),
        ),
    ]
    if names:
        leaves.append(st.sampled_from(names).map(Name))
    base = st.one_of(leaves)
    return st.one_of(
        base,
        st.builds(
            lambda a, n, b: IfExp(a, Compare(env_get(n, Lit("")), Lit("production")), b),
            base,
            env_name,
            base,
        ),
        st.builds(lambda it: Comp(Name("o"), "o", it), origin_list),
        st.builds(
            lambda it: Comp(Call(Attr(Name("o"), "strip")), "o", it),
            st.builds(
                lambda n: Call(
                    Attr(Call(Attr(OS, "getenv"), (Lit(n), Lit("a,b"))), "split"), (Lit(","),)
                ),
                env_name,
            ),
        ),
        st.builds(Concat, origin_list, origin_list),
    )


booleans = st.one_of(
    st.booleans().map(Lit),
    st.builds(lambda n: Compare(env_get(n, Lit("0")), Lit("1")), env_name),
)
header_list = st.one_of(
    st.just(List((Lit("*"),))),
    st.just(List((Lit("Authorization"), Lit("X-API-Key")))),
    st.just(List((Lit("GET"), Lit("POST")))),
)


@st.composite
def flask_program(draw: st.DrawFn) -> tuple[Stmt, ...]:
    style = draw(st.sampled_from(["from", "alias", "module", "module-alias"]))
    cors, cross, imports = {
        "from": (
            "CORS",
            "cross_origin",
            Import("flask_cors", (("CORS", None), ("cross_origin", None))),
        ),
        "alias": ("Cors", "xo", Import("flask_cors", (("CORS", "Cors"), ("cross_origin", "xo")))),
        "module": ("flask_cors.CORS", "flask_cors.cross_origin", Import("flask_cors")),
        "module-alias": ("fc.CORS", "fc.cross_origin", Import("flask_cors", alias="fc")),
    }[style]
    head: list[Stmt] = [Import("os"), Import("flask", (("Flask", None),)), imports]
    names: tuple[str, ...] = ()
    if draw(st.booleans()):
        head.append(Assign("ORIGINS", draw(origins_expr())))
        names = ("ORIGINS",)
    kwargs: list[tuple[str, Expr]] = [("origins", draw(origins_expr(names)))]
    if draw(st.booleans()):
        kwargs.append(("supports_credentials", draw(booleans)))
    if draw(st.booleans()):
        kwargs.append(("allow_headers", draw(header_list)))
    setup: list[Stmt] = [
        Assign("app", Call(Name("Flask"), (Name("__name__"),))),
        Do(Call(Name(cors), (Name("app"),), tuple(kwargs))),
    ]
    if draw(st.booleans()):
        view = Def(
            "partners",
            (),
            decorators=(
                Call(Attr(Name("app"), "route"), (Lit("/partners"),)),
                Call(Name(cross), (), (("origins", draw(origins_expr(names))),)),
            ),
            returns=Lit("ok"),
        )
        setup.append(view)
    if draw(st.booleans()):  # an application factory
        return (*head, Def("create_app", tuple(setup), returns=Name("app")))
    return (*head, *setup)


@st.composite
def starlette_program(draw: st.DrawFn) -> tuple[Stmt, ...]:
    module = draw(st.sampled_from(["fastapi.middleware.cors", "starlette.middleware.cors"]))
    alias = draw(st.sampled_from([None, "CM"]))
    middleware = alias or "CORSMiddleware"
    head: list[Stmt] = [
        Import("os"),
        Import("fastapi", (("FastAPI", None),)),
        Import(module, (("CORSMiddleware", alias),)),
    ]
    names: tuple[str, ...] = ()
    if draw(st.booleans()):  # settings in a class
        head.append(Class("Settings", (Assign("origins", draw(origins_expr())),)))
        head.append(Assign("ORIGINS", Attr(Name("Settings"), "origins")))
        names = ("ORIGINS",)
    kwargs: list[tuple[str, Expr]] = [("allow_origins", draw(origins_expr(names)))]
    if draw(st.booleans()):
        kwargs.append(("allow_credentials", draw(booleans)))
    if draw(st.booleans()):
        kwargs.append(("allow_origin_regex", draw(st.sampled_from(ORIGINS).map(Lit))))
    if draw(st.booleans()):
        kwargs.append(("allow_methods", draw(header_list)))
    if draw(st.booleans()):
        kwargs.append(("allow_headers", draw(header_list)))
    add = Do(Call(Attr(Name("app"), "add_middleware"), (Name(middleware),), tuple(kwargs)))
    body: tuple[Stmt, ...] = (Assign("app", Call(Name("FastAPI"))), add)
    if draw(st.booleans()):
        return (*head, If(Compare(env_get("ENV", Lit("")), Lit("production")), body, body[:1]))
    return (*head, *body)


@st.composite
def django_program(draw: st.DrawFn) -> tuple[Stmt, ...]:
    settings_: list[Stmt] = [
        Import("os"),
        Assign("INSTALLED_APPS", List((Lit("django.contrib.auth"), Lit("corsheaders")))),
        Assign(
            "MIDDLEWARE",
            List(
                (
                    Lit("corsheaders.middleware.CorsMiddleware"),
                    Lit("django.middleware.common.CommonMiddleware"),
                )
            ),
        ),
    ]
    options = draw(
        st.lists(
            st.sampled_from(
                [
                    "CORS_ALLOWED_ORIGINS",
                    "CORS_ALLOW_ALL_ORIGINS",
                    "CORS_ALLOW_CREDENTIALS",
                    "CORS_ALLOWED_ORIGIN_REGEXES",
                    "CORS_ALLOW_HEADERS",
                ]
            ),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    for option in options:
        if option in ("CORS_ALLOW_ALL_ORIGINS", "CORS_ALLOW_CREDENTIALS"):
            value = draw(booleans)
        elif option == "CORS_ALLOW_HEADERS":
            value = draw(header_list)
        else:
            value = draw(origin_list | origins_expr())
        if draw(st.integers(0, 3)) == 0:  # chosen by the environment
            other = draw(origin_list) if option != "CORS_ALLOW_ALL_ORIGINS" else Lit(False)
            settings_.append(
                If(
                    Compare(env_get("DEBUG", Lit("0")), Lit("1")),
                    (Assign(option, value),),
                    (Assign(option, other),),
                )
            )
        else:
            settings_.append(Assign(option, value))
    return tuple(settings_)


programs = st.one_of(flask_program(), starlette_program(), django_program())


def as_written(message: str) -> str:
    """A message without what reformatting changes in it: messages quote conditions and values
    as written (`Module.text`), with their parentheses, line breaks and comments."""
    message = re.sub(r"#[^\n]*", "", message)  # comments
    message = re.sub(r",\s*([)\]])", r"\1", message)  # trailing commas before a line break
    return re.sub(r"[\s()]", "", message)


def comparable(findings: list[Finding]) -> list[tuple[str, str, str, str]]:
    return sorted(
        (f.rule_id, f.severity, as_written(f.message), f.proof_origin or "") for f in findings
    )


def scan_one(path: Path, source: str) -> ScanResult:
    path.write_text(source, encoding="utf-8")
    started = time.perf_counter()
    result = scan_paths([str(path)], workers=1)
    elapsed = time.perf_counter() - started
    assert elapsed < PER_FILE_SECONDS, f"{elapsed:.1f}s for {source!r}"
    assert not result.errors, (result.errors, source)
    return result


@fuzz_settings(30)
@given(program=programs, seed=st.integers(0, 2**32 - 1))
def test_reformatting_a_program_changes_no_finding(
    program: tuple[Stmt, ...], seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    compact = render(program, Style())
    reformatted = render(program, Style(random.Random(seed)))
    path = tmp_path_factory.mktemp("shape") / "app.py"
    before = scan_one(path, compact)
    after = scan_one(path, reformatted)
    assert comparable(before.findings) == comparable(after.findings), (compact, reformatted)
    assert len(before.unresolved) == len(after.unresolved), (compact, reformatted)


@pytest.mark.parametrize(
    ("strategy", "rule"),
    [
        (flask_program(), "CORS104"),
        (flask_program(), "CORS102"),
        (starlette_program(), "CORS101"),
        (starlette_program(), "CORS201"),
        (django_program(), "CORS101"),
    ],
)
def test_the_grammar_reaches_findings(
    strategy: st.SearchStrategy[tuple[Stmt, ...]], rule: str, tmp_path: Path
) -> None:
    # the generated shapes are ones the adapters read (else the property above proves little)
    path = tmp_path / "app.py"

    def finds(program: tuple[Stmt, ...]) -> bool:
        result = scan_one(path, render(program, Style(random.Random(0))))
        return rule in {f.rule_id for f in result.findings}

    find(
        strategy,
        finds,
        settings=settings(max_examples=1000, database=None, phases=["generate"]),
        random=random.Random(0),  # the same draws every run
    )


def test_a_message_quoting_multiline_source_is_one_line(tmp_path: Path) -> None:
    program = django_settings_with(
        'CORS_ALLOWED_ORIGINS = ["null"] if os.environ.get(\n'
        '    "DEBUG",  # the flag\n'
        '    "",\n'
        ') == "production" else ["https://a.example"]\n'
    )
    result = scan_one(tmp_path / "settings.py", program)
    assert result.findings
    assert all("\n" not in f.message and "#" not in f.message for f in result.findings)


def django_settings_with(text: str) -> str:
    return (
        "import os\n"
        'INSTALLED_APPS = ["corsheaders"]\n'
        'MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]\n' + text
    )


# --------------------------------------------------------------------- probe: header parsing

CORS_HEADER_NAMES = (
    b"Access-Control-Allow-Origin",
    b"access-control-allow-credentials",
    b"Access-Control-Allow-Methods",
    b"Access-Control-Allow-Headers",
    b"Access-Control-Expose-Headers",
    b"Access-Control-Allow-Private-Network",
    b"Vary",
    b"Location",
)
header_name = st.one_of(st.sampled_from(CORS_HEADER_NAMES), st.binary(min_size=1, max_size=12))
header_value = st.one_of(
    st.binary(max_size=40),
    st.sampled_from(
        [b"*", b"true", b"null", b"Origin", b"https://corsproof-attacker.example", b" , ,", b"\xff"]
    ),
)


def reply_from(status: int, raw: list[tuple[bytes, bytes]]):  # type: ignore[no-untyped-def]
    from corsproof.probe._transport import Reply

    # as the transports build it: httpx decodes the bytes (ASCII, UTF-8 or Latin-1)
    return Reply(status, tuple(httpx.Headers(raw).multi_items()))


@fuzz_settings(150)
@given(
    answers=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "trusted",
                    "attack",
                    "cookie",
                    "canary",
                    "preflight",
                    "preflight-headers",
                    "preflight-method",
                    "private-network",
                ]
            ),
            st.sampled_from([200, 204, 302, 403, 500]),
            st.lists(st.tuples(header_name, header_value), max_size=8),
        ),
        min_size=1,
        max_size=6,
    ),
    trusted=st.sampled_from(
        [("",), ("https://app.example.com",), ("https://a.example", "https://b.example")]
    ),
)
def test_any_header_bytes_are_read_without_raising(
    answers: list[tuple[str, int, list[tuple[bytes, bytes]]]], trusted: tuple[str, ...]
) -> None:
    from corsproof.origins import ARBITRARY
    from corsproof.probe._observe import MADE_UP_METHOD, Exchange, Observation, Probe

    url = "https://api.example.com/v1/me"
    observation = Observation(Target(url))
    for kind, status, raw in answers:
        try:
            reply = reply_from(status, raw)
        except (UnicodeDecodeError, ValueError):
            continue  # httpx refuses it: never reaches the analysis
        origin = None if kind == "canary" else (trusted[0] or ARBITRARY)
        preflight = kind.startswith("preflight") or kind == "private-network"
        probe = Probe(
            kind,
            "OPTIONS" if preflight else "GET",
            origin,
            request_method=MADE_UP_METHOD if preflight else "",
            private_network=kind == "private-network",
        )
        observation.add(Exchange(probe, url, reply))
    findings, _ = judge_policies(
        [(observation.policy(trusted), frozenset())], extra_trusted=("https://api.example.com",)
    )
    for finding in findings:
        finding.evidence = observation.evidence(finding)
    result = ScanResult(findings=findings, errors=[FileError(url, "x")], analysed=1)
    render_json(result)
    for color in (False, True):
        text = render_text(result, color=color)
        assert "\x1b[2J" not in text and "\r" not in text
