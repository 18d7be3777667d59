"""Baselines: record today's findings, report only new ones tomorrow.

Keyed on fingerprints, which ignore line numbers and file moves and count duplicates (the second
identical finding has its own fingerprint), so a new copy of an old problem is still reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from corsproof._version import __version__
from corsproof.findings import ScanResult

FORMAT = "corsproof-baseline"


class BaselineError(Exception):
    pass


@dataclass
class BaselineOutcome:
    matched: int
    new: int
    stale: int  # entries of the baseline no longer found (fixed)


def write_baseline(result: ScanResult, path: str) -> None:
    entries = [
        {
            "fingerprint": f.fingerprint,
            "rule_id": f.rule_id,
            "where": (
                f"{f.location.path}:{f.location.line}"
                if f.location
                else f"{f.target.method} {f.target.url}"
                if f.target
                else ""
            ),
            "message": f.message,
        }
        for f in result.findings
    ]
    document = {"format": FORMAT, "version": 1, "tool_version": __version__, "findings": entries}
    Path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def load_baseline(path: str) -> set[str]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BaselineError(f"{path} is not a corsproof baseline (write one with --write-baseline)")
    return {
        e["fingerprint"]
        for e in document.get("findings", [])
        if isinstance(e, dict) and "fingerprint" in e
    }


def apply_baseline(result: ScanResult, fingerprints: set[str]) -> BaselineOutcome:
    """Drop findings already in the baseline; they no longer count for the exit code."""
    kept = [f for f in result.findings if f.fingerprint not in fingerprints]
    matched = len(result.findings) - len(kept)
    seen = {f.fingerprint for f in result.findings}
    result.findings = kept
    return BaselineOutcome(matched=matched, new=len(kept), stale=len(fingerprints - seen))
