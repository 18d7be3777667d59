from __future__ import annotations

from collections.abc import Iterator

from corsproof.rules._base import Issue, PolicyFacts, Rule, register


@register
class MissingVaryOrigin(Rule):
    """
    ## What it finds
    The `Access-Control-Allow-Origin` value depends on the request (two accepted origins get two
    different values) but the response does not carry `Vary: Origin`.

    ## Why it matters
    A shared cache (CDN, reverse proxy, the browser's own cache) stores the response with one
    origin's grant and serves it to the other: legitimate front ends break, and a cache keyed
    without the origin can hand one site's grant to another. Severity: low.

    ## Example (noncompliant)
    ```python
    if origin in {"https://a.example.com", "https://b.example.com"}:
        response.headers["Access-Control-Allow-Origin"] = origin     # no Vary: Origin
    ```

    ## Fix
    - **Django (django-cors-headers)**, **Flask (flask-cors)**, **FastAPI/Starlette**: the libraries add
      `Vary: Origin` themselves; do not strip it in later middleware.
    - **By hand**: `response.headers["Vary"] = "Origin"` (or `patch_vary_headers(response, ["Origin"])`
      in Django) wherever the origin is echoed.

    ## References
    - CWE-524: Use of Cache Containing Sensitive Information
    - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    - https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches
    """

    id = "CORS202"
    name = "missing-vary-origin"
    severity = "low"
    cwe = (524, 942)
    summary = "the allowed origin depends on the request but Vary: Origin is missing"
    fix_hint = "add `Vary: Origin` where the origin is sent back"

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        loc = facts.policy.varies_without_vary
        if loc is None or facts.debug_only:
            return
        message = "Access-Control-Allow-Origin varies with the request Origin but Vary: Origin is not sent"
        yield Issue(loc, message, "low", None, facts.context())
