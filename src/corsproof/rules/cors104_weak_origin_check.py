from __future__ import annotations

from collections.abc import Iterator

from corsproof.origins import WEAK_REASONS
from corsproof.rules._base import AUTH_CONTEXT, Issue, PolicyFacts, Rule, register

# how to close each kind of bypass (the attack family the oracle found)
FAMILY_FIX = {
    "suffix-append": "anchor the check at the end: compare the parsed origin exactly, or end the "
    "pattern with `$` (re.fullmatch) and list exact origins instead of `*` wildcards",
    "prefix-prepend": "compare the host exactly, or require the dot: "
    "`host == name or host.endswith('.' + name)`",
    "substring": "compare the origin exactly against a set instead of testing `in`",
    "unescaped-dot": "escape every `.` in the pattern (`\\.`) and anchor it with `^…$`",
    "special-character": "parse the origin (urllib.parse.urlsplit) and compare scheme, host and "
    "port exactly instead of matching its raw text",
    "truncated": "compare the origin exactly against a set instead of a substring test",
}


@register
class WeakOriginCheck(Rule):
    """
    ## What it finds
    An allow-list check that an origin an attacker can register passes. corsproof evaluates the
    check itself (the library's `re.match`, your `endswith`, …) against attacker origins derived
    from the trusted ones and reports the origin that got through:
    - suffix without a dot boundary: `origin.endswith("example.com")` accepts `https://attackerexample.com`;
    - prefix: `origin.startswith("https://example.com")` accepts `https://example.com.attacker.net`;
    - substring: `"example.com" in origin`, `re.search(...)`;
    - regex not anchored at the end: `re.match`, which flask-cors and django-cors-headers use;
    - an unescaped `.`: `https://www.example.com` as a regex accepts `https://wwwxexample.com`.

    ## Why it matters
    The attacker registers the domain that passes and reads responses from their page exactly as
    a trusted front end would. Severity: medium; **critical** with credentials; high when the
    application authenticates with API keys, `Authorization` headers or client certificates.

    ## Example (noncompliant)
    ```python
    CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://\\w+\\.example\\.com"]     # no `$`: re.match
    CORS(app, origins=r"https://.*\\.example\\.com")                    # flask-cors: re.match
    if origin.endswith("example.com"):
        response.headers["Access-Control-Allow-Origin"] = origin
    ```

    ## Fix
    - **Django (django-cors-headers)**: prefer `CORS_ALLOWED_ORIGINS` with exact origins; a regex in
      `CORS_ALLOWED_ORIGIN_REGEXES` needs `^`, escaped dots and `$`: `r"^https://[a-z0-9-]+\\.example\\.com$"`.
    - **Flask (flask-cors)**: exact origins in a list; a regex needs escaped dots and a final `$`
      (flask-cors applies `re.match`).
    - **FastAPI/Starlette**: exact `allow_origins`; `allow_origin_regex` is full-matched but its
      dots must be escaped.
    - **Quart (quart-cors)**: strings are compared exactly (never as regexes); a `re.compile(...)`
      pattern is applied with `.match`: escape its dots and end it with `$`.
    - **Sanic (sanic-cors / sanic-ext)**: sanic-cors applies a string containing `*`, `\\`, `]` or `?` as a
      regex with `re.match`: list exact origins or end the regex with `$`; sanic-ext compares strings
      exactly only from 25.12.0 (before: as prefixes): upgrade, and end `re.compile(...)` patterns with `$`.
    - **aiohttp (aiohttp-cors)**: keys are compared exactly and there are no patterns: list each trusted
      origin as a key instead of checking origins in your own code.
    - **Falcon (CORSMiddleware)**: `allow_origins` entries are compared exactly (no patterns; a string is
      one origin): list each origin instead of checking origins in your own middleware.
    - **Litestar (CORSConfig)**: exact `allow_origins` without `*` (each `*` becomes `.*`:
      `https://app.example.*` accepts any suffix); `allow_origin_regex` is full-matched but its dots must
      be escaped; before 2.20.0 the dots of `allow_origins` are wildcards too: upgrade.
    - **CherryPy (cherrypy-cors)**: strings in `origins` are compared exactly; a compiled pattern is
      applied with `.match`: `re.compile(r"https://[a-z0-9-]+\\.example\\.com$")`.
    - **By hand**: `origin in {"https://app.example.com"}`; for subdomains parse the origin and test
      `host == "example.com" or host.endswith(".example.com")` with the scheme checked too.

    ## References
    - CWE-346: Origin Validation Error
    - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    - https://portswigger.net/web-security/cors#errors-parsing-origin-headers
    """

    id = "CORS104"
    name = "weak-origin-check"
    severity = "medium"
    cwe = (346, 942)
    summary = "an allow-list check that an attacker-registrable origin passes"
    fix_hint = "compare origins exactly (or anchor the regex with ^…$ and escape dots)"

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        if facts.any_origin is not None or facts.fallback_reported:
            return
        for verdict in facts.verdicts:
            attack = verdict.first("weak")
            if attack is None:
                continue
            check = verdict.check
            if facts.credentials:
                severity = "critical"
            elif facts.auth & set(AUTH_CONTEXT):
                severity = "high"
            else:
                severity = "medium"
            message = f"{check.describe or 'the origin check'} accepts {attack.origin}: {WEAK_REASONS[attack.family]}"
            yield Issue(
                check.loc or facts.policy.loc,
                message,
                severity,
                attack.origin,
                facts.context(),
                fix=FAMILY_FIX.get(attack.family),
            )
