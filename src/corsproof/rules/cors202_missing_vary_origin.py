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
      `Vary: Origin` themselves; drop flask-cors' `vary_header=False`, and do not strip the header in
      later middleware.
    - **Quart (quart-cors)**: it adds `Vary: Origin` to every answer but a literal `*`; do not strip it.
    - **Sanic (sanic-cors / sanic-ext)**: sanic-cors sends `Vary: Origin` for several origins or a regex:
      drop `vary_header=False`; sanic-ext sends it with every grant from 25.12.0 (before: only for
      several origins): upgrade.
    - **aiohttp (aiohttp-cors)**: it never sends `Vary: Origin`: add it with
      `async def vary(request, response): response.headers.add("Vary", "Origin")` and
      `app.on_response_prepare.append(vary)`.
    - **Falcon (CORSMiddleware)**: it never sends `Vary: Origin`: add a middleware whose
      `process_response` calls `resp.append_header("Vary", "Origin")`.
    - **Litestar (CORSConfig)**: it sends `Vary: Origin` with every echoed origin (preflights too); do
      not strip it.
    - **CherryPy (cherrypy-cors)**: `expose(...)` adds `Vary: Origin` (not for Internet Explorer), but
      CherryPy drops it from `HTTPError` pages: re-add it in `error_page.default` with
      `cherrypy.lib.set_vary_header(cherrypy.serving.response, "Origin")`.
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
    proven_by = ("origin_varies",)

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        varies = facts.policy.origin_varies
        if varies is None or varies.vary_origin or facts.debug_only:
            return
        loc = varies.loc
        message = "Access-Control-Allow-Origin varies with the request Origin but Vary: Origin is not sent"
        yield Issue(loc, message, "low", None, facts.context())
