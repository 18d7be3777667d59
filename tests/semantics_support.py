"""What the semantics tests (tests/semantics/test_<lib>.py) share: the origins and made-up names
they send, the cases of their cross-check ("the same source executed by the real library and
scanned by corsproof gives the same rule ids"), the scan of a case, and `observed_rules`, the one
classifier that turns a library's observed answers into rule ids.

Each test module gives `observed_rules` small callables that send requests to its library (`get`,
`preflight`) and the flags that say how that library differs from the others; every flag names the
libraries that set it.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, ParamSpec, Protocol

import pytest

from corsproof import scan_paths
from corsproof.findings import Finding
from corsproof.origins import ARBITRARY, FAMILY_WEAKNESS, catalogue
from corsproof.rules.cors203_exposed_sensitive_headers import SENSITIVE

APP = "https://app.example.com"
OTHER = "https://admin.example.com"
EVIL = "https://evil.example"
MADE_UP_HEADER = "x-corsproof-made-up"
MADE_UP_METHOD = "CORSPROOF"

P = ParamSpec("P")


# ---------------------------------------------------------------- answers


@dataclass(frozen=True)
class Answer:
    """A response: its status and its headers, looked up by lower-case names."""

    status: int
    headers: Mapping[str, str]

    @property
    def acao(self) -> str | None:
        return self.headers.get("access-control-allow-origin")

    @property
    def credentials(self) -> bool:
        return self.headers.get("access-control-allow-credentials") == "true"

    @property
    def vary(self) -> str:
        return self.headers.get("vary", "")

    @classmethod
    def of(cls, response: Any) -> Answer:
        """A test client's response (httpx, Falcon, werkzeug: `status_code` and `headers`)."""
        headers = response.headers
        if not isinstance(headers, Mapping):  # werkzeug's `Headers`: the first value, as its `get`
            headers = {name: headers[name] for name in headers.keys(lower=True)}
        return cls(response.status_code, headers)


def answering(send: Callable[P, Any]) -> Callable[P, Answer]:
    """`send` (which returns a test client's response) returning an `Answer` instead."""

    def answer(*args: P.args, **kwargs: P.kwargs) -> Answer:
        return Answer.of(send(*args, **kwargs))

    return answer


class Preflight(Protocol):
    """An OPTIONS request from `origin` asking for `method`; each keyword is a request header
    (underscores become dashes), as the test modules' own `preflight` helpers take them."""

    def __call__(self, origin: str, method: str = "GET", **headers: str) -> Answer: ...


# ---------------------------------------------------------------- cases and the scan


@dataclass(frozen=True)
class Case:
    name: str
    code: str  # defines (or configures) `app`
    trusted: tuple[str, ...]  # the origins the configuration was written for
    rules: frozenset[str]


def case(name: str, code: str, rules: set[str], trusted: tuple[str, ...] = (APP,)) -> Case:
    return Case(name, code, trusted, frozenset(rules))


def write_app(directory: Path, source: str) -> Path:
    """`source` written as `app.py` in `directory`."""
    path = directory / "app.py"
    path.write_text(source, encoding="utf-8")
    return path


def scanned_rules(source: Path) -> set[str]:
    """The rule ids `corsproof.scan_paths` reports for `source` (which must scan without errors)."""
    result = scan_paths([str(source)], workers=1)
    assert not result.errors, result.errors
    return {finding.rule_id for finding in result.findings}


def written_cases(header: str, cases: Sequence[Case]) -> Any:
    """A fixture, parametrised by `cases`: each case and its `header + code` written as app.py."""

    @pytest.fixture(params=cases, ids=[c.name for c in cases])
    def written(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Case, Path]]:
        yield request.param, write_app(tmp_path, header + textwrap.dedent(request.param.code))

    return written


def assert_scan_agrees(case: Case, source: Path, observed: set[str], library: str) -> None:
    """The real `library` behaves as `case` says, and the scan of `source` reports just that."""
    scanned = scanned_rules(source)
    assert observed == set(case.rules), f"the real {library} does not behave as the case says"
    assert scanned == observed


# ---------------------------------------------------------------- observed answers -> rule ids


