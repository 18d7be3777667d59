"""`--format github`: GitHub Actions workflow commands, one line per finding and per error, read
back by the syntax GitHub documents (`::LEVEL key=value,…::MESSAGE`, with `%25`/`%0D`/`%0A` in the
message and `%3A`/`%2C` too in values)."""

from __future__ import annotations

import re
from pathlib import Path

from cli_support import corsproof

from corsproof.findings import FileError, Finding, Location, ScanResult, Target
from corsproof.report import render_github

COMMAND = re.compile(r"::(error|warning|notice)(?: ([^:]*))?::(.*)")


def _unescape(text: str, value: bool = False) -> str:
    if value:
        text = text.replace("%3A", ":").replace("%2C", ",")
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def parse(output: str) -> list[tuple[str, dict[str, str], str]]:
    commands = []
    for line in output.splitlines():
        match = COMMAND.fullmatch(line)
        assert match, line
        level, listed, message = match.groups()
        properties = {}
        for item in (listed or "").split(","):
            if item:
                key, _, value = item.partition("=")
                properties[key] = _unescape(value, value=True)
        commands.append((level, properties, _unescape(message)))
    return commands


def test_scan_findings_and_errors_as_annotations(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from fastapi import FastAPI\n"
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app = FastAPI()\n"
        'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)\n'
    )
    (tmp_path / "broken.py").write_text("from flask_cors import CORS\ndef (:\n")
    proc = corsproof("scan", ".", "--format", "github", cwd=tmp_path)
    assert proc.returncode == 1
    (finding, error) = parse(proc.stdout)
    level, props, message = finding
    assert level == "error"
    assert props == {
        "file": "app.py", "line": "4", "col": props["col"], "endLine": "4",
        "endColumn": props["endColumn"], "title": "CORS102 any-origin-with-credentials (critical)",
    }  # fmt: skip
    assert message.splitlines()[1] == "proof: Origin: https://corsproof-attacker.example"
    assert message.splitlines()[2].startswith("fix: ")
    assert error[0] == "error" and error[1]["file"] == "broken.py"
    assert error[2].startswith("SyntaxError")


def test_levels_probe_targets_and_hostile_text() -> None:
    hostile = "50%\r\n::error file=x::forged \x1b[2J"
    result = ScanResult(
        findings=[
            Finding(
                "CORS201",
                "permissive-preflight",
                "low",
                hostile,
                location=Location("a,b:c.py", 3, 1, 3, 5, source="x"),
            ),  # fmt: skip
            Finding(
                "CORS101",
                "any-origin",
                "medium",
                "open",
                target=Target("https://api.example/x?a=1,2", "GET"),
            ),  # fmt: skip
        ],
        errors=[FileError("gone.py", "cannot read: No such file")],
    )
    commands = parse(render_github(result))  # one command a line: nothing injected
    assert [c[0] for c in commands] == ["notice", "warning", "error"]
    assert commands[0][1]["file"] == "a,b:c.py"
    assert commands[0][2] == "50%\\r\\n::error file=x::forged \\x1b[2J"  # made printable
    assert commands[1][1]["title"] == "CORS101 any-origin (medium): GET https://api.example/x?a=1,2"
    assert commands[2] == ("error", {"file": "gone.py", "title": commands[2][1]["title"]},
                           "cannot read: No such file")  # fmt: skip
