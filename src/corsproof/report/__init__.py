"""Reporters: turn a ScanResult into text, JSON, SARIF or HTML. They know findings, never rule ids."""

from corsproof.report.html import render_html
from corsproof.report.json import render_json
from corsproof.report.sarif import render_sarif
from corsproof.report.text import render_text

FORMATS = {"text": render_text, "json": render_json, "sarif": render_sarif, "html": render_html}

__all__ = ["FORMATS", "render_html", "render_json", "render_sarif", "render_text"]
