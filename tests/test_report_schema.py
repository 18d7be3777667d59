"""docs/report.schema.json: the published schema of the JSON report, and the check that holds
every JSON report of the suite to it (conftest + report_schema)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import report_schema

from corsproof import scan_paths
from corsproof.report import render_json

ROOT = Path(__file__).resolve().parent.parent


def test_schema_is_valid_and_examples_match_it() -> None:
    result = scan_paths([str(ROOT / "examples")], workers=1)
    document = json.loads(render_json(result))
    assert document["findings"]
    report_schema.check(document)


def test_a_changed_report_fails_the_check() -> None:
    document = json.loads(render_json(scan_paths([str(ROOT / "examples")], workers=1)))
    document["findings"][0]["severity"] = "severe"
    with pytest.raises(report_schema.SchemaMismatch, match="findings/0/severity"):
        report_schema.check(document)
    document = json.loads(render_json(scan_paths([str(ROOT / "examples")], workers=1)))
    document["findings"][0]["surprise"] = 1  # an addition must be written into the schema first
    with pytest.raises(report_schema.SchemaMismatch, match="surprise"):
        report_schema.check(document)
    document = json.loads(render_json(scan_paths([str(ROOT / "examples")], workers=1)))
    document["findings"][0]["target"] = {"url": "http://x/", "method": "GET"}  # both: neither kind
    with pytest.raises(report_schema.SchemaMismatch):
        report_schema.check(document)


def test_reports_made_in_process_and_in_children_are_checked(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    os.environ[report_schema.COUNT_ENV] = str(counter)
    try:
        render_json(scan_paths([str(ROOT / "examples")], workers=1))
        proc = subprocess.run(
            [sys.executable, "-m", "corsproof", "scan", "--format", "json", str(ROOT / "examples")],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        del os.environ[report_schema.COUNT_ENV]
    assert proc.returncode == 1, proc.stderr
    assert counter.read_text().count("\n") == 2  # one in this process, one in the child
