from __future__ import annotations

from collections.abc import Iterator

from corsproof.origins import ARBITRARY
from corsproof.rules._base import AUTH_CONTEXT, Issue, PolicyFacts, Rule, register


@register
class AnyOrigin(Rule):
    """
    ## What it finds
    A policy that lets **every** origin read responses, without credentials:
    `Access-Control-Allow-Origin: *`, or the request's `Origin` echoed back without a check.

    ## Why it matters
    Any website a user visits can read the responses in the user's browser. Without cookies that
    is mostly public data, but APIs reached from inside a network, or protected by an API key or a
    client certificate the browser holds, hand their data to any page that asks.
    Severity: medium; **high** when the application authenticates with an API-key header, an
    `Authorization` header or a client certificate (mTLS).

    ## Example (noncompliant)
    ```python
    CORS_ALLOW_ALL_ORIGINS = True          # django-cors-headers
    CORS(app)                              # flask-cors: no origins means every origin
    app.add_middleware(CORSMiddleware, allow_origins=["*"])
    response.headers["Access-Control-Allow-Origin"] = request.headers["Origin"]
    ```

    ## Fix
    - **Django (django-cors-headers)**: remove `CORS_ALLOW_ALL_ORIGINS`; list the front ends:
      `CORS_ALLOWED_ORIGINS = ["https://app.example.com"]`.
    - **Flask (flask-cors)**: `CORS(app, origins=["https://app.example.com"])` (or per resource:
      `resources={r"/api/*": {"origins": [...]}}`).
    - **FastAPI/Starlette**: `app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])`.
    - **Quart (quart-cors)**: `cors(app, allow_origin=["https://app.example.com"])`; leaving
      `allow_origin` (and `QUART_CORS_ALLOW_ORIGIN`) unset means `["*"]`: every origin.
    - **Sanic (sanic-cors / sanic-ext)**: sanic-cors: `CORS(app, origins=["https://app.example.com"])`
      (without `origins` every origin is echoed); sanic-ext:
      `app.config.CORS_ORIGINS = "https://app.example.com"`, not `"*"`.
    - **aiohttp (aiohttp-cors)**: key the options by origin, not `"*"` (which echoes every origin), in
      `setup(app, defaults=...)` and `cors.add(route, ...)`: `{"https://app.example.com": ResourceOptions()}`.
    - **Falcon (CORSMiddleware)**: `falcon.App(middleware=[falcon.CORSMiddleware(allow_origins=["https://app.example.com"])])`
      instead of `cors_enable=True` or the default `allow_origins="*"`.
    - **Litestar (CORSConfig)**: `CORSConfig(allow_origins=["https://app.example.com"])`; the default
      `allow_origins` is `["*"]`.
    - **CherryPy (cherrypy-cors)**: `cherrypy_cors.expose(origins=["https://app.example.com"])` (or
      `'cors.expose.origins': [...]`); without `origins` every origin is echoed; `expose_public()` sends `*`.
    - **By hand**: send the origin only when it is in a constant set:
      `if origin in ALLOWED_ORIGINS: response.headers["Access-Control-Allow-Origin"] = origin`
      and add `Vary: Origin`.

    ## References
    - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    - https://portswigger.net/web-security/cors
    - https://fetch.spec.whatwg.org/#http-cors-protocol
    """

    id = "CORS101"
    # an origin sent back unchecked is also why the value varies without `Vary: Origin`; a
    # literal `*` is not (where `*` and an echo alternate, CORS202 stands beside it)
    supersedes = (("CORS202", True),)
    name = "any-origin"
    severity = "medium"
    cwe = (942, 200)
    summary = "every origin may read responses (no credentials)"
    fix_hint = "list the trusted front-end origins instead of allowing every origin"
    proven_by = ("any_origin",)

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        policy = facts.policy
        found = facts.any_origin
        if found is None or policy.fallback is not None:
            return
        # with credentials a library that echoes makes this CORS102; a literal `*` stays CORS101
        echoes = policy.any_echo or policy.echo_with_credentials
        if facts.credentials and echoes:
            return
        loc, check = found
        if check is not None:
            message = f"{check.describe} accepts {ARBITRARY}: every origin may read responses"
        elif policy.any_echo:
            message = "every origin may read responses: the request Origin is echoed back unchecked"
        else:
            message = "every origin may read responses (Access-Control-Allow-Origin: *)"
        if facts.credentials:
            message += "; credentials are granted too but browsers refuse them with a literal `*`"
        severity = "high" if facts.auth & set(AUTH_CONTEXT) else "medium"
        yield Issue(loc, message, severity, ARBITRARY, facts.context())
