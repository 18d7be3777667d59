"""The fixture harness: expected findings written inline as `# expect: CORS101` comments."""

from __future__ import annotations

import re
from pathlib import Path

from corsproof import scan_paths
from corsproof.static.walker import is_dependency_file, is_source

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def expectations(case: Path) -> set[tuple[str, int, str]]:
    """(relative file, line, rule) for every `# expect: CORS101, CORS201` comment in a case: in
    its Python files and in the requirement/lock files the scan reads (those allowing comments)."""
    files = (
        [case]
        if case.is_file()
        else sorted(
            p
            for p in case.rglob("*")
            if p.is_file() and (is_source(p.name) or is_dependency_file(p.name, p.parent.name))
        )
    )
    found: set[tuple[str, int, str]] = set()
    for file in files:
        rel = file.relative_to(case).as_posix() if case.is_dir() else file.name
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                for rule in match.group(1).split(","):
                    if rule.strip():
                        found.add((rel, number, rule.strip()))
    return found


def actual(case: Path) -> set[tuple[str, int, str]]:
    result = scan_paths([str(case)], workers=1)
    assert not result.errors, result.errors
    out = set()
    for finding in result.findings:
        assert finding.location is not None
        path = Path(finding.location.path)
        rel = path.relative_to(case).as_posix() if case.is_dir() else path.name
        out.add((rel, finding.location.line, finding.rule_id))
    return out


def fixture_cases() -> list[Path]:
    return sorted(
        p
        for d in FIXTURES.iterdir()
        if d.is_dir()
        for p in d.iterdir()
        if not p.name.startswith((".", "_"))
    )
