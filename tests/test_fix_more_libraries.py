"""The safe fixes (CORS104 anchor a pattern, CORS202 send Vary: Origin, CORS301 fail closed on an
environment default) checked against the real libraries: the app is written, driven through the
library's own test client before and after `fix_paths` (safe fixes only), and the attacker the
scan proved (`finding.proof_origin`) must be granted before and refused after, while the origins
the pattern or variable was written for are still granted. The fixed file compiles, the re-scan no
longer reports the rule, and a second run changes nothing."""

from __future__ import annotations

import runpy
from dataclasses import dataclass
from pathlib import Path

import pytest
from fix_support import load
from test_fix_libraries import (
    DRIVERS,
    FLASK,
    QUART,
    QUART_ROUTE,
    SANIC,
    STARLETTE,
    Headers,
    granted,
    lower,
)

from corsproof import scan_paths
from corsproof.findings import Finding
from corsproof.fix import SAFE, FixOptions, fix_paths

APP = "https://app.example.com"
SAFE_ONLY = FixOptions(scan={"workers": 1})


def django_answers(path: Path, url: str, origins: list[str]) -> dict[str, Headers]:
    """The settings file run as Django would read it, its CORS_* settings on the test project."""
    from django.test import Client
    from django_testapp import CORS_SETTINGS, cors_settings

    values = runpy.run_path(str(path))
    cors = {k: v for k, v in values.items() if k in CORS_SETTINGS}
    with cors_settings(**cors):
        client = Client()
        return {o: lower(client.get(url, HTTP_ORIGIN=o).headers) for o in origins}


def answers(library: str, path: Path, url: str, origins: list[str]) -> dict[str, Headers]:
    if library == "django-cors-headers":
        return django_answers(path, url, origins)
    if library == "sanic-cors":
        from sanic import Sanic

        Sanic.test_mode = True  # several apps in one process
    return DRIVERS[library](load(path), url, origins)


