"""Every JSON report the test suite produces is checked against docs/report.schema.json.

`install()` wraps `corsproof.report.json.to_document` (the one place a JSON report is made) so
that each document is validated as it is made: in the pytest process (tests/conftest.py), and in
every `python -m corsproof` child a test starts (tests/schema_hook/sitecustomize.py, put on
PYTHONPATH by conftest). A document that does not match fails the test that produced it; a
child process fails with a traceback and a non-zero exit."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "report.schema.json"
COUNT_ENV = "CORSPROOF_TEST_SCHEMA_COUNT"  # a file each validated document appends a line to


@functools.cache
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


class SchemaMismatch(AssertionError):
    pass


def check(document: Any) -> None:
    """Raise SchemaMismatch naming every place where `document` leaves the schema."""
    # through JSON and back: what a consumer would read (tuples become lists, and so on)
    errors = sorted(
        validator().iter_errors(json.loads(json.dumps(document))), key=lambda e: list(e.path)
    )
    if errors:
        lines = [f"  at /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10]]
        raise SchemaMismatch(
            "JSON report does not match docs/report.schema.json:\n" + "\n".join(lines)
        )
    counter = os.environ.get(COUNT_ENV)
    if counter:
        with open(counter, "a", encoding="utf-8") as handle:
            handle.write("1\n")


@functools.cache
def line_validator() -> Draft202012Validator:
    """For one line of `--format jsonl` (`$defs/jsonl_line` of the same schema)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator({"$ref": "#/$defs/jsonl_line", "$defs": schema["$defs"]})


def check_lines(text: str) -> list[Any]:
    """Every line of a JSON Lines report, parsed, each checked against the schema."""
    out = []
    for number, line in enumerate(text.split("\n")[:-1], 1):
        item = json.loads(line)
        errors = list(line_validator().iter_errors(item))
        if errors:
            raise SchemaMismatch(f"JSON Lines line {number}: {errors[0].message}")
        out.append(item)
    assert text == "" or text.endswith("\n"), "the last line is not terminated"
    return out


def install() -> None:
    from corsproof.report import json as report_json

    made = report_json.to_document
    if getattr(made, "_schema_checked", False):
        return

    @functools.wraps(made)
    def checked(*args: Any, **kwargs: Any) -> dict[str, Any]:
        document = made(*args, **kwargs)
        check(document)
        return document

    checked._schema_checked = True  # type: ignore[attr-defined]
    report_json.to_document = checked  # type: ignore[assignment]
