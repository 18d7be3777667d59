"""JSON Lines (`--format jsonl`): one object a line, each with `"type"`: `"finding"` (exactly the
fields of a finding in the JSON report), `"error"` (those of an `errors` entry) or `"done"` (one per
finished unit of work: `{"target", "findings", "status": "ok"|"failed"}`, a probe target by its URL
as given, a scanned path or repository as named).

`probe --format jsonl` streams: each target's lines are written and flushed when it is done, and
nothing is kept (`JsonlStream`); `render_jsonl` writes a whole result at once (`scan`, whose findings
are judged across files at the end)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from corsproof.findings import FileError, Finding, ScanResult, UnitDone


def _line(kind: str, fields: dict[str, Any]) -> str:
    # ASCII only: U+2028, U+0085 and friends are line breaks to some readers (str.splitlines)
    return json.dumps({"type": kind, **fields}) + "\n"


def lines(
    findings: Iterable[dict[str, Any]],
    errors: Iterable[dict[str, Any]],
    dones: Iterable[dict[str, Any]],
) -> str:
    """Finding lines, then error lines, then `done` lines, from their JSON objects."""
    return (
        "".join(_line("finding", f) for f in findings)
        + "".join(_line("error", e) for e in errors)
        + "".join(_line("done", d) for d in dones)
    )


def unit_lines(findings: Iterable[Finding], errors: Iterable[FileError], done: UnitDone) -> str:
    """A finished unit's lines: its findings, its errors, then its `done` line."""
    return lines((f.to_json() for f in findings), (e.to_json() for e in errors), [done.to_json()])


def render_jsonl(result: ScanResult, color: bool = False) -> str:
    return lines(
        (f.to_json() for f in result.findings),
        (e.to_json() for e in result.errors),
        (u.to_json() for u in result.units_done),
    )


class JsonlStream:
    """Writes each unit's lines as it finishes, in one write, and flushes them (a run killed at
    any moment leaves whole units, then at most one partial unit: see corsproof.scale._resume);
    keeps only counts and the worst severities seen."""

    def __init__(self, out: TextIO, known: set[str] | None = None) -> None:
        self.out = out
        self.known = known or set()  # a baseline's fingerprints: not reported
        self.findings = 0
        self.errors = 0
        self.hidden = 0
        self.units = 0
        self.severities: set[str] = set()

    def unit_done(self, findings: list[Finding], errors: list[FileError], done: UnitDone) -> None:
        self.block([f.to_json() for f in findings], [e.to_json() for e in errors], done.to_json())

    def block(
        self, findings: list[dict[str, Any]], errors: list[dict[str, Any]], done: dict[str, Any]
    ) -> None:
        """A finished unit given as JSON objects (what a cluster worker sends back)."""
        kept = [f for f in findings if f.get("fingerprint") not in self.known]
        self.hidden += len(findings) - len(kept)
        self.findings += len(kept)
        self.errors += len(errors)
        self.units += 1
        self.severities.update(str(f["severity"]) for f in kept)
        self.out.write(lines(kept, errors, [{**done, "findings": len(kept)}]))
        self.out.flush()
