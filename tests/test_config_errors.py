"""A bad `[tool.corsproof]` is a usage error that names the file, the line, the key and what to
write instead; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from corsproof.cli import main

HEAD = '[project]\nname = "demo"\n\n[tool.corsproof]\n# settings\n'


@pytest.mark.parametrize(
    "pyproject, expected",
    [
        (
            HEAD + 'fail_on = "high"\n',
            ":6: unknown key 'fail_on' in [tool.corsproof]; did you mean 'fail-on'? valid keys: "
            "exclude, fail-on, ignore, per-path-ignores, select, trusted-origins",
        ),
        (HEAD + 'fail-on = "severe"\n', ":6: fail-on = 'severe': must be one of critical, high"),
        (HEAD + 'select = ["CORS1O4"]\n', ":6: select: unknown rule id or prefix: CORS1O4 (did "),
        (HEAD + 'ignore = "CORS3,CORS99X"\n', ":6: ignore: unknown rule id or prefix: CORS99X"),
        (HEAD + "select = 3\n", ":6: select must be a list of rule ids or prefixes"),
        (HEAD + 'exclude = "tests"\n', ":6: exclude must be a list of gitignore-style globs"),
        (
            HEAD + 'trusted-origins = ["app.example.com"]\n',
            ":6: trusted-origins: 'app.example.com' is not an origin; write scheme://host[:port]",
        ),
        (
            HEAD
            + 'select = ["CORS1"]\n\n[tool.corsproof.per-path-ignores]\n"tests/*.py" = ["X"]\n',
            ':9: per-path-ignores."tests/*.py": unknown rule id or prefix: X',
        ),
        (
            '[tool]\ncorsproof.selct = ["CORS1"]\n',
            ":2: unknown key 'selct' in [tool.corsproof]; did ",
        ),
        ("tool.corsproof.colour = true\n", ":1: unknown key 'colour'"),
        ("tool.corsproof = 3\n", "pyproject.toml: [tool.corsproof] must be a table"),
        ("[tool.corsproof\n", "pyproject.toml: not valid TOML: Expected ']'"),
    ],
)
def test_bad_configuration_names_file_line_and_remedy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pyproject: str, expected: str
) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    path = tmp_path / "pyproject.toml"
    path.write_text(pyproject)
    assert main(["scan", "--no-progress", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"corsproof: error: {path}")
    assert expected in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_not_utf8_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b"[tool.corsproof]\nselect = ['\xe9']\n")
    assert main(["scan", "--no-progress", str(tmp_path)]) == 2
    assert f"{path}: not UTF-8" in capsys.readouterr().err


def test_probe_reports_the_same_configuration_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(HEAD + 'trusted-origins = "https://app.example.com"\n')
    code = main(["probe", "--config", str(path), "http://127.0.0.1:9/"])
    assert code == 2
    assert f"{path}:6: trusted-origins must be a list of origins" in capsys.readouterr().err