def write(directory: Path, name: str, source: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(source, encoding="utf-8")
    return path


def findings_of(path: Path, rule: str) -> list[Finding]:
    result = scan_paths([str(path.parent)], workers=1)
    assert not result.errors, result.errors
    return [f for f in result.findings if f.rule_id == rule]


def fix_once(path: Path, rule: str) -> str:
    """Safe fixes applied: the rule's finding fixed (safe), the file compiles, the re-scan has no
    finding of the rule, and a second run changes nothing. The fixed text."""
    outcome = fix_paths([str(path.parent)], SAFE_ONLY)
    assert not outcome.errors, outcome.errors
    fixed = [a for a in outcome.applied if a.finding.rule_id == rule]
    assert fixed, [(f.rule_id, f.location, f.message) for f in outcome.remaining]
    assert {a.fix.applicability for a in fixed} == {SAFE}
    text = path.read_text(encoding="utf-8")
    compile(text, str(path), "exec")
    assert findings_of(path, rule) == [], text
    again = fix_paths([str(path.parent)], SAFE_ONLY)
    assert again.applied == [], [(a.finding.rule_id, a.finding.message) for a in again.applied]
    assert path.read_text(encoding="utf-8") == text
    return text


def echoed(headers: Headers, origin: str) -> bool:
    return headers.get("access-control-allow-origin") == origin


def varies_on_origin(headers: Headers) -> bool:
    return "origin" in [v.strip().lower() for v in headers.get("vary", "").split(",")]


# ---------------------------------------------------------------- CORS104: anchor the pattern


@dataclass(frozen=True)
class PatternCase:
    name: str
    library: str
    source: str
    trusted: tuple[str, ...]  # what the pattern was written for: granted before and after
    attackers: tuple[str, ...] = ()  # beside the scan's proof origin: granted before, not after
    url: str = "/"
    file: str = "app.py"


SUBDOMAINS = (APP, "https://eu.app.example.com")
PATTERN_CASES = [
    PatternCase(
        "flask-cors",
        "flask-cors",
        FLASK + 'CORS(app, origins=[r"https://.*.example.com"])\n',
        trusted=SUBDOMAINS,
        attackers=("https://evilXexample.com",),
    ),
    PatternCase(
        "sanic-cors",
        "sanic-cors",
        SANIC + 'CORS(app, origins=[r"https://.*.example.com"])\n',
        trusted=SUBDOMAINS,
        attackers=("https://evilXexample.com",),
    ),
    PatternCase(
        "starlette-alternatives",
        "starlette",
        STARLETTE
        + 'app = Starlette(routes=[Route("/", index)], middleware=[Middleware(CORSMiddleware, '
        'allow_origin_regex=r"https://app.example.com|https://admin.example.org.*")])\n',
        trusted=(APP, "https://admin.example.org", "https://admin.example.org:8443"),
        attackers=("https://appXexample.com", "https://admin.example.org.evil.example"),
    ),
    PatternCase(
        "django-cors-headers",
        "django-cors-headers",
        'INSTALLED_APPS = ["corsheaders"]\nCORS_ALLOWED_ORIGIN_REGEXES = [r"https://app.example.com"]\n',
        trusted=(APP,),
        attackers=("https://appXexample.com",),
        url="/api/data/",
        file="settings.py",
    ),
]


@pytest.mark.parametrize("case", PATTERN_CASES, ids=[c.name for c in PATTERN_CASES])
def test_cors104_anchoring_makes_the_real_library_refuse_the_proof_origin(
    tmp_path: Path, case: PatternCase
) -> None:
    path = write(tmp_path / "app", case.file, case.source)
    reported = findings_of(path, "CORS104")
    assert reported and reported[0].proof_origin, "the case is not reported: it tests nothing"
    attackers = [reported[0].proof_origin, *case.attackers]
    origins = [*attackers, *case.trusted]
    before = answers(case.library, path, case.url, origins)
    for origin in origins:
        assert granted(before[origin], origin), (origin, "not granted before the fix")

    text = fix_once(path, "CORS104")

    after = answers(case.library, path, case.url, origins)
    for origin in attackers:
        assert not granted(after[origin], origin), (origin, text)
    for origin in case.trusted:
        assert echoed(after[origin], origin), (origin, text)


def test_cors104_a_quart_cors_compiled_pattern_is_anchored(tmp_path: Path) -> None:
    # the finding's location is the whole `re.compile(...)` call: its string is what is fixed
    source = (
        QUART
        + 'app = cors(app, allow_origin=re.compile(r"https://.*.example.com"))\n'
        + QUART_ROUTE
    )
    path = write(tmp_path / "app", "app.py", source)
    reported = findings_of(path, "CORS104")
    assert reported and reported[0].proof_origin
    attacker = reported[0].proof_origin
    before = answers("quart-cors", path, "/", [attacker, APP])
    assert granted(before[attacker], attacker) and echoed(before[APP], APP)

    outcome = fix_paths([str(path.parent)], SAFE_ONLY)
    assert "CORS104" in [a.finding.rule_id for a in outcome.applied]
    text = path.read_text(encoding="utf-8")
    assert 're.compile(r"^https://.*\\.example\\.com$")' in text
    assert findings_of(path, "CORS104") == []
    after = answers("quart-cors", path, "/", [attacker, APP])
    assert not granted(after[attacker], attacker) and echoed(after[APP], APP)


# ---------------------------------------------------------------- CORS202: Vary: Origin

VARY_CASES = {
    "flask-cors": FLASK,
    "sanic-cors": SANIC,
}
PAIR = ("https://a.example.com", "https://b.example.com")


@pytest.mark.parametrize("library", list(VARY_CASES))
def test_cors202_dropping_vary_header_false_makes_the_real_library_send_vary_origin(
    tmp_path: Path, library: str
) -> None:
    source = (
        VARY_CASES[library] + f'CORS(app, origins=["{PAIR[0]}", "{PAIR[1]}"], vary_header=False)\n'
    )
    path = write(tmp_path / "app", "app.py", source)
    assert findings_of(path, "CORS202"), "the case is not reported: it tests nothing"
    evil = "https://evil.example"
    before = answers(library, path, "/", [*PAIR, evil])
    for origin in PAIR:
        assert echoed(before[origin], origin)
        assert not varies_on_origin(before[origin]), before[origin]

    text = fix_once(path, "CORS202")

    after = answers(library, path, "/", [*PAIR, evil])
    for origin in PAIR:
        assert echoed(after[origin], origin), (origin, text)
        assert varies_on_origin(after[origin]), (after[origin], text)
    assert not granted(after[evil], evil)  # what is granted did not change


# ---------------------------------------------------------------- CORS301: fail closed


def test_cors301_flask_cors_an_unset_variable_no_longer_lets_the_attacker_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        "import os\n"
        + FLASK
        + 'CORS(app, origins=os.environ.get("CORS_ORIGINS", "*").split(","))\n'
    )
    path = write(tmp_path / "app", "app.py", source)
    monkeypatch.delenv("CORS_ORIGINS", raising=False)
    reported = findings_of(path, "CORS301")
    assert reported and reported[0].proof_origin
    attacker = reported[0].proof_origin
    before = answers("flask-cors", path, "/", [attacker, APP])
    assert granted(before[attacker], attacker) and granted(before[APP], APP)

    text = fix_once(path, "CORS301")

    unset = answers("flask-cors", path, "/", [attacker, APP])
    assert not granted(unset[attacker], attacker), text
    assert not granted(unset[APP], APP), text  # closed: nobody is trusted without the variable
    monkeypatch.setenv("CORS_ORIGINS", APP)
    listed = answers("flask-cors", path, "/", [attacker, APP])
    assert not granted(listed[attacker], attacker), text
    assert echoed(listed[APP], APP), text


