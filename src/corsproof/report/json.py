"""The JSON contract of OUTPUT.md: keys and shapes are relied on by other tools; keep them exact."""

from __future__ import annotations

import json
from typing import Any

from corsproof._version import __version__
from corsproof.findings import ScanResult


def to_document(result: ScanResult) -> dict[str, Any]:
    document = {
        "tool": {"name": "corsproof", "version": __version__},
        "findings": [f.to_json() for f in result.findings],
        "errors": [e.to_json() for e in result.errors],
        "unresolved": [u.to_json() for u in getattr(result, "unresolved", ())],
        "stats": {
            "files_scanned": result.analysed,
            "files_skipped": result.skipped,
            "suppressed": result.suppressed,
            "duration_s": result.duration_s,
            "unresolved": len(getattr(result, "unresolved", ())),
        },
    }
    if result.unused_suppressions is not None:  # --report-unused-suppressions
        document["unused_suppressions"] = [u.to_json() for u in result.unused_suppressions]
    return document


def render_json(result: ScanResult, color: bool = False) -> str:
    return json.dumps(to_document(result), indent=2) + "\n"
