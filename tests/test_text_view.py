"""The text report's terminal view: `NO_COLOR` removes colour, not the code frames; a piped
`FORCE_COLOR` run wraps at `COLUMNS`, or not at all; the summary counts by severity and says
`1 file`."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

LONG = "z" * 150
APP = f"""\
from flask_cors import CORS

CORS(app, origins="*", supports_credentials=True)  # {LONG}
"""


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "TERM")
    }
    return {**env, "TERM": "xterm", **extra}


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run corsproof with stdout on a pseudo-terminal (80 columns by default) and read it."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "corsproof", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", errors="replace").replace("\r\n", "\n")


def _piped(args: list[str], env: dict[str, str]) -> str:
    return subprocess.run(
        [sys.executable, "-m", "corsproof", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    ).stdout


def test_no_color_on_a_terminal_keeps_the_code_frame(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    args = ["scan", "--no-config", "--no-progress", str(tmp_path / "app.py")]
    coloured = _on_a_terminal(args, _env())
    plain = _on_a_terminal(args, _env(NO_COLOR="1"))
    assert "\x1b[" in coloured and "\x1b[" not in plain
    # the frame: the line before, numbered, and the reported line marked
    assert "  2 \n" in plain or "  2\n" in plain
    assert "❱ 3 CORS(app" in plain
    assert "CORS102" in plain and "proof: Origin: https://corsproof-attacker.example" in plain


def test_forced_colour_through_a_pipe_wraps_at_columns_or_not_at_all(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    args = ["scan", "--no-config", "--no-progress", str(tmp_path / "app.py")]
    unwrapped = _piped(args, _env(FORCE_COLOR="1", NO_COLOR="1"))
    assert f"# {LONG}\n" in unwrapped  # the source line whole
    assert "❱ 3 CORS(app" in unwrapped
    wrapped = _piped(args, _env(FORCE_COLOR="1", NO_COLOR="1", COLUMNS="60"))
    assert f"# {LONG}" not in wrapped
    assert max(len(line) for line in wrapped.splitlines()) <= 60
    assert "❱ 3 CORS(app" in wrapped


def test_plain_pipe_summary(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    out = _piped(["scan", "--no-config", "--no-progress", str(tmp_path)], _env())
    assert "\x1b[" not in out and "❱" not in out
    assert out.splitlines()[-1].startswith("Found 1 finding (1 critical) in 1 file in ")
