"""The attacker catalogue and the oracle that evaluates an origin check against it.

One catalogue serves both sides: the static analyzer evaluates each allow-list check on every
catalogue origin with the very function the library or code uses; the prober sends them.
Only origins an attacker can own or a browser can produce (`null`) count as proof.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from corsproof.policy import OriginCheck
from corsproof.regexes import is_redos_prone, regex_samples

ATTACKER = "corsproof-attacker.example"
SUBDOMAIN_LABEL = "corsproof"  # a subdomain no site has, of letters only
ARBITRARY = f"https://{ATTACKER}"
SPECIAL_CHARS = ("_", "-", "`", "!", "~", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", "%60")
# second-level public suffixes seen often enough to matter for "registrable domain"
_MULTI_SUFFIXES = {
    "co.uk",
    "org.uk",
    "ac.uk",
    "gov.uk",
    "com.au",
    "net.au",
    "org.au",
    "co.nz",
    "co.jp",
    "co.in",
    "com.br",
    "com.cn",
    "com.mx",
    "co.za",
    "com.tr",
    "com.sg",
    "com.hk",
    "co.kr",
    "github.io",
    "herokuapp.com",
    "azurewebsites.net",
    "cloudfront.net",
    "appspot.com",
    "vercel.app",
    "netlify.app",
    "pages.dev",
    "onrender.com",
    "fly.dev",
}

# country-code TLDs that are a prefix of a common TLD: `example.co` is inside `example.com`
_TRUNCATED_TLDS = {
    "com": "co",
    "net": "ne",
    "info": "in",
    "int": "in",
    "dev": "de",
    "cat": "ca",
    "mobi": "mo",
}

# What a successful attack of each family shows about a check. The oracle speaks of weaknesses;
# which rule reports which weakness is the rules' knowledge (`verdict.first("weak")` in CORS104).
Weakness = Literal["any", "null", "weak", "insecure-scheme", "any-subdomain"]
FAMILY_WEAKNESS: dict[str, Weakness] = {
    "arbitrary": "any",
    "null": "null",
    "suffix-append": "weak",
    "prefix-prepend": "weak",
    "substring": "weak",
    "unescaped-dot": "weak",
    "special-character": "weak",
    "truncated": "weak",
    "http-downgrade": "insecure-scheme",
    "any-subdomain": "any-subdomain",
}
_WEAKNESSES = frozenset(FAMILY_WEAKNESS.values())

WEAK_REASONS = {
    "suffix-append": "a longer host that starts with the trusted one passes (prefix check or a "
    "pattern not anchored at the end)",
    "prefix-prepend": "a host that merely ends with the trusted name passes (no dot boundary)",
    "substring": "the trusted name inside an attacker's host passes (substring check)",
    "unescaped-dot": "an unescaped `.` in the pattern matches any character",
    "special-character": "a character browsers allow in hosts ends the check early",
    "truncated": "a shorter host under another top-level domain passes (substring test)",
}


@dataclass(frozen=True)
class AttackOrigin:
    origin: str
    family: str
    trusted: str  # the trusted origin it was derived from ("" for arbitrary/null)

    @property
    def weakness(self) -> Weakness:
        return FAMILY_WEAKNESS[self.family]


def is_ip_or_local(host: str) -> bool:
    return host in ("localhost",) or bool(re.fullmatch(r"[\d.]+|\[?[0-9a-fA-F:]+\]?", host))


def registrable_domain(host: str) -> str | None:
    """eTLD+1, approximately: the last two labels, three for well-known second-level suffixes."""
    host = host.rstrip(".").lower()
    if not host or is_ip_or_local(host) or "." not in host or host.endswith(".localhost"):
        return None
    if host in _MULTI_SUFFIXES:  # a public suffix itself has no registrable domain
        return None
    labels = host.split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _MULTI_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def split_origin(origin: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of an origin, or None when it is not one."""
    if "://" not in origin:
        return None
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname, port


