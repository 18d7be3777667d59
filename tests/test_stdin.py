"""`scan -` reads one file from stdin, for editors; `--stdin-filename` says what it is and where it
lives (config, project imports, the name findings carry)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from corsproof import scan_paths
from corsproof.findings import Location
from corsproof.report._frames import frame

APP = """\
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins="*", supports_credentials=True)
"""


def _run(args: list[str], text: bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "corsproof", "scan", "--no-progress", *args],
        input=text,
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_stdin_is_analysed_under_its_name_not_the_file_on_disk(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "app.py").write_text("x = 1\n")  # the saved file is clean
    proc = _run(["-", "--stdin-filename", "api/app.py", "--format", "json"], APP.encode(), tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert [
        (f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in doc["findings"]
    ] == [("CORS102", "api/app.py", 5)]
    assert doc["stats"]["files_scanned"] == 1


def test_stdin_uses_the_configuration_and_suppressions_of_its_name(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.corsproof]\nignore = ["CORS102"]\n')
    proc = _run(["-", "--stdin-filename", "app.py", "--format", "json"], APP.encode(), tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == []
    suppressed = APP.replace("=True)", "=True)  # noqa: CORS102").encode()
    proc = _run(
        ["-", "--stdin-filename", "app.py", "--format", "json", "--no-config"], suppressed, tmp_path
    )
    doc = json.loads(proc.stdout)
    assert proc.returncode == 0 and doc["findings"] == [] and doc["stats"]["suppressed"] == 1


def test_stdin_requirement_file(tmp_path: Path) -> None:
    proc = _run(
        ["-", "--stdin-filename", "requirements.txt", "--format", "json"],
        b"flask-cors==3.0.10\n",
        tmp_path,
    )
    assert [f["rule_id"] for f in json.loads(proc.stdout)["findings"]] == ["CORS302"]


def test_stdin_without_a_name_and_bad_input(tmp_path: Path) -> None:
    proc = _run(["-"], APP.encode(), tmp_path)
    assert proc.returncode == 1 and proc.stdout.startswith(b"-:5:")
    proc = _run(["-"], b"from flask_cors import CORS\ndef broken(:\n", tmp_path)
    assert proc.returncode == 2 and b"-: error:" in proc.stdout
    proc = _run(["-"], b"\xff\xfe not utf-8 CORS(app)\n", tmp_path)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    proc = _run(["-", "--max-file-size", "10"], APP.encode(), tmp_path)
    assert proc.returncode == 2 and b"-: the text on stdin is larger than" in proc.stderr


def test_stdin_usage_errors(tmp_path: Path) -> None:
    proc = _run(["-", "."], b"", tmp_path)
    assert proc.returncode == 2 and b"scan - reads one file from stdin" in proc.stderr
    proc = _run([".", "--stdin-filename", "app.py"], b"", tmp_path)
    assert (
        proc.returncode == 2 and b"--stdin-filename names the text read from stdin" in proc.stderr
    )


def test_code_frames_come_from_the_given_text(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("old = 1\n" * 10)
    result = scan_paths([], stdin=(str(tmp_path / "app.py"), APP.encode()))
    (finding,) = result.findings
    assert finding.location is not None
    lines = frame(finding.location, radius=1, given=result.given)
    assert lines == [
        (4, "app = Flask(__name__)"),
        (5, 'CORS(app, origins="*", supports_credentials=True)'),
    ]
    # without the given text the frame is cut from disk
    stale = Location(str(tmp_path / "app.py"), 5, 1, 5, 2)
    assert frame(stale, radius=0) == [(5, "old = 1")]