def observed_rules(
    trusted: tuple[str, ...],
    get: Callable[[str], Answer],
    preflight: Preflight | None = None,
    *,
    probe_from_arbitrary: bool = True,
    preflight_ok: int | None = None,
    every_method: tuple[str, ...] = (),
    made_up_method: bool = False,
    star_methods: bool = False,
    made_up_header: bool = False,
    header_listed: bool = True,
    private_network: bool = False,
    vary_origins: Sequence[str] | None = None,
    vary_star: bool = False,
    vary_two_values: bool = False,
    vary_unless: Literal["granted", "echoed"] | None = None,
    shadowed: Callable[[str], bool] | None = None,
) -> set[str]:
    """The rules the real library's answers prove, mirroring the rules' precedence.

    `get(origin)` answers a simple request to the protected resource; `preflight` (if the
    library's preflight is probed at all) answers an OPTIONS request for it.

    CORS101..106: the arbitrary origin, else the attacker catalogue built from `trusted`. The
    later probes are sent from the arbitrary origin when it is granted and `probe_from_arbitrary`
    (Starlette, quart-cors, sanic-cors, aiohttp-cors), else from the first granted trusted origin
    (Falcon, Litestar, cherrypy-cors); with no such origin, nothing more is probed.

    CORS201 (each probe off unless asked for):
    - `every_method`: each of these methods gets a preflight answered with `preflight_ok`
      (Starlette: 200, Litestar: 204);
    - `made_up_method`: a preflight for `MADE_UP_METHOD` lists it in `Allow-Methods`, or with
      `star_methods` answers `Allow-Methods: *` (quart-cors; sanic-cors and aiohttp-cors without);
    - `made_up_header`: a preflight requesting `MADE_UP_HEADER` is answered with `preflight_ok`
      (when set) and, with `header_listed`, lists it in `Allow-Headers` (Litestar: the status
      alone). quart-cors and sanic-cors pass False for their default `allow_headers`: like
      flask-cors's default, only an explicit `*` is reported.

    CORS107 with `private_network`: a private-network preflight is granted.

    CORS203: the answer to the probing origin exposes `*` or a sensitive header.

    CORS202: a granted answer (a literal `*` only with `vary_star`: Falcon) lacks `Vary: Origin`,
    among the answers to `vary_origins` (default: the probing origin alone); with
    `vary_two_values` only when those answers carry two different values (sanic-cors,
    aiohttp-cors, Falcon); with `vary_unless="granted"` never when the arbitrary origin is granted
    (quart-cors, sanic-cors, aiohttp-cors), with `"echoed"` never when it is echoed (Falcon).

    CORS303 when `shadowed(origin)`: the library's own check that another component answers
    without the CORS headers the probing origin is granted (Starlette).
    """

    def granted(origin: str) -> Answer | None:
        answer = get(origin)
        return answer if answer.acao in ("*", origin) else None

    rules: set[str] = set()
    arbitrary = get(ARBITRARY)
    arbitrary_granted = arbitrary.acao in ("*", ARBITRARY)
    if arbitrary_granted:
        echoed = arbitrary.acao == ARBITRARY
        rules.add("CORS102" if echoed and arbitrary.credentials else "CORS101")
    else:
        families = {a.family for a in catalogue(list(trusted))[1:] if granted(a.origin)}
        if "null" in families:
            rules.add("CORS103")
        if any(FAMILY_WEAKNESS[f] == "weak" for f in families):
            rules.add("CORS104")
        else:
            if "http-downgrade" in families or any(
                t.startswith("http://") and granted(t) for t in trusted
            ):
                rules.add("CORS105")
            if "any-subdomain" in families:
                rules.add("CORS106")
    origin = (
        ARBITRARY
        if arbitrary_granted and probe_from_arbitrary
        else next((t for t in trusted if granted(t)), None)
    )
    if origin is None:
        return rules

    if preflight is not None:

        def ok(answer: Answer) -> bool:
            return preflight_ok is None or answer.status == preflight_ok

        any_request = False
        if made_up_method:
            methods = preflight(origin, MADE_UP_METHOD).headers.get(
                "access-control-allow-methods", ""
            )
            any_request |= MADE_UP_METHOD in methods or (star_methods and methods == "*")
        if made_up_header:
            answer = preflight(origin, Access_Control_Request_Headers=MADE_UP_HEADER)
            listed = answer.headers.get("access-control-allow-headers", "").lower()
            any_request |= ok(answer) and (not header_listed or MADE_UP_HEADER in listed)
        if every_method:
            any_request |= all(ok(preflight(origin, m)) for m in every_method)
        if any_request:
            rules.add("CORS201")
        if private_network:
            pna = preflight(origin, Access_Control_Request_Private_Network="true")
            if pna.headers.get("access-control-allow-private-network") == "true":
                rules.add("CORS107")

    exposed = get(origin).headers.get("access-control-expose-headers", "").split(",")
    if any(h.strip() == "*" or SENSITIVE.match(h.strip()) for h in exposed if h.strip()):
        rules.add("CORS203")

    answers = [
        answer
        for answer in map(granted, (origin,) if vary_origins is None else vary_origins)
        if answer is not None and (vary_star or answer.acao != "*")
    ]
    skipped = (vary_unless == "granted" and arbitrary_granted) or (
        vary_unless == "echoed" and arbitrary.acao == ARBITRARY
    )
    if (
        not skipped
        and (not vary_two_values or len({a.acao for a in answers}) > 1)
        and any("origin" not in a.vary.lower() for a in answers)
    ):
        rules.add("CORS202")

    if shadowed is not None and shadowed(origin):
        rules.add("CORS303")
    return rules


_IMPORTED = itertools.count()


def import_file(path: Path, prefix: str) -> ModuleType:
    """Import a Python file afresh under a new module name (the test runs the code it scanned)."""
    name = f"{prefix}_{next(_IMPORTED)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def assert_granted(send: Callable[[str], Any], finding: Finding) -> None:
    """The running app grants the finding's proof origin as the finding says."""
    assert finding.proof_origin, finding
    response = send(finding.proof_origin)
    granted = response.headers.get("Access-Control-Allow-Origin")
    assert granted in (finding.proof_origin, "*"), (finding.rule_id, finding.proof_origin, granted)
    if finding.rule_id == "CORS102":
        assert granted == finding.proof_origin  # an echo: `*` would carry no credentials
        assert response.headers.get("Access-Control-Allow-Credentials") == "true"
    if "credentials" in finding.context and granted != "*":
        assert response.headers.get("Access-Control-Allow-Credentials") == "true"
