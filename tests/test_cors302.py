"""CORS302 vulnerable-cors-library: the version logic, every file format, includes, lock files,
name normalisation, malformed files and the JSON output. The inline `# expect:` cases live in
tests/fixtures/dependencies/; what cannot carry a comment (Pipfile.lock is JSON) or needs a
particular tree is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from corsproof import scan_paths
from corsproof.deps import Dependency
from corsproof.deps import _analyse as dependencies
from corsproof.deps._advisories import advisory_table, affected_by
from corsproof.deps._versions import Span, poetry_spans, spans_of_set
from corsproof.findings import SEVERITIES, Location
from corsproof.rules import DependencyFacts, all_rules
from corsproof.static.walker import walk

FLASK_5 = {"CVE-2024-6839", "CVE-2024-6844", "CVE-2024-6866"}  # fixed in 6.0.0
FLASK_4X = FLASK_5 | {"CVE-2024-6221"}  # private network by default before 5.0.0
FLASK_400 = FLASK_4X | {"CVE-2024-1681"}  # fixed in 4.0.1
FLASK_308 = FLASK_400 | {"CVE-2020-25032"}  # fixed in 3.0.9


def ids(package: str, spans: tuple[Span, ...] | None) -> set[str]:
    assert spans is not None
    return {a.id for a in affected_by(package, spans)}


# ------------------------------------------------------------------------------ version logic


@pytest.mark.parametrize(
    ("specifier", "expected"),
    [
        ("==5.0.0", FLASK_5),
        ("===4.0.0", FLASK_400),
        ("==4.0", FLASK_400),  # 4.0 == 4.0.0
        ("==3.0.8", FLASK_308),
        ("<5", FLASK_4X),  # admits 4.0.2 … 4.x: not CVE-2024-1681 (fixed 4.0.1)
        ("<=4.0.1", FLASK_4X),
        ("<4.0.1", FLASK_400),
        ("~=3.0", FLASK_400),  # >=3.0, ==3.*: 3.0.9 and 3.0.10 fix CVE-2020-25032
        ("~=3.0.0", FLASK_400),
        ("==3.*", FLASK_400),
        (">=3.0,<6", FLASK_5),
        (">4,<5", FLASK_4X),
        # lower bounds that admit a fixed release
        (">=3.0", set()),
        (">=4,<=6.0.0", set()),
        ("<=6.0.0", set()),
        ("!=4.0.0", set()),
        ("", set()),
        ("==6.0.0", set()),
        ("~=6.0", set()),
        # admits no release at all
        ("<3,>4", set()),
        ("==4.0.0,!=4.0.0", set()),
        ("==4.*,!=4.*", set()),
        # a pre-release of the fix is not "< 6.0.0" for PEP 440
        ("==6.0.0rc1", set()),
        ("==5.0.0rc1", FLASK_5),
    ],
)
def test_pep440_specifiers(specifier: str, expected: set[str]) -> None:
    assert ids("flask-cors", spans_of_set(SpecifierSet(specifier))) == expected


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^4.0", FLASK_4X),  # >=4.0,<5.0
        ("^4.0.1", FLASK_4X),
        ("^5", FLASK_5),
        ("^3.0", FLASK_400),
        ("~3.0", FLASK_400),  # >=3.0,<3.1: 3.0.10 fixes CVE-2020-25032
        ("~3.0.1", FLASK_400),
        ("~4", FLASK_4X),
        ("3.*", FLASK_400),
        ("4.0.0", FLASK_400),
        ("=4.0.0", FLASK_400),
        (">=3.0,<5", FLASK_4X),
        (">= 3.0 < 5", FLASK_4X),
        ("^5.0 || ^4.0", FLASK_5),
        ("^6.0 || ^4.0", set()),
        ("*", set()),
        (">=3.0", set()),
        ("^6.0", set()),
    ],
)
def test_poetry_constraints(constraint: str, expected: set[str]) -> None:
    assert ids("flask-cors", poetry_spans(constraint)) == expected


def test_caret_on_zero_versions() -> None:
    def upper(text: str) -> Version:
        (span,) = poetry_spans(text) or ()
        assert span.high is not None
        return span.high[0]

    assert upper("^0.2.3") == Version("0.3.dev0")
    assert upper("^0.0.3") == Version("0.0.4.dev0")
    assert upper("^0") == Version("1.dev0")
    assert upper("^0.0") == Version("0.1.dev0")
    assert upper("~1") == Version("2.dev0")


def test_unreadable_constraints_are_unknown() -> None:
    assert poetry_spans("latest") is None
    assert spans_of_set(SpecifierSet("===foo")) is None


def test_other_libraries() -> None:
    assert ids("litestar", spans_of_set(SpecifierSet("==2.19.0"))) == {"CVE-2026-25478"}
    assert ids("litestar", spans_of_set(SpecifierSet("~=2.10"))) == set()  # admits 2.20+
    assert ids("sanic-cors", spans_of_set(SpecifierSet("==2.2.0"))) == {"CVE-2026-37737"}
    # no fixed release, but a bound that admits a future one is not claimed vulnerable
    assert ids("sanic-cors", spans_of_set(SpecifierSet(">=2.0"))) == set()
    assert ids("django-cors-headers", spans_of_set(SpecifierSet("<3"))) == {
        "django-cors-headers#259"
    }


# ----------------------------------------------------------------------------- advisory data


def test_advisory_data_is_complete_and_sourced() -> None:
    raw = json.loads(
        (Path(dependencies.__file__).parent.parent / "data" / "advisories.json").read_text(
            encoding="utf-8"
        )
    )
    seen = set()
    for item in raw["advisories"]:
        assert item["id"] not in seen
        seen.add(item["id"])
        assert item["source"].startswith("https://"), item["id"]
        assert item["severity"] in SEVERITIES
        assert item["summary"]
        affected = SpecifierSet(item["affected"])
        if item["fixed"] is not None:
            assert not affected.contains(item["fixed"], prereleases=True), item["id"]
        else:
            assert item["note"], f"{item['id']}: no fixed release needs a note"
    assert {
        "CVE-2020-25032",
        "CVE-2024-1681",
        "CVE-2024-6221",
        "CVE-2024-6839",
        "CVE-2024-6844",
        "CVE-2024-6866",
    } <= seen
    assert set(advisory_table()) == {"flask-cors", "litestar", "sanic-cors", "django-cors-headers"}


def test_the_data_ships_with_the_package() -> None:
    from importlib import resources

    assert resources.files("corsproof").joinpath("data/advisories.json").is_file()


# ----------------------------------------------------------------------------- files and trees


def scan(path: Path) -> tuple[set[tuple[str, int]], list[str]]:
    """(file relative to `path`, line) of each finding, and the errors as "name: message"."""
    result = scan_paths([str(path)], workers=1)
    found = set()
    for finding in result.findings:
        assert finding.rule_id == "CORS302"
        assert finding.location is not None
        rel = Path(finding.location.path).relative_to(path).as_posix()
        found.add((rel, finding.location.line))
    return found, [f"{Path(e.path).name}: {e.message}" for e in result.errors]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


PIPFILE_LOCK = {
    "_meta": {"hash": {"sha256": "0"}, "pipfile-spec": 6, "requires": {}, "sources": []},
    "default": {
        "flask": {"hashes": ["sha256:0"], "version": "==3.0.0"},
        "flask-cors": {"hashes": ["sha256:1", "sha256:2"], "index": "pypi", "version": "==4.0.0"},
    },
    "develop": {
        "litestar": {"hashes": ["sha256:3"], "version": "==2.20.0"},
        "sanic-cors": {"hashes": ["sha256:4"], "version": "==2.2.0"},
    },
}


def test_pipfile_lock_reports_the_version_line(tmp_path: Path) -> None:
    text = json.dumps(PIPFILE_LOCK, indent=4)
    lines = text.split("\n")
    write(tmp_path, {"Pipfile.lock": text})
    found, errors = scan(tmp_path)
    assert not errors
    flask_line = next(i for i, line in enumerate(lines, 1) if '"version": "==4.0.0"' in line)
    sanic_line = next(i for i, line in enumerate(lines, 1) if '"version": "==2.2.0"' in line)
    assert found == {("Pipfile.lock", flask_line), ("Pipfile.lock", sanic_line)}


def test_a_lock_entry_is_not_reported_twice_when_the_manifest_already_reports_it(
    tmp_path: Path,
) -> None:
    pipfile = '[packages]\nflask-cors = "==4.0.0"\nsanic-cors = ">=2.0"\n'
    write(tmp_path, {"Pipfile": pipfile, "Pipfile.lock": json.dumps(PIPFILE_LOCK, indent=4)})
    found, _ = scan(tmp_path)
    # the Pipfile's pin covers flask-cors; sanic-cors >=2.0 is not a finding, its lock entry is
    assert ("Pipfile", 2) in found
    assert {path for path, _ in found} == {"Pipfile", "Pipfile.lock"}
    assert len(found) == 2


def test_a_lock_entry_with_more_advisories_than_the_manifest_line_is_reported(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.poetry.dependencies]\nflask-cors = "^4.0"\n',
            "poetry.lock": '[[package]]\nname = "flask-cors"\nversion = "4.0.0"\n',
        },
    )
    result = scan_paths([str(tmp_path)], workers=1)
    messages = {Path(f.location.path).name: f.message for f in result.findings if f.location}
    assert "CVE-2024-1681" not in messages["pyproject.toml"]  # ^4.0 admits 4.0.1+
    assert "CVE-2024-1681" in messages["poetry.lock"]  # the lock has 4.0.0


def test_uv_lock_skips_the_project_itself(tmp_path: Path) -> None:
    lock = (
        '[[package]]\nname = "flask-cors"\nversion = "5.0.0"\nsource = { editable = "." }\n\n'
        '[[package]]\nname = "sanic-cors"\nversion = "2.2.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
    )
    write(tmp_path, {"uv.lock": lock})
    assert scan(tmp_path) == ({("uv.lock", 8)}, [])


def test_requirement_continuations_and_constraint_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "requirements.txt": (
                "flask==3.0.0 \\\n"
                "    --hash=sha256:0\n"
                "Flask-Cors \\\n"
                "    ==4.0.0 \\\n"
                "    --hash=sha256:1\n"
                "--constraint=constraints.txt\n"
                "-cother/pins.txt\n"
            ),
            "constraints.txt": "litestar==2.19.0\n",
            "other/pins.txt": "# comment\ndjango_cors_headers==2.5.3\n",
        },
    )
    found, errors = scan(tmp_path)
    assert not errors
    assert found == {("requirements.txt", 3), ("constraints.txt", 1), ("other/pins.txt", 2)}


def test_includes_relative_to_the_including_file_are_reported_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/requirements.txt": "-r ../shared/requirements-common.txt\n-r requirements.txt\n",
            "shared/requirements-common.txt": "-r ../app/requirements.txt\nflask-cors<5\n",
        },
    )
    found, errors = scan(tmp_path)
    assert not errors
    assert found == {("shared/requirements-common.txt", 2)}
    # through the include only (the included file is outside the scanned directory)
    result = scan_paths([str(tmp_path / "app")], workers=1)
    (finding,) = result.findings
    assert finding.location is not None
    assert Path(finding.location.path) == tmp_path / "shared/requirements-common.txt"


@pytest.mark.parametrize("spelling", ["Flask_CORS", "flask.cors", "FLASK-CORS", "flask__cors"])
def test_names_are_normalised(tmp_path: Path, spelling: str) -> None:
    write(tmp_path, {"requirements.txt": f"flask\n{spelling}==4.0.1\n"})
    result = scan_paths([str(tmp_path)], workers=1)
    (finding,) = result.findings
    assert finding.location is not None
    assert (finding.location.line, finding.location.column) == (2, 1)
    assert finding.location.end_column == 1 + len(spelling)
    assert finding.message.startswith("flask-cors==4.0.1 ")


def test_setup_cfg_semicolon_list(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "setup.cfg": (
                "[options]\n"
                "install_requires = flask>=3; flask-cors==5.0.0\n"
                "[options.extras_require]\n"
                'dev = flask-cors==4.0.0; python_version >= "3.8"\n'
            )
        },
    )
    found, errors = scan(tmp_path)
    assert not errors
    assert found == {("setup.cfg", 2), ("setup.cfg", 4)}


def test_a_safe_project_has_no_finding(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "requirements.txt": "flask-cors>=6\nlitestar\n",
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask-cors>=3.0"]\n',
            "poetry.lock": '[[package]]\nname = "flask-cors"\nversion = "6.0.5"\n',
            "Pipfile.lock": json.dumps({"default": {"flask-cors": {"version": "==6.0.0"}}}),
        },
    )
    assert scan(tmp_path) == (set(), [])


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("pyproject.toml", '[project]\ndependencies = ["flask-cors==4.0.0"\n', "invalid TOML"),
        ("poetry.lock", '[[package]]\nname = "flask-cors"\nversion = 4.0.0\n', "invalid TOML"),
        ("uv.lock", '[[package]\nname = "flask-cors"\n', "invalid TOML"),
        ("Pipfile", '[packages]\nflask-cors = "==4.0.0\n', "invalid TOML"),
        ("Pipfile.lock", '{"default": {"flask-cors": {"version": "==4.0.0"}', "invalid JSON"),
    ],
)
def test_malformed_files_are_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    write(tmp_path, {name: text, "requirements.txt": "flask-cors==4.0.0\n"})
    found, errors = scan(tmp_path)
    assert found == {("requirements.txt", 1)}  # the other files are still analysed
    assert len(errors) == 1
    assert errors[0].startswith(f"{name}: {message}")


def test_a_malformed_file_naming_no_cors_library_is_not_parsed(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[project\nname = 'x'\n"})
    result = scan_paths([str(tmp_path)], workers=1)
    assert (result.errors, result.analysed) == ([], 1)


def test_invalid_utf8_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"flask-cors==4.0.0 # caf\xe9\n")
    _, errors = scan(tmp_path)
    assert errors == ["requirements.txt: not valid UTF-8 (line 1, byte 23)"]


def test_suppression_comments(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "requirements.txt": (
                "flask-cors==4.0.0  # noqa: CORS302\n"
                "litestar==2.19.0  # corsproof: ignore[CORS302]\n"
                "sanic-cors==2.2.0\n"
            )
        },
    )
    result = scan_paths([str(tmp_path)], workers=1)
    assert result.suppressed == 2
    assert [f.location.line for f in result.findings if f.location] == [3]


def test_the_walker_reads_requirement_and_lock_files(tmp_path: Path) -> None:
    names = [
        "requirements.txt",
        "requirements-dev.txt",
        "requirements/prod.txt",
        "pyproject.toml",
        "Pipfile",
        "Pipfile.lock",
        "poetry.lock",
        "uv.lock",
        "setup.cfg",
        "app.py",
    ]
    ignored = ["notes.txt", "docs/requirements.in", "constraints.txt", "setup.py.txt.bak"]
    write(tmp_path, dict.fromkeys(names + ignored, ""))
    found = {Path(job.display).relative_to(tmp_path).as_posix() for job in walk([str(tmp_path)])}
    assert found == set(names)


def test_only_cors302_judges_dependencies(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "flask-cors==4.0.0\n"})
    path = tmp_path / "requirements.txt"
    (dependency,) = dependencies.analyse(path, str(path), path.read_bytes())
    assert isinstance(dependency, Dependency)
    assert isinstance(dependency.loc, Location) and dependency.loc.source == "flask-cors==4.0.0"
    facts = DependencyFacts(dependency)
    issues = {
        rule.id: list(rule().check(facts)) for rule in all_rules() if rule.judges is DependencyFacts
    }
    assert set(issues) == {"CORS302"}
    (issue,) = issues["CORS302"]
    assert issue.severity == "high" and issue.proof_origin is None


# --------------------------------------------------------------------------------- JSON output


def test_json_output_of_a_scan_with_cors302(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "flask>=3\n  flask-cors==5.0.1  # pinned\n"})
    proc = subprocess.run(
        [sys.executable, "-m", "corsproof", "scan", str(tmp_path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)
    (finding,) = document["findings"]
    assert finding["rule_id"] == "CORS302"
    assert finding["rule_name"] == "vulnerable-cors-library"
    assert finding["severity"] == "medium"  # CVE-2024-6839/6844/6866 are all moderate
    assert finding["location"] == {
        "path": str(tmp_path / "requirements.txt"),
        "line": 2,
        "column": 3,
        "end_line": 2,
        "end_column": 13,
    }
    assert finding["target"] is None
    assert finding["proof_origin"] is None
    assert finding["message"] == (
        "flask-cors==5.0.1 admits only versions with CORS advisories CVE-2024-6839 (medium), "
        "CVE-2024-6844 (medium), CVE-2024-6866 (medium); fixed in 6.0.0"
    )
    assert finding["evidence"]["fixed_in"] == "6.0.0"
    advisories = finding["evidence"]["advisories"]
    assert [(a["id"], a["severity"], a["fixed_in"]) for a in advisories] == [
        ("CVE-2024-6839", "medium", "6.0.0"),
        ("CVE-2024-6844", "medium", "6.0.0"),
        ("CVE-2024-6866", "medium", "6.0.0"),
    ]
    assert all(a["source"].startswith("https://github.com/advisories/GHSA-") for a in advisories)
    assert len(finding["fingerprint"]) == 32
    assert document["errors"] == []
    assert document["stats"]["files_scanned"] == 1


def test_sarif_output_carries_the_rule(tmp_path: Path) -> None:
    write(tmp_path, {"uv.lock": '[[package]]\nname = "litestar"\nversion = "2.19.0"\n'})
    proc = subprocess.run(
        [sys.executable, "-m", "corsproof", "scan", str(tmp_path), "--format", "sarif"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    run = json.loads(proc.stdout)["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "CORS302"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_lines_are_counted_as_suppressions_count_them(tmp_path: Path) -> None:
    # lone carriage returns end lines for pip (str.splitlines) and for the suppression comments
    (tmp_path / "requirements.txt").write_bytes(b"flask>=3\rflask-cors==4.0.0\r")
    (finding,) = scan_paths([str(tmp_path)]).findings
    assert finding.location is not None and finding.location.line == 2
    assert finding.location.source == "flask-cors==4.0.0"
    (tmp_path / "requirements.txt").write_bytes(
        b"flask>=3\rflask-cors==4.0.0  # corsproof: ignore[CORS302]\r"
    )
    result = scan_paths([str(tmp_path)])
    assert not result.findings and result.suppressed == 1
