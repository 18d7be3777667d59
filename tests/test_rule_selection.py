"""Which rules run, as Ruff reads selectors: ids, prefixes and ALL; repeatable and additive flags;
`--extend-select`/`--extend-ignore` beside the configuration's lists; the more specific selector
wins, an ignore wins a tie; an unknown selector is an error naming the closest valid one."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_support import corsproof

from corsproof.rules._select import matches, selected_rules, unknown_selectors

# one file, four rules: CORS102 (credentials with any origin), CORS201, CORS203, CORS107
APP = """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=r"https://.*",
    allow_credentials=True,
    allow_headers=["*"],
    expose_headers=["X-CSRF-Token"],
    allow_private_network=True,
)
"""


def ids(tmp_path: Path, *args: str, config: str = "") -> set[str] | str:
    (tmp_path / "app.py").write_text(APP)
    if config:
        (tmp_path / "pyproject.toml").write_text(f"[tool.corsproof]\n{config}")
    proc = corsproof("scan", ".", "--format", "json", *args, cwd=tmp_path)
    if proc.returncode == 2:
        return proc.stderr
    return {f["rule_id"] for f in json.loads(proc.stdout)["findings"]}


def test_all_rules_by_default(tmp_path: Path) -> None:
    assert ids(tmp_path) == {"CORS102", "CORS107", "CORS201", "CORS203"}


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--select", "CORS1"], {"CORS102", "CORS107"}),
        (["--select", "cors2"], {"CORS201", "CORS203"}),
        (["--select", "CORS1", "--select", "CORS201"], {"CORS102", "CORS107", "CORS201"}),
        (["--select", "ALL", "--ignore", "CORS2"], {"CORS102", "CORS107"}),
        (["--ignore", "CORS1,CORS20"], set()),
        # the more specific selector wins, an ignore wins a tie
        (["--ignore", "CORS1", "--select", "CORS107"], {"CORS107"}),
        (["--select", "CORS1", "--ignore", "CORS10"], set()),
        (["--select", "CORS10", "--ignore", "CORS10"], set()),
        (["--select", "CORS10", "--ignore", "CORS102"], {"CORS107"}),
        (["--extend-ignore", "CORS203"], {"CORS102", "CORS107", "CORS201"}),
    ],
)
def test_selectors_on_the_command_line(tmp_path: Path, args: list[str], expected: set[str]) -> None:
    assert ids(tmp_path, *args) == expected


def test_the_command_line_replaces_the_configuration_and_extend_adds_to_it(
    tmp_path: Path,
) -> None:
    config = 'select = ["CORS1"]\nignore = ["CORS107"]\n'
    assert ids(tmp_path, config=config) == {"CORS102"}
    assert ids(tmp_path, "--extend-select", "CORS203", config=config) == {"CORS102", "CORS203"}
    assert ids(tmp_path, "--extend-ignore", "CORS102", config=config) == set()
    assert ids(tmp_path, "--select", "CORS2", config=config) == {"CORS201", "CORS203"}
    assert ids(tmp_path, "--ignore", "CORS203", config=config) == {"CORS102", "CORS107"}


def test_per_path_ignores_take_prefixes(tmp_path: Path) -> None:
    config = '[tool.corsproof.per-path-ignores]\n"app.py" = ["CORS2"]\n'
    assert ids(tmp_path, config=config) == {"CORS102", "CORS107"}


def test_an_unknown_selector_names_the_closest_valid_one(tmp_path: Path) -> None:
    error = ids(tmp_path, "--select", "CORS1O4")
    assert isinstance(error, str)
    assert "unknown rule id or prefix: CORS1O4 (did you mean CORS104?)" in error
    error = ids(tmp_path, "--ignore", "CORS9")
    assert isinstance(error, str) and "CORS9" in error


def test_selection_functions() -> None:
    assert selected_rules(None, None) == selected_rules(["ALL"], [])
    assert selected_rules(["CORS30"], ["CORS302"]) == {"CORS301", "CORS303"}
    assert unknown_selectors(["ALL", "CORS", "CORS1", "X"]) == ["X"]
    assert matches(["*"], "CORS101") and matches(["CORS1"], "CORS101")
    assert not matches(["CORS2"], "CORS101")


def _scan(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "app.py").write_text(APP)
    return corsproof("scan", ".", *args, cwd=tmp_path)


def test_statistics_counts_each_rule_most_frequent_first(tmp_path: Path) -> None:
    (tmp_path / "other.py").write_text(APP)  # every rule twice, CORS203 once more below
    (tmp_path / "third.py").write_text(
        APP.replace("allow_credentials=True", "allow_credentials=False")
    )
    proc = _scan(tmp_path, "--statistics", "--select", "CORS2")
    assert proc.returncode == 1
    assert (
        proc.stdout == "3  CORS201  permissive-preflight\n3  CORS203  exposed-sensitive-headers\n"
    )
    as_json = json.loads(
        _scan(tmp_path, "--statistics", "--format", "json", "--select", "CORS20").stdout
    )
    assert as_json == [
        {"count": 3, "rule_id": "CORS201", "rule_name": "permissive-preflight"},
        {"count": 3, "rule_id": "CORS203", "rule_name": "exposed-sensitive-headers"},
    ]
    assert _scan(tmp_path, "--statistics", "--format", "sarif").returncode == 2


def test_exit_zero_keeps_the_report_and_errors_still_exit_2(tmp_path: Path) -> None:
    proc = _scan(tmp_path, "--exit-zero", "--format", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"]
    (tmp_path / "broken.py").write_text("from flask_cors import CORS\ndef (:\n")  # parsed: an error
    assert _scan(tmp_path, "--exit-zero", "--strict").returncode == 2


def test_no_config_with_config_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.corsproof]\n")
    proc = _scan(tmp_path, "--no-config", "--config", str(tmp_path / "pyproject.toml"))
    assert proc.returncode == 2
    assert "--no-config and --config contradict each other" in proc.stderr
