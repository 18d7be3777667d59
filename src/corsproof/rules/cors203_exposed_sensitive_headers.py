from __future__ import annotations

import re
from collections.abc import Iterator

from corsproof.rules._base import Issue, PolicyFacts, Rule, register

SENSITIVE = re.compile(
    r"^(authorization|proxy-authorization|set-cookie|cookie|x-api-key|api-key|x-csrf-?token|"
    r".*-token|.*-api-key|.*-secret)$",
    re.IGNORECASE,
)


@register
class ExposedSensitiveHeaders(Rule):
    """
    ## What it finds
    `Access-Control-Expose-Headers` is `*` or names a credential-bearing header (`Authorization`,
    `Set-Cookie`, `X-API-Key`, `*-Token`, `Proxy-Authorization`).

    ## Why it matters
    Exposed headers become readable by the calling page's script. A token or key in a response
    header is then one `fetch()` away from any origin the policy trusts. Severity: low; medium when
    the policy also trusts any origin or a weak check.

    ## Example (noncompliant)
    ```python
    CORS_EXPOSE_HEADERS = ["Authorization", "X-API-Key"]
    app.add_middleware(CORSMiddleware, allow_origins=[...], expose_headers=["*"])
    ```

    ## Fix
    - **Django (django-cors-headers)**: expose only non-secret headers in `CORS_EXPOSE_HEADERS`.
    - **Flask (flask-cors)**: `expose_headers=["X-Request-Id"]`, never tokens or cookies.
    - **FastAPI/Starlette**: `expose_headers=["X-Request-Id"]`.
    - **Quart (quart-cors)**: `cors(app, expose_headers=["X-Request-Id"])`, never tokens, cookies or `"*"`.
    - **Sanic (sanic-cors / sanic-ext)**: sanic-cors: `expose_headers=["X-Request-Id"]`; sanic-ext:
      `CORS_EXPOSE_HEADERS = "x-request-id"`; never tokens, cookies or `"*"`.
    - **aiohttp (aiohttp-cors)**: `ResourceOptions(expose_headers=("X-Request-Id",))`, not `"*"`, which
      lists every header of the response.
    - **Falcon (CORSMiddleware)**: `CORSMiddleware(expose_headers=["X-Request-Id"])`.
    - **Litestar (CORSConfig)**: `CORSConfig(expose_headers=["X-Request-Id"])`.
    - **CherryPy (cherrypy-cors)**: `cherrypy_cors.expose(expose_headers="X-Request-Id")`: a string (a
      list is sent as its Python repr).
    - **By hand**: do not name secrets in `Access-Control-Expose-Headers`; return tokens in the body
      to trusted origins only.

    ## References
    - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    """

    id = "CORS203"
    name = "exposed-sensitive-headers"
    severity = "low"
    cwe = (200,)
    summary = "Access-Control-Expose-Headers exposes every header or a credential-bearing one"
    fix_hint = "expose only headers that carry no secret"
    proven_by = ("expose_headers",)

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        policy = facts.policy
        if policy.expose_loc is None or facts.debug_only:
            return
        bad = [h for h in policy.expose_headers if h.strip() == "*" or SENSITIVE.match(h.strip())]
        if not bad:
            return
        what = 'every response header ("*")' if "*" in bad else ", ".join(bad)
        message = f"Access-Control-Expose-Headers makes {what} readable by the calling page"
        severity = "medium" if facts.permissive else "low"
        yield Issue(policy.expose_loc, message, severity, None, facts.context())
