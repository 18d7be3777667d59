"""Robustness: whatever the tree holds, `corsproof scan` finishes, never prints a traceback, reports
every file it could not analyse under `errors` with the reason, and still reports the findings of
the files it could analyse.

Decisions per kind of bad input (asserted below):
- a file whose bytes match no adapter's prefilter is never parsed, so it cannot fail: random binary
  or Python 2 code with nothing CORS-related in it is counted as scanned, with no error;
- a file that matches a prefilter but cannot be decoded or parsed is listed under `errors`
  (Python 2 source, syntax error, invalid UTF-8, NUL bytes, nesting too deep for the parser);
- a file with a PEP 263 coding declaration is decoded as Python would, and analysed;
- a file larger than 10 MB is read through (streamed) and prefiltered in full: listed under `errors`
  when it matters (and the run exits 2: a CORS-relevant file was not judged), counted as scanned
  when nothing in it does;
- a directory linking to its parent is not followed (its target is in the tree already): no
  error, nothing reported twice;
- a link to itself, dangling links, FIFOs, unreadable files and directories are listed under
  `errors`, and never hang the scan.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from corsproof import scan_paths
from corsproof.auth import PREFILTER, PREFILTER_WORDS
from corsproof.static import _module, _pool, engine, prefilter
from corsproof.static._module import open_source, read_bounded
from corsproof.static.adapters import all_adapters
from corsproof.static.walker import FileJob

TIMEOUT = 180  # seconds; a scan of the bad tree takes a few
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
MB = 1024 * 1024
# matches the Starlette adapter's prefilter (and the other adapters' words, whichever exist)
MARK = "from starlette.middleware.cors import CORSMiddleware  # Access-Control-Allow-Origin CORS_"
GOOD = """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
)
"""
GOOD_LINE = 7  # the allow_origins keyword


def run_cli(
    *args: str, timeout: float = TIMEOUT, form: str = "json"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "corsproof", "scan", *args, "--format", form],
        capture_output=True,
        encoding="utf-8",
        errors="surrogateescape",  # file names need not be UTF-8
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def assert_clean_stderr(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Error:" not in proc.stderr.replace("corsproof: error:", ""), proc.stderr


def errors_by_path(document: dict[str, Any]) -> dict[str, str]:
    return {Path(e["path"]).as_posix(): e["message"] for e in document["errors"]}


def matches_prefilter(data: bytes) -> bool:
    return any(adapter.prefilter.search(data) for adapter in all_adapters())


def random_bytes(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def proc_mem_unreadable() -> bool:
    """Whether /proc/self/mem gives a read error (a file even root cannot read)."""
    try:
        with open("/proc/self/mem", "rb") as handle:
            handle.read(16)
    except OSError:
        return True
    return False


# --------------------------------------------------------------------------------- the bad tree


def build_bad_tree(top: Path) -> dict[str, str]:
    """The tree; returns relative path -> what must happen ("error: <substring>", "scanned")."""
    top.mkdir()
    expect: dict[str, str] = {}
    (top / "pyproject.toml").write_text("[project]\nname = 'bad'\n")
    (top / "app.py").write_text(GOOD)
    expect["app.py"] = "finding"

    (top / "py2.py").write_text(f'{MARK}\nprint "x"\n')
    expect["py2.py"] = "error: Python 2"
    (top / "py2_irrelevant.py").write_text('print "hello"\n')
    expect["py2_irrelevant.py"] = "scanned"
    (top / "syntax.py").write_text(f"{MARK}\n\ndef broken(:\n    pass\n")
    expect["syntax.py"] = "error: SyntaxError"
    (top / "bad_utf8.py").write_bytes(f"{MARK}\n".encode() + b'x = "caf\xe9"\n')
    expect["bad_utf8.py"] = "error: not valid UTF-8 (line 2"
    latin = GOOD.replace("app = FastAPI()", 'app = FastAPI(title="caf\xe9")')
    (top / "latin1_declared.py").write_bytes(
        b"# -*- coding: latin-1 -*-\n" + latin.encode("latin-1")
    )
    expect["latin1_declared.py"] = "finding+1"  # one line down: the declaration
    (top / "nul.py").write_bytes(f"{MARK}\nx = 1\n".encode() + b"\x00\x00y = 2\n")
    expect["nul.py"] = "error: NUL bytes"
    binary = random_bytes(1, 64 * 1024)
    (top / "binary_marked.py").write_bytes(binary[:1000] + MARK.encode() + b"\x00" + binary)
    expect["binary_marked.py"] = "error: NUL bytes"
    seed = 2
    while matches_prefilter(random_bytes(seed, 64 * 1024)):
        seed += 1
    (top / "binary.py").write_bytes(random_bytes(seed, 64 * 1024))
    expect["binary.py"] = "scanned"

    # 20 MB on one line; the marker after the first 10 MB: the whole file must be prefiltered
    filler = "A" * (10 * MB + 1000)
    (top / "huge_marked.py").write_text(
        f'x = "{filler}Access-Control-Allow-Origin CORSMiddleware{filler[: 10 * MB - 60]}"\n'
    )
    expect["huge_marked.py"] = "error: larger than 10 MB"
    (top / "huge_plain.py").write_text(f'x = "{"B" * (20 * MB)}"\n')
    expect["huge_plain.py"] = "scanned"

    n = 200_000
    (top / "deep_parens.py").write_text(f"{MARK}\nx = {'(' * n}1{')' * n}\n")
    expect["deep_parens.py"] = "error: too many nested parentheses"
    (top / "long_expr.py").write_text(f"{MARK}\nCORS_X = 1{' + 1' * 300_000}\n")
    expect["long_expr.py"] = "error: too deeply nested"
    # long but within what the parser accepts: analysed, the finding reported
    (top / "long_ok.py").write_text(
        GOOD.replace("app = FastAPI()", f"app = FastAPI()\nTOTAL = 1{' + 1' * 900}")
    )
    expect["long_ok.py"] = "finding+1"
    # a catastrophically backtracking pattern in the code analysed: no hang
    (top / "redos.py").write_text(
        GOOD.replace(
            'allow_origins=["*"]',
            'allow_origin_regex=r"https://([a-z0-9-]+.?)*example.com", allow_credentials=True',
        )
    )
    expect["redos.py"] = "any"

    if sys.platform.startswith("linux"):  # a file name that is not valid UTF-8
        name = os.fsdecode(b"caf\xe9.py")
        (top / name).write_text(GOOD)
        expect[name] = "finding"

    pkg = top / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    expect["pkg/__init__.py"] = "scanned"
    (pkg / "loop").symlink_to("..", target_is_directory=True)  # directory -> its parent
    (pkg / "self_loop.py").symlink_to("self_loop.py")
    expect["pkg/self_loop.py"] = "error: symbolic link loop"
    (top / "dangling.py").symlink_to("does_not_exist.py")
    expect["dangling.py"] = "error: dangling symbolic link"
    os.mkfifo(top / "fifo.py")
    expect["fifo.py"] = "error: not a regular file"

    unreadable = top / "unreadable.py"
    unreadable.write_text(f"{MARK}\nx = 1\n")
    unreadable.chmod(0)
    expect["unreadable.py"] = "any" if ROOT else "error: cannot read: Permission denied"
    closed = top / "closed_dir"
    closed.mkdir()
    (closed / "inside.py").write_text(GOOD)
    closed.chmod(0)
    expect["closed_dir"] = "any" if ROOT else "error: cannot list directory"
    expect["closed_dir/inside.py"] = "any"
    if sys.platform.startswith("linux") and proc_mem_unreadable():
        # a regular file that even root cannot read: its read fails with EIO
        (top / "proc_mem.py").symlink_to("/proc/self/mem")
        expect["proc_mem.py"] = "error: cannot read"
    return expect


@pytest.fixture(scope="module")
def bad_tree(tmp_path_factory: pytest.TempPathFactory) -> Any:
    top = tmp_path_factory.mktemp("bad") / "tree"
    expect = build_bad_tree(top)
    started = time.monotonic()
    proc = run_cli(str(top))
    elapsed = time.monotonic() - started
    yield top, expect, proc, elapsed
    for directory in (top / "closed_dir",):
        directory.chmod(0o755)


def test_bad_tree_finishes_cleanly(bad_tree: Any) -> None:
    top, _expect, proc, elapsed = bad_tree
    assert elapsed < TIMEOUT
    assert_clean_stderr(proc)
    assert proc.returncode == 2, proc.stderr  # findings, and huge_marked.py could not be judged
    document = json.loads(proc.stdout)
    assert set(document) == {"tool", "findings", "errors", "unresolved", "stats"}


def test_bad_tree_each_case(bad_tree: Any) -> None:
    top, expect, proc, _ = bad_tree
    document = json.loads(proc.stdout)
    errors = errors_by_path(document)
    rel_errors = {Path(p).relative_to(top).as_posix(): m for p, m in errors.items()}
    found = {
        (Path(f["location"]["path"]).relative_to(top).as_posix(), f["location"]["line"])
        for f in document["findings"]
    }
    for rel, what in expect.items():
        if what == "any":
            continue
        if what.startswith("error: "):
            assert rel in rel_errors, f"{rel}: expected an error, got none"
            assert what[len("error: ") :] in rel_errors[rel], (rel, rel_errors[rel])
        else:
            assert rel not in rel_errors, (rel, rel_errors.get(rel))
        if what == "finding":
            assert (rel, GOOD_LINE) in found, (rel, sorted(found))
        if what == "finding+1":
            assert (rel, GOOD_LINE + 1) in found, (rel, sorted(found))
    # nothing is reported that the tree does not hold
    unexpected = set(rel_errors) - set(expect)
    assert not unexpected, unexpected
    assert not [f for f in found if "loop" in f[0]]  # the directory loop was not followed
    app_findings = [f for f in document["findings"] if f["location"]["path"].endswith("app.py")]
    assert {f["rule_id"] for f in app_findings} == {"CORS101"}


def test_bad_tree_text_report(bad_tree: Any) -> None:
    top, expect, _, _ = bad_tree
    proc = run_cli(str(top), form="text")
    assert_clean_stderr(proc)
    assert proc.returncode == 2  # huge_marked.py: CORS-relevant, over the size limit
    lines = proc.stdout.splitlines()
    for rel, what in expect.items():
        if what.startswith("error: "):
            prefix = f"{top / rel}: error: "
            line = next((x for x in lines if x.startswith(prefix)), "")
            assert what[len("error: ") :] in line, (rel, line)


def test_bad_tree_counts(bad_tree: Any) -> None:
    top, expect, proc, _ = bad_tree
    document = json.loads(proc.stdout)
    stats = document["stats"]
    walked_errors = {"dangling.py", "fifo.py", "pkg/self_loop.py", "closed_dir"}
    analysed_errors = [
        p
        for p in errors_by_path(document)
        if Path(p).relative_to(top).as_posix() not in walked_errors
    ]
    assert stats["files_skipped"] == len(analysed_errors)
    assert stats["files_scanned"] >= sum(1 for w in expect.values() if w in ("scanned", "finding"))


def test_the_bad_files_do_reach_the_parser() -> None:
    # the decisions above depend on it: these files are parsed, not prefiltered out
    assert matches_prefilter(MARK.encode())
    assert matches_prefilter(GOOD.encode())
    assert not matches_prefilter(b'print "hello"\n')


# ------------------------------------------------------------------------ single bad arguments


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    proc = run_cli(str(tmp_path / "missing"), timeout=60)
    assert_clean_stderr(proc)
    assert proc.returncode == 2
    document = json.loads(proc.stdout)
    assert document["errors"][0]["message"] == "no such file or directory"


def test_directory_whose_only_file_fails_to_parse(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text(f"{MARK}\nCORSMiddleware(:\n")
    proc = run_cli(str(tmp_path), timeout=60)
    assert_clean_stderr(proc)
    assert proc.returncode == 2
    document = json.loads(proc.stdout)
    assert len(document["errors"]) == 1
    assert document["errors"][0]["path"].endswith("broken.py")
    assert document["errors"][0]["message"].startswith("SyntaxError: ")
    assert "(line 2)" in document["errors"][0]["message"]
    assert "nothing could be analysed" in proc.stderr


def test_fifo_on_the_command_line_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    proc = run_cli(str(fifo), timeout=60)
    assert_clean_stderr(proc)
    assert proc.returncode == 2
    document = json.loads(proc.stdout)
    assert "not a regular file" in document["errors"][0]["message"]


def test_file_replaced_by_a_fifo_after_the_walk_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "late.py"
    os.mkfifo(fifo)
    job = FileJob(fifo, "late.py", tmp_path, str(tmp_path))
    outcome = engine.analyse_file(job)  # would block forever in a plain open()
    assert outcome.error is not None and "not a regular file" in outcome.error


def test_requirements_including_a_fifo_or_a_missing_file(tmp_path: Path) -> None:
    """An included file that cannot be read leaves the set of requirements incomplete: listed
    under errors (with the line that names it), never waited on, never silently dropped."""
    (tmp_path / "requirements.txt").write_text(
        "-r more.txt\n--constraint=gone.txt\nflask-cors==3.0.8\n"
    )
    os.mkfifo(tmp_path / "more.txt")
    proc = run_cli(str(tmp_path), timeout=60)  # a plain open() of more.txt waits for a writer
    assert_clean_stderr(proc)
    document = json.loads(proc.stdout)
    assert [f["rule_id"] for f in document["findings"]] == ["CORS302"]
    named_by = tmp_path / "requirements.txt"
    assert document["errors"] == [
        {
            "path": str(tmp_path / "gone.txt"),
            "message": f"cannot read (--constraint in {named_by}, line 2): "
            "No such file or directory",
        },
        {
            "path": str(tmp_path / "more.txt"),
            "message": f"cannot read (-r in {named_by}, line 1): "
            "not a regular file (FIFO, socket or device): skipped",
        },
    ]
    assert document["stats"]["files_scanned"] == 1 and document["stats"]["files_skipped"] == 0


def test_read_bounded_reads_what_a_file_holds_up_to_one_byte_past_the_limit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "grows.py"
    path.write_bytes(b"x" * 100)
    with open_source(path) as handle:
        assert read_bounded(handle, 1000) == b"x" * 100
    with open_source(path) as handle:
        assert read_bounded(handle, 10) == b"x" * 11
    # a regular file whose size fstat does not tell (0 here): read on, within the bound
    with open("/proc/self/status", "rb") as plain:
        whole = plain.read()
    with open_source("/proc/self/status") as handle:
        assert read_bounded(handle, 100_000)[:40] == whole[:40]
    with open_source("/proc/self/status") as handle:
        assert len(read_bounded(handle, 20)) == 21


def test_dangling_symlink_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "link.py").symlink_to(tmp_path / "gone.py")
    proc = run_cli(str(tmp_path / "link.py"), timeout=60)
    assert_clean_stderr(proc)
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["errors"][0]["message"] == "dangling symbolic link"


# ---------------------------------------------------------------------- parallel path, crashes


def build_wide_tree(top: Path, files: int = 150) -> None:
    """More files than two batches, so the engine uses its process pool."""
    top.mkdir()
    (top / "pyproject.toml").write_text("[project]\nname = 'wide'\n")
    for i in range(files):
        package = top / f"pkg{i % 7}"
        package.mkdir(exist_ok=True)
        (package / f"mod{i}.py").write_text(f"def f{i}(x):\n    return x + {i}\n")
    (top / "pkg3" / "app.py").write_text(GOOD)
    (top / "pkg5" / "broken.py").write_text(f"{MARK}\ndef broken(:\n")
    (top / "pkg6" / "nul.py").write_bytes(MARK.encode() + b"\x00")
    os.mkfifo(top / "pkg2" / "fifo.py")
    (top / "pkg4" / "crash_me.py").write_text("x = 1\n")
    (top / "pkg0" / "crash_me.py").write_text("x = 2\n")  # in another batch


def test_parallel_path_reports_the_same_as_one_process(tmp_path: Path) -> None:
    top = tmp_path / "wide"
    build_wide_tree(top)
    assert engine.BATCH * 2 < 150
    proc = run_cli(str(top))
    assert_clean_stderr(proc)
    assert proc.returncode == 1
    document = json.loads(proc.stdout)
    errors = {Path(p).relative_to(top).as_posix(): m for p, m in errors_by_path(document).items()}
    assert set(errors) == {"pkg5/broken.py", "pkg6/nul.py", "pkg2/fifo.py"}
    assert [f["location"]["path"] for f in document["findings"]] == [str(top / "pkg3" / "app.py")]
    # 155 .py files and pyproject.toml (a requirement file), 2 of them not parsable
    assert document["stats"]["files_scanned"] == 154
    assert document["stats"]["files_skipped"] == 2

    single = scan_paths([str(top)], workers=1)
    parallel = scan_paths([str(top)], workers=2)
    assert [f.to_json() for f in single.findings] == [f.to_json() for f in parallel.findings]
    assert single.errors == parallel.errors
    assert single.analysed == parallel.analysed == 154


def _crashing(original: Any, main_pid: int) -> Any:
    def analyse(job: FileJob, context: engine.ScanContext | None = None) -> engine.FileOutcome:
        if job.path.name == "crash_me.py":
            if os.getpid() == main_pid:
                raise RuntimeError("the crash must happen in a worker")
            os._exit(70)  # what a segfault in the parser would look like to the pool
        return original(job, context)

    return analyse


@pytest.mark.skipif(
    multiprocessing.get_start_method(allow_none=False) != "fork",
    reason="the patched function reaches the workers only when they are forked",
)
def test_worker_crash_is_isolated_to_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = tmp_path / "wide"
    build_wide_tree(top)
    monkeypatch.setattr(engine, "analyse_file", _crashing(engine.analyse_file, os.getpid()))
    started = time.monotonic()
    result = scan_paths([str(top)], workers=2)
    assert time.monotonic() - started < 60
    errors = {Path(e.path).relative_to(top).as_posix(): e.message for e in result.errors}
    assert errors["pkg4/crash_me.py"] == "the analysis crashed on this file"
    assert errors["pkg0/crash_me.py"] == "the analysis crashed on this file"
    assert set(errors) == {
        "pkg0/crash_me.py",
        "pkg4/crash_me.py",
        "pkg5/broken.py",
        "pkg6/nul.py",
        "pkg2/fifo.py",
    }
    assert result.analysed == 152  # every other file analysed, none twice
    assert [f.location.path for f in result.findings if f.location] == [
        str(top / "pkg3" / "app.py")
    ]


def test_without_multiprocessing_the_scan_runs_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = tmp_path / "wide"
    build_wide_tree(top)

    def no_pool(*args: object, **kwargs: object) -> None:
        raise OSError("this platform lacks a functioning sem_open implementation")

    monkeypatch.setattr(_pool, "ProcessPoolExecutor", no_pool)
    result = scan_paths([str(top)], workers=2)
    assert result.analysed == 154
    assert len(result.findings) == 1


# ------------------------------------------------------------------------ pieces of the engine


def test_huge_file_is_prefiltered_in_full(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    with open(path, "wb") as handle:
        handle.write(b"#" * (12 * MB))
        handle.write(b"\nCORSMiddleware\n")
    outcome = engine.analyse_file(FileJob(path, "big.py", tmp_path, str(tmp_path)))
    assert outcome.error == "larger than 10 MB (12.0 MB): not analysed"


def test_pattern_cut_by_a_chunk_boundary_is_found(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    marker = b"CORSMiddleware"
    with open(path, "wb") as handle:
        handle.write(b"#" * (_module.MAX_BYTES + 1 + engine.CHUNK - 5))
        handle.write(marker + b"\n")
    outcome = engine.analyse_file(FileJob(path, "big.py", tmp_path, str(tmp_path)))
    assert outcome.error is not None and "not analysed" in outcome.error


def test_decode_follows_python() -> None:
    assert _module.decode_source(b"\xef\xbb\xbfx = 1\n") == "x = 1\n"
    assert "é" in _module.decode_source("# coding: latin-1\nx = 'é'\n".encode("latin-1"))
    with pytest.raises(_module.AnalysisError, match="cannot decode: unknown encoding"):
        _module.decode_source(b"# coding: no-such-codec\nx = 1\n")
    with pytest.raises(_module.AnalysisError, match="cannot decode as rot13"):
        _module.decode_source(b"# coding: rot13\nx = 1\n")
    with pytest.raises(_module.AnalysisError, match=r"not valid UTF-8 \(line 3, byte 9\)"):
        _module.decode_source(b"x = 1\n\n# \xff\n")


def test_project_cache_stays_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_module, "CACHE_BYTES", 10_000)
    project = _module.Project(tmp_path.resolve(), str(tmp_path))
    for i in range(40):
        path = tmp_path / f"m{i}.py"
        path.write_text(f"X{i} = {'1' * 1000}\n")
        assert project.load(path) is not None
    assert project._cached_bytes <= 10_000
    assert len(project._cache) < 40
    last = (tmp_path / "m39.py").resolve()
    assert project.cached(last) is not None  # the most recent stays
    assert project.load(tmp_path / "m0.py") is not None  # an evicted one is parsed again


def test_auth_words_agree_with_the_auth_pattern() -> None:
    samples = [word for word in PREFILTER_WORDS]
    samples += [w.upper() for w in PREFILTER_WORDS] + [w.title() for w in PREFILTER_WORDS]
    samples += [b"X-API-Key", b"Api_Key", b"HTTPBasic", b"ssl_client_cert", b"Bearer x"]
    samples += [b"api key", b"authoriz", b"nothing here", b"CLIENT.CERT", b"apikeys"]
    for sample in samples:
        lowered = sample.lower()
        assert bool(PREFILTER.search(sample)) == any(w in lowered for w in PREFILTER_WORDS), sample


def test_include_deps_scans_a_gitignored_virtualenv(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text(".venv/\nlib/\n")
    site = tmp_path / ".venv" / "lib" / "python3.11" / "site-packages" / "dep"
    site.mkdir(parents=True)
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (site / "app.py").write_text(GOOD)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "app.py").write_text(GOOD)
    assert scan_paths([str(tmp_path)], workers=1).findings == []  # .gitignore respected
    with_deps = scan_paths([str(tmp_path)], include_deps=True, workers=1)
    paths = {Path(f.location.path).relative_to(tmp_path).as_posix() for f in with_deps.findings}
    assert paths == {".venv/lib/python3.11/site-packages/dep/app.py"}


def test_unreadable_file_reports_permission(tmp_path: Path) -> None:
    if ROOT:
        pytest.skip("root reads a file whatever its mode")
    path = tmp_path / "secret.py"
    path.write_text(GOOD)
    path.chmod(0)
    try:
        result = scan_paths([str(tmp_path)], workers=1)
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert [(Path(e.path).name, e.message) for e in result.errors] == [
        ("secret.py", "cannot read: Permission denied")
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_numbers_survive_odd_line_ends(tmp_path: Path, newline: str) -> None:
    # a form feed and a U+2028 inside lines end no line for Python; CRLF and lone CR line ends do
    head = 'x = "a\u2028b"\n\x0c\ny = 1  \x0c # form feed\n'
    source = (head + GOOD).replace("\n", newline)
    (tmp_path / "odd.py").write_bytes(source.encode())
    silenced = head + GOOD.replace('["*"],', '["*"],  # corsproof: ignore[CORS101]')
    (tmp_path / "silenced.py").write_bytes(silenced.replace("\n", newline).encode())
    result = scan_paths([str(tmp_path)], workers=1)
    assert not result.errors
    found = [(Path(f.location.path).name, f.location.line) for f in result.findings if f.location]
    assert found == [("odd.py", GOOD_LINE + 3)]
    assert result.suppressed == 1
    assert result.findings[0].location is not None
    assert result.findings[0].location.source == 'allow_origins=["*"],'


# ---------------------------------------------------------- prefilter words (prefilter.Needs)

NEEDS_CASES: list[tuple[bytes, list[bytes], list[bytes]]] = [
    # pattern, strings it matches (the words check must let them through), strings it rejects
    (rb"CORSMiddleware", [b"x CORSMiddleware y"], [b"corsmiddleware", b""]),
    (rb"(?i:access-control-)", [b"Access-Control-Allow", b"ACCESS-CONTROL-x"], [b"access control"]),
    (rb"flask_cors|(?i:cors)\w*\.init_app\b", [b"flask_cors", b"CORSx.init_app("], [b"init_app"]),
    (rb"(?i)ab(?-i:CD)ef", [b"ABCDEF", b"abCDef"], [b"abcdef", b"ABCDE"]),
    (rb"x(?:foo|bar)+y", [b"xfooy", b"xbarfooy"], [b"xy", b"foo", b"bar"]),
    (rb"a(?:bc)?d", [b"ad", b"abcd"], [b"a d"]),
    (
        rb"(?:import[ \t]+\*(?s:.{0,100}?)\n(?:DEBUG|CACHES)[ \t]*=)|CORS_",
        [b"from x import *\nDEBUG = 1", b"import  *\n\nCACHES=2", b"CORS_X"],
        [b"import *"],
    ),
    (rb"(abc)\1", [b"abcabc"], [b"xyz"]),
    (rb"(?=abc)abcd", [b"abcd"], [b"abd"]),
    (rb"[a-c]{2,3}xyz", [b"abxyz", b"cccxyz"], [b"xy"]),
    (rb"(?>ab|cd)e", [b"abe", b"cde"], [b"e"]),
]


@pytest.mark.parametrize("pattern, matching, rejected", NEEDS_CASES)
def test_needs_decides_only_what_the_pattern_would(
    pattern: bytes, matching: list[bytes], rejected: list[bytes]
) -> None:
    compiled = re.compile(pattern)
    needs = prefilter.Needs(compiled)
    for data in matching:
        assert compiled.search(data), data
        assert needs.decide(data, data.lower()) is not False, data
    for data in rejected:
        assert not compiled.search(data), data
        assert needs.decide(data, data.lower()) is not True, data  # True: a match, surely
    for gated in (True, False):  # no `cors` in the file: the words with it are not looked for
        for data in [*matching, *rejected]:
            if gated or b"cors" not in data.lower():
                decided = needs.decide(data, data.lower(), gated)
                assert decided is None or decided == bool(compiled.search(data)), data
    if needs.branches is not None:  # and when it applies, it does filter
        assert needs.decide(b"nothing to see here", b"nothing to see here") is False


def test_needs_gives_up_rather_than_guess() -> None:
    assert prefilter.Needs(re.compile(rb"\w+\s*\d")).branches is None  # no word at all
    assert prefilter.Needs(re.compile(rb"abc|\d+")).branches is None  # one branch has none
    assert prefilter.Needs(re.compile(rb"(?L)abc")).decide(b"", b"") is None  # locale-dependent
    # an alternative that is one word exactly decides alone
    assert prefilter.Needs(re.compile(rb"flask_cors|\bCORS\(")).decide(b"flask_cors", b"") is True


def test_prefilter_matches_the_plain_patterns_on_the_fixtures() -> None:
    fixtures = Path(__file__).parent / "fixtures"
    samples = [p.read_bytes() for p in sorted(fixtures.rglob("*.py"))]
    samples += [GOOD.encode(), MARK.encode(), MARK.lower().encode(), MARK.upper().encode()]
    assert samples
    matching = prefilter.Prefilter(all_adapters()).matching
    for data in samples:
        plain = {a for a in all_adapters() if a.prefilter.search(data)}
        assert set(matching(data)) == plain
