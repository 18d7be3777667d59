"""Reporters: turn a ScanResult into text or JSON. They know findings, never rule ids."""

from corsproof.report.json import render_json
from corsproof.report.text import render_text

FORMATS = {"text": render_text, "json": render_json}

__all__ = ["FORMATS", "render_json", "render_text"]
