"""`--report-unused-suppressions`: corsproof's suppression comments that hide nothing are listed
(as Ruff's RUF100 lists unused `noqa`), with why, and fail the run; bare `# noqa`/`# nosec`
belong to every tool and are never listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corsproof.cli import main

APP = """\
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, supports_credentials=True)  # noqa: CORS102
CORS(app, origins="*")  # noqa: CORS102, CORS101
CORS(
    app,  # corsproof: ignore[CORS101]
    origins="*",
)
x = 1  # corsproof: ignore
y = 2  # noqa: CORS999
z = 3  # noqa
s = "# noqa: CORS101"
t = 4  # nosec B105, CORS104
"""


def _scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object] | str]:
    code = main(["scan", "--no-config", "--no-progress", *args])
    out = capsys.readouterr().out
    return code, (json.loads(out) if "json" in args else out)


def test_unused_suppressions_are_listed_with_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(APP)
    code, doc = _scan(capsys, str(tmp_path), "--report-unused-suppressions", "--format", "json")
    assert code == 1
    assert isinstance(doc, dict) and doc["findings"] == [] and doc["stats"]["suppressed"] == 3
    path = str(tmp_path / "app.py")
    assert doc["unused_suppressions"] == [
        {
            "path": path,
            "line": 6,
            "column": 25,
            "comment": "# noqa: CORS102, CORS101",
            "rules": ["CORS102"],
            "reason": "no CORS102 finding on this statement",
        },
        {
            "path": path,
            "line": 11,
            "column": 8,
            "comment": "# corsproof: ignore",
            "rules": ["*"],
            "reason": "no finding on this statement",
        },
        {
            "path": path,
            "line": 12,
            "column": 8,
            "comment": "# noqa: CORS999",
            "rules": ["CORS999"],
            "reason": "CORS999 is not a corsproof rule",
        },
        {
            "path": path,
            "line": 15,
            "column": 8,
            "comment": "# nosec B105, CORS104",
            "rules": ["CORS104"],
            "reason": "no CORS104 finding on this statement",
        },
    ]


def test_text_lists_them_and_the_summary_counts_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(APP)
    code, out = _scan(capsys, str(tmp_path), "--report-unused-suppressions")
    assert code == 1 and isinstance(out, str)
    assert f"{tmp_path / 'app.py'}:12:8: unused suppression # noqa: CORS999: CORS999 is not" in out
    assert "; 3 suppressed; 4 unused suppressions in " in out


def test_a_rule_that_does_not_run_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(APP)
    _, doc = _scan(
        capsys,
        str(tmp_path),
        "--report-unused-suppressions",
        "--ignore",
        "CORS102",
        "--format",
        "json",
    )
    assert isinstance(doc, dict)
    reasons = {u["line"]: u["reason"] for u in doc["unused_suppressions"]}  # type: ignore[union-attr]
    assert reasons[5] == "CORS102 is not selected"


def test_requirement_files_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "requirements.txt").write_text(
        "flask-cors==3.0.10  # noqa: CORS302\nrequests==2.31.0  # noqa: CORS302\n"
    )
    code, doc = _scan(capsys, str(tmp_path), "--report-unused-suppressions", "--format", "json")
    assert isinstance(doc, dict) and doc["findings"] == [] and doc["stats"]["suppressed"] == 1
    assert [(u["line"], u["rules"]) for u in doc["unused_suppressions"]] == [(2, ["CORS302"])]  # type: ignore[union-attr]
    assert code == 1


def test_off_by_default_and_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.py").write_text(APP)
    code, doc = _scan(capsys, str(tmp_path), "--format", "json")
    assert code == 0 and isinstance(doc, dict) and "unused_suppressions" not in doc
    code, _ = _scan(capsys, str(tmp_path), "--report-unused-suppressions", "--exit-zero")
    assert code == 0


def test_every_comment_used_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.py").write_text(APP.split("x = 1")[0].replace("CORS102, CORS101", "CORS101"))
    code, doc = _scan(capsys, str(tmp_path), "--report-unused-suppressions", "--format", "json")
    assert isinstance(doc, dict) and doc["unused_suppressions"] == [] and doc["findings"] == []
    assert code == 0
