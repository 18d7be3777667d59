"""Which requests to send to one target, wave by wave (PROBES.md "Requests per target").

0. the first trusted origin, alone: it is the baseline (an unreachable target costs one request;
   redirects within the target's origin — scheme, host and port — are followed up to a bound, any
   other redirect ends the target and is reported) and shows the legitimate grant, credentials,
   `Vary` and exposed headers; every later request goes to the URL that answered;
1. the arbitrary attacker origin, and the other trusted origins (two granted values tell whether
   `Vary: Origin` is missing);
2. `null`, the attacker families derived from each granted trusted origin, and one combined
   preflight (a made-up method; `x-api-key, authorization` and a made-up header; private network);
3. separate preflights where the combined one was refused but its answer hints at a grant; the
   remaining families; the special-character family in chunks.

Smart skipping: an endpoint that lets in an arbitrary origin needs no family (CORS101/102 imply
CORS103–106, so not even `null`); a trusted origin the endpoint does not grant has no check written
for it to probe around; once a weak check (CORS104) is proven for a trusted origin, its remaining
families prove nothing more (CORS105/106 are not reported next to CORS104); the 16 special
characters are sent only when a canary — the trusted origin with a path, `https://www.example.com/x`,
which no browser sends and so never counts as proof — is granted: every check that extracts the
host before comparing stops at `/`, so a refused canary means no host parsing for a special
character to cut short. A refused combined preflight is split up only for the parts its answer
does not already refuse (its `Allow-Methods`/`Allow-Headers` lists lack the made-up names).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urljoin, urlsplit

from corsproof.findings import Target
from corsproof.origins import ARBITRARY, FAMILY_WEAKNESS, catalogue
from corsproof.probe._observe import (
    MADE_UP_HEADER,
    MADE_UP_METHOD,
    SENSITIVE_REQUEST_HEADERS,
    Exchange,
    Observation,
    Probe,
)
from corsproof.probe._transport import ProbeError

MAX_REDIRECTS = 5  # followed per target, and only within its origin (`redirect_refusal`)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_FAILURES = 3  # failed probes after a good baseline before a target is given up
SPECIAL_CHUNK = 8
CORE = ("suffix-append", "prefix-prepend", "substring", "unescaped-dot")
REST = ("any-subdomain", "truncated", "http-downgrade")
_DEFAULT_PORTS = {"http": 80, "https": 443}

Send = Callable[[Probe, str], Awaitable[Exchange]]


class TargetFailed(Exception):
    """The target cannot be (further) probed; `str()` is the reason for `errors`."""


def own_origin(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    return f"{scheme}://{host}" + (
        f":{port}" if port and port != _DEFAULT_PORTS.get(scheme) else ""
    )


def redirect_refusal(current: str, following: str) -> str | None:
    """Why a redirect from `current` to `following` is not followed; None for the same origin.

    Same origin means the same scheme, host and port (default ports made explicit): a redirect to
    another port of the same host name is another server, and https to http would send the
    user's headers and cookie in cleartext."""
    try:
        following = urljoin(current, following)  # a relative Location is relative to `current`
        here, there = urlsplit(current), urlsplit(following)
        there.port  # noqa: B018 - raises on a malformed port
        target_origin = own_origin(following)
    except ValueError:
        return "not a valid URL"
    scheme = there.scheme.lower()
    if scheme not in ("http", "https") or not there.hostname:
        return "not an absolute http:// or https:// URL"
    if here.scheme.lower() == "https" and scheme == "http":
        return "a downgrade from https to http"
    if (there.hostname or "").lower() != (here.hostname or "").lower():
        return "another host"
    if target_origin != own_origin(current):
        return "another origin: same host, other " + (
            "scheme" if scheme != here.scheme.lower() else "port"
        )
    return None


def simple_method(target: Target, allowed: frozenset[str]) -> str:
    """The method of non-preflight probes: the target's own when allowed, else GET."""
    return target.method if target.method in allowed else "GET"


