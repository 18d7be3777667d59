"""The origin oracle (`corsproof.origins`): the attacker catalogue of PROBES.md, the checks each
family breaks and the checks it must not, regex samples, registrable domains, and the guard that
keeps catastrophic patterns from hanging a scan."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any
from urllib.parse import urlsplit

import pytest

from corsproof.findings import Location
from corsproof.judge import judge_policies
from corsproof.origins import (
    ARBITRARY,
    FAMILY_WEAKNESS,
    WEAK_REASONS,
    catalogue,
    evaluable,
    registrable_domain,
    seed_origins,
    split_origin,
    verdict_of,
)
from corsproof.policy import CorsPolicy, OriginCheck
from corsproof.regexes import is_redos_prone, regex_sample, regex_samples

TRUSTED = "https://www.example.com"
ORIGIN = ("origin",)


# ---------------------------------------------------------------- how checks are written


def regex(how: str, pattern: str, flags: int = 0) -> OriginCheck:
    return OriginCheck(how=how, value=pattern, flags=flags)  # type: ignore[arg-type]


def exact(value: str) -> OriginCheck:
    return OriginCheck(how="exact", value=value)


def predicate(node: tuple[Any, ...]) -> OriginCheck:
    return OriginCheck(how="predicate", predicate=node)


def method(name: str, arg: Any, subject: tuple[Any, ...] = ORIGIN) -> OriginCheck:
    """`subject.endswith(arg)` / `subject.startswith(arg)`."""
    return predicate(("method", name, subject, ("const", arg)))


def contains(needle: str) -> OriginCheck:
    """`needle in origin`."""
    return predicate(("in", ("const", needle), ORIGIN))


def within(hay: Any) -> OriginCheck:
    """`origin in hay` (a string: substring test; a set or list: membership)."""
    return predicate(("in", ORIGIN, ("const", hay)))


def families(check: OriginCheck, trusted: str = TRUSTED) -> set[str]:
    """Catalogue families (derived from `trusted`) with an origin the check accepts."""
    return {attack.family for attack in catalogue([trusted]) if check.accepts(attack.origin)}


def reported(check: OriginCheck, *, credentials: bool = False) -> dict[str, str | None]:
    """Rule id -> proof origin, for a policy made of this one check, through every rule."""
    loc = Location("app.py", 1, 1, 1, 2)
    policy = CorsPolicy(framework="test", loc=loc, checks=[check])
    if credentials:
        policy.credentials = loc
    findings, _ = judge_policies([(policy, frozenset())])
    return {f.rule_id: f.proof_origin for f in findings}


# ---------------------------------------------------------------- the catalogue per family

ALL_BUT_ANY = {
    "suffix-append",
    "prefix-prepend",
    "substring",
    "unescaped-dot",
    "special-character",
    "http-downgrade",
    "any-subdomain",
}

FAMILY_TABLE: list[tuple[str, OriginCheck, set[str]]] = [
    # regexes
    (
        "match-escaped",
        regex("match", r"https://www\.example\.com"),
        {"suffix-append", "special-character"},
    ),
    ("fullmatch-escaped", regex("fullmatch", r"https://www\.example\.com"), set()),
    ("fullmatch-anchored", regex("match", r"^https://www\.example\.com$"), set()),
    ("fullmatch-unescaped", regex("fullmatch", r"https://www.example.com"), {"unescaped-dot"}),
    (
        "match-unescaped",
        regex("match", r"https://www.example.com"),
        {"suffix-append", "special-character", "unescaped-dot"},
    ),
    ("search-anchored", regex("search", r"^https://www\.example\.com$"), set()),
    (
        "search-scheme",
        regex("search", r"https://www\.example\.com"),
        {"suffix-append", "special-character"},
    ),
    (
        "search-host-only",
        regex("search", r"www\.example\.com"),
        {"suffix-append", "special-character", "any-subdomain", "http-downgrade"},
    ),
    ("http-or-https", regex("fullmatch", r"https?://www\.example\.com"), {"http-downgrade"}),
    (
        "any-subdomain-regex",
        regex("fullmatch", r"https://[a-z0-9-]+\.example\.com"),
        {"any-subdomain"},
    ),
    (
        "dot-star-subdomain-match",
        regex("match", r"https://.*\.example\.com"),
        {"suffix-append", "special-character", "any-subdomain"},
    ),
    (
        "no-dot-boundary",
        regex("fullmatch", r"https://.*example\.com"),
        {"prefix-prepend", "unescaped-dot", "any-subdomain"},
    ),
    (
        "special-character-only",
        regex("match", r"https://www\.example\.com(?!\.)"),
        {"special-character"},
    ),
    (
        "ignorecase-match",
        regex("match", r"HTTPS://WWW\.EXAMPLE\.COM", re.I),
        {"suffix-append", "special-character"},
    ),
    ("ignorecase-fullmatch", regex("fullmatch", r"HTTPS://WWW\.EXAMPLE\.COM", re.I), set()),
    ("case-sensitive", regex("match", r"HTTPS://WWW\.EXAMPLE\.COM"), set()),
    # str methods
    (
        "endswith-no-dot",
        method("endswith", "example.com"),
        {"prefix-prepend", "unescaped-dot", "any-subdomain", "http-downgrade"},
    ),
    # any subdomain, and the scheme is not checked either
    ("endswith-dot", method("endswith", ".example.com"), {"any-subdomain", "http-downgrade"}),
    ("endswith-full-origin", method("endswith", "https://www.example.com"), set()),
    (
        "startswith-origin",
        method("startswith", "https://www.example.com"),
        {"suffix-append", "special-character"},
    ),
    ("startswith-apex", method("startswith", "https://example.com"), {"substring"}),
    ("startswith-with-slash", method("startswith", "https://www.example.com/"), set()),
    (
        "hostname-endswith",
        method("endswith", "example.com", ("apply", "hostname", ORIGIN)),
        {"prefix-prepend", "unescaped-dot", "any-subdomain", "http-downgrade"},
    ),
    (
        "hostname-equals",
        predicate(("eq", ("apply", "hostname", ORIGIN), ("const", "www.example.com"))),
        {"http-downgrade"},
    ),
    # membership
    ("needle-in-origin", contains("example.com"), ALL_BUT_ANY),
    ("origin-in-string", within("https://www.example.com"), {"truncated"}),
    (
        "origin-in-set",
        within(frozenset({"https://www.example.com", "https://api.example.com"})),
        set(),
    ),
    ("origin-in-list", within(["https://www.example.com"]), set()),
    ("exact", exact("https://www.example.com"), set()),
    (
        "exact-ignorecase",
        OriginCheck(how="exact", value="HTTPS://WWW.EXAMPLE.COM", flags=re.I),
        set(),
    ),
    # null
    ("null-exact", exact("null"), {"null"}),
    ("null-in-list", within(["https://www.example.com", "null"]), {"null"}),
    # everything
    ("dot-star", regex("fullmatch", ".*"), {"arbitrary", "null", "truncated", *ALL_BUT_ANY}),
    ("true", predicate(("true",)), {"arbitrary", "null", "truncated", *ALL_BUT_ANY}),
]


@pytest.mark.parametrize(
    ("check", "expected"),
    [(check, expected) for _, check, expected in FAMILY_TABLE],
    ids=[name for name, _, _ in FAMILY_TABLE],
)
def test_families_breaking_each_check(check: OriginCheck, expected: set[str]) -> None:
    assert families(check) == expected


def test_truncated_family_for_other_tlds() -> None:
    check = within("https://api.example.net")
    assert families(check, "https://api.example.net") == {"truncated"}
    assert any(a.origin == "https://api.example.ne" for a in catalogue(["https://api.example.net"]))


# ---------------------------------------------------------------- judge: seeds from the check itself, through the rules

RULE_TABLE: list[tuple[str, OriginCheck, dict[str, str | None]]] = [
    (
        "match-suffix",
        regex("match", r"https://www\.example\.com"),
        {"CORS104": "https://www.example.com.corsproof-attacker.example"},
    ),
    ("fullmatch-escaped", regex("fullmatch", r"https://www\.example\.com"), {}),
    (
        "fullmatch-unescaped",
        regex("fullmatch", r"https://www.example.com"),
        {"CORS104": "https://wwwxexample.com"},
    ),
    (
        "endswith-no-dot",
        method("endswith", "example.com"),
        {"CORS104": "https://corsproof-attackerexample.com"},
    ),
    (
        "endswith-dot",
        method("endswith", ".example.com"),
        # (it accepts http://corsproof-attacker.example.com too, but no catalogue origin shows
        # that: the http-downgrade family only downgrades the trusted origin itself)
        {"CORS106": "https://corsproof-attacker.example.com"},
    ),
    (
        "https-and-endswith-dot",
        predicate(
            (
                "and",
                ("method", "startswith", ORIGIN, ("const", "https://")),
                ("method", "endswith", ORIGIN, ("const", ".example.com")),
            )
        ),
        {"CORS106": "https://corsproof-attacker.example.com"},
    ),
    (
        "startswith",
        method("startswith", "https://www.example.com"),
        {"CORS104": "https://www.example.com.corsproof-attacker.example"},
    ),
    (
        "needle-in-origin",
        contains("example.com"),
        {"CORS104": "https://example.com.corsproof-attacker.example"},
    ),
    (
        "search-unanchored",
        regex("search", r"www\.example\.com"),
        {"CORS104": "https://www.example.com.corsproof-attacker.example"},
    ),
    ("origin-in-string", within("https://app.example.com"), {"CORS104": "https://app.example.co"}),
    ("origin-in-set", within(frozenset({"https://app.example.com", "https://b.example.org"})), {}),
    ("exact", exact("https://app.example.com"), {}),
    ("exact-http", exact("http://app.example.com"), {"CORS105": "http://app.example.com"}),
    ("null", exact("null"), {"CORS103": "null"}),
    (
        "http-downgrade",
        regex("fullmatch", r"https?://app\.example\.com"),
        {"CORS105": "http://app.example.com"},
    ),
    (
        "any-subdomain",
        regex("fullmatch", r"https://.*\.example\.com"),
        {"CORS106": "https://corsproof-attacker.example.com"},
    ),
    (
        "ignorecase-match",
        regex("match", r"HTTPS://WWW\.EXAMPLE\.COM", re.IGNORECASE),
        {"CORS104": "https://www.example.com.corsproof-attacker.example"},
    ),
    ("ignorecase-fullmatch", regex("fullmatch", r"(?i)https://www\.example\.com"), {}),
    ("dot-star", regex("fullmatch", ".*"), {"CORS101": ARBITRARY}),
    (
        "second-alternative",
        regex("fullmatch", r"https://app\.example\.com|https://admin\.example\.org.*"),
        {"CORS104": "https://admin.example.org.corsproof-attacker.example"},
    ),
    (
        "ipv4-prefix",
        method("startswith", "http://127.0.0.1"),
        {"CORS104": "http://127.0.0.1.corsproof-attacker.example"},
    ),
    # a port ends the host: nothing an attacker owns passes, but the origin is plain-text
    (
        "ipv4-port-prefix",
        method("startswith", "http://127.0.0.1:8000"),
        {"CORS105": "http://127.0.0.1:8000"},
    ),
    (
        "localhost-prefix",
        method("startswith", "http://localhost"),
        {"CORS104": "http://localhost.corsproof-attacker.example"},
    ),
]


@pytest.mark.parametrize(
    ("check", "expected"),
    [(check, expected) for _, check, expected in RULE_TABLE],
    ids=[name for name, _, _ in RULE_TABLE],
)
def test_rules_reported_for_each_check(check: OriginCheck, expected: dict[str, str | None]) -> None:
    assert reported(check) == expected


def test_credentials_turn_a_star_regex_into_cors102() -> None:
    assert reported(regex("fullmatch", "https?://.*"), credentials=True) == {"CORS102": ARBITRARY}


def test_verdict_keeps_the_first_origin_per_family() -> None:
    verdict = verdict_of(method("endswith", "example.com"))
    assert [a.family for a in verdict.accepted] == [
        "prefix-prepend",
        "any-subdomain",
        "http-downgrade",
    ]
    proof = verdict.first("weak")
    assert proof is not None and proof.origin == "https://corsproof-attackerexample.com"
    assert verdict.first("null") is None


def test_extra_trusted_origins_seed_checks_without_constants() -> None:
    check = regex("search", "corp")  # no host in the pattern: nothing to derive attacks from
    assert verdict_of(check).accepted == ()
    verdict = verdict_of(check, ("https://corp.example.com",))
    assert verdict.first("weak") is not None


@pytest.mark.parametrize(
    "pattern",
    [
        "((",
        "[",
        "\\",
        "",
        "*",
        "a{99999999999}",
        "(?P<x>a)(?P=x)",
        r"\d+",
        "x{4294967294}",
        "(?<=a)b",
    ],
)
@pytest.mark.parametrize("how", ["match", "search", "fullmatch"])
def test_patterns_without_a_usable_sample_give_no_finding(how: str, pattern: str) -> None:
    verdict = verdict_of(regex(how, pattern))
    assert all(a.family in ("arbitrary", "null") for a in verdict.accepted)
    assert not {a.weakness for a in verdict.accepted} & {"weak", "insecure-scheme", "any-subdomain"}


def test_garbage_predicates_do_not_crash() -> None:
    for node in (
        ("method", "endswith", ORIGIN, ("const", 3)),
        ("in", ("const", None), ORIGIN),
        ("regex", "match", "((", 0, ORIGIN),
        ("apply", "hostname", ("const", 3)),
    ):
        assert verdict_of(predicate(node)).accepted == ()


# ---------------------------------------------------------------- catastrophic backtracking

CATASTROPHIC = [
    ("fullmatch", r"(a+)+$"),
    ("match", r"(a*)*b"),
    ("search", r"(a|a)*b"),
    ("match", r"(aa|a)*b"),
    ("fullmatch", r"https://([\w.-]+)+\.example\.com"),
    ("match", r"https://([a-z-]+)+\.example\.com"),
    ("search", r"(\w+\s?)*$"),
    ("fullmatch", r"https://(.*)*\.example\.com"),
    ("fullmatch", r"https://(.+\.)*example\.com"),
    ("match", r"https://([a-z]?((\w|-)?)){2,}example\.com"),
    ("search", r"https://\d*(([^/]?((\w|-)\w?)))*\.example\.com"),
    ("fullmatch", r".*.*.*.*.*x"),
    ("search", r"\w*\w*\w*\w*x"),
    ("match", r"(.*a){12}"),
]

REALISTIC = [
    r"https://.*\.example\.com",
    r"^https://[a-z0-9-]+\.example\.com$",
    r"https://(app|admin)\.example\.com",
    r"^https?://localhost(:\d+)?$",
    r"https://([a-z0-9-]+\.)*example\.com",
    r"https://([a-z0-9]+(-[a-z0-9]+)*\.)*example\.com",
    r"^https://(\w+\.)?example\.(com|org)$",
    r"https://[^/]+\.example\.com",
    r"^https://.*\.vercel\.app$",
    r"https://(?:[\w-]+\.)+example\.com",
    r"^https://([a-z0-9-]{1,63}\.){1,5}example\.com$",
    r"https://.*\..*\.example\.com",
]


@pytest.mark.parametrize(("how", "pattern"), CATASTROPHIC, ids=[p for _, p in CATASTROPHIC])
def test_catastrophic_patterns_are_not_evaluated(how: str, pattern: str) -> None:
    check = regex(how, pattern)
    assert is_redos_prone(pattern)
    assert not evaluable(check)
    assert verdict_of(check).accepted == ()
    assert not evaluable(predicate(("regex", how, pattern, 0, ORIGIN)))


@pytest.mark.parametrize("pattern", REALISTIC)
def test_realistic_patterns_are_still_evaluated(pattern: str) -> None:
    assert not is_redos_prone(pattern)
    assert evaluable(regex("match", pattern))
    assert regex_sample(pattern) is not None


def test_judge_never_hangs_on_catastrophic_patterns() -> None:
    """In a subprocess, so a regression fails the test instead of hanging the suite."""
    script = (
        "import json, re, sys\n"
        "from corsproof.origins import verdict_of\n"
        "from corsproof.policy import OriginCheck\n"
        "cases = json.loads(sys.stdin.read())\n"
        "for how, pattern in cases:\n"
        "    for trusted in ((), ('https://' + 'a' * 60 + '.example.com',)):\n"
        "        verdict_of(OriginCheck(how=how, value=pattern), trusted)\n"
        "        verdict_of(OriginCheck(how='predicate', predicate=('regex', how, pattern, 0, ('origin',))), trusted)\n"
        "print('done')\n"
    )
    cases = [*CATASTROPHIC, *(("search", p) for p in REALISTIC)]
    proc = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "done"


def test_very_long_trusted_hosts_are_not_derived_from() -> None:
    long_host = "a" * 150 + ".example.com"
    check = method("startswith", f"https://{long_host}")
    assert seed_origins(check) == [f"https://{long_host}"]
    assert verdict_of(check).accepted == ()
    assert verdict_of(method("startswith", "https://a.example.com")).first("weak") is not None


# ---------------------------------------------------------------- regex samples

SAMPLES: list[tuple[str, int, str | None]] = [
    (r"https://.*\.example\.com", 0, "https://a.example.com"),
    (r"^https://[a-z0-9-]+\.example\.com$", 0, "https://a.example.com"),
    (r"https://(app|admin)\.example\.com", 0, "https://app.example.com"),
    (r"https://www.example.com", 0, "https://www.example.com"),  # a lone `.` sampled as a dot
    (r"^https?://localhost(:\d+)?$", 0, "https://localhost"),  # trailing optional parts: empty
    (r"^https?://localhost:\d+$", 0, "https://localhost:0"),
    (r"HTTPS://APP\.EXAMPLE\.COM", re.IGNORECASE, "HTTPS://APP.EXAMPLE.COM"),
    (r"(?i)https://app\.example\.com", 0, "https://app.example.com"),
    (r"https://\w+\.example\.com", 0, "https://a.example.com"),
    (r"https://[^/]+\.example\.com", 0, "https://a.example.com"),
    (r"https://(?:www\.)?example\.com/?", 0, "https://www.example.com"),
    (r"https://app\.example\.com.*", 0, "https://app.example.com"),
    (r"https://.*\.example\.com(:\d+)?", 0, "https://a.example.com"),
    (r"https://(?P<sub>[a-z]+)\.example\.com", 0, "https://a.example.com"),
    (r"https://[a-z]{3}\.example\.com", 0, "https://aaa.example.com"),
    (r"\d+", 0, "0"),
    (r"((", 0, None),
    (r"a{100000}", 0, None),
    (r"(a+)+$", 0, None),  # not evaluated at all
]


@pytest.mark.parametrize(("pattern", "flags", "sample"), SAMPLES, ids=[p for p, _, _ in SAMPLES])
def test_regex_sample(pattern: str, flags: int, sample: str | None) -> None:
    assert regex_sample(pattern, flags) == sample
    if sample is not None:
        assert re.match(pattern, sample, flags)


def test_regex_samples_follow_every_alternative() -> None:
    assert regex_samples(r"https://(app|admin)\.example\.com") == [
        "https://app.example.com",
        "https://admin.example.com",
    ]
    assert regex_samples(r"^https://a\.example\.com$|^https://b\.example\.org$") == [
        "https://a.example.com",
        "https://b.example.org",
    ]
    assert regex_samples("((") == []


def test_seed_origins() -> None:
    assert seed_origins(regex("match", r"https://.*\.example\.com")) == ["https://a.example.com"]
    assert seed_origins(method("endswith", ".example.com")) == ["https://example.com"]
    assert seed_origins(exact("http://localhost:3000")) == ["http://localhost:3000"]
    assert seed_origins(exact("http://127.0.0.1:8000")) == ["http://127.0.0.1:8000"]
    assert seed_origins(exact("null")) == []
    assert set(seed_origins(within(["https://a.example.com", "https://b.example.org"]))) == {
        "https://a.example.com",
        "https://b.example.org",
    }


# ---------------------------------------------------------------- registrable domains and origins


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("www.example.com", "example.com"),
        ("example.com", "example.com"),
        ("EXAMPLE.COM.", "example.com"),
        ("a.b.example.co.uk", "example.co.uk"),
        ("example.co.uk", "example.co.uk"),
        ("co.uk", None),
        ("x.github.io", "x.github.io"),
        ("github.io", None),
        ("127.0.0.1", None),
        ("10.0.0.1", None),
        ("::1", None),
        ("[::1]", None),
        ("localhost", None),
        ("app.localhost", None),
        ("com", None),
        ("", None),
    ],
)
def test_registrable_domain(host: str, expected: str | None) -> None:
    assert registrable_domain(host) == expected


def test_split_origin() -> None:
    assert split_origin("https://App.Example.com:8443") == ("https", "app.example.com", 8443)
    assert split_origin("https://[::1]:8443") == ("https", "::1", 8443)
    assert split_origin("null") is None
    assert split_origin("app.example.com") is None
    assert split_origin("https://example.com:99999") is None


VALID_ORIGIN = re.compile(r"(https?)://[^/?#\s]+")

TRUSTED_SAMPLES = [
    TRUSTED,
    "https://example.com",
    "https://a.b.example.co.uk:8443",
    "https://api.example.net",
    "http://localhost:3000",
    "http://127.0.0.1:8000",
    "https://[::1]:8443",
    "https://app.localhost",
]


@pytest.mark.parametrize("trusted", TRUSTED_SAMPLES)
def test_every_proof_origin_is_a_valid_origin(trusted: str) -> None:
    attacks = catalogue([trusted])
    assert attacks[0].origin == ARBITRARY and attacks[1].origin == "null"
    for attack in attacks:
        assert attack.family in FAMILY_WEAKNESS
        if attack.family == "null":
            assert attack.origin == "null"
            continue
        assert VALID_ORIGIN.fullmatch(attack.origin), attack
        parts = urlsplit(attack.origin)
        assert parts.hostname and parts.path == "" and not parts.query and not parts.fragment, (
            attack
        )
        assert parts.port is None or 0 < parts.port < 65536
        assert attack.origin != trusted


@pytest.mark.parametrize("trusted", TRUSTED_SAMPLES)
def test_attack_origins_are_outside_the_trusted_registrable_domain(trusted: str) -> None:
    """Apart from the any-subdomain family (its point), an attacker can own every proof origin."""
    parsed = split_origin(trusted)
    assert parsed is not None
    home = registrable_domain(parsed[1])
    for attack in catalogue([trusted]):
        if attack.family in ("null", "any-subdomain", "http-downgrade"):
            continue
        host = urlsplit(attack.origin).hostname or ""
        assert registrable_domain(host) != home or home is None, attack
        assert host != parsed[1], attack


def test_unescaped_dot_only_where_the_result_is_registrable() -> None:
    dotted = {
        a.origin for a in catalogue(["https://a.b.example.com"]) if a.family == "unescaped-dot"
    }
    assert dotted == {"https://a.bxexample.com"}  # `axb.example.com` is still the victim's domain
    assert not [a for a in catalogue(["https://example.com"]) if a.family == "unescaped-dot"]


def test_every_family_has_a_weakness_and_every_weak_family_a_reason() -> None:
    seen = {a.family for t in TRUSTED_SAMPLES for a in catalogue([t])}
    assert seen <= set(FAMILY_WEAKNESS)
    assert {f for f, w in FAMILY_WEAKNESS.items() if w == "weak"} == set(WEAK_REASONS)
