"""`--help` of every command: a description, three real examples, and every option's default."""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys

import pytest

from corsproof.cli import build_parser, main

COMMANDS = ["scan", "probe", "rules", "explain"]


def _parsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"": parser, **{name: sub.choices[name] for name in COMMANDS}}


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_has_a_paragraph_and_three_examples(command: str) -> None:
    parser = _parsers()[command]
    assert parser.description and len(parser.description.split()) >= 12
    epilog = parser.epilog or ""
    examples = [line.strip() for line in epilog.splitlines()[1:] if line.strip()]
    assert epilog.startswith("examples:") and len(examples) == 3
    for example in examples:
        assert example.startswith("corsproof ") or "| xargs corsproof " in example


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_says_its_default(command: str) -> None:
    parser = _parsers()[command]
    missing = [
        action.dest
        for action in parser._actions
        if not isinstance(action, argparse._HelpAction) and "default" not in (action.help or "")
    ]
    assert missing == []


@pytest.mark.parametrize("command", ["scan", "probe", "explain", "rules"])
def test_examples_parse_as_written(command: str) -> None:
    """Each example is a command line this parser accepts (the part after a pipe into xargs is
    completed with a file name, as xargs would)."""
    parser = build_parser()
    epilog = _parsers()[command].epilog or ""
    for line in epilog.splitlines()[1:]:
        words = shlex.split(line.split("| xargs ")[-1].split(" | ")[0].split(" > ")[0])
        assert words[0] == "corsproof"
        rest = words[1:] + (["app.py"] if "xargs" in line else [])
        parsed = parser.parse_args(rest)
        assert parsed.command == command


def test_help_shows_the_epilog_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:\n  corsproof scan .\n" in out
    assert "(default: 10MB;" in out


def test_explain_examples_run() -> None:
    for rule in ("CORS101", "cors302"):
        proc = subprocess.run(
            [sys.executable, "-m", "corsproof", "explain", rule], capture_output=True, text=True
        )
        assert proc.returncode == 0 and rule.upper() in proc.stdout


def test_readme_documents_every_option_and_format() -> None:
    from pathlib import Path

    from corsproof.report import FORMATS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    undocumented = [
        f"{command} {option}"
        for command, parser in _parsers().items()
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help" and option not in readme
    ]
    assert undocumented == []
    assert [name for name in FORMATS if f"| `{name}`" not in readme] == []