class Plan:
    def __init__(
        self,
        observation: Observation,
        *,
        trusted: Sequence[str],
        method: str,
        user_cookie: bool,
        send: Send,
    ) -> None:
        self.obs = observation
        self.target = observation.target
        self.trusted = list(dict.fromkeys(trusted))
        self.method = method
        self.cookie = "user" if user_cookie else ""
        self.send = send
        self.sent: set[tuple[str, str | None, str]] = set()
        self.url = self.target.url

    # ------------------------------------------------------------------ sending
    async def _one(self, probe: Probe) -> None:
        try:
            exchange = await self.send(probe, self.url)
        except ProbeError as exc:
            self.obs.failures.append((probe, str(exc)))
            if len(self.obs.failures) >= MAX_FAILURES:
                raise TargetFailed(
                    f"gave up after {len(self.obs.failures)} failed requests "
                    f"(first: {self.obs.failures[0][1]})"
                ) from exc
            return
        self.obs.add(exchange)

    async def _wave(self, probes: list[Probe]) -> None:
        todo: list[Probe] = []
        for probe in probes:
            key = (probe.kind if probe.preflight else "simple", probe.origin, probe.cookie)
            if key not in self.sent:
                self.sent.add(key)
                todo.append(probe)
        if not todo:
            return
        results = await asyncio.gather(*(self._one(p) for p in todo), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    def _simple(self, kind: str, origin: str, family: str = "", trusted: str = "") -> Probe:
        return Probe(kind, self.method, origin, family, trusted, cookie=self.cookie)

    # ------------------------------------------------------------------ the plan
    async def baseline(self) -> None:
        """The first trusted origin alone: reachability, redirects, the legitimate grant.

        A redirect is followed only within the target's origin (scheme, host and port), at most
        `MAX_REDIRECTS` times: the headers, cookie and client certificate the user gave are meant
        for that server and never reach another one. Any other redirect ends the target and is
        reported with its `Location`; what is probed afterwards is the URL that answered."""
        seen = {self.url}
        first = self.trusted[0]
        probe = self._simple("trusted", first, trusted=first)
        self.sent.add(("simple", first, probe.cookie))
        for _ in range(MAX_REDIRECTS + 1):
            try:
                exchange = await self.send(probe, self.url)
            except ProbeError as exc:
                raise TargetFailed(str(exc)) from exc
            location = exchange.reply.get("location")
            if exchange.reply.status not in REDIRECT_STATUSES or not location:
                self.obs.add(exchange)
                self.obs.effective_url = self.url
                return
            try:
                following = urljoin(self.url, location.strip())
            except ValueError:
                following = location.strip()
            refusal = redirect_refusal(self.url, following)
            if refusal is not None:
                raise TargetFailed(
                    f"redirect not followed: {exchange.reply.status} to {following} ({refusal}); "
                    f"only redirects within {own_origin(self.url)} are followed: probe that URL "
                    "directly if it is meant to be probed"
                )
            if following in seen:
                raise TargetFailed(f"redirect loop ({self.url} -> {following})")
            seen.add(following)
            self.url = following
        raise TargetFailed(f"more than {MAX_REDIRECTS} redirects (last: {self.url})")

    def _families(self, trusted: str, families: tuple[str, ...]) -> list[Probe]:
        return [
            self._simple("attack", a.origin, a.family, trusted)
            for a in catalogue([trusted])
            if a.family in families
        ]

    def _weak_proven(self, trusted: str) -> bool:
        granted = self.obs.granted()
        return any(
            a.origin in granted and FAMILY_WEAKNESS[a.family] == "weak"
            for a in catalogue([trusted])
            if a.family not in ("arbitrary", "null")
        )

    def _preflights(self, origin: str) -> dict[str, Probe]:
        documented = self.target.method
        headers = f"{SENSITIVE_REQUEST_HEADERS}, {MADE_UP_HEADER}"
        return {
            "combined": Probe(
                "preflight",
                "OPTIONS",
                origin,
                request_method=MADE_UP_METHOD,
                request_headers=headers,
                private_network=True,
            ),
            "headers": Probe(
                "preflight-headers",
                "OPTIONS",
                origin,
                request_method=documented,
                request_headers=headers,
            ),
            "method": Probe("preflight-method", "OPTIONS", origin, request_method=MADE_UP_METHOD),
            "private-network": Probe(
                "private-network",
                "OPTIONS",
                origin,
                request_method=documented,
                private_network=True,
            ),
        }

    def _split_preflight(self, preflights: dict[str, Probe]) -> list[Probe]:
        """Separate preflights for the parts a refused combined preflight may still grant."""
        combined = next((e for e in self.obs.exchanges if e.probe.kind == "preflight"), None)
        if combined is None:
            return []
        names = {name for name, _ in combined.reply.headers}
        if not any(n.startswith("access-control-") for n in names):
            # no CORS header at all: no preflight handling, or one that refuses a method it does
            # not serve outright (aiohttp-cors answers a bare 403): ask with the documented
            # method, which such a library may grant with every requested header
            return [preflights["headers"]]
        answered = bool(names & {"access-control-allow-methods", "access-control-allow-headers"})
        out: list[Probe] = []
        for part, header, hint in (
            ("method", "access-control-allow-methods", MADE_UP_METHOD),
            ("headers", "access-control-allow-headers", MADE_UP_HEADER),
        ):
            if header not in names:
                # no list in the answer (e.g. left out for a method it refuses): ask on its own
                out.append(preflights[part])
            elif not combined.grants and any(
                v == "*" or v.lower() == hint.lower() for v in combined.listed(header)
            ):
                out.append(preflights[part])  # listed, but the whole preflight was refused
        pna = combined.reply.get("access-control-allow-private-network")
        if (not combined.grants and pna is not None and pna.strip().lower() == "true") or (
            pna is None and not answered
        ):
            out.append(preflights["private-network"])
        return out

    def _derived(self, refused: list[str]) -> list[str]:
        """For each refused trusted origin, the first of its subdomains the target granted (kept
        in the observation: the judge derives attacker origins from it too)."""
        granted = self.obs.granted()
        for trusted in refused:
            subdomain = next(
                (
                    a.origin
                    for a in catalogue([trusted])
                    if a.family == "any-subdomain" and a.origin in granted
                ),
                None,
            )
            if subdomain is not None and subdomain not in self.obs.derived:
                self.obs.derived[subdomain] = trusted
        return list(self.obs.derived)

    def _canary(self, trusted: str) -> Probe:
        return Probe(
            "canary", self.method, f"{trusted}/corsproof", trusted=trusted, cookie=self.cookie
        )

    def _canary_granted(self, trusted: str) -> bool:
        origin = f"{trusted}/corsproof"
        return any(e.probe.origin == origin and e.grants for e in self.obs.exchanges)

    async def run(self) -> None:
        await self.baseline()
        wave = [self._simple("attack", ARBITRARY, "arbitrary")]
        wave += [self._simple("trusted", t, trusted=t) for t in self.trusted[1:]]
        await self._wave(wave)

        granted = self.obs.granted()
        open_policy = self.obs.echo is not None or self.obs.star is not None
        star = self.obs.star
        wave = []
        if star is not None and star.credentials and not self.cookie and self.obs.echo is None:
            # does the server turn `*` into an echo once the browser sends cookies?
            wave.append(Probe("cookie", self.method, ARBITRARY, "arbitrary", cookie="dummy"))
        if open_policy:
            origin = ARBITRARY
        else:
            origin = next((t for t in self.trusted if t in granted), None) or (
                self.trusted[0] if self.trusted else ARBITRARY
            )
        preflights = self._preflights(origin)
        wave.append(preflights["combined"])
        hunting = [] if open_policy else [t for t in self.trusted if t in granted]
        # a trusted origin refused itself may still be the parent of a pattern the target
        # accepts: its subdomains are asked, and one granted is hunted around like a trusted one
        refused = [] if open_policy else [t for t in self.trusted if t not in granted]
        if not open_policy:
            wave.append(self._simple("attack", "null", "null"))
        for trusted in hunting:
            wave += self._families(trusted, CORE)
            wave.append(self._canary(trusted))
        for trusted in refused:
            wave += self._families(trusted, ("any-subdomain",))
        await self._wave(wave)

        derived = self._derived(refused)
        wave = self._split_preflight(preflights)
        if self.target.method not in ("GET", "HEAD"):
            # the documented method itself (a cross-origin PUT/DELETE/… needs this preflight)
            wave.append(preflights["headers"])
        for subdomain in derived:
            wave += self._families(subdomain, CORE)
            wave.append(self._canary(subdomain))
        hunting = [t for t in [*hunting, *derived] if not self._weak_proven(t)]
        specials = {
            t: self._families(t, ("special-character",)) if self._canary_granted(t) else []
            for t in hunting
        }
        for trusted in hunting:
            wave += self._families(trusted, REST)
            wave += specials[trusted][:SPECIAL_CHUNK]
        await self._wave(wave)

        start = SPECIAL_CHUNK
        while hunting:
            hunting = [t for t in hunting if not self._weak_proven(t) and len(specials[t]) > start]
            wave = [p for t in hunting for p in specials[t][start : start + SPECIAL_CHUNK]]
            if not wave:
                break
            await self._wave(wave)
            start += SPECIAL_CHUNK
