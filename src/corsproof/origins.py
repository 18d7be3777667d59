"""The attacker catalogue and the oracle that evaluates an origin check against it.

One catalogue serves both sides: the static analyzer evaluates each allow-list check on every
catalogue origin with the very function the library or code uses; the prober sends them.
Only origins an attacker can own or a browser can produce (`null`) count as proof.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # type: ignore[import-not-found]
from dataclasses import dataclass
from urllib.parse import urlsplit

from corsproof.policy import OriginCheck

ATTACKER = "corsproof-attacker.example"
ARBITRARY = f"https://{ATTACKER}"
SPECIAL_CHARS = ("_", "-", "`", "!", "~", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", "%60")
# second-level public suffixes seen often enough to matter for "registrable domain"
_MULTI_SUFFIXES = {
    "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "co.in",
    "com.br", "com.cn", "com.mx", "co.za", "com.tr", "com.sg", "com.hk", "co.kr", "github.io",
    "herokuapp.com", "azurewebsites.net", "cloudfront.net", "appspot.com", "vercel.app",
    "netlify.app", "pages.dev", "onrender.com", "fly.dev",
}

# country-code TLDs that are a prefix of a common TLD: `example.co` is inside `example.com`
_TRUNCATED_TLDS = {"com": "co", "net": "ne", "info": "in", "int": "in", "dev": "de", "cat": "ca", "mobi": "mo"}

# family -> the rule a successful attack proves
FAMILY_RULE = {
    "arbitrary": "CORS101",
    "null": "CORS103",
    "suffix-append": "CORS104",
    "prefix-prepend": "CORS104",
    "substring": "CORS104",
    "unescaped-dot": "CORS104",
    "special-character": "CORS104",
    "truncated": "CORS104",
    "http-downgrade": "CORS105",
    "any-subdomain": "CORS106",
}

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
    def rule(self) -> str:
        return FAMILY_RULE[self.family]


def is_ip_or_local(host: str) -> bool:
    return host in ("localhost",) or bool(re.fullmatch(r"[\d.]+|\[?[0-9a-fA-F:]+\]?", host))


def registrable_domain(host: str) -> str | None:
    """eTLD+1, approximately: the last two labels, three for well-known second-level suffixes."""
    host = host.rstrip(".").lower()
    if not host or is_ip_or_local(host) or "." not in host:
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
        tld = host.rsplit(".", 1)[-1]
        if reg and tld in _TRUNCATED_TLDS:
            add(f"{scheme}://{host[: -len(tld)]}{_TRUNCATED_TLDS[tld]}", "truncated", base)
        for char in SPECIAL_CHARS:
            add(f"{scheme}://{host}{char}.{ATTACKER}", "special-character", base)
        if scheme == "https":
            add(f"http://{host}" + (f":{_port}" if _port else ""), "http-downgrade", base)
    return out


# ---------------------------------------------------------------- regex sample generation


def _sample_of(parsed: object, depth: int = 0, repeated: bool = False) -> str:
    if depth > 50:
        raise ValueError("pattern too deep")
    out: list[str] = []
    for op, arg in parsed:  # type: ignore[attr-defined]
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("a" if chr(arg) != "a" else "b")
        elif name == "ANY":
            # a lone `.` was most likely meant as a literal dot: sample it as one
            out.append("a" if repeated else ".")
        elif name == "IN":
            out.append(_sample_in(arg))
        elif name == "BRANCH":
            out.append(_sample_of(arg[1][0], depth + 1, repeated))
        elif name == "SUBPATTERN":
            out.append(_sample_of(arg[-1], depth + 1, repeated))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            count = max(low, 1)
            if high is not None and high != sre_parse.MAXREPEAT:
                count = min(count, high)
            out.append(_sample_of(sub, depth + 1, True) * count)
        elif name == "CATEGORY":
            out.append(_sample_category(str(arg)))
        elif name in ("AT", "ASSERT", "ASSERT_NOT", "GROUPREF", "GROUPREF_EXISTS"):
            continue
        else:
            raise ValueError(name)
    return "".join(out)


def _sample_category(name: str) -> str:
    if "DIGIT" in name and "NOT" not in name:
        return "0"
    if "SPACE" in name and "NOT" not in name:
        return " "
    return "a"


def _sample_in(items: list[tuple[object, object]]) -> str:
    negate = any(str(op) == "NEGATE" for op, _ in items)
    if negate:
        for cand in "axz0-.":
            if not _in_set(items, cand):
                return cand
        return "a"
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)  # type: ignore[arg-type]
        if name == "RANGE":
            low, high = arg  # type: ignore[misc]
            return "a" if low <= ord("a") <= high else chr(low)
        if name == "CATEGORY":
            return _sample_category(str(arg))
    return "a"


def _in_set(items: list[tuple[object, object]], char: str) -> bool:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL" and chr(arg) == char:  # type: ignore[arg-type]
            return True
        if name == "RANGE" and arg[0] <= ord(char) <= arg[1]:  # type: ignore[index]
            return True
        if name == "CATEGORY":
            cat = str(arg)
            if "WORD" in cat and (char.isalnum() or char == "_"):
                return True
            if "DIGIT" in cat and char.isdigit():
                return True
    return False


def regex_sample(pattern: str, flags: int = 0) -> str | None:
    """A short string the pattern matches, used as the 'trusted' origin the pattern was written for."""
    try:
        text = _sample_of(sre_parse.parse(pattern, flags))
    except (re.error, ValueError, TypeError, IndexError, RecursionError, OverflowError):
        return None
    return text if re.match(pattern, text, flags) else None


# ---------------------------------------------------------------- seeds of a check

_HOSTLIKE = re.compile(r"(?:(https?)://)?\.?((?:[a-z0-9-]+\.)+[a-z]{2,}|localhost)(?::(\d+))?", re.I)


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
                sample = regex_sample(item[2], item[3])  # type: ignore[arg-type]
                if sample:
                    found.append(sample)
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
        sample = regex_sample(check.value, check.flags)
        texts = [sample] if sample else []
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

    def first(self, rule: str) -> AttackOrigin | None:
        return next((a for a in self.accepted if a.rule == rule), None)


def judge(check: OriginCheck, extra_trusted: tuple[str, ...] = ()) -> CheckVerdict:
    """Evaluate `check` on the catalogue derived from its own seeds (and any extra trusted origins)."""
    seeds = seed_origins(check)
    trusted = [*seeds, *[o for o in extra_trusted if o not in seeds]]
    accepted: list[AttackOrigin] = []
    families: set[str] = set()
    for attack in catalogue(trusted):
        if attack.family in families:
            continue
        if check.accepts(attack.origin):
            accepted.append(attack)
            families.add(attack.family)
    return CheckVerdict(check, tuple(accepted))
