"""The rule interface, the registry and what rules share about a policy.

A rule is one module: a subclass of `Rule` whose docstring is its documentation (sections
"What it finds", "Why it matters", "Example (noncompliant)", "Fix", "References") and whose `check()`
yields `Issue`s for one `CorsPolicy`. `@register` adds it to the catalogue; the engine never names a rule.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Generic, TypeVar

from corsproof.deps import Dependency
from corsproof.findings import Where
from corsproof.origins import CheckVerdict, verdict_of
from corsproof.policy import CorsPolicy, OriginCheck

AUTH_CONTEXT = ("api-key", "authorization-header", "mtls")

_REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    if cls.id in _REGISTRY:
        raise ValueError(f"rule {cls.id} registered twice")
    _REGISTRY[cls.id] = cls
    return cls


def all_rules() -> list[type[Rule]]:
    return [_REGISTRY[key] for key in sorted(_REGISTRY)]


def get_rule(rule_id: str) -> type[Rule] | None:
    return _REGISTRY.get(rule_id.upper())


@dataclass
class Issue:
    """What a rule reports; the engine turns it into a `Finding`."""

    loc: Where
    message: str
    severity: str
    proof_origin: str | None = None
    context: tuple[str, ...] = ()
    evidence: dict[str, Any] | None = None  # probe: the request origin and the response headers
    fix: str | None = None  # how to fix this case, when the rule's `fix_hint` does not fit it


@dataclass
class PolicyFacts:
    """What rules share about one policy: the oracle's verdict on each check, computed once."""

    policy: CorsPolicy
    auth: frozenset[str] = (
        frozenset()
    )  # "api-key", "authorization-header", "mtls" in the application
    extra_trusted: tuple[str, ...] = ()
    _verdicts: list[CheckVerdict] | None = field(default=None, repr=False)

    @property
    def verdicts(self) -> list[CheckVerdict]:
        if self._verdicts is None:
            self._verdicts = [verdict_of(c, self.extra_trusted) for c in self.policy.checks]
        return self._verdicts

    @cached_property
    def any_origin(self) -> tuple[Where, OriginCheck | None] | None:
        """Where every origin is let in: an explicit allow-all, or a check that accepts anything."""
        if self.policy.any_origin is not None:
            return self.policy.any_origin, None
        for verdict in self.verdicts:
            if verdict.first("any"):
                return verdict.check.loc or self.policy.loc, verdict.check
        return None

    @property
    def debug_only(self) -> bool:
        """The whole policy applies only in a debug/development branch (reported as CORS301)."""
        fallback = self.policy.fallback
        return fallback is not None and fallback.kind == "debug"

    @property
    def fallback_reported(self) -> bool:
        """CORS301 reports this policy: a debug-only policy, or an environment default that is
        permissive. A default that is not (`EXTRA or [] + ["http://localhost:5000"]`) is what
        production runs when the variable is missing: its parts are judged like any other."""
        fallback = self.policy.fallback
        return fallback is not None and (fallback.kind == "debug" or self.permissive)

    @property
    def credentials(self) -> bool:
        return self.policy.has_credentials

    @property
    def permissive(self) -> bool:
        """CORS101–104 hold (used by rules whose severity rises with an open origin policy)."""
        return self.any_origin is not None or any(
            v.first("null") or v.first("weak") for v in self.verdicts
        )

    def context(self, *extra: str) -> tuple[str, ...]:
        facts: list[str] = []
        if self.credentials:
            facts.append("credentials")
        facts.extend(a for a in AUTH_CONTEXT if a in self.auth)
        facts.extend(sorted(self.policy.context))
        facts.extend(extra)
        return tuple(dict.fromkeys(facts))


@dataclass
class DependencyFacts:
    """What a rule on dependencies judges: one requirement or lock entry of a CORS library that
    admits only vulnerable versions (`corsproof.deps`)."""

    dependency: Dependency
    auth: frozenset[str] = frozenset()


Facts = TypeVar("Facts", PolicyFacts, DependencyFacts)


class Rule(Generic[Facts]):
    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]  # default severity
    cwe: ClassVar[tuple[int, ...]]
    summary: ClassVar[str]  # one line: what it finds
    fix_hint: ClassVar[str]  # one line: how to fix
    # the findings this rule's finding stands for at the same place (one root cause, one
    # finding): (rule id, only where every origin is sent back). The judge applies them.
    supersedes: ClassVar[tuple[tuple[str, bool], ...]] = ()
    # the parts of a policy (`CorsPolicy` field names) whose observed responses prove this
    # rule's findings: `probe` shows the first it has as the evidence. Without one, the evidence
    # is the response that granted the finding's proof origin.
    proven_by: ClassVar[tuple[str, ...]] = ()

    # what the rule judges: a CORS policy (`PolicyFacts`, the default) or a dependency
    # (`DependencyFacts`); the judge gives each rule only facts of its kind
    judges: ClassVar[type[PolicyFacts] | type[DependencyFacts]] = PolicyFacts

    def check(self, facts: Facts) -> Iterator[Issue]:
        raise NotImplementedError

    @classmethod
    def doc(cls) -> str:
        """The rule's documentation as Markdown, from its docstring."""
        return inspect.cleandoc(cls.__doc__ or "")
