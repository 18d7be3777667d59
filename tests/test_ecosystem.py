"""Configuration, baselines, --force-exclude, SARIF/HTML from the command line, the pre-commit
hook and the GitHub Action: what CI and editors rely on."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from corsproof.cli import main

ROOT = Path(__file__).resolve().parent.parent
OPEN = """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"])
"""
CREDS = OPEN.replace('["*"])', '["*"], allow_credentials=True)')


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["scan", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


# ----------------------------------------------------------------------------- configuration


def test_pyproject_configuration_and_flags_win(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(OPEN)
    (tmp_path / "pyproject.toml").write_text('[tool.corsproof]\nignore = ["CORS101"]\n')
    code, doc = scan_json(capsys, str(tmp_path))
    assert (code, doc["findings"]) == (0, [])
    code, doc = scan_json(capsys, str(tmp_path), "--ignore", "CORS999".replace("999", "201"))
    assert code == 1 and [f["rule_id"] for f in doc["findings"]] == ["CORS101"]
    code, doc = scan_json(capsys, str(tmp_path), "--no-config")
    assert code == 1


def test_config_fail_on_exclude_and_per_path_ignores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(OPEN)  # medium
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "lib.py").write_text(CREDS)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text(CREDS)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.corsproof]\n"
        'fail-on = "high"\n'
        'exclude = ["vendor/"]\n'
        '[tool.corsproof.per-path-ignores]\n"tests/*" = ["CORS102"]\n'
    )
    code, doc = scan_json(capsys, str(tmp_path))
    assert [Path(f["location"]["path"]).name for f in doc["findings"]] == ["app.py"]
    assert code == 0  # a medium finding under fail-on = "high"
    assert doc["stats"]["suppressed"] == 1
    code, _ = scan_json(capsys, str(tmp_path), "--fail-on", "medium")
    assert code == 1


def test_config_trusted_origins_feed_the_oracle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a pattern whose own sample is not a host: only the configured front end shows the bypass
    (tmp_path / "app.py").write_text(
        OPEN.replace('allow_origins=["*"]', r'allow_origin_regex=r"https://[a-z]+\.example\.com.*"')
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.corsproof]\ntrusted-origins = ["https://app.example.com"]\n'
    )
    _, doc = scan_json(capsys, str(tmp_path))
    assert "CORS104" in {f["rule_id"] for f in doc["findings"]}


@pytest.mark.parametrize(
    "table, message",
    [
        ('select = ["CORS101"]\ncolour = true\n', "unknown key"),
        ('fail-on = "severe"\n', "must be one of critical"),
        ('select = ["CORS999"]\n', "unknown rule id"),
    ],
)
def test_bad_configuration_is_a_clear_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, message: str
) -> None:
    (tmp_path / "app.py").write_text(OPEN)
    (tmp_path / "pyproject.toml").write_text("[tool.corsproof]\n" + table)
    assert main(["scan", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_gitignore_is_respected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "app.py").write_text(OPEN)
    code, doc = scan_json(capsys, str(tmp_path))
    assert code == 0 and doc["findings"] == []


def test_force_exclude_applies_to_files_named_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".gitignore").write_text("generated/\n")
    Path("generated").mkdir()
    Path("generated/app.py").write_text(OPEN)
    Path("migrations").mkdir()
    Path("migrations/0001.py").write_text(OPEN)
    Path("app.py").write_text(OPEN)
    files = ["generated/app.py", "migrations/0001.py", "app.py"]
    _, doc = scan_json(capsys, *files)
    assert len(doc["findings"]) == 3  # named explicitly: scanned
    _, doc = scan_json(capsys, *files, "--force-exclude", "--exclude", "migrations/")
    assert [f["location"]["path"] for f in doc["findings"]] == ["app.py"]


# ----------------------------------------------------------------------------- baselines


def test_baseline_hides_known_findings_and_reports_new_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(OPEN)
    baseline = tmp_path / "baseline.json"
    assert (
        main(["scan", str(project), "--write-baseline", str(baseline), "-o", str(tmp_path / "r")])
        == 0
    )
    assert json.loads(baseline.read_text())["findings"][0]["rule_id"] == "CORS101"
    capsys.readouterr()
    # unchanged, edited above, moved: all known
    code, doc = scan_json(capsys, str(project), "--baseline", str(baseline))
    assert (code, doc["findings"]) == (0, [])
    (project / "app.py").write_text("import os\n\n" + OPEN)
    (project / "sub").mkdir()
    (project / "app.py").rename(project / "sub" / "service.py")
    code, doc = scan_json(capsys, str(project), "--baseline", str(baseline))
    assert (code, doc["findings"]) == (0, [])
    # a second copy of the same problem is new (duplicates are counted, not merged)
    (project / "copy.py").write_text(OPEN)
    code = main(["scan", str(project), "--baseline", str(baseline), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 1 and len(json.loads(captured.out)["findings"]) == 1
    assert "1 known finding(s) hidden, 1 new" in captured.err


def test_bad_baseline_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.py").write_text(OPEN)
    (tmp_path / "b.json").write_text("[1, 2]")
    assert main(["scan", str(tmp_path), "--baseline", str(tmp_path / "b.json")]) == 2
    assert "not a corsproof baseline" in capsys.readouterr().err
    assert main(["scan", str(tmp_path), "--baseline", str(tmp_path / "missing.json")]) == 2


# ----------------------------------------------------------------------------- formats


def test_sarif_and_html_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_sarif import validate

    (tmp_path / "app.py").write_text(OPEN)
    assert main(["scan", str(tmp_path), "--format", "sarif"]) == 1
    document = json.loads(capsys.readouterr().out)
    validate(document)
    assert len(document["runs"]) == 1 and len(document["runs"][0]["results"]) == 1
    report = tmp_path / "report.html"
    assert main(["scan", str(tmp_path), "--format", "html", "-o", str(report)]) == 1
    assert capsys.readouterr().out == ""
    assert "CORS101" in report.read_text()


def test_machine_formats_keep_progress_off_stdout(tmp_path: Path) -> None:
    """With stderr on a terminal the progress line is drawn (there), and stdout still holds
    nothing but the JSON report."""
    import os
    import pty

    for index in range(40):  # enough files for the progress line to be drawn
        (tmp_path / f"app{index}.py").write_text(OPEN)
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "corsproof", "scan", str(tmp_path), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**env, "TERM": "xterm"},
        text=True,
    )
    os.close(follower)
    out, _ = proc.communicate(timeout=120)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    assert b"scanning" in drawn  # the progress line went to the terminal on stderr
    document = json.loads(out)  # and stdout is the report alone
    assert len(document["findings"]) == 40


# ----------------------------------------------------------------------------- integrations


def test_pre_commit_manifest() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "corsproof" and hook["language"] == "python"
    assert hook["types"] == ["text"] and "--force-exclude" in hook["entry"]
    assert "requirements" in hook["files"] and "uv\\.lock" in hook["files"]
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    if not Path(pre_commit).exists():
        pytest.fail("pre-commit is a test dependency")
    proc = subprocess.run(
        [pre_commit, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pre_commit_entry_runs_like_pre_commit_calls_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    monkeypatch.chdir(tmp_path)
    Path("app.py").write_text(OPEN)
    Path("clean.py").write_text("x = 1\n")
    entry = hook["entry"].split()
    assert entry[0] == "corsproof"
    assert main([*entry[1:], "app.py", "clean.py"]) == 1
    assert main([*entry[1:], "clean.py"]) == 0


def test_github_action_is_a_composite_that_uploads_sarif() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    scan = next(s for s in steps if s.get("id") == "scan")
    assert "--format sarif" in scan["run"] and "GITHUB_OUTPUT" in scan["run"]
    upload = next(
        s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["uses"].endswith("@v4")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
