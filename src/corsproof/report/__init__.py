"""Reporters: turn a ScanResult into text, JSON, SARIF, HTML or GitHub workflow commands. They know findings, never rule ids."""

from corsproof.report.github import render_github
from corsproof.report.html import render_html
from corsproof.report.json import render_json
from corsproof.report.sarif import render_sarif
from corsproof.report.text import render_text

FORMATS = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "html": render_html,
    "github": render_github,
}

__all__ = ["FORMATS", "render_github", "render_html", "render_json", "render_sarif", "render_text"]
