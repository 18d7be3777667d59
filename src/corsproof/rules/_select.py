"""Which rules run: selectors as Ruff reads them.

A selector is a rule id (`CORS104`), a prefix of ids (`CORS1`, `CORS10`) or `ALL`. A rule runs
when the most specific selector that matches it comes from the select side: with `--select CORS1
--ignore CORS10 --select CORS104`… the longer (more specific) selector wins, and an ignore wins a
tie. Nothing selected means `ALL`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from corsproof.rules._base import all_rules

ALL = "ALL"


def rule_ids() -> list[str]:
    return [rule.id for rule in all_rules()]


def _specificity(selector: str, rule_id: str) -> int:
    """How specifically `selector` names `rule_id` (its length), -1 when it does not."""
    if selector == ALL:
        return 0
    return len(selector) if rule_id.startswith(selector) else -1


def unknown_selectors(selectors: Iterable[str]) -> list[str]:
    """The selectors that name no rule, each with the closest valid one when there is one
    (`CORS1O4 (did you mean CORS104?)`)."""
    ids = rule_ids()
    prefixes = sorted({rule_id[:n] for rule_id in ids for n in range(5, len(rule_id) + 1)})
    out = []
    for selector in dict.fromkeys(selectors):
        if selector == ALL or any(rule_id.startswith(selector) for rule_id in ids):
            continue
        close = difflib.get_close_matches(selector, [*ids, *prefixes, ALL], n=1, cutoff=0.5)
        out.append(f"{selector} (did you mean {close[0]}?)" if close else selector)
    return out


def selected_rules(select: Iterable[str] | None, ignore: Iterable[str] | None) -> set[str]:
    """The ids of the rules that run."""
    chosen = list(select) if select else [ALL]
    dropped = list(ignore or ())
    out = set()
    for rule_id in rule_ids():
        taken = max((_specificity(s, rule_id) for s in chosen), default=-1)
        left = max((_specificity(s, rule_id) for s in dropped), default=-1)
        if taken >= 0 and taken > left:
            out.add(rule_id)
    return out


def matches(selectors: Iterable[str], rule_id: str) -> bool:
    """Does one of `selectors` (ids, prefixes, `ALL`, `*`) name `rule_id`?"""
    return any(s == "*" or _specificity(s, rule_id) >= 0 for s in selectors)
