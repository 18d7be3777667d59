"""Every rule is documented in the fixed sections, with per-framework fixes and its CWEs."""

from __future__ import annotations

import re

import pytest

from corsproof.findings import SEVERITIES
from corsproof.rules import all_rules

RULES = all_rules()
SECTIONS = ["What it finds", "Why it matters", "Example (noncompliant)", "Fix", "References"]
FRAMEWORKS = ["Django (django-cors-headers)", "Flask (flask-cors)", "FastAPI/Starlette", "By hand"]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_documentation(rule: type) -> None:
    doc = rule.doc()
    headings = re.findall(r"^## (.+)$", doc, re.MULTILINE)
    assert headings == SECTIONS
    fix = doc.split("## Fix", 1)[1].split("## References", 1)[0]
    for framework in FRAMEWORKS:
        assert f"**{framework}**" in fix, framework
    references = doc.split("## References", 1)[1]
    for cwe in rule.cwe:
        assert f"CWE-{cwe}:" in references
    assert "```python" in doc.split("## Example (noncompliant)", 1)[1].split("## Fix", 1)[0]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_metadata(rule: type) -> None:
    assert re.fullmatch(r"CORS[123]\d\d", rule.id)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)+", rule.name)
    assert rule.severity in SEVERITIES
    assert rule.summary and rule.fix_hint


def test_generated_rule_docs_do_not_drift() -> None:
    from pathlib import Path

    from corsproof.rules._docs import render_markdown

    docs = Path(__file__).resolve().parent.parent / "docs" / "rules"
    for rule in RULES:
        path = docs / f"{rule.id}.md"
        assert path.is_file(), f"{path} missing: python -m corsproof.rules._docs docs/rules"
        assert path.read_text(encoding="utf-8") == render_markdown(rule), (
            f"{path} drifted from the rule's docstring: python -m corsproof.rules._docs docs/rules"
        )
