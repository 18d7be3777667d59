"""What `corsproof fix --unsafe-fixes --allow-origin https://app.example.com` writes, for every
fixture case and example: the unified diff of each changed file, and the description and
applicability of each fix, locked in one reviewed snapshot per case
(`__snapshots__/test_fix_snapshots.ambr`). After an intended change to a fixer, regenerate with
`python -m pytest tests/test_fix_snapshots.py --snapshot-update` and review the diff."""

from __future__ import annotations

from pathlib import Path

import pytest
from fix_support import FIX_CASES, case_id, copy_case
from syrupy.assertion import SnapshotAssertion

from corsproof.fix import FixOptions, fix_paths


@pytest.mark.parametrize("case", FIX_CASES, ids=case_id)
def test_fixed_text(
    tmp_path: Path, case: Path, snapshot: SnapshotAssertion, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = copy_case(case, tmp_path / "case")
    monkeypatch.chdir(work)  # diff headers name the files relative to the case
    outcome = fix_paths(
        [str(work)],
        FixOptions(allow_origins=("https://app.example.com",), unsafe=True, scan={"workers": 1}),
    )
    prefix = str(work) + "/"
    fixes = sorted(
        f"{a.finding.location.path.removeprefix(prefix)}:{a.finding.location.line}: "  # type: ignore[union-attr]
        f"{a.finding.rule_id} {a.fix.applicability}: {a.fix.description}"
        for a in outcome.applied
    )
    diffs = {
        path.removeprefix(prefix): diff.replace(prefix, "")
        for path, diff in sorted(outcome.diffs.items())
    }
    assert {"fixes": fixes, "diffs": diffs} == snapshot
