from __future__ import annotations

from collections.abc import Iterator

from corsproof.rules._base import Issue, PolicyFacts, Rule, register


@register
class PermissivePreflight(Rule):
    """
    ## What it finds
    The preflight grants any method or any request header: an explicit `"*"` in the allowed
    methods or headers, or (probing) a preflight that grants a made-up method or header.

    ## Why it matters
    The allowed methods and headers are the second fence after the origin: with `*` a trusted (or
    mistakenly trusted) origin can send `DELETE`s and custom authentication headers the API never
    meant to expose to browsers. Severity: low.

    ## Example (noncompliant)
    ```python
    app.add_middleware(CORSMiddleware, allow_origins=[...], allow_methods=["*"], allow_headers=["*"])
    CORS_ALLOW_HEADERS = ["*"]
    ```

    ## Fix
    - **Django (django-cors-headers)**: keep the defaults (`corsheaders.defaults.default_headers`,
      `default_methods`) or list what the front end sends.
    - **Flask (flask-cors)**: `CORS(app, methods=["GET", "POST"], allow_headers=["Content-Type"])`.
    - **FastAPI/Starlette**: `allow_methods=["GET", "POST"], allow_headers=["Content-Type"]`.
    - **By hand**: answer preflights with the explicit lists.

    ## References
    - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    """

    id = "CORS201"
    name = "permissive-preflight"
    severity = "low"
    cwe = (942,)
    summary = "the preflight grants any method or any request header"
    fix_hint = "list the methods and request headers the front end needs"

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        policy = facts.policy
        if facts.debug_only:
            return
        if policy.any_method is not None:
            how = (
                f"it sends back the method asked for: {policy.method_sent_back}"
                if policy.method_sent_back
                else '"*"'
            )
            yield Issue(
                policy.any_method,
                f"the preflight grants every method ({how})",
                "low",
                None,
                facts.context(),
                fix="list the methods the front end sends (e.g. GET, POST) instead of every method",
            )
        if policy.any_header is not None:
            how = (
                f"it sends back the headers asked for: {policy.headers_sent_back}"
                if policy.headers_sent_back
                else '"*"'
            )
            yield Issue(
                policy.any_header,
                f"the preflight grants every request header ({how})",
                "low",
                None,
                facts.context(),
                fix="list the request headers the front end sends (e.g. Content-Type, "
                "Authorization) instead of every header",
            )
