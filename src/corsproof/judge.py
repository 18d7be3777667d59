"""Run the rule catalogue over policies and turn issues into findings.

Shared by `scan` (policies from source) and `probe` (policies observed on live endpoints): one
root cause, one finding per place; suppressions; stable order and fingerprints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from corsproof.deps import Dependency
from corsproof.findings import (
    SEVERITY_RANK,
    Finding,
    Location,
    RuleInfo,
    Target,
    Where,
    assign_fingerprints,
)
from corsproof.policy import CorsPolicy
from corsproof.rules import DependencyFacts, PolicyFacts, Rule, all_rules


def _place(where: Where) -> tuple[str, int, int, str]:
    if isinstance(where, Location):
        return (where.path, where.line, where.column, "")
    return (where.url, 0, 0, where.method)


def _rank(finding: Finding) -> tuple[int, int]:
    return SEVERITY_RANK[finding.severity], len(finding.context)


def rules_judged(select: set[str] | None, ignore: set[str] | None = None) -> tuple[RuleInfo, ...]:
    """The catalogue entries of the rules a run with this selection judges with."""
    return tuple(
        RuleInfo(rule.id, rule.name, rule.severity, tuple(rule.cwe), rule.summary, rule.doc())
        for rule in all_rules()
        if (select is None or rule.id in select) and not (ignore and rule.id in ignore)
    )


def judge_policies(
    policies: Iterable[tuple[CorsPolicy | Dependency, frozenset[str]]],
    *,
    select: set[str] | None = None,
    ignore: set[str] | None = None,
    extra_trusted: tuple[str, ...] = (),
    suppressed: Callable[[Finding], bool] = lambda _finding: False,
) -> tuple[list[Finding], int]:
    """Findings for `(policy or dependency, auth context)` pairs, and how many were suppressed."""
    rules = [
        rule()
        for rule in all_rules()
        if (select is None or rule.id in select) and not (ignore and rule.id in ignore)
    ]
    judging: dict[type, list[Rule]] = {PolicyFacts: [], DependencyFacts: []}
    for rule in rules:
        judging[rule.judges].append(rule)
    best: dict[tuple[str, tuple[str, int, int, str]], Finding] = {}
    # where every origin is sent back: that echo is why the value varies (see below)
    echoed: set[tuple[str, int, int, str]] = set()
    for subject, auth in policies:
        facts: PolicyFacts | DependencyFacts
        if isinstance(subject, Dependency):
            facts = DependencyFacts(subject, auth)
        else:
            if subject.any_origin is not None and subject.any_echo:
                echoed.add(_place(subject.any_origin))
            facts = PolicyFacts(subject, auth, extra_trusted)
        for rule in judging[type(facts)]:
            for issue in rule.check(facts):
                finding = Finding(
                    rule_id=rule.id,
                    rule_name=rule.name,
                    severity=issue.severity,
                    message=issue.message,
                    location=issue.loc if isinstance(issue.loc, Location) else None,
                    target=issue.loc if isinstance(issue.loc, Target) else None,
                    proof_origin=issue.proof_origin,
                    context=list(issue.context),
                    fix=issue.fix or rule.fix_hint,
                    evidence=issue.evidence,
                    framework=subject.framework,
                )
                key = (rule.id, _place(issue.loc))
                kept = best.get(key)
                if kept is None or _rank(finding) > _rank(kept):
                    best[key] = finding
    # one root cause, one finding: what each rule declares it supersedes at its place
    superseding = {rule.id: rule.supersedes for rule in rules}
    hidden_at = {
        (target, place)
        for rule_id, place in best
        for target, echo_only in superseding.get(rule_id, ())
        if not echo_only or place in echoed
    }
    findings: list[Finding] = []
    hidden = 0
    for key, finding in best.items():
        if key in hidden_at:
            continue
        if suppressed(finding):
            hidden += 1
        else:
            findings.append(finding)
    findings.sort(key=lambda f: (_place(f.location or f.target), f.rule_id))  # type: ignore[arg-type]
    assign_fingerprints(findings)
    return findings, hidden
