"""What the command line does with its paths and limits, through the real CLI in a subprocess.

Decisions (README "Safety"):
- a path argument that does not exist is a usage error: the other paths are still scanned and
  reported (as Ruff does), the missing one is listed under `errors` and named on stderr, and the
  run exits 2 whatever the findings;
- `--strict` (scan and probe): any file or target that could not be analysed makes the run exit 2;
- a file over `--max-file-size` (default 10 MB) that mentions CORS was not judged: it is listed
  under `errors` and the run exits 2 (raise the limit, or exclude the file); an over-limit file
  that mentions nothing CORS-related is counted as scanned;
- `python -m corsproof` never imports a module of the project it is run in;
- bad input never prints a traceback.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from corsproof.cli import DEFAULT_MAX_FILE_SIZE, _size

OPEN = """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"])
"""
BROKEN = "from starlette.middleware.cors import CORSMiddleware\nCORSMiddleware(:\n"
MB = 1024 * 1024


def run(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "corsproof", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr


def error_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("corsproof: error: ")]


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    top = tmp_path / "clean"
    top.mkdir()
    (top / "ok.py").write_text("x = 1\n")
    return top


@pytest.fixture
def open_app(tmp_path: Path) -> Path:
    top = tmp_path / "open"
    top.mkdir()
    (top / "app.py").write_text(OPEN)
    return top


# ------------------------------------------------------------------------------ missing paths


def test_missing_path_next_to_a_clean_directory_exits_2(clean: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    proc = run("scan", str(missing), str(clean), "--format", "json")
    no_traceback(proc)
    assert proc.returncode == 2
    document = json.loads(proc.stdout)  # the report is still written: what was found is shown
    assert document["stats"]["files_scanned"] == 1
    assert document["errors"] == [{"path": str(missing), "message": "no such file or directory"}]
    assert error_lines(proc) == [
        f"corsproof: error: {missing}: no such file or directory "
        "(check the path; the other paths were scanned)"
    ]


def test_missing_path_wins_over_findings_and_fail_on(open_app: Path, tmp_path: Path) -> None:
    for extra in ([], ["--fail-on", "critical"], ["--quiet"]):
        proc = run("scan", str(open_app), str(tmp_path / "typo"), *extra)
        no_traceback(proc)
        assert proc.returncode == 2, extra
        if "--fail-on" in extra or not extra:
            assert f"{open_app / 'app.py'}:5:" in proc.stdout  # the findings are reported
        assert len(error_lines(proc)) == 1


def test_only_a_missing_path(tmp_path: Path) -> None:
    proc = run("scan", str(tmp_path / "nope"))
    no_traceback(proc)
    assert proc.returncode == 2
    assert f"{tmp_path / 'nope'}: no such file or directory" in proc.stderr


def test_a_dangling_link_is_a_file_error_not_a_missing_path(clean: Path, tmp_path: Path) -> None:
    # it exists (as a link): listed under errors like a dangling link inside a directory
    link = tmp_path / "dangling.py"
    link.symlink_to(tmp_path / "gone.py")
    assert run("scan", str(clean), str(link), "-o", os.devnull).returncode == 0
    proc = run("scan", str(clean), str(link), "--strict", "--format", "json")
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["errors"][0]["message"] == "dangling symbolic link"


# ------------------------------------------------------------------------------------ --strict


def test_strict_makes_any_file_error_exit_2(clean: Path) -> None:
    (clean / "broken.py").write_text(BROKEN)
    relaxed = run("scan", str(clean), "--format", "json")
    no_traceback(relaxed)
    assert relaxed.returncode == 0
    strict = run("scan", str(clean), "--format", "json", "--strict")
    no_traceback(strict)
    assert strict.returncode == 2
    assert json.loads(strict.stdout) | {"stats": None} == json.loads(relaxed.stdout) | {
        "stats": None
    }
    assert error_lines(strict) == [
        "corsproof: error: --strict: 1 file could not be analysed (listed under errors)"
    ]


def test_strict_wins_over_findings(open_app: Path) -> None:
    (open_app / "broken.py").write_text(BROKEN)
    assert run("scan", str(open_app), "-o", os.devnull).returncode == 1
    assert run("scan", str(open_app), "-o", os.devnull, "--strict").returncode == 2
    # and without errors, --strict changes nothing
    (open_app / "broken.py").unlink()
    assert run("scan", str(open_app), "-o", os.devnull, "--strict").returncode == 1


class _Quiet(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the handler's API
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_OPTIONS = do_GET
    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_strict_probe_makes_a_failed_target_exit_2(server: str) -> None:
    refused = f"http://127.0.0.1:{closed_port()}/"
    args = ["probe", server, refused, "--timeout", "5", "--format", "json"]
    relaxed = run(*args)
    no_traceback(relaxed)
    assert relaxed.returncode == 0, relaxed.stderr
    assert [e["path"] for e in json.loads(relaxed.stdout)["errors"]] == [refused]
    strict = run(*args, "--strict")
    assert strict.returncode == 2
    assert "--strict: 1 target could not be analysed" in strict.stderr


# ----------------------------------------------------------------------------- --max-file-size


def padded(source: str, size: int) -> str:
    return source + "#" * (size - len(source) - 1) + "\n"


def test_a_cors_file_over_the_limit_exits_2(open_app: Path) -> None:
    (open_app / "app.py").write_text(padded(OPEN, 3000))
    (open_app / "other.py").write_text("x = 1\n")
    proc = run("scan", str(open_app), "--max-file-size", "2KB", "--format", "json")
    no_traceback(proc)
    assert proc.returncode == 2
    document = json.loads(proc.stdout)
    assert document["findings"] == []
    assert document["errors"] == [
        {"path": str(open_app / "app.py"), "message": "larger than 2 KB (2.9 KB): not analysed"}
    ]
    assert error_lines(proc) == [
        f"corsproof: error: {open_app / 'app.py'}: mentions CORS but is larger than "
        "--max-file-size (2 KB), so it was not analysed; raise --max-file-size, or --exclude "
        "the file if it is not code"
    ]
    # raised: analysed, the finding reported
    raised = run("scan", str(open_app), "--max-file-size", "4k", "--format", "json")
    assert raised.returncode == 1
    assert [f["rule_id"] for f in json.loads(raised.stdout)["findings"]] == ["CORS101"]
    # excluded: nothing left to judge
    assert (
        run("scan", str(open_app), "--max-file-size", "2KB", "--exclude", "app.py").returncode == 0
    )


def test_a_file_over_the_limit_that_mentions_no_cors_is_scanned(clean: Path) -> None:
    (clean / "data.py").write_text(padded("TABLE = 1\n", 5000))
    proc = run("scan", str(clean), "--max-file-size", "1KB", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert document["errors"] == []
    assert document["stats"]["files_scanned"] == 2


def test_a_dependency_file_over_the_limit_exits_2(clean: Path) -> None:
    (clean / "requirements.txt").write_text(padded("flask-cors==3.0.0\n", 3000))
    proc = run("scan", str(clean), "--max-file-size", "1KB", "--format", "json")
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["errors"][0]["message"] == "larger than 1 KB: not analysed"


def test_the_default_limit_is_10_mb(open_app: Path) -> None:
    assert DEFAULT_MAX_FILE_SIZE == 10 * MB
    (open_app / "app.py").write_text(padded(OPEN, 10 * MB + 1))
    proc = run("scan", str(open_app), "--format", "json")
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["errors"][0]["message"].startswith("larger than 10 MB ")
    (open_app / "app.py").write_text(padded(OPEN, 10 * MB))
    assert run("scan", str(open_app), "-o", os.devnull).returncode == 1  # exactly 10 MB: parsed
    assert "10MB" in run("scan", "--help").stdout


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1048576", MB),
        ("10MB", 10 * MB),
        ("10 MiB", 10 * MB),
        ("10m", 10 * MB),
        ("512KB", 512 * 1024),
        ("1.5M", 3 * MB // 2),
        ("2G", 2 * 1024 * MB),
        ("100b", 100),
    ],
)
def test_size_values(text: str, size: int) -> None:
    assert _size(text) == size


@pytest.mark.parametrize("text", ["0", "0MB", "-1", "ten", "10TB", "", "1e6"])
def test_bad_size_values_are_usage_errors(text: str, clean: Path) -> None:
    proc = run("scan", str(clean), "--max-file-size", text)
    no_traceback(proc)
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]  # after argparse's usage
    assert last.startswith("corsproof scan: error: argument --max-file-size: "), last


# --------------------------------------------------------------- python -m in a hostile project


def test_python_m_does_not_import_the_project_s_modules(tmp_path: Path) -> None:
    # the current directory is first on sys.path under -m: these would shadow corsproof's own
    # dependencies (and run); corsproof must scan the project, not import it
    for name in ("pathspec", "packaging", "yaml", "rich", "httpx", "typing", "dataclasses"):
        (tmp_path / f"{name}.py").write_text(f"raise SystemExit('imported the project {name}')\n")
    (tmp_path / "app.py").write_text(OPEN)
    for args in (
        ["scan", "."],
        ["scan", ".", "--format", "sarif"],
        ["scan", ".", "--format", "html"],
        ["rules"],
        ["--version"],
    ):
        proc = run(*args, cwd=tmp_path)
        no_traceback(proc)
        assert "imported the project" not in proc.stdout + proc.stderr, (args, proc.stderr)
        assert proc.returncode in (0, 1), (args, proc.stderr)
    assert "app.py:5:" in run("scan", ".", cwd=tmp_path).stdout


# -------------------------------------------------------------------- no traceback, ever


def test_a_reader_that_leaves_early_gets_no_traceback(open_app: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "corsproof", "scan", str(open_app), "--format", "sarif"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # `| head -0`: the report cannot be written
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 2
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


def test_an_unwritable_output_names_the_file(open_app: Path) -> None:
    proc = run("scan", str(open_app), "-o", str(open_app))  # a directory
    no_traceback(proc)
    assert proc.returncode == 2
    assert error_lines(proc) == [
        f"corsproof: error: cannot write {open_app}: Is a directory (choose a writable -o file)"
    ]


def test_an_ascii_terminal_gets_escapes_not_a_traceback(open_app: Path) -> None:
    # CORS104's fix for an unescaped dot has a non-ASCII character (`^…$`)
    (open_app / "app.py").write_text(
        "from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n"
        'CORS(app, origins=r"^https://app.example\\.com$")\n'
    )
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONIOENCODING"] = "ascii"
    proc = subprocess.run(
        [sys.executable, "-m", "corsproof", "scan", str(open_app)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    no_traceback(proc)
    assert proc.returncode == 1
    assert "CORS104" in proc.stdout
    assert "^\\u2026$" in proc.stdout
