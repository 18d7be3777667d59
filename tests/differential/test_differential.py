"""Differential tests: corsproof's value evaluator against CPython.

The claim under test: the evaluator computes CORS configuration values the way Python would,
without running the code. The oracle runs every corpus case for real (one subprocess per batch,
stub libraries that record what they receive, environment variables unset); for each value
CPython recorded, the evaluator must give that value, a set of alternatives containing it, or
"unresolved" -- never another value. Every call CPython made must be found (scope resolution),
and every call found must have been made.

Cases: tests/differential/corpus/ (hand-written) and differential_generate.py (composed from
building blocks). A line at the end of the session says how many values the evaluator decided.
"""

from __future__ import annotations

import pytest
from differential_generate import choose, coverage, generate
from differential_support import (
    STUBS,
    Answers,
    Case,
    CpythonRun,
    Report,
    Tally,
    ask_evaluator,
    compare,
    corpus_cases,
    explain,
    run_cpython,
    write_case,
)

CASES = corpus_cases()
GENERATED_LIMIT = 150
GENERATED = generate(GENERATED_LIMIT)


# ---------------------------------------------------------------- session fixtures


@pytest.fixture(scope="session")
def tally(request: pytest.FixtureRequest) -> Tally:
    """Counts over the session, printed in the terminal summary."""
    counts = Tally()

    class _Summary:
        @staticmethod
        def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
            if counts.cases:
                terminalreporter.write_line(counts.line())

    request.config.pluginmanager.register(_Summary(), "differential-summary")
    return counts


@pytest.fixture(scope="session")
def corpus_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CpythonRun]:
    return run_cpython(CASES, tmp_path_factory.mktemp("corpus-cpython"))


@pytest.fixture(scope="session")
def generated(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, Case], dict[str, CpythonRun]]:
    root = tmp_path_factory.mktemp("generated")
    cases = {g.id: write_case(root / "cases", g.id, g.files) for g in GENERATED}
    return cases, run_cpython(cases.values(), root / "cpython")


def _check(case: Case, run: CpythonRun, tally: Tally) -> None:
    answers: Answers | None = None
    if run.error is None and run.done:
        answers = ask_evaluator(case, run)
    report = compare(case, run, answers or Answers())
    tally.add(report)
    assert not report.mismatches, explain(case, run, answers, report)


# ---------------------------------------------------------------- the differential tests


# Known gaps of the evaluator, each a claim that differs from CPython today: strict, so a fix
# turns the case green and the mark must go.
KNOWN_GAPS = {
    "env_defaults": "os.environ.setdefault() before a lookup is not modelled",
    "env_django_environ": "django-environ leaves a str default unparsed; the evaluator splits it",
    "list_ops": "a mutation through an alias (SHARED = BASE; SHARED.append) is not followed",
    "unpacking": "a mutation through an alias (ONE = TWO = [...]) is not followed",
    "nested_dicts": "CONFIG['cors']['origins'].append(...) (a nested mutation) is not followed",
    "mutated_elsewhere": "another module's conf.ORIGINS.append()/conf.X = v is not followed",
    "reassign_order": "a function reads module globals as they end, not as they are when called",
}


def _marked(case: Case) -> object:
    reason = KNOWN_GAPS.get(case.id)
    if reason is None:
        return case
    return pytest.param(case, marks=pytest.mark.xfail(reason=reason, strict=True))


@pytest.mark.parametrize("case", [_marked(c) for c in CASES], ids=[case.id for case in CASES])
def test_corpus_case(case: Case, corpus_runs: dict[str, CpythonRun], tally: Tally) -> None:
    _check(case, corpus_runs[case.id], tally)


@pytest.mark.parametrize("case_id", [g.id for g in GENERATED])
def test_generated_case(
    case_id: str, generated: tuple[dict[str, Case], dict[str, CpythonRun]], tally: Tally
) -> None:
    cases, runs = generated
    _check(cases[case_id], runs[case_id], tally)


def test_summary(tally: Tally) -> None:
    """Runs last in this module: how much the evaluator actually decides (also printed at the end
    of the session). A harness where every value is unresolved would prove nothing."""
    if not tally.cases:
        pytest.skip("no differential case ran in this session")
    print(tally.line())
    assert tally.counts["calls.known"] + tally.counts["names.known"] > 0, tally.line()


