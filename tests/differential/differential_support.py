"""The differential check of corsproof's value evaluator against CPython.

One side: `run_cpython` executes corpus cases for real, in one subprocess
(differential_runner.py, stub libraries only), and collects what the stub CORS libraries received
and the upper-case module-level values each module had when it finished executing. Other side:
`ask_evaluator` asks `corsproof.static.semantic.computed` for the same calls and names, without
running anything. `compare` holds them against each other: a value the evaluator claims to know
must be CPython's, a set of alternatives must contain CPython's, "unresolved" is allowed (and
counted); every call CPython made must be found, and every call found must have been made.

Environment variables are unset in the subprocess (it gets PATH, LANG and the output file only),
so a value read from the environment is its default, as the evaluator's "env-default" claims.
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import subprocess
import sys
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
STUBS = HERE / "stubs"
RUNNER = HERE / "differential_runner.py"

CATEGORIES = ("known", "alternatives", "unresolved")


# ---------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    """A corpus case: `entry` (a dotted module name importable from `root`) is what CPython
    imports; `files` (paths relative to `root`) are what the evaluator is asked about."""

    id: str
    root: Path
    entry: str
    files: tuple[str, ...]

    def source(self, file: str) -> str:
        return (self.root / file).read_text(encoding="utf-8")


def corpus_cases(corpus: Path = CORPUS) -> list[Case]:
    """corpus/NAME.py is a one-module case (root: corpus/); corpus/NAME/ is a project whose
    entry is NAME/main.py and whose every module is checked."""
    cases = []
    for path in sorted(corpus.iterdir()):
        if path.suffix == ".py":
            cases.append(Case(path.stem, corpus, path.stem, (path.name,)))
        elif path.is_dir() and (path / "main.py").is_file():
            files = tuple(sorted(p.relative_to(path).as_posix() for p in path.rglob("*.py")))
            cases.append(Case(path.name, path, "main", files))
    return cases


def write_case(root: Path, case_id: str, files: Mapping[str, str]) -> Case:
    """A project case written under root/case_id from {relative path: source}."""
    base = root / case_id
    for name, text in files.items():
        target = base / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return Case(case_id, base, "main", tuple(sorted(files)))


# ---------------------------------------------------------------- CPython's side


@dataclass
class CpythonRun:
    calls: list[dict[str, Any]] = field(default_factory=list)
    names: dict[str, dict[str, Any]] = field(default_factory=dict)  # file -> name -> value
    error: str | None = None
    done: bool = False


def run_cpython(
    cases: Iterable[Case], workdir: Path, timeout: float = 300
) -> dict[str, CpythonRun]:
    """Every case, in one subprocess, with the stubs and an environment scrubbed of everything
    a corpus module could read."""
    cases = list(cases)
    workdir.mkdir(parents=True, exist_ok=True)
    jobs = workdir / "jobs.json"
    out = workdir / "records.jsonl"
    out.write_text("", encoding="utf-8")
    jobs.write_text(
        json.dumps([{"case": c.id, "root": str(c.root), "entry": c.entry} for c in cases]),
        encoding="utf-8",
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "CORSPROOF_ORACLE_OUT": str(out),
    }
    proc = subprocess.run(
        [sys.executable, "-I", "-S", str(RUNNER), str(jobs)],
        env=env,
        cwd=str(workdir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the CPython runner failed:\n{proc.stdout}\n{proc.stderr}")
    runs = {case.id: CpythonRun() for case in cases}
    for line in out.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        run = runs[entry["case"]]
        kind = entry["kind"]
        if kind == "call":
            run.calls.append(entry)
        elif kind == "names":
            run.names[entry["file"]] = entry["names"]
        elif kind == "error":
            run.error = entry["error"]
        elif kind == "done":
            run.done = True
    return runs


# ---------------------------------------------------------------- the evaluator's side


@dataclass
class Answers:
    calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # file -> calls
    names: dict[str, dict[str, Any]] = field(default_factory=dict)  # file -> name -> result
    errors: list[str] = field(default_factory=list)


def ask_evaluator(case: Case, run: CpythonRun) -> Answers:
    """What corsproof's evaluator says about the case's files (statically)."""
    from corsproof.static.semantic.computed import evaluate_calls, evaluate_names

    answers = Answers()
    for file in case.files:
        try:
            answers.calls[file] = list(evaluate_calls(case.root / file, root=case.root))
        except Exception:
            answers.errors.append(f"evaluate_calls({file}) raised:\n{traceback.format_exc()}")
    for file, names in run.names.items():
        try:
            answers.names[file] = dict(
                evaluate_names(case.root / file, list(names), root=case.root)
            )
        except Exception:
            answers.errors.append(f"evaluate_names({file}) raised:\n{traceback.format_exc()}")
    return answers


# ---------------------------------------------------------------- values


def canonical(value: Any) -> Any:
    """The normalised form of an evaluator value (CPython's records are normalised already):
    tuple -> list, set -> sorted list, dict keys as str; a pattern's flags as a plain int, without
    a str pattern's implicit re.UNICODE (re.compile("x").flags == 32): either convention compares
    equal."""
    if isinstance(value, (list, tuple)):
        return [canonical(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(item) for item in value), key=_sort_key)
    if isinstance(value, dict):
        out = {str(key): canonical(item) for key, item in value.items()}
        if set(out) == {"regex", "flags"} and isinstance(out["flags"], int):
            out["flags"] = int(out["flags"])  # re.RegexFlag -> int
            if isinstance(out["regex"], str):
                out["flags"] &= ~32
        return out
    return value


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def same(a: Any, b: Any) -> bool:
    """Equality that tells True from 1 and 1 from 1.0; an object neither side can show as a
    value ({"opaque": type name}) matches any other such object."""
    if _opaque(a) and _opaque(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def _opaque(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"opaque"}


def judge(expected: Any, result: Any) -> tuple[str, str | None]:
    """(category, problem) for one value: CPython's `expected` against an EvalResult.

    When `alternatives` is set, CPython's value must be one of them (`value` is then only the
    evaluator's pick among them, whatever `known` says); otherwise a known `value` must be
    CPython's."""
    if not isinstance(result, Mapping) or "known" not in result:
        return "malformed", f"not an EvalResult: {result!r}"
    alternatives = result.get("alternatives")
    if alternatives is not None:
        if not any(same(canonical(a), expected) for a in alternatives):
            return "alternatives", (
                f"CPython's value {_show(expected)} is none of the alternatives "
                f"{_show([canonical(a) for a in alternatives])}"
            )
        return "alternatives", None
    if result["known"]:
        got = canonical(result.get("value"))
        if not same(got, expected):
            return "known", f"CPython: {_show(expected)}; evaluator (known): {_show(got)}"
        return "known", None
    return "unresolved", None


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


# ---------------------------------------------------------------- comparison


@dataclass
class Mismatch:
    file: str
    line: int | None
    what: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.what}"


