"""Ruff-style fixtures: every case under tests/fixtures/<adapter>/ (a file or a project directory)
states its expected findings inline with `# expect: CORS1xx` on the reported line; a case without
expectations must produce nothing. The comments are the reviewed snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from corsproof.rules import all_rules
from fixture_support import FIXTURES, actual, expectations, fixture_cases

CASES = fixture_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.relative_to(FIXTURES).as_posix() for c in CASES])
def test_fixture(case: Path) -> None:
    assert actual(case) == expectations(case)


def test_every_rule_has_a_positive_fixture() -> None:
    expected = {rule for case in CASES for (_, _, rule) in expectations(case)}
    missing = {r.id for r in all_rules()} - expected
    assert not missing, f"rules without a positive fixture: {sorted(missing)}"


def test_every_adapter_has_a_negative_fixture() -> None:
    for directory in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        cases = [c for c in CASES if c.parent == directory]
        assert any(not expectations(c) for c in cases), (
            f"{directory.name}: no case without findings"
        )
