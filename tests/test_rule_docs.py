"""Every rule is documented in the fixed sections, with per-framework fixes and its CWEs."""

from __future__ import annotations

import re

import pytest

from corsproof.findings import SEVERITIES
from corsproof.report.html import HANDWRITTEN, LIBRARIES, fix_entries, fix_section, framework_fix
from corsproof.rules import all_rules

RULES = all_rules()
SECTIONS = ["What it finds", "Why it matters", "Example (noncompliant)", "Fix", "References"]
FRAMEWORKS = ["Django (django-cors-headers)", "Flask (flask-cors)", "FastAPI/Starlette", "By hand"]
# the libraries corsproof models beyond the three above, as each Fix section labels them
MORE_LIBRARIES = [
    "Quart (quart-cors)",
    "Sanic (sanic-cors / sanic-ext)",
    "aiohttp (aiohttp-cors)",
    "Falcon (CORSMiddleware)",
    "Litestar (CORSConfig)",
    "CherryPy (cherrypy-cors)",
]


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
def test_every_library_has_its_own_fix_entry(rule: type) -> None:
    """The HTML report shows the Fix entry whose label names the finding's library: every library
    it knows, and hand-written headers, has an entry of its own in every rule (not a mention in
    another library's entry, not the general fallback)."""
    entries = fix_entries(fix_section(rule.doc()))
    labels = [label for entry in entries for label in entry.labels]
    for library in (*LIBRARIES, HANDWRITTEN):
        chosen, missing = framework_fix([library], entries)
        assert chosen and not missing, f"{rule.id}: no fix entry for {library.title}"
        for entry in chosen:
            assert any(
                re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", label, re.I)
                for label in entry.labels
                for word in library.words
            ), f"{rule.id}: {library.title} gets {entry.labels}, which does not name it"
    # each with the label the documentation uses, before the general "By hand" entry
    for label in MORE_LIBRARIES:
        assert label in labels, f"{rule.id}: no **{label}** entry"
        assert labels.index(label) < labels.index("By hand"), f"{rule.id}: {label} after By hand"


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