@dataclass
class Report:
    mismatches: list[Mismatch] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # "calls.known", "names.unresolved"...
    unresolved: list[str] = field(default_factory=list)  # where: what the evaluator left open

    def fail(self, file: str, line: int | None, what: str) -> None:
        self.mismatches.append(Mismatch(file, line, what))


def statement_lines(source: str) -> list[tuple[int, int]]:
    """(first line, last line) of every statement, a decorated definition from its first
    decorator."""
    spans = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt):
            start = node.lineno
            for decorator in getattr(node, "decorator_list", ()):
                start = min(start, decorator.lineno)
            spans.append((start, node.end_lineno or node.lineno))
    return spans


def statement_of(spans: list[tuple[int, int]], line: int | None) -> int | None:
    """The first line of the innermost statement containing `line`."""
    if line is None:
        return None
    starts = [start for start, end in spans if start <= line <= end]
    return max(starts) if starts else line


def _compare_call(
    file: str,
    line: int | None,
    record: dict[str, Any],
    answer: dict[str, Any],
    report: Report | None,
) -> list[str]:
    """Problems of one recorded call against one evaluator call; tallies into `report`."""
    problems = []
    outcomes: list[tuple[str, str]] = []
    args = answer.get("args") or []
    kwargs = answer.get("kwargs") or {}
    if len(args) != len(record["args"]):
        problems.append(
            f"{len(record['args'])} positional argument(s) in CPython, {len(args)} found"
        )
    for index, (expected, result) in enumerate(zip(record["args"], args, strict=False)):
        category, problem = judge(expected, result)
        outcomes.append((category, f"arg {index}"))
        if problem:
            problems.append(f"positional argument {index}: {problem}")
    for name, expected in record["kwargs"].items():
        if name in kwargs:
            category, problem = judge(expected, kwargs[name])
            outcomes.append((category, name))
            if problem:
                problems.append(f"keyword {name}=: {problem}")
        elif "**" in kwargs:
            outcomes.append(("unresolved", f"{name} (in an unknown **mapping)"))
        else:
            problems.append(
                f"keyword {name}= was passed (CPython: {_show(expected)}) but not found"
            )
    for name in kwargs:
        if name != "**" and name not in record["kwargs"]:
            problems.append(f"keyword {name}= found but CPython did not pass it")
    if report is not None:
        for category, label in outcomes:
            report.counts[f"calls.{category}"] += 1
            if category == "unresolved":
                report.unresolved.append(f"{file}:{line} {record['callee']} {label}")
    return problems


