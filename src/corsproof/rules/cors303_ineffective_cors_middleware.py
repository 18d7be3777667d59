from __future__ import annotations

from collections.abc import Iterator

from corsproof.rules._base import Issue, PolicyFacts, Rule, register


@register
class IneffectiveCorsMiddleware(Rule):
    """
    ## What it finds
    A CORS middleware that is configured but cannot do its job: django-cors-headers settings
    without `corsheaders.middleware.CorsMiddleware` in `MIDDLEWARE`, or with it below
    `CommonMiddleware` (or another middleware that can answer on its own); a Starlette/FastAPI
    `CORSMiddleware` added before other middleware, so it is not the outermost layer.

    ## Why it matters
    Responses produced by the middleware above it (redirects, 401s, errors) carry no CORS headers,
    so front ends fail in confusing ways and developers "fix" it with a wildcard. The configured
    policy is not the effective one. Severity: low.

    ## Example (noncompliant)
    ```python
    MIDDLEWARE = [
        "django.middleware.common.CommonMiddleware",
        "corsheaders.middleware.CorsMiddleware",      # too low
    ]
    app.add_middleware(CORSMiddleware, allow_origins=[...])
    app.add_middleware(AuthMiddleware)               # now wraps CORSMiddleware
    ```

    ## Fix
    - **Django (django-cors-headers)**: put `"corsheaders.middleware.CorsMiddleware"` as high as
      possible in `MIDDLEWARE`, above `CommonMiddleware`.
    - **Flask (flask-cors)**: not applicable (extension hooks `after_request`).
    - **FastAPI/Starlette**: add `CORSMiddleware` last (`add_middleware` wraps: the last added runs
      first) or list it first in `Middleware(...)`.
    - **By hand**: set CORS headers in the outermost layer, including on error responses.

    ## References
    - CWE-16: Configuration
    - https://github.com/adamchainz/django-cors-headers#setup
    """

    id = "CORS303"
    name = "ineffective-cors-middleware"
    severity = "low"
    cwe = (16,)
    summary = "the CORS middleware is missing or placed where it cannot act"
    fix_hint = "put the CORS middleware first (outermost)"

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        if facts.policy.ineffective is None:
            return
        reason, loc = facts.policy.ineffective
        fix = (
            "add the CORS middleware (corsheaders.middleware.CorsMiddleware) to MIDDLEWARE, as "
            "high as possible, or remove the unused CORS settings"
            if facts.policy.middleware_absent
            else None
        )
        yield Issue(loc, reason, "low", None, facts.context(), fix=fix)