# ---------------------------------------------------------------- the CPython side


def test_corpus_size_and_generated_coverage() -> None:
    assert len(CASES) >= 40
    assert sum(len(case.files) > 1 for case in CASES) >= 5
    assert 100 <= len(GENERATED) <= GENERATED_LIMIT
    assert len({g.id for g in GENERATED}) == len(GENERATED)
    covered, total = coverage(choose(GENERATED_LIMIT))
    assert covered >= 0.85 * total, (covered, total)


def test_every_case_runs_under_cpython(
    corpus_runs: dict[str, CpythonRun],
    generated: tuple[dict[str, Case], dict[str, CpythonRun]],
) -> None:
    """Each case runs to the end with the stubs only and records something to compare."""
    runs = {**corpus_runs, **generated[1]}
    broken = {case: run.error for case, run in runs.items() if run.error or not run.done}
    assert not broken, broken
    empty = [case for case, run in runs.items() if not run.calls and not run.names]
    assert not empty
    generated_without_call = [case for case, run in generated[1].items() if not run.calls]
    assert not generated_without_call


def test_cpython_records(corpus_runs: dict[str, CpythonRun]) -> None:
    """The oracle itself: lines, callees, normalised values and unset environment variables."""
    aliases = corpus_runs["flask_aliases"].calls
    assert [(c["callee"], c["line"], c["file"]) for c in aliases] == [
        ("CORS", 11, "flask_aliases.py"),
        ("CORS", 12, "flask_aliases.py"),
        ("CORS", 13, "flask_aliases.py"),
        ("CORS", 14, "flask_aliases.py"),
    ]
    assert aliases[2]["kwargs"] == {"origins": ["https://three.example.com"], "max_age": 600}
    assert aliases[3]["kwargs"]["origins"] == ["https://a.example.com", "https://b.example.com"]

    env = corpus_runs["env_defaults"].calls
    assert env[0]["kwargs"] == {"origins": "*"}  # DIFF_CORS_ORIGINS is unset in the subprocess

    regex = corpus_runs["regex_origins"].calls
    assert regex[1]["kwargs"]["origins"] == {"regex": r"https://.*\.example\.com", "flags": 2}

    shadow = corpus_runs["scope_local_shadow"].calls  # the lookalike's call is not recorded
    assert [c["kwargs"]["origins"] for c in shadow] == [
        ["https://module.example.com"],
        ["https://again.example.com"],
    ]

    settings = corpus_runs["settings_debug_order"].names["settings_debug_order.py"]
    assert settings["CORS_ALLOW_ALL_ORIGINS"] is True and settings["DEBUG"] is False

    split = corpus_runs["django_split"].names
    assert split["settings/production.py"]["CORS_ALLOW_HEADERS"] == ["accept", "content-type"]
    assert split["settings/local.py"]["CORS_ALLOW_HEADERS"] == ["accept", "content-type", "x-debug"]

    middleware = corpus_runs["relative_chain"].calls[0]
    assert middleware["file"] == "main.py" and middleware["callee"] == "CORSMiddleware"
    assert middleware["args"] == []


def test_runner_uses_the_stubs(tmp_path) -> None:
    """The real flask_cors (installed in the venv) is never what the corpus imports."""
    (tmp_path / "main.py").write_text(
        "import flask_cors\nimport starlette.middleware.cors as m\n"
        "FILES = [flask_cors.__file__, m.__file__]\n"
    )
    run = run_cpython([Case("stubs", tmp_path, "main", ("main.py",))], tmp_path / "out")["stubs"]
    assert run.done, run.error
    assert all(path.startswith(str(STUBS)) for path in run.names["main.py"]["FILES"])