def compare(case: Case, run: CpythonRun, answers: Answers, report: Report | None = None) -> Report:
    """CPython's run of `case` against the evaluator's answers."""
    report = report if report is not None else Report()
    if run.error is not None:
        report.fail(case.entry, None, f"the corpus case fails under CPython:\n{run.error}")
        return report
    if not run.done:
        report.fail(case.entry, None, "the CPython runner did not finish this case")
        return report
    for error in answers.errors:
        report.fail(case.entry, None, error)

    spans = {file: statement_lines(case.source(file)) for file in case.files}
    recorded: dict[tuple[str, str, int | None], list[dict[str, Any]]] = defaultdict(list)
    for record in run.calls:
        file = record["file"]
        if file not in spans:
            report.fail(str(file), record["line"], f"a call from outside the case: {record}")
            continue
        recorded[(file, record["callee"], statement_of(spans[file], record["line"]))].append(record)
    found: dict[tuple[str, str, int | None], list[dict[str, Any]]] = defaultdict(list)
    for file, calls in answers.calls.items():
        for call in calls:
            key = (file, call.get("callee"), statement_of(spans[file], call.get("line")))
            found[key].append(call)

    for key in sorted(set(recorded) | set(found), key=lambda k: (k[0], k[2] or 0, k[1])):
        file, callee, line = key
        sites: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
        for record in recorded.get(key, []):
            sites[(record["line"], record["col"])].append(record)
        site_records = [sites[site] for site in sorted(sites, key=lambda s: (s[0], s[1] or 0))]
        calls = found.get(key, [])
        if len(calls) < len(site_records):
            report.fail(
                file,
                line,
                f"{callee}: CPython made {len(site_records)} call(s) here, the evaluator found "
                f"{len(calls)} (missed call)",
            )
        elif len(calls) > len(site_records):
            report.fail(
                file,
                line,
                f"{callee}: the evaluator found {len(calls)} call(s) here, CPython made "
                f"{len(site_records)} (a call that never ran, or is not {callee})",
            )
        pairs = _best_pairing(file, line, site_records, calls)
        for records, call in pairs:
            for record in records:
                for problem in _compare_call(file, line, record, call, report):
                    report.fail(file, line, f"{callee}: {problem}")

    for file, names in run.names.items():
        results = answers.names.get(file)
        if results is None:
            continue  # evaluate_names raised: reported above
        for name, expected in names.items():
            if name not in results:
                report.fail(file, None, f"no answer for the name {name}")
                continue
            category, problem = judge(expected, results[name])
            report.counts[f"names.{category}"] += 1
            if category == "unresolved":
                report.unresolved.append(f"{file} {name}")
            if problem:
                report.fail(file, None, f"{name}: {problem}")
    return report


def _best_pairing(
    file: str,
    line: int | None,
    site_records: list[list[dict[str, Any]]],
    calls: list[dict[str, Any]],
) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """Call sites paired with evaluator calls (same statement, same callee) so that the fewest
    problems remain: more than one only when a statement makes several calls."""
    if not site_records or not calls:
        return []
    if len(site_records) == 1 and len(calls) == 1:
        return [(site_records[0], calls[0])]

    def cost(records: list[dict[str, Any]], call: dict[str, Any]) -> int:
        return sum(len(_compare_call(file, line, r, call, None)) for r in records)

    best: list[tuple[list[dict[str, Any]], dict[str, Any]]] = []
    best_cost = None
    n = min(len(site_records), len(calls))
    if len(site_records) <= len(calls):
        options = (
            list(zip(site_records, perm, strict=False)) for perm in itertools.permutations(calls, n)
        )
    else:
        options = (
            list(zip(perm, calls, strict=False)) for perm in itertools.permutations(site_records, n)
        )
    for option in itertools.islice(options, 5040):
        total = sum(cost(records, call) for records, call in option)
        if best_cost is None or total < best_cost:
            best, best_cost = option, total
    return best


# ---------------------------------------------------------------- explaining


def explain(case: Case, run: CpythonRun, answers: Answers | None, report: Report) -> str:
    """A failure message a reader can reproduce from: the mismatches, the module sources, what
    CPython recorded and what the evaluator answered."""
    parts = [f"{len(report.mismatches)} mismatch(es) in case {case.id}:"]
    parts += [f"  - {mismatch}" for mismatch in report.mismatches]
    for file in case.files:
        numbered = "\n".join(
            f"{n:4d}  {text}" for n, text in enumerate(case.source(file).splitlines(), 1)
        )
        parts.append(f"\n--- {file} ---\n{numbered}")
    parts.append("\n--- CPython recorded ---")
    parts += [
        _show({k: v for k, v in record.items() if k not in ("case", "kind")})
        for record in run.calls
    ]
    for file, names in run.names.items():
        parts.append(f"names in {file}: {_show(names)}")
    if answers is not None:
        parts.append("\n--- the evaluator answered ---")
        for file, calls in answers.calls.items():
            for call in calls:
                parts.append(f"{file}: {_show(call)}")
        for file, names in answers.names.items():
            parts.append(f"names in {file}: {_show(names)}")
    return "\n".join(parts)


@dataclass
class Tally:
    """Counts over every case checked in a session."""

    counts: Counter[str] = field(default_factory=Counter)
    cases: int = 0
    failed: int = 0

    def add(self, report: Report) -> None:
        self.cases += 1
        self.failed += bool(report.mismatches)
        self.counts.update(report.counts)

    def line(self) -> str:
        def part(kind: str) -> str:
            total = sum(self.counts[f"{kind}.{c}"] for c in CATEGORIES)
            shares = ", ".join(f"{self.counts[f'{kind}.{c}']} {c}" for c in CATEGORIES)
            return f"{total} {kind[:-1]} values ({shares})"

        return (
            f"differential: {self.cases} cases, {self.failed} with mismatches; "
            f"{part('calls')}; {part('names')}"
        )
