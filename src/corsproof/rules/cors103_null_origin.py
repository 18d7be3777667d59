from __future__ import annotations

from collections.abc import Iterator

from corsproof.rules._base import Issue, PolicyFacts, Rule, register


@register
class NullOrigin(Rule):
    """
    ## What it finds
    The origin `null` is trusted: an allow-list containing `"null"`, a pattern that matches it, or
    (django-cors-headers) an allow-list entry without a scheme, which makes the library accept `null`.

    ## Why it matters
    Browsers send `Origin: null` from sandboxed iframes, `data:` and `file:` documents and after some
    cross-origin redirects. An attacker gets it with `<iframe sandbox="allow-scripts" srcdoc=...>`, so
    trusting `null` is trusting every page. Severity: medium; high with credentials.

    ## Example (noncompliant)
    ```python
    CORS_ALLOWED_ORIGINS = ["https://app.example.com", "null"]
    CORS(app, origins=["null"])
    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com", "null"])
    ```

    ## Fix
    - **Django (django-cors-headers)**: remove `"null"`; write every entry with its scheme
      (`"https://app.example.com"`, not `"app.example.com"`).
    - **Flask (flask-cors)**: remove `"null"` from `origins`.
    - **FastAPI/Starlette**: remove `"null"` from `allow_origins`.
    - **Quart (quart-cors)**: remove `"null"` from `allow_origin` (and `QUART_CORS_ALLOW_ORIGIN`) and
      any `re.compile(...)` pattern that matches it.
    - **Sanic (sanic-cors / sanic-ext)**: remove `"null"` from `origins` (sanic-cors) or `CORS_ORIGINS`
      (sanic-ext).
    - **aiohttp (aiohttp-cors)**: remove the `"null"` key from `defaults` and the `cors.add(...)` mappings.
    - **Falcon (CORSMiddleware)**: remove `"null"` from `allow_origins` and `allow_credentials`.
    - **Litestar (CORSConfig)**: remove `"null"` from `allow_origins`; `allow_origin_regex` must not match it.
    - **CherryPy (cherrypy-cors)**: remove `"null"` from `origins` (and any compiled pattern that matches it).
    - **By hand**: never compare against the string `"null"`; treat a missing or `null` origin as
      untrusted.

    ## References
    - CWE-346: Origin Validation Error
    - https://portswigger.net/web-security/cors#whitelisted-null-origin-value
    """

    id = "CORS103"
    name = "null-origin"
    severity = "medium"
    cwe = (346,)
    summary = "the origin `null` (sandboxed iframes, data: and file: documents) is trusted"
    fix_hint = 'remove "null" from the trusted origins'

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        if facts.any_origin is not None or facts.fallback_reported:
            return
        for verdict in facts.verdicts:
            if verdict.first("null"):
                check = verdict.check
                severity = "high" if facts.credentials else "medium"
                message = f"{check.describe or 'the allow-list'} accepts Origin: null (sandboxed iframes, data: and file: documents)"
                yield Issue(
                    check.loc or facts.policy.loc, message, severity, "null", facts.context()
                )
