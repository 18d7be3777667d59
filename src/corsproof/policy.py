"""CorsPolicy: the one model every adapter produces and every rule judges.

An adapter (static: a framework's configuration or hand-written header code; dynamic: observed
responses) fills in what the policy *effectively* does, with the source location of each part.
Rules never look at framework configuration, only at this model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from corsproof.findings import Unresolved, Where

MatchHow = Literal["exact", "match", "search", "fullmatch", "predicate", "observed"]


@dataclass(frozen=True)
class OriginCheck:
    """One way an origin can be accepted: an exact entry, a regex applied with a given function,
    or a predicate (a small expression tree evaluated on the request origin); the prober records
    what a live endpoint granted as an `observed` check.

    `describe` is how the check reads in the code (`re.match(r'https://.*\\.example\\.com')`,
    `origin.endswith("example.com")`).
    """

    how: MatchHow
    value: str = ""  # exact origin, regex pattern, or (observed) the trusted origin probed around
    flags: int = 0
    predicate: tuple[Any, ...] | None = None
    describe: str = ""
    loc: Where | None = None
    # observed: the origins a live endpoint granted; the check "accepts" exactly these
    accepted: frozenset[str] = frozenset()

    def accepts(self, origin: str) -> bool:
        try:
            if self.how == "exact":
                if self.flags & re.IGNORECASE:
                    return origin.lower() == self.value.lower()
                return origin == self.value
            if self.how == "observed":
                return origin in self.accepted
            if self.how == "predicate":
                assert self.predicate is not None
                return bool(evaluate_predicate(self.predicate, origin))
            pattern = re.compile(self.value, self.flags)
            return getattr(pattern, self.how)(origin) is not None
        except (re.error, RecursionError, TypeError, ValueError):
            return False


def _transform(name: str, value: Any) -> Any:
    from urllib.parse import urlsplit

    if not isinstance(value, str):
        return None
    if name == "lower":
        return value.lower()
    if name == "strip":
        return value.strip()
    if name in ("hostname", "netloc", "scheme", "port"):
        try:
            return getattr(urlsplit(value), name)
        except ValueError:
            return None
    raise ValueError(name)


def evaluate_predicate(node: tuple[Any, ...], origin: str) -> Any:
    """Evaluate a predicate tree on `origin`.

    Nodes: ("origin",) the request origin; ("const", v); ("apply", fn, node) for `lower`/`hostname`…;
    ("and", a, b, ...); ("or", ...); ("not", a); ("eq", a, b); ("ne", a, b); ("in", a, b) meaning
    `a in b`; ("method", name, subject, arg) for str methods endswith/startswith (arg may be a tuple);
    ("regex", fn, pattern, flags, subject); ("true",).
    """
    op = node[0]
    if op == "origin":
        return origin
    if op == "const":
        return node[1]
    if op == "true":
        return True
    if op == "apply":
        return _transform(node[1], evaluate_predicate(node[2], origin))
    if op == "and":
        return all(evaluate_predicate(n, origin) for n in node[1:])
    if op == "or":
        return any(evaluate_predicate(n, origin) for n in node[1:])
    if op == "not":
        return not evaluate_predicate(node[1], origin)
    if op in ("eq", "ne"):
        equal = evaluate_predicate(node[1], origin) == evaluate_predicate(node[2], origin)
        return equal if op == "eq" else not equal
    if op == "in":
        needle, hay = evaluate_predicate(node[1], origin), evaluate_predicate(node[2], origin)
        if needle is None or hay is None:
            return False
        if isinstance(hay, str) and not isinstance(needle, str):
            return False
        return needle in hay
    if op == "method":
        subject = evaluate_predicate(node[2], origin)
        arg = evaluate_predicate(node[3], origin)
        if not isinstance(subject, str):
            return False
        if isinstance(arg, list):
            arg = tuple(arg)
        return getattr(subject, node[1])(arg)
    if op == "regex":
        subject = evaluate_predicate(node[4], origin)
        if not isinstance(subject, str):
            return False
        return getattr(re.compile(node[2], node[3]), node[1])(subject) is not None
    raise ValueError(f"unknown predicate node {op!r}")


@dataclass(frozen=True)
class Fallback:
    """The policy is permissive only in some environments (CORS301)."""

    kind: Literal["env-default", "debug"]
    detail: str  # the env var name or the debug condition as written
    loc: Where


@dataclass(frozen=True)
class OriginVaries:
    """The Access-Control-Allow-Origin value a response carries depends on the request's Origin:
    an echo, one of several values, or the header present for some origins only."""

    loc: Where  # where the value is chosen
    vary_origin: bool  # the response names Origin in `Vary`


@dataclass(frozen=True)
class NotApplied:
    """The CORS configuration does not act on (some) responses: its middleware is not installed,
    or is placed where another layer answers first."""

    reason: str  # what the adapter found, in the framework's words
    loc: Where
    missing: bool = False  # not installed at all (rather than placed where it cannot act)


@dataclass
class CorsPolicy:
    """The effective CORS behaviour of one configuration (one CORS() call, one settings module,
    one middleware, one hand-written handler)."""

    framework: str
    loc: Where  # anchor: the call / settings module / header assignment
    # every origin is allowed; `any_echo`: the library sends the request origin back rather than `*`
    any_origin: Where | None = None
    any_echo: bool = False
    # with credentials on, "any" becomes an echo (django-cors-headers, flask-cors, Starlette, …)
    echo_with_credentials: bool = True
    checks: list[OriginCheck] = field(default_factory=list)
    credentials: Where | None = None
    any_method: Where | None = None
    any_header: Where | None = None
    # (probing) the grant is the request's own method / headers sent back, not a `*`
    method_sent_back: str = ""
    headers_sent_back: str = ""
    expose_headers: tuple[str, ...] = ()
    expose_loc: Where | None = None
    private_network: Where | None = None
    # the Access-Control-Allow-Origin value depends on the request (whether `Vary: Origin` goes
    # with it is part of the fact)
    origin_varies: OriginVaries | None = None
    fallback: Fallback | None = None
    # the configuration does not act on (some) responses: middleware missing or misplaced
    not_applied: NotApplied | None = None
    # Django split settings: the module this policy was evaluated for and what it star-imports
    module_path: str | None = None
    star_imports: tuple[str, ...] = ()
    context: frozenset[str] = frozenset()  # facts found with the policy (e.g. "debug-only")
    # options whose value the analysis could not determine (reported, never taken as safe)
    unresolved: list[Unresolved] = field(default_factory=list)

    @property
    def has_credentials(self) -> bool:
        return self.credentials is not None
