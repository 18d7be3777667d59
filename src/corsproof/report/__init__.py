"""Reporters: turn a ScanResult into text, JSON, SARIF, HTML or GitHub workflow commands. They
know findings, never rule ids.

Adding a format is one module with a `render_<name>(result, color=False) -> str` function and one
line in `FORMATS`; the command line offers every name listed here.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corsproof.findings import ScanResult

# format name -> module under corsproof.report (imported only when that format is asked for)
FORMATS: dict[str, str] = {
    "text": "text",
    "json": "json",
    "sarif": "sarif",
    "html": "html",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
    "jsonl": "jsonl",
}


def renderer(name: str) -> Callable[..., str]:
    """The `render_<name>` function of a format listed in FORMATS."""
    module = import_module(f"corsproof.report.{FORMATS[name]}")
    return getattr(module, f"render_{name}")


def render(name: str, result: ScanResult, color: bool = False, **view: object) -> str:
    """The report in format `name`; `view`: options of the terminal view a format has (text:
    `frames`, `width`), given only when the report goes to a terminal."""
    return renderer(name)(result, color=color, **view)


def __getattr__(attribute: str) -> Callable[..., str]:
    # `from corsproof.report import render_json` keeps working, still imported on demand
    if attribute.startswith("render_") and attribute[len("render_") :] in FORMATS:
        return renderer(attribute[len("render_") :])
    raise AttributeError(f"module 'corsproof.report' has no attribute {attribute!r}")


__all__ = ["FORMATS", "render", "renderer"]
