"""Rule documentation as Markdown: what `corsproof explain` prints, SARIF's help, docs/rules/*.md.

Regenerate the docs with `python -m corsproof.rules._docs docs/rules` (a test fails when they drift).
"""

from __future__ import annotations

import sys
from pathlib import Path

from corsproof.rules._base import Rule, all_rules


def render_markdown(rule: type[Rule]) -> str:
    cwe = ", ".join(f"[CWE-{c}](https://cwe.mitre.org/data/definitions/{c}.html)" for c in rule.cwe)
    return (
        f"# {rule.id} {rule.name}\n\n"
        f"Default severity: **{rule.severity}** · {cwe}\n\n"
        f"{rule.doc()}\n"
    )


def write_all(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for rule in all_rules():
        path = directory / f"{rule.id}.md"
        path.write_text(render_markdown(rule), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
    for path in write_all(target):
        print(path)
