"""The command line and the JSON contract of OUTPUT.md, through the real entry points."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from cli_support import corsproof

from corsproof.cli import main

OPEN = """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"])
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(OPEN)
    return tmp_path


def test_version() -> None:
    proc = corsproof("--version")
    assert proc.returncode == 0
    assert re.fullmatch(r"corsproof \d+\.\d+\.\d+\n", proc.stdout)


def test_console_script_entry_point() -> None:
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "corsproof"]
    assert script.value == "corsproof.cli:main"


def test_json_contract(project: Path) -> None:
    proc = corsproof("scan", str(project), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert set(doc) == {"tool", "findings", "errors", "unresolved", "stats"}
    assert doc["tool"]["name"] == "corsproof"
    assert set(doc["stats"]) == {
        "files_scanned",
        "files_skipped",
        "suppressed",
        "duration_s",
        "unresolved",
    }
    (finding,) = doc["findings"]
    # a fixable finding carries its fix, as OUTPUT.md's additions describe it
    assert set(finding["fix"]) == {"applicability", "description", "edits"}
    assert set(finding) - {"fix"} == {
        "rule_id",
        "rule_name",
        "severity",
        "message",
        "location",
        "target",
        "proof_origin",
        "context",
        "fingerprint",
    }
    assert finding["rule_id"] == "CORS101"
    assert finding["rule_name"] == "any-origin"
    assert finding["severity"] == "medium"
    assert finding["target"] is None
    assert finding["proof_origin"] == "https://corsproof-attacker.example"
    assert set(finding["location"]) == {"path", "line", "column", "end_line", "end_column"}
    assert finding["location"]["path"] == str(project / "app.py")
    assert (finding["location"]["line"], finding["location"]["column"]) == (5, 50)
    assert finding["location"]["end_column"] == 55
    assert re.fullmatch(r"[0-9a-f]{32}", finding["fingerprint"])
    assert doc["stats"]["files_scanned"] == 1


def test_paths_are_shown_as_reached_from_the_argument(project: Path) -> None:
    proc = corsproof("scan", ".", "--format", "json", cwd=project)
    assert json.loads(proc.stdout)["findings"][0]["location"]["path"] == "app.py"


def test_text_output(project: Path) -> None:
    proc = corsproof("scan", str(project))
    out = proc.stdout
    assert f"{project / 'app.py'}:5:50: CORS101 [any-origin] medium:" in out
    assert '5 | app.add_middleware(CORSMiddleware, allow_origins=["*"])' in out
    assert "proof: Origin: https://corsproof-attacker.example" in out
    assert "fix: " in out and "corsproof explain CORS101" in out
    assert "\x1b[" not in out  # not a TTY: no colour
    assert proc.stderr == ""


def test_colour_is_forced_and_no_color_wins(project: Path) -> None:
    assert "\x1b[" in corsproof("scan", str(project), env={"FORCE_COLOR": "1"}).stdout
    assert (
        "\x1b["
        not in corsproof("scan", str(project), env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    )


def test_exit_codes(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    assert main(["scan", str(project), "--format", "json", "-o", os.devnull]) == 1
    assert main(["scan", str(project), "--fail-on", "high", "-o", os.devnull]) == 0
    clean = tmp_path_factory.mktemp("clean")
    (clean / "ok.py").write_text("x = 1\n")
    assert main(["scan", str(clean), "-o", os.devnull]) == 0
    assert main(["scan", str(clean / "missing"), "-o", os.devnull]) == 2
    assert main(["scan", str(project), "--select", "CORS999"]) == 2
    assert main(["scan", "--format", "yaml", str(project)]) == 2
    assert main(["explain", "CORS999"]) == 2


def test_output_file_leaves_stdout_empty(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    proc = corsproof("scan", str(project), "--format", "json", "-o", str(target))
    assert proc.stdout == ""
    assert json.loads(target.read_text())["findings"][0]["rule_id"] == "CORS101"


def test_select_and_ignore(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(project), "--ignore", "CORS101", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert main(["scan", str(project), "--select", "cors101", "--format", "json"]) == 1
    assert len(json.loads(capsys.readouterr().out)["findings"]) == 1


@pytest.mark.parametrize(
    "comment",
    [
        "# corsproof: ignore[CORS101]",
        "# corsproof: ignore",
        "# noqa: CORS101",
        "# noqa: E501, CORS101",
        "# noqa",  # bare: every rule, as in Ruff and flake8
        "# NOQA  # why",
        "# nosec",  # bare, as Bandit reads it: every rule
        "# nosec B101, CORS101",
    ],
)
def test_suppressions(tmp_path: Path, comment: str, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.py").write_text(OPEN.replace('["*"])', f'["*"])  {comment}'))
    assert main(["scan", str(tmp_path), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["findings"] == [] and doc["stats"]["suppressed"] == 1


@pytest.mark.parametrize(
    "comment",
    [
        "# corsproof: ignore[CORS102]",
        "# noqa: F401",  # another tool's code only
        "# nosec B101",
        "# noqa123",
        "# nosecurity review",
    ],
)
def test_suppression_of_another_rule_does_not_hide(
    tmp_path: Path, comment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(OPEN.replace('["*"])', f'["*"])  {comment}'))
    assert main(["scan", str(tmp_path), "--format", "json"]) == 1


def test_suppression_anywhere_in_a_multiline_statement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = OPEN.replace(
        'app.add_middleware(CORSMiddleware, allow_origins=["*"])',
        'app.add_middleware(  # corsproof: ignore[CORS101]\n    CORSMiddleware,\n    allow_origins=["*"],\n)',
    )
    (tmp_path / "app.py").write_text(source)
    assert main(["scan", str(tmp_path), "--format", "json"]) == 0


def test_fingerprints_survive_edits_above_and_moves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def fingerprint(root: Path) -> str:
        main(["scan", str(root), "--format", "json"])
        return json.loads(capsys.readouterr().out)["findings"][0]["fingerprint"]

    (tmp_path / "app.py").write_text(OPEN)
    before = fingerprint(tmp_path)
    (tmp_path / "app.py").write_text("import os\n\n\n" + OPEN)
    assert fingerprint(tmp_path) == before
    (tmp_path / "pkg").mkdir()
    (tmp_path / "app.py").rename(tmp_path / "pkg" / "service.py")
    assert fingerprint(tmp_path) == before


def test_duplicate_findings_get_distinct_fingerprints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.py").write_text(OPEN)
    (tmp_path / "b.py").write_text(OPEN)
    main(["scan", str(tmp_path), "--format", "json"])
    prints = [f["fingerprint"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert len(prints) == 2 and len(set(prints)) == 2


def test_api_key_elsewhere_in_the_application_raises_severity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = tmp_path / "service"
    app.mkdir()
    (app / "pyproject.toml").write_text("[project]\nname='service'\n")
    (app / "main.py").write_text(OPEN)
    (app / "auth.py").write_text(
        "def check(request):\n    return request.headers.get('X-API-Key') == 'k'\n"
    )
    other = tmp_path / "other"
    other.mkdir()
    (other / "pyproject.toml").write_text("[project]\nname='other'\n")
    (other / "main.py").write_text(OPEN)
    main(["scan", str(tmp_path), "--format", "json"])
    by_path = {
        Path(f["location"]["path"]).parent.name: f
        for f in json.loads(capsys.readouterr().out)["findings"]
    }
    assert by_path["service"]["severity"] == "high"
    assert by_path["service"]["context"] == ["api-key"]
    assert by_path["other"]["severity"] == "medium"
    assert by_path["other"]["context"] == []


def test_rules_lists_the_catalogue() -> None:
    proc = corsproof("rules")
    ids = re.findall(r"^(CORS\d{3})", proc.stdout, re.MULTILINE)
    assert ids == [
        "CORS101",
        "CORS102",
        "CORS103",
        "CORS104",
        "CORS105",
        "CORS106",
        "CORS107",
        "CORS201",
        "CORS202",
        "CORS203",
        "CORS301",
        "CORS302",
        "CORS303",
    ]


def test_explain_prints_the_rule_documentation() -> None:
    proc = corsproof("explain", "cors104")
    assert proc.returncode == 0
    for heading in (
        "What it finds",
        "Why it matters",
        "Example (noncompliant)",
        "Fix",
        "References",
    ):
        assert f"## {heading}" in proc.stdout
    assert "CWE-346" in proc.stdout


def test_scan_never_imports_the_scanned_code(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    (tmp_path / "app.py").write_text(f"open({str(marker)!r}, 'w').close()\n" + OPEN)
    corsproof("scan", str(tmp_path))
    assert not marker.exists()


def test_a_second_scan_in_the_same_process_sees_edited_files(tmp_path: Path) -> None:
    from corsproof import scan_paths

    (tmp_path / "config.py").write_text('ORIGINS = ["https://app.example.com"]\n')
    (tmp_path / "app.py").write_text(
        OPEN.replace('["*"]', "ORIGINS").replace(
            "app = FastAPI()", "from config import ORIGINS\napp = FastAPI()"
        )
    )
    assert scan_paths([str(tmp_path)], workers=1).findings == []
    (tmp_path / "config.py").write_text('ORIGINS = ["*"]\n')
    assert [f.rule_id for f in scan_paths([str(tmp_path)], workers=1).findings] == ["CORS101"]


def test_authentication_context_stays_within_its_source_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # service/ is a source root (not a package) whose package `api` checks an API key
    (tmp_path / "service" / "api").mkdir(parents=True)
    (tmp_path / "service" / "api" / "__init__.py").write_text("")
    (tmp_path / "service" / "api" / "auth.py").write_text(
        "def check(request):\n    return request.headers.get('X-API-Key') == 'k'\n"
    )
    (tmp_path / "service" / "main.py").write_text(OPEN)
    # tests/ and another service beside it do not lend or borrow that context
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_auth.py").write_text(
        "H = {'X-API-Key': 'k'}\nheaders['X-API-Key']\n"
    )
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "main.py").write_text(OPEN)
    main(["scan", str(tmp_path), "--format", "json"])
    by_dir = {
        Path(f["location"]["path"]).parent.name: f
        for f in json.loads(capsys.readouterr().out)["findings"]
    }
    assert by_dir["service"]["context"] == ["api-key"] and by_dir["service"]["severity"] == "high"
    assert by_dir["other"]["context"] == [] and by_dir["other"]["severity"] == "medium"
