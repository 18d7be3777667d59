"""Responses → the observed `CorsPolicy` of one target, and the evidence behind each finding.

A browser lets a page read a cross-origin response when `Access-Control-Allow-Origin` is exactly
the page's origin or `*` (credentials: only an exact origin plus `Access-Control-Allow-Credentials:
true`). A preflight passes only with an ok (2xx) status. The same tests decide here what a probe
was *granted*; nothing else (status codes of simple requests, bodies) matters.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from corsproof.findings import Finding, Target
from corsproof.origins import ARBITRARY
from corsproof.policy import CorsPolicy, OriginCheck, OriginVaries
from corsproof.probe._transport import Reply
from corsproof.rules import get_rule

# proofs that are a pair of responses: the one shown, and the one it is compared with
_PAIRED = frozenset({"origin_varies"})

MADE_UP_METHOD = "CORSPROOF"
MADE_UP_HEADER = "x-corsproof-probe"
SENSITIVE_REQUEST_HEADERS = "x-api-key, authorization"
DUMMY_COOKIE = "corsproof=1"
USER_COOKIE = "(from --cookie)"  # how evidence shows the cookie the user gave (a secret)


@dataclass(frozen=True)
class Probe:
    """One request of the plan."""

    # trusted | attack | cookie | canary | preflight (combined) | preflight-headers |
    # preflight-method | private-network
    kind: str
    method: str
    origin: str | None = None
    family: str = ""  # attack family (origins.FAMILY_WEAKNESS)
    trusted: str = ""  # the trusted origin an attack was derived from
    request_method: str = ""  # Access-Control-Request-Method
    request_headers: str = ""  # Access-Control-Request-Headers
    private_network: bool = False
    cookie: str = ""  # "user" or "dummy": a Cookie header is sent

    @property
    def preflight(self) -> bool:
        return bool(self.request_method)


@dataclass(frozen=True)
class Exchange:
    probe: Probe
    url: str
    reply: Reply

    # ---------------------------------------------------------------- what the answer grants
    @property
    def allow_origin(self) -> str | None:
        """The one `Access-Control-Allow-Origin` value; None when absent or repeated (invalid)."""
        values = self.reply.get_all("access-control-allow-origin")
        if len(values) != 1 or "," in values[0]:
            return None
        return values[0].strip()

    @property
    def grants(self) -> bool:
        """A browser sending this probe's Origin may read the answer (at least without credentials)."""
        if self.probe.origin is None:
            return False
        if self.probe.preflight and not 200 <= self.reply.status < 300:
            return False
        value = self.allow_origin
        return value == "*" or value == self.probe.origin

    @property
    def credentials(self) -> bool:
        values = self.reply.get_all("access-control-allow-credentials")
        return len(values) == 1 and values[0].strip() == "true"

    @property
    def varies_on_origin(self) -> bool:
        tokens = {
            t.strip().lower() for v in self.reply.get_all("vary") for t in v.split(",") if t.strip()
        }
        return "origin" in tokens or "*" in tokens

    def listed(self, name: str) -> list[str]:
        return [t.strip() for v in self.reply.get_all(name) for t in v.split(",") if t.strip()]

    def grants_method(self, method: str) -> bool:
        return self.grants and any(
            m == "*" or m == method for m in self.listed("access-control-allow-methods")
        )

    def grants_header(self, header: str) -> bool:
        return self.grants and any(
            h == "*" or h.lower() == header.lower()
            for h in self.listed("access-control-allow-headers")
        )

    @property
    def grants_private_network(self) -> bool:
        values = self.reply.get_all("access-control-allow-private-network")
        return self.grants and len(values) == 1 and values[0].strip().lower() == "true"

    @property
    def cors_headers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in self.reply.headers:
            if name.startswith("access-control-") or name in ("vary", "location"):
                out[name] = f"{out[name]}, {value}" if name in out else value
        return out

    def evidence(self) -> dict[str, Any]:
        headers: dict[str, str] = {}
        if self.probe.origin is not None:
            headers["Origin"] = self.probe.origin
        if self.probe.request_method:
            headers["Access-Control-Request-Method"] = self.probe.request_method
        if self.probe.request_headers:
            headers["Access-Control-Request-Headers"] = self.probe.request_headers
        if self.probe.private_network:
            headers["Access-Control-Request-Private-Network"] = "true"
        if self.probe.cookie:
            headers["Cookie"] = DUMMY_COOKIE if self.probe.cookie == "dummy" else USER_COOKIE
        return {
            "request": {"method": self.probe.method, "url": self.url, "headers": headers},
            "response": {"status": self.reply.status, "headers": self.cors_headers},
        }


