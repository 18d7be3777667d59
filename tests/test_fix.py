"""`corsproof fix`: every fix the fixtures and examples offer applies, compiles and removes its
finding; a second run changes nothing; --diff writes nothing; files are written atomically with
their encoding, line ends and mode kept; a file that does not parse is left alone."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections import Counter
from pathlib import Path

import cli_support
import pytest
from fix_support import FIX_CASES, case_id, copy_case, load

from corsproof import scan_paths
from corsproof.fix import FixOptions, fix_paths

APP_ORIGIN = "https://app.example.com"


def _per_file_rule(findings: list) -> Counter[tuple[str, str]]:
    return Counter((Path(f.location.path).name, f.rule_id) for f in findings if f.location)


@pytest.mark.parametrize("case", FIX_CASES, ids=case_id)
def test_every_fix_applies_compiles_removes_its_finding_and_is_idempotent(
    tmp_path: Path, case: Path
) -> None:
    work = copy_case(case, tmp_path / "case")
    before = scan_paths([str(work)], workers=1).findings
    options = FixOptions(allow_origins=(APP_ORIGIN,), unsafe=True, scan={"workers": 1})
    outcome = fix_paths([str(work)], options)
    assert not [e for e in outcome.errors if "not fixed" in e.message], outcome.errors
    for path in {a.finding.location.path for a in outcome.applied}:
        compile(Path(path).read_text(encoding="utf-8"), path, "exec")
    after = scan_paths([str(work)], workers=1).findings
    fixed = _per_file_rule([a.finding for a in outcome.applied])
    left, had = _per_file_rule(after), _per_file_rule(before)
    for key, count in fixed.items():
        assert left[key] <= had[key] - count, (key, [f.message for f in after])
    again = fix_paths([str(work)], options)
    assert again.applied == [] and again.diffs == {}


# ------------------------------------------------------------------------------ the command


def corsproof(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return cli_support.corsproof(*args, cwd=cwd, timeout=300)


FLASK = """\
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, supports_credentials=True)  # the SPA and the mobile web app
"""


def test_diff_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(FLASK)
    proc = corsproof(
        "fix",
        ".",
        "--diff",
        "--unsafe-fixes",
        "--allow-origin",
        APP_ORIGIN,
        "--no-config",
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    assert "--- a/app.py\n+++ b/app.py\n" in proc.stdout
    assert (
        f'+CORS(app, supports_credentials=True, origins=["{APP_ORIGIN}"])  # the SPA' in proc.stdout
    )
    assert "Would fix 1 finding (0 remaining)." in proc.stdout
    assert (tmp_path / "app.py").read_text() == FLASK
    proc = corsproof("fix", ".", "--diff", "--no-config", cwd=tmp_path)  # only safe fixes: none
    assert proc.returncode == 0 and "1 more fix available with --unsafe-fixes" in proc.stdout


def test_unsafe_fixes_are_counted_not_applied_without_the_flag(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(FLASK)
    proc = corsproof("fix", ".", "--no-config", cwd=tmp_path)
    assert proc.returncode == 1
    assert (
        "Fixed 0 findings (1 remaining). 1 more fix available with --unsafe-fixes." in proc.stdout
    )
    assert (tmp_path / "app.py").read_text() == FLASK


def test_without_origins_the_list_comes_from_the_environment_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(FLASK)
    proc = corsproof("fix", ".", "--unsafe-fixes", "--no-config", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    text = (tmp_path / "app.py").read_text()
    assert text.startswith("import os\nfrom flask import Flask\n")
    assert 'origins=[o for o in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",") if o]' in text
    assert "read CORS_ALLOWED_ORIGINS (empty when unset)" in proc.stdout


def test_trusted_origins_of_the_configuration_are_the_default(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(FLASK)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.corsproof]\ntrusted-origins = ["{APP_ORIGIN}"]\n'
    )
    assert corsproof("fix", ".", "--unsafe-fixes", cwd=tmp_path).returncode == 0
    assert f'origins=["{APP_ORIGIN}"]' in (tmp_path / "app.py").read_text()


def test_a_file_that_does_not_parse_is_left_alone_and_reported(tmp_path: Path) -> None:
    broken = "from flask_cors import CORS\nCORS(app, origins='*'\n"
    (tmp_path / "broken.py").write_text(broken)
    (tmp_path / "app.py").write_text(FLASK)
    proc = corsproof(
        "fix", ".", "--unsafe-fixes", "--allow-origin", APP_ORIGIN, "--no-config", cwd=tmp_path
    )
    assert (tmp_path / "broken.py").read_text() == broken
    assert "broken.py: error:" in proc.stdout
    assert f'origins=["{APP_ORIGIN}"]' in (tmp_path / "app.py").read_text()


def test_encoding_line_ends_and_mode_are_kept(tmp_path: Path) -> None:
    text = (
        "# -*- coding: latin-1 -*-\r\n"
        "import os\r\n"
        "from fastapi import FastAPI\r\n"
        "from fastapi.middleware.cors import CORSMiddleware\r\n"
        "app = FastAPI()  # caf\xe9\r\n"
        'app.add_middleware(CORSMiddleware, allow_origins=os.getenv("ORIGINS", "*").split(","))\r\n'
    )
    path = tmp_path / "main.py"
    path.write_bytes(text.encode("latin-1"))
    path.chmod(0o750)
    proc = corsproof("fix", ".", "--no-config", cwd=tmp_path)
    assert "CORS301 fixed" in proc.stdout, proc.stdout + proc.stderr
    data = path.read_bytes()
    fixed = 'allow_origins=[o for o in os.getenv("ORIGINS", "").split(",") if o])'
    assert data == text.replace(
        'allow_origins=os.getenv("ORIGINS", "*").split(","))', fixed
    ).encode("latin-1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o750
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".corsproof-fix-")]


def test_overlapping_edits_conflict_and_the_same_edit_does_not() -> None:
    from corsproof.fix import Edit
    from corsproof.fix import _overlap as overlap

    value = Edit("a.py", 3, 10, 3, 20, "x")
    assert overlap(value, Edit("a.py", 3, 15, 3, 25, "y"))  # crossing
    assert overlap(value, Edit("a.py", 3, 12, 3, 12, "y"))  # an insertion inside
    assert not overlap(value, Edit("a.py", 3, 20, 3, 30, "y"))  # touching
    assert not overlap(value, Edit("a.py", 3, 10, 3, 10, "y"))  # an insertion before it
    assert not overlap(
        Edit("a.py", 1, 1, 1, 1, "import os\n"), Edit("a.py", 1, 1, 1, 1, "import os\n")
    )


def test_two_fixes_in_one_statement_both_apply(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text(
        'INSTALLED_APPS = ["corsheaders"]\n'
        'MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]\n'
        'CORS_ALLOWED_ORIGIN_REGEXES = [r"https://.*.example.com", r"https://app.example.com"]\n'
    )
    outcome = fix_paths([str(tmp_path)], FixOptions(unsafe=True, scan={"workers": 1}))
    # two findings in one statement, edits on different entries: both apply
    assert sorted(a.finding.rule_id for a in outcome.applied) == ["CORS104", "CORS104"]
    text = (tmp_path / "settings.py").read_text()
    assert '[r"^https://.*\\.example\\.com$", r"^https://app\\.example\\.com$"]' in text


def test_json_findings_carry_the_fix(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(FLASK)
    proc = corsproof("scan", ".", "--format", "json", "--no-config", cwd=tmp_path)
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["fix"]["applicability"] == "unsafe"
    edits = {(e["path"], e["line"]): e["replacement"] for e in finding["fix"]["edits"]}
    assert edits[("app.py", 1)] == "import os\n"  # no origin named: read from the environment
    assert "origins=[o for o in os.environ.get" in edits[("app.py", 5)]
    sarif = json.loads(
        corsproof("scan", ".", "--format", "sarif", "--no-config", cwd=tmp_path).stdout
    )
    (fix,) = sarif["runs"][0]["results"][0]["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "app.py"
    assert {r["deletedRegion"]["startLine"] for r in change["replacements"]} == {1, 5}


def test_a_string_tested_with_in_becomes_a_one_origin_list(tmp_path: Path) -> None:
    """Starlette tests `origin in allow_origins`: a string admits its substrings. The safe fix
    makes it a list of that origin (not an anchored pattern, which Starlette would not read)."""
    from starlette.testclient import TestClient

    (tmp_path / "main.py").write_text(
        "from fastapi import FastAPI\nfrom starlette.middleware.cors import CORSMiddleware\n"
        'app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins="https://api.example.net")\n'
        '@app.get("/")\ndef root():\n    return {}\n'
    )
    outcome = fix_paths([str(tmp_path)], FixOptions(scan={"workers": 1}))
    assert [a.finding.rule_id for a in outcome.applied] == ["CORS104"]
    assert 'allow_origins=["https://api.example.net"]' in (tmp_path / "main.py").read_text()
    module = load(tmp_path / "main.py")
    with TestClient(module.app) as client:
        for origin, granted in (
            ("https://api.example.net", True),
            ("https://api.example.ne", False),
        ):
            header = client.get("/", headers={"Origin": origin}).headers.get(
                "access-control-allow-origin"
            )
            assert (header == origin) is granted


def test_vary_origin_is_added_before_the_check_and_kept_with_other_values(tmp_path: Path) -> None:
    """CORS202's safe fix: refused and granted answers both carry Vary: Origin, and a Vary the
    application sets already is kept (real Flask)."""
    (tmp_path / "app.py").write_text(
        "from flask import Flask, request\n"
        "app = Flask(__name__)\n"
        'ALLOWED = {"https://app.example.com", "https://admin.example.com"}\n\n\n'
        "@app.after_request\n"
        "def cors(response):\n"
        '    origin = request.headers.get("Origin")\n'
        "    if origin in ALLOWED:\n"
        '        response.headers["Access-Control-Allow-Origin"] = origin\n'
        "    return response\n\n\n"
        '@app.route("/")\ndef root():\n    return "x", 200, {"Vary": "Accept-Encoding"}\n'
    )
    outcome = fix_paths([str(tmp_path)], FixOptions(scan={"workers": 1}))
    assert [a.finding.rule_id for a in outcome.applied] == ["CORS202"]
    assert "CORS202" not in {f.rule_id for f in scan_paths([str(tmp_path)], workers=1).findings}
    module = load(tmp_path / "app.py")
    client = module.app.test_client()
    for origin in ("https://app.example.com", "https://evil.example"):
        assert (
            client.get("/", headers={"Origin": origin}).headers["Vary"] == "Accept-Encoding, Origin"
        )


def test_weak_string_checks_become_exact_comparisons(tmp_path: Path) -> None:
    """CORS104's safe fix for hand-written checks, driven through real Flask: the look-alike hosts
    the oracle found are refused; the origins the checks were written for still pass."""
    (tmp_path / "app.py").write_text(
        "from flask import Flask, request\n"
        "app = Flask(__name__)\n\n\n"
        "@app.after_request\n"
        "def cors(response):\n"
        '    origin = request.headers.get("Origin", "")\n'
        '    response.headers["Vary"] = "Origin"\n'
        '    if request.path == "/suffix" and origin.endswith("example.com"):\n'
        '        response.headers["Access-Control-Allow-Origin"] = origin\n'
        '    if request.path == "/prefix" and origin.startswith("https://app.example.com"):\n'
        '        response.headers["Access-Control-Allow-Origin"] = origin\n'
        '    if request.path == "/inside" and "app.example.com" in origin:\n'
        '        response.headers["Access-Control-Allow-Origin"] = origin\n'
        "    return response\n\n\n"
        '@app.route("/<name>")\ndef any_path(name):\n    return name\n'
    )

    def grants(path: str, origin: str) -> bool:
        module = load(tmp_path / "app.py")
        response = module.app.test_client().get(path, headers={"Origin": origin})
        return response.headers.get("Access-Control-Allow-Origin") == origin

    cases = {
        "/suffix": (
            ["https://example.com", "https://app.example.com"],
            "https://attackerexample.com",
        ),
        "/prefix": (["https://app.example.com"], "https://app.example.com.attacker.net"),
        "/inside": (["https://app.example.com"], "https://app.example.com.attacker.net"),
    }
    for path, (good, bad) in cases.items():
        assert grants(path, bad) and all(grants(path, g) for g in good)
    outcome = fix_paths([str(tmp_path)], FixOptions(scan={"workers": 1}))
    assert sorted(a.finding.rule_id for a in outcome.applied) == ["CORS104"] * 3
    for path, (good, bad) in cases.items():
        assert not grants(path, bad), path
        assert all(grants(path, g) for g in good), path
    assert "CORS104" not in {f.rule_id for f in scan_paths([str(tmp_path)], workers=1).findings}
