"""Suite-wide: every JSON report produced in this process or in a child process is validated
against docs/report.schema.json (see tests/report_schema.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import report_schema

TESTS = Path(__file__).resolve().parent


@pytest.fixture(autouse=True, scope="session")
def _json_reports_match_the_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    report_schema.validator()  # a broken schema fails at once
    report_schema.install()
    hook = str(TESTS / "schema_hook")
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "CORSPROOF_TEST_SCHEMA_DIR")}
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (hook, saved["PYTHONPATH"]) if p)
    os.environ["CORSPROOF_TEST_SCHEMA_DIR"] = str(TESTS)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