# ---------------------------------------------------------------- the harness can fail


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, CpythonRun]:
    """A one-call module and what CPython recorded for it."""
    root = tmp_path_factory.mktemp("toy")
    (root / "main.py").write_text(
        "from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n"
        'ORIGINS = ["https://a.example.com"]\n'
        "CORS(app, origins=ORIGINS, supports_credentials=True)\n"
    )
    run = CpythonRun(
        calls=[
            {
                "callee": "CORS",
                "file": "main.py",
                "line": 6,
                "col": 0,
                "args": [],
                "kwargs": {"origins": ["https://a.example.com"], "supports_credentials": True},
            }
        ],
        names={"main.py": {"ORIGINS": ["https://a.example.com"]}},
        done=True,
    )
    return Case("toy", root, "main", ("main.py",)), run


def _known(value: object) -> dict[str, object]:
    return {"known": True, "value": value, "alternatives": None, "provenance": "literal"}


def _unresolved() -> dict[str, object]:
    return {"known": False, "value": None, "alternatives": None, "provenance": "unresolved"}


def _alternatives(*values: object) -> dict[str, object]:
    return {
        "known": False,
        "value": None,
        "alternatives": list(values),
        "provenance": "alternatives",
    }


def _answers(
    origins: dict[str, object],
    credentials: dict[str, object] | None = None,
    line: int = 6,
    callee: str = "CORS",
    names: dict[str, object] | None = None,
    extra_calls: list[dict[str, object]] | None = None,
) -> Answers:
    kwargs = {"origins": origins, "supports_credentials": credentials or _known(True)}
    call = {"callee": callee, "line": line, "args": [], "kwargs": kwargs}
    return Answers(
        calls={"main.py": [call, *(extra_calls or [])]},
        names={"main.py": {"ORIGINS": names or _known(("https://a.example.com",))}},
    )


def _mismatches(toy: tuple[Case, CpythonRun], answers: Answers) -> list[str]:
    case, run = toy
    return [str(m) for m in compare(case, run, answers, Report()).mismatches]


def test_harness_accepts_right_answers(toy: tuple[Case, CpythonRun]) -> None:
    assert _mismatches(toy, _answers(_known(["https://a.example.com"]))) == []
    assert _mismatches(toy, _answers(_known(("https://a.example.com",)))) == []  # tuple -> list
    assert _mismatches(toy, _answers(_unresolved(), _unresolved(), names=_unresolved())) == []
    assert _mismatches(toy, _answers(_alternatives("*", ["https://a.example.com"]))) == []


def test_harness_reports_a_wrong_value(toy: tuple[Case, CpythonRun]) -> None:
    wrong = _mismatches(toy, _answers(_known(["*"])))
    assert len(wrong) == 1 and "origins" in wrong[0] and '["*"]' in wrong[0]
    assert _mismatches(toy, _answers(_known(["https://a.example.com"]), _known(1)))  # 1 is not True
    assert _mismatches(toy, _answers(_alternatives("*", ["https://b.example.com"])))
    assert _mismatches(toy, _answers(_known(["https://a.example.com"]), names=_known("*")))


def test_harness_reports_missed_and_phantom_calls(toy: tuple[Case, CpythonRun]) -> None:
    moved = _mismatches(toy, _answers(_known(["https://a.example.com"]), line=5))
    assert any("missed call" in m for m in moved) and any("never ran" in m for m in moved)
    renamed = _mismatches(toy, _answers(_known(["https://a.example.com"]), callee="cross_origin"))
    assert any("missed call" in m for m in renamed)
    phantom = {"callee": "CORS", "line": 4, "args": [], "kwargs": {}}
    assert any(
        "never ran" in m
        for m in _mismatches(
            toy, _answers(_known(["https://a.example.com"]), extra_calls=[phantom])
        )
    )
    extra_kw = _answers(_known(["https://a.example.com"]))
    extra_kw.calls["main.py"][0]["kwargs"]["max_age"] = _known(5)
    assert any("did not pass" in m for m in _mismatches(toy, extra_kw))
    missing_kw = _answers(_known(["https://a.example.com"]))
    del missing_kw.calls["main.py"][0]["kwargs"]["supports_credentials"]
    assert any("not found" in m for m in _mismatches(toy, missing_kw))
    unknown_mapping = _answers(_known(["https://a.example.com"]))
    del unknown_mapping.calls["main.py"][0]["kwargs"]["supports_credentials"]
    unknown_mapping.calls["main.py"][0]["kwargs"]["**"] = _unresolved()
    assert _mismatches(toy, unknown_mapping) == []