def test_cors301_django_allow_all_from_a_star_default_is_off_when_the_variable_is_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        'import os\n\nINSTALLED_APPS = ["corsheaders"]\n'
        'CORS_ALLOW_ALL_ORIGINS = os.getenv("CORS_ALLOW_ALL", "*") == "*"\n'
        f'CORS_ALLOWED_ORIGINS = ["{APP}"]\n'
    )
    path = write(tmp_path / "app", "settings.py", source)
    monkeypatch.delenv("CORS_ALLOW_ALL", raising=False)
    reported = findings_of(path, "CORS301")
    assert reported and reported[0].proof_origin
    attacker = reported[0].proof_origin
    before = answers("django-cors-headers", path, "/api/data/", [attacker, APP])
    assert granted(before[attacker], attacker)

    text = fix_once(path, "CORS301")

    after = answers("django-cors-headers", path, "/api/data/", [attacker, APP])
    assert not granted(after[attacker], attacker), text
    assert echoed(after[APP], APP), text
    monkeypatch.setenv("CORS_ALLOW_ALL", "*")  # a deployment that asks for it still gets it
    asked = answers("django-cors-headers", path, "/api/data/", [attacker])
    assert granted(asked[attacker], attacker), text


def test_cors301_django_allow_all_from_a_true_default_stays_a_remaining_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the default is "True", not a wildcard: the fixer (wildcard defaults only) leaves it
    source = (
        'import os\n\nINSTALLED_APPS = ["corsheaders"]\n'
        'CORS_ALLOW_ALL_ORIGINS = os.environ.get("CORS_ALLOW_ALL", "True") == "True"\n'
    )
    path = write(tmp_path / "app", "settings.py", source)
    monkeypatch.delenv("CORS_ALLOW_ALL", raising=False)
    reported = findings_of(path, "CORS301")
    assert reported and reported[0].proof_origin
    attacker = reported[0].proof_origin
    before = answers("django-cors-headers", path, "/api/data/", [attacker])
    assert granted(before[attacker], attacker)

    outcome = fix_paths([str(path.parent)], SAFE_ONLY)
    assert "CORS301" in [f.rule_id for f in outcome.remaining]
    assert "CORS301" not in [a.finding.rule_id for a in outcome.applied]
    assert path.read_text(encoding="utf-8") == source


def test_cors301_django_allowed_origins_from_a_star_default_no_longer_grant_null(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # django-cors-headers compares (scheme, netloc): "*" has neither, and neither has `null`, so
    # the default lets `null` in (the scan's proof origin); not every origin
    source = (
        'import os\n\nINSTALLED_APPS = ["corsheaders"]\n'
        'CORS_ALLOWED_ORIGINS = os.environ.get("CORS_ORIGINS", "*").split(",")\n'
    )
    path = write(tmp_path / "app", "settings.py", source)
    monkeypatch.delenv("CORS_ORIGINS", raising=False)
    reported = findings_of(path, "CORS301")
    assert reported and reported[0].proof_origin == "null"
    before = answers("django-cors-headers", path, "/api/data/", ["null"])
    assert granted(before["null"], "null")

    outcome = fix_paths([str(path.parent)], SAFE_ONLY)
    assert "CORS301" in [a.finding.rule_id for a in outcome.applied]
    text = path.read_text(encoding="utf-8")
    compile(text, str(path), "exec")
    after = answers("django-cors-headers", path, "/api/data/", ["null"])
    assert not granted(after["null"], "null"), text
    assert findings_of(path, "CORS301") == [], text
    monkeypatch.setenv("CORS_ORIGINS", APP)
    listed = answers("django-cors-headers", path, "/api/data/", [APP])
    assert echoed(listed[APP], APP), text
