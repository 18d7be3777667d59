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
    - **Quart (quart-cors)**: `cors(app, allow_methods=["GET", "POST"], allow_headers=["Content-Type"])`;
      the default `allow_headers` is `["*"]`.
    - **Sanic (sanic-cors / sanic-ext)**: sanic-cors: `CORS(app, methods=["GET", "POST"], allow_headers=["Content-Type"])`;
      sanic-ext: `CORS_METHODS = "get,post"`, `CORS_ALLOW_HEADERS = "content-type"`; both grant every
      request header by default.
    - **aiohttp (aiohttp-cors)**: `ResourceOptions(allow_headers=("Content-Type",))` and no
      `allow_methods="*"` (left unset, only the added routes' own methods are granted).
    - **Falcon (CORSMiddleware)**: it grants the resource's own methods (its `Allow`) and every requested
      header, with no option: set a narrower `Allow` in `on_options`, and overwrite
      `Access-Control-Allow-Headers` in the `process_response` of a middleware listed before it.
    - **Litestar (CORSConfig)**: `CORSConfig(allow_methods=["GET", "POST"], allow_headers=["Content-Type"])`;
      both default to `["*"]`.
    - **CherryPy (cherrypy-cors)**: `cherrypy_cors.preflight(allowed_methods=["GET", "POST"], allowed_headers=["content-type"])`;
      without `allowed_headers` every requested header is granted; names compare case-sensitively and
      browsers send them in lower case.
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
    proven_by = ("any_header", "any_method")

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