def replay_command(evidence: dict[str, Any]) -> str:
    """A curl command line that sends the request of `evidence` again (`-i`: with the response
    headers). A cookie the user gave appears as a placeholder, and the headers given with `-H`
    are not in the evidence: add them to replay an authenticated request."""
    request = evidence["request"]
    method = request["method"]
    words = ["curl", "-I" if method == "HEAD" else "-i"]
    if method not in ("GET", "HEAD"):
        words += ["-X", method]
    for name, value in request["headers"].items():
        if name == "Cookie" and value == USER_COOKIE:
            value = "<your --cookie value>"
        words += ["-H", f"{name}: {value}"]
    words.append(request["url"])
    return shlex.join(words)


@dataclass
class Observation:
    """Everything learnt about one target."""

    target: Target
    exchanges: list[Exchange] = field(default_factory=list)
    failures: list[tuple[Probe, str]] = field(default_factory=list)
    effective_url: str = ""
    # a subdomain of a trusted origin the target grants although it refused the trusted origin
    # itself (`https://[a-z]+\.example\.com` for --origin https://example.com) -> that origin:
    # the attacker origins derived from the subdomain were probed too
    derived: dict[str, str] = field(default_factory=dict)

    def add(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    # ---------------------------------------------------------------- queries used by the plan
    def simple(self) -> list[Exchange]:
        """Non-preflight requests with a real origin (the canary's is not one)."""
        return [
            e
            for e in self.exchanges
            if not e.probe.preflight and e.probe.origin is not None and e.probe.kind != "canary"
        ]

    def granted(self) -> set[str]:
        return {e.probe.origin for e in self.simple() if e.grants and e.probe.origin is not None}

    def granted_to(self, origin: str) -> Exchange | None:
        matches = [e for e in self.simple() if e.probe.origin == origin and e.grants]
        # the credentialed grant is the stronger proof
        return max(matches, key=lambda e: e.credentials, default=None)

    @property
    def star(self) -> Exchange | None:
        """An attacker origin got `Access-Control-Allow-Origin: *`."""
        return next(
            (
                e
                for e in self.simple()
                if e.probe.kind in ("attack", "cookie") and e.allow_origin == "*"
            ),
            None,
        )

    @property
    def echo(self) -> Exchange | None:
        """The arbitrary attacker origin was sent back verbatim."""
        matches = [
            e for e in self.simple() if e.probe.origin == ARBITRARY and e.allow_origin == ARBITRARY
        ]
        return max(matches, key=lambda e: e.credentials, default=None)

    @property
    def any_cors(self) -> bool:
        return any(
            name.startswith("access-control-")
            for e in self.exchanges
            for name, _ in e.reply.headers
        )

    def preflights(self, kind: str) -> list[Exchange]:
        return [e for e in self.exchanges if e.probe.kind == kind]

    # ---------------------------------------------------------------- the observed policy
    def proofs(self) -> dict[str, list[Exchange]]:
        """The exchanges that prove each policy part (also the evidence of findings)."""
        proofs: dict[str, list[Exchange]] = {}
        echo, star = self.echo, self.star
        if echo is not None:
            proofs["any_origin"] = [echo]
        elif star is not None:
            proofs["any_origin"] = [star]
        granting = [e for e in self.simple() if e.grants]
        with_credentials = [e for e in granting if e.credentials]
        if with_credentials:
            proofs["credentials"] = with_credentials[:1]
        for kind, attr, test in (
            ("preflight-method", "any_method", lambda e: e.grants_method(MADE_UP_METHOD)),
            ("preflight-headers", "any_header", lambda e: e.grants_header(MADE_UP_HEADER)),
            ("private-network", "private_network", lambda e: e.grants_private_network),
        ):
            candidates = self.preflights("preflight") + self.preflights(kind)
            hit = next((e for e in candidates if test(e)), None)
            if hit is not None:
                proofs[attr] = [hit]
        values: dict[str, Exchange] = {}
        for exchange in granting:
            value = exchange.allow_origin or ""
            if value not in values or not exchange.varies_on_origin:
                values[value] = exchange
        if len(values) >= 2 and any(not e.varies_on_origin for e in values.values()):
            pair = sorted(values.values(), key=lambda e: e.varies_on_origin)[:2]
            proofs["origin_varies"] = pair
        exposing = [e for e in granting if e.listed("access-control-expose-headers")]
        if exposing:
            proofs["expose_headers"] = exposing
        return proofs

    def policy(self, trusted: tuple[str, ...]) -> CorsPolicy:
        """The observed policy: `trusted` are the --origin values ("" when none was given)."""
        loc = self.target
        proofs = self.proofs()
        policy = CorsPolicy(framework="probe", loc=loc)
        if "any_origin" in proofs:
            policy.any_origin = loc
            policy.any_echo = self.echo is not None
        # observed, not assumed: a literal `*` stays a `*` when credentials are on
        policy.echo_with_credentials = self.echo is not None
        if "credentials" in proofs:
            policy.credentials = loc
        for attr in ("any_method", "any_header", "private_network"):
            if attr in proofs:
                setattr(policy, attr, loc)
        if "origin_varies" in proofs:  # found only where a response lacked Vary: Origin
            policy.origin_varies = OriginVaries(loc, vary_origin=False)
        for attr, header, sent_back in (
            ("any_method", "access-control-allow-methods", "method_sent_back"),
            ("any_header", "access-control-allow-headers", "headers_sent_back"),
        ):
            listed = proofs[attr][0].listed(header) if attr in proofs else ["*"]
            if "*" not in listed:
                text = ", ".join(listed)  # the server's words: kept short in a message
                setattr(policy, sent_back, text if len(text) <= 120 else text[:119] + "…")
        if "expose_headers" in proofs:
            exposed: list[str] = []
            for exchange in proofs["expose_headers"]:
                for name in exchange.listed("access-control-expose-headers"):
                    if name.lower() not in (n.lower() for n in exposed):
                        exposed.append(name)
            policy.expose_headers = tuple(exposed)
            policy.expose_loc = loc
        accepted = frozenset(self.granted())
        for origin in trusted:
            policy.checks.append(
                OriginCheck(
                    how="observed",
                    value=origin,
                    accepted=accepted,
                    describe="the endpoint",
                    loc=loc,
                )
            )
        for origin, parent in self.derived.items():
            policy.checks.append(
                OriginCheck(
                    how="observed",
                    value=origin,
                    accepted=accepted,
                    describe=f"the endpoint (it grants {origin}, a subdomain of {parent})",
                    loc=loc,
                )
            )
        return policy

    # ---------------------------------------------------------------- evidence
    def evidence(self, finding: Finding) -> dict[str, Any] | None:
        proofs = self.proofs()
        rule = get_rule(finding.rule_id)
        parts = rule.proven_by if rule is not None else ()
        part = next((p for p in parts if proofs.get(p)), None)
        chosen: list[Exchange] = proofs[part] if part is not None else []
        if not chosen and finding.proof_origin:
            hit = self.granted_to(finding.proof_origin)
            chosen = [hit] if hit else []
        if not chosen:
            return None
        evidence = chosen[0].evidence()
        if part in _PAIRED and len(chosen) > 1:
            evidence["compared_with"] = chosen[1].evidence()
        return evidence
