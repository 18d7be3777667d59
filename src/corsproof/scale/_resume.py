"""`--resume`: what an earlier JSON Lines report already holds.

A report is written one unit at a time, each unit's lines ending with its `done` line, and each
unit written with one call and flushed. A run killed at any moment (SIGKILL included) leaves whole
units, then perhaps the lines of one unit without its `done` line, the last of them perhaps cut.
Resuming keeps everything up to the last `done` line, cuts the rest off (that unit is done again),
and skips every unit that has a `done` line: each is reported exactly once."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field


class ResumeError(Exception):
    pass


@dataclass
class Resumed:
    """What the kept part of a report holds: the units done, and the severities of its findings
    (a resumed run's exit code is the whole report's)."""

    done: set[str] = field(default_factory=set)
    severities: set[str] = field(default_factory=set)


def finished_units(path: str) -> Resumed:
    """The targets (URLs as given, repositories as listed) with a `done` line in the report at
    `path`, after cutting the file after its last `done` line. A missing file: nothing done."""
    try:
        handle = open(path, "r+b")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return Resumed()
    except OSError as exc:
        raise ResumeError(f"cannot resume from {path}: {exc.strerror or exc}") from None
    done: set[str] = set()
    severities: set[str] = set()
    unit: set[str] = set()  # the severities of the unit being read
    keep = 0  # the offset just after the last complete `done` line
    with handle:
        offset = 0
        for number, raw in enumerate(handle, 1):
            end = offset + len(raw)
            if raw.endswith(b"\n"):
                item = _parse(raw, path, number)
                if item.get("type") == "finding":
                    unit.add(str(item.get("severity")))
                elif item.get("type") == "done":
                    target = item.get("target")
                    if not isinstance(target, str):
                        raise ResumeError(f"{path}:{number}: a done line without a target")
                    done.add(target)
                    severities |= unit
                    unit = set()
                    keep = end
            offset = end
        if offset != keep:
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())
    return Resumed(done, severities)


def _parse(raw: bytes, path: str, number: int) -> dict[str, object]:
    try:
        item = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ResumeError(
            f"{path}:{number}: not a corsproof JSON Lines report (the line is not JSON); "
            "resume only from a report written with --format jsonl"
        ) from None
    if not isinstance(item, dict) or item.get("type") not in ("finding", "error", "done"):
        raise ResumeError(f"{path}:{number}: not a line of a corsproof JSON Lines report")
    return item