def catalogue(trusted: list[str] | tuple[str, ...]) -> list[AttackOrigin]:
    """Every attacker origin derived from the trusted origins, most convincing families first."""
    out: list[AttackOrigin] = [
        AttackOrigin(ARBITRARY, "arbitrary", ""),
        AttackOrigin("null", "null", ""),
    ]
    seen = {ARBITRARY, "null"}

    def add(origin: str, family: str, base: str) -> None:
        if origin not in seen:
            seen.add(origin)
            out.append(AttackOrigin(origin, family, base))

    for base in trusted:
        parsed = split_origin(base)
        if parsed is None:
            continue
        scheme, host, _port = parsed
        if ":" in host:  # IPv6: nothing can be appended to `[::1]`
            if scheme == "https":
                add(f"http://[{host}]" + (f":{_port}" if _port else ""), "http-downgrade", base)
            continue
        reg = registrable_domain(host)
        add(f"{scheme}://{host}.{ATTACKER}", "suffix-append", base)
        if reg:
            add(f"{scheme}://corsproof-attacker{reg}", "prefix-prepend", base)
            add(f"{scheme}://{reg}.{ATTACKER}", "substring", base)
            labels = host.split(".")
            for i in range(len(labels) - 2):
                joined = ".".join([*labels[:i], labels[i] + "x" + labels[i + 1], *labels[i + 2 :]])
                # only a host outside the trusted registrable domain is the attacker's to register
                if registrable_domain(joined) not in (None, reg):
                    add(f"{scheme}://{joined}", "unescaped-dot", base)
            add(f"{scheme}://corsproof-attacker.{reg}", "any-subdomain", base)
            if host != reg:
                add(f"{scheme}://corsproof-attacker.{host}", "any-subdomain", base)
            # a label of letters only, for the patterns that allow no `-` (`[a-z]+\.example\.com`)
            add(f"{scheme}://{SUBDOMAIN_LABEL}.{reg}", "any-subdomain", base)
        tld = host.rsplit(".", 1)[-1]
        if reg and tld in _TRUNCATED_TLDS:
            add(f"{scheme}://{host[: -len(tld)]}{_TRUNCATED_TLDS[tld]}", "truncated", base)
        for char in SPECIAL_CHARS:
            add(f"{scheme}://{host}{char}.{ATTACKER}", "special-character", base)
        if scheme == "https":
            add(f"http://{host}" + (f":{_port}" if _port else ""), "http-downgrade", base)
    return out


# ---------------------------------------------------------------- seeds of a check

_HOSTLIKE = re.compile(
    r"(?:(https?)://)?\.?(\d{1,3}(?:\.\d{1,3}){3}(?![\w-]|\.\w)|(?:[a-z0-9-]+\.)+[a-z]{2,}|localhost)(?::(\d+))?",
    re.I,
)


def _consts(node: tuple[object, ...]) -> list[str]:
    found: list[str] = []
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            if item and item[0] == "const":
                value = item[1]
                if isinstance(value, str):
                    found.append(value)
                elif isinstance(value, (list, tuple, set, frozenset)):
                    found.extend(v for v in value if isinstance(v, str))
            elif item and item[0] == "regex":
                found.extend(regex_samples(item[2], item[3]))  # type: ignore[arg-type]
            else:
                stack.extend(item)
    return found


def seed_origins(check: OriginCheck) -> list[str]:
    """The origins a check was written to accept, derived from its constants or pattern."""
    texts: list[str]
    if check.how in ("exact", "observed"):
        texts = [check.value] if check.value else []
    elif check.how == "predicate":
        assert check.predicate is not None
        texts = _consts(check.predicate)
    else:
        texts = regex_samples(check.value, check.flags)
    seeds: list[str] = []
    for text in texts:
        match = _HOSTLIKE.search(text)
        if not match:
            continue
        scheme = (match.group(1) or "https").lower()
        port = f":{match.group(3)}" if match.group(3) else ""
        origin = f"{scheme}://{match.group(2).lower()}{port}"
        if origin not in seeds:
            seeds.append(origin)
    return seeds


@dataclass(frozen=True)
class CheckVerdict:
    """What the oracle learnt about one check: the first accepted attacker origin per family."""

    check: OriginCheck
    accepted: tuple[AttackOrigin, ...]

    def first(self, weakness: Weakness) -> AttackOrigin | None:
        """The first accepted attacker origin that shows `weakness`."""
        if weakness not in _WEAKNESSES:
            raise ValueError(f"unknown weakness {weakness!r}")
        return next((a for a in self.accepted if a.weakness == weakness), None)


_MAX_HOST = 100  # longer trusted hosts are not derived from (and keep regex evaluation fast)


def _patterns(check: OriginCheck) -> list[tuple[str, int]]:
    """Every regex a check evaluates."""
    if check.how in ("match", "search", "fullmatch"):
        return [(check.value, check.flags)]
    found: list[tuple[str, int]] = []
    stack: list[object] = [check.predicate]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            if len(item) >= 4 and item[0] == "regex" and isinstance(item[2], str):
                found.append((item[2], item[3] if isinstance(item[3], int) else 0))
            stack.extend(item)
    return found


def evaluable(check: OriginCheck) -> bool:
    """False when evaluating the check could backtrack catastrophically: the oracle then says nothing."""
    return not any(is_redos_prone(pattern, flags) for pattern, flags in _patterns(check))


def verdict_of(check: OriginCheck, extra_trusted: tuple[str, ...] = ()) -> CheckVerdict:
    """Evaluate `check` on the catalogue derived from its own seeds (and any extra trusted origins).

    A check whose regex could backtrack catastrophically (`(a+)+`) is not evaluated: no verdict.
    """
    if not evaluable(check):
        return CheckVerdict(check, ())
    seeds = seed_origins(check)
    trusted = [
        origin
        for origin in dict.fromkeys([*seeds, *extra_trusted])
        if len((split_origin(origin) or ("", ""))[1]) <= _MAX_HOST
    ]
    accepted: list[AttackOrigin] = []
    families: set[str] = set()
    for attack in catalogue(trusted):
        if attack.family in families:
            continue
        if check.accepts(attack.origin):
            accepted.append(attack)
            families.add(attack.family)
    return CheckVerdict(check, tuple(accepted))
