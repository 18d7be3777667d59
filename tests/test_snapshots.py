"""Snapshots of every finding (the JSON contract of `Finding.to_json`) and every file error, for
each fixture case and each bundled example: one reviewed `.json` file per case under
`__snapshots__/test_snapshots/`. After an intended change to the analyzer, regenerate them with
`python -m pytest tests/test_snapshots.py --snapshot-update` and review the diff.

Paths are made relative to the case; the fingerprint is kept, as it leaves the path out."""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from corsproof import scan_paths
from fixture_support import FIXTURES, fixture_cases

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).parent / "__snapshots__" / Path(__file__).stem
CASES = fixture_cases()
CASE_IDS = [c.relative_to(FIXTURES).as_posix() for c in CASES]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())

# syrupy drops the '/' of a case id from its file name, then warns it cannot relate the two
pytestmark = pytest.mark.filterwarnings(r"ignore:\s*Can not relate snapshot location:UserWarning")


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def ordered(data: Any) -> Any:
    """Keep the contract's key order: the JSON extension sorts the keys of plain dicts only."""
    if isinstance(data, dict):
        return OrderedDict((key, ordered(value)) for key, value in data.items())
    if isinstance(data, list):
        return [ordered(item) for item in data]
    return data


def document(case: Path) -> dict[str, Any]:
    base = case if case.is_dir() else case.parent
    result = scan_paths([str(case)], workers=1, fixes=True)
    findings = []
    for finding in result.findings:
        data = finding.to_json()
        assert data["location"] is not None, "a static finding without a location"
        data["location"]["path"] = Path(data["location"]["path"]).relative_to(base).as_posix()
        for edit in (data.get("fix") or {}).get("edits", ()):
            edit["path"] = Path(edit["path"]).relative_to(base).as_posix()
        findings.append(data)
    findings.sort(
        key=lambda f: (
            f["location"]["path"],
            f["location"]["line"],
            f["location"]["column"],
            f["rule_id"],
            f["message"],
        )
    )
    errors = [
        {**e.to_json(), "path": Path(e.path).relative_to(base).as_posix()} for e in result.errors
    ]
    doc = {"findings": findings, "errors": errors}
    assert str(ROOT) not in json.dumps(doc), "an absolute path leaked into the snapshot"
    return ordered(doc)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_fixture(case: Path, snapshot_json: SnapshotAssertion) -> None:
    assert document(case) == snapshot_json


@pytest.mark.parametrize("case", EXAMPLES, ids=[c.name for c in EXAMPLES])
def test_example(case: Path, snapshot_json: SnapshotAssertion) -> None:
    assert document(case) == snapshot_json


def test_no_stale_snapshots(request: pytest.FixtureRequest) -> None:
    """A snapshot left by a deleted case fails the run. syrupy flags it itself when pytest runs
    without paths; under `pytest tests/test_snapshots.py` only because this non-parametrised test
    ties the snapshot folder to the module. `--snapshot-update` deletes such files."""
    if request.config.getoption("update_snapshots"):
        return
    names = [f"test_fixture[{i}]" for i in CASE_IDS] + [f"test_example[{c.name}]" for c in EXAMPLES]
    expected = {name.replace("/", "") + ".json" for name in names}
    stale = sorted(p.name for p in SNAPSHOTS.glob("*.json") if p.name not in expected)
    assert not stale, f"snapshots of deleted cases (delete them or use --snapshot-update): {stale}"
