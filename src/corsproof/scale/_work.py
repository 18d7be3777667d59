"""The units of work, as any process runs them (this one, or a cluster worker): a list of probe
targets, or one repository to scan. Arguments and results are plain data."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from typing import Any

from corsproof.findings import FileError, Target, UnitDone
from corsproof.scale._blocks import Block

CLONE_TIMEOUT = 600.0  # seconds for one shallow clone
# a git remote rather than a directory: scheme://…, user@host:path (scp-like), or *.git
_REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[\w.-]+@[\w.-]+:|\.git/?$")


def probe_unit(targets: list[tuple[str, str]], options: dict[str, Any]) -> tuple[list[Block], int]:
    """Probe `(url, method)` targets with `ProbeOptions(**options)`: one block per target, and
    the requests sent (the client keeps `--max-requests` for the whole run)."""
    from corsproof.probe import ProbeOptions, probe_targets

    blocks: list[Block] = []
    probe_options = ProbeOptions(**options)
    probe_options.on_target = lambda findings, errors, done: blocks.append(
        Block.of(findings, errors, done)
    )
    result = probe_targets([Target(url, method) for url, method in targets], probe_options)
    return blocks, result.requests_sent


def is_remote(source: str) -> bool:
    return bool(_REMOTE.search(source)) and not os.path.isdir(source)


def scan_repository(source: str, options: dict[str, Any]) -> Block:
    """Scan one repository: a local directory, or a git URL cloned shallowly into a temporary
    directory (deleted afterwards). Paths are relative to the repository; findings carry
    `"repository": source`."""
    if not is_remote(source):
        return _scan(source, source, options)
    holder = tempfile.mkdtemp(prefix="corsproof-repo-")
    try:
        checkout = os.path.join(holder, "repo")
        failure = _clone(source, checkout)
        if failure is not None:
            return Block.of([], [FileError(source, failure)], UnitDone(source, 0, "failed"))
        return _scan(source, checkout, options)
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def _clone(source: str, checkout: str) -> str | None:
    """None when `git clone --depth 1` worked, else why not (one line)."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true"}
    try:
        proc = subprocess.run(
            ["git", "clone", "--quiet", "--depth", "1", "--no-tags", "--", source, checkout],
            capture_output=True,
            text=True,
            timeout=CLONE_TIMEOUT,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        return "cannot clone: git is not installed"
    except subprocess.TimeoutExpired:
        return f"cannot clone: no result within {CLONE_TIMEOUT:g}s"
    if proc.returncode != 0:
        why = " ".join((proc.stderr or proc.stdout).split())[-300:] or f"exit {proc.returncode}"
        return f"cannot clone: {why}"
    return None


def _scan(source: str, root: str, options: dict[str, Any]) -> Block:
    from corsproof.static import scan_paths

    if not os.path.isdir(root):
        why = "no such directory" if not os.path.exists(root) else "not a directory"
        return Block.of([], [FileError(source, why)], UnitDone(source, 0, "failed"))
    result = scan_paths([root], **options)
    block = Block.of(result.findings, result.errors, UnitDone(source, 0, "ok"), repository=source)
    prefix = root.rstrip("/\\") + os.sep
    for item in (*block.findings, *block.errors):
        where = item.get("location") or item
        path = where.get("path")
        if isinstance(path, str) and path.startswith(prefix):
            where["path"] = path[len(prefix) :]
    failed = result.analysed == 0 and bool(result.errors)
    block.done = UnitDone(source, len(block.findings), "failed" if failed else "ok").to_json()
    return block
