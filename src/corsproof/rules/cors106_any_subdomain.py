from __future__ import annotations

from collections.abc import Iterator

from corsproof.rules._base import Issue, PolicyFacts, Rule, register


@register
class AnySubdomain(Rule):
    """
    ## What it finds
    Every subdomain of a domain is trusted: `https://*.example.com`-style patterns,
    `[a-z0-9-]+\\.example\\.com`, `origin.endswith(".example.com")`.

    ## Why it matters
    One cross-site scripting bug, one user-content host or one dangling DNS record on any subdomain
    (a forgotten `staging.example.com` CNAME pointing at a deleted cloud bucket) is enough to read
    the API from there. Severity: low.

    ## Example (noncompliant)
    ```python
    CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://[a-z0-9-]+\\.example\\.com$"]
    app.add_middleware(CORSMiddleware, allow_origin_regex=r"https://.*\\.example\\.com")
    ```

    ## Fix
    - **Django (django-cors-headers)**: list the front ends in `CORS_ALLOWED_ORIGINS` instead of a
      subdomain regex.
    - **Flask (flask-cors)**: list the origins in `origins=[...]`.
    - **FastAPI/Starlette**: list them in `allow_origins` and drop `allow_origin_regex`.
    - **Quart (quart-cors)**: list the origins in `allow_origin` instead of a `re.compile(...)` subdomain
      pattern.
    - **Sanic (sanic-cors / sanic-ext)**: list the origins in `origins` (sanic-cors) or `CORS_ORIGINS`
      (sanic-ext) instead of a subdomain regex.
    - **aiohttp (aiohttp-cors)**: it has no subdomain patterns (`"https://*.example.com"` is a literal
      key): list each front end's origin as a key.
    - **Falcon (CORSMiddleware)**: it has no patterns (`"https://*.example.com"` matches only itself):
      list each front end in `allow_origins`.
    - **Litestar (CORSConfig)**: list the front ends in `allow_origins` instead of
      `"https://*.example.com"` or an `allow_origin_regex`.
    - **CherryPy (cherrypy-cors)**: list the origins as strings in `origins` instead of a compiled
      subdomain pattern.
    - **By hand**: compare against a constant set of origins.

    ## References
    - CWE-346: Origin Validation Error
    """

    id = "CORS106"
    name = "any-subdomain"
    severity = "low"
    cwe = (346,)
    summary = "every subdomain of a domain is trusted"
    fix_hint = "list the subdomains that host front ends instead of trusting all of them"

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        if facts.any_origin is not None or facts.fallback_reported:
            return
        for verdict in facts.verdicts:
            attack = verdict.first("any-subdomain")
            if attack is None or verdict.first("weak"):
                continue
            check = verdict.check
            message = f"{check.describe or 'the origin check'} trusts every subdomain: {attack.origin} passes"
            yield Issue(
                check.loc or facts.policy.loc, message, "low", attack.origin, facts.context()
            )
