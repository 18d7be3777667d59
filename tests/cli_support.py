"""The command line run as a user runs it: `python -m corsproof` in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def corsproof(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`python -m corsproof ARGS`, its output captured as text. `NO_COLOR` and `FORCE_COLOR` are
    dropped from the caller's environment (a test that wants them sets them in `env`, which is
    added to the environment)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "corsproof", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=cwd,
    )
