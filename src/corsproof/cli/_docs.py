"""`corsproof rules` and `corsproof explain`."""

from __future__ import annotations

import argparse
import sys

from corsproof.cli._common import EXIT_CLEAN, _error, _subcommand


def add_docs_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _subcommand(
        sub,
        "rules",
        "list the rule catalogue",
        "List every rule: id, name, default severity, CWE and a one-line summary.",
        ("corsproof rules", "corsproof rules | grep CORS1", "corsproof rules > rules.txt"),
    )
    explain = _subcommand(
        sub,
        "explain",
        "print a rule's documentation",
        "Print a rule's documentation: what it finds, why it matters, an example, the fix for "
        "each framework, references, and what `corsproof fix` rewrites for it.",
        (
            "corsproof explain CORS101",
            "corsproof explain cors302",
            "corsproof explain CORS104 | less",
        ),
    )
    explain.add_argument("rule", metavar="RULE", help="a rule id, e.g. CORS102 (no default)")


def _rules() -> int:
    from corsproof.rules import all_rules

    for rule in all_rules():
        cwe = ", ".join(f"CWE-{c}" for c in rule.cwe)
        print(f"{rule.id}  {rule.name:<30} {rule.severity:<8} {cwe:<22} {rule.summary}")
    return EXIT_CLEAN


def _explain(rule_id: str) -> int:
    from corsproof.rules import get_rule
    from corsproof.rules._docs import render_markdown

    rule = get_rule(rule_id)
    if rule is None:
        return _error(f"unknown rule {rule_id!r} (see `corsproof rules`)")
    sys.stdout.write(render_markdown(rule) + _offered_fixes(rule.id))
    return EXIT_CLEAN


def _offered_fixes(rule_id: str) -> str:
    """The `corsproof fix` section of `explain`: what the rule's fixers rewrite."""
    from corsproof.fix import offered

    fixes = offered(rule_id)
    if not fixes:
        return (
            "\n## Automatic fix (`corsproof fix`)\nNone: this rule's fix needs a decision the "
            "code does not show; see Fix above.\n"
        )
    grouped: dict[tuple[str, str], list[str]] = {}
    for applicability, library, text in fixes:
        grouped.setdefault((applicability, text), []).append(library)
    lines = ["", "## Automatic fix (`corsproof fix`)"]
    for (applicability, text), libraries in grouped.items():
        where = "" if "*" in libraries else f" ({', '.join(libraries)})"
        flag = "" if applicability == "safe" else ", with --unsafe-fixes"
        lines.append(f"- {applicability}{flag}{where}: {text}")
    return "\n".join(lines) + "\n"
