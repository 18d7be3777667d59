from __future__ import annotations

from collections.abc import Iterator

from corsproof.origins import ARBITRARY
from corsproof.rules._base import Issue, PolicyFacts, Rule, register


@register
class AnyOriginWithCredentials(Rule):
    """
    ## What it finds
    A policy that lets every origin read responses **with the victim's credentials**: the request
    `Origin` is echoed (or a library turns `*` into an echo because credentials are on) **and**
    `Access-Control-Allow-Credentials: true` is sent.

    ## Why it matters
    Any website the victim visits can send requests carrying the victim's cookies or HTTP
    authentication and read the answers: account data, CSRF tokens, API keys shown in settings
    pages. This is account takeover from a single visit to an attacker's page. Severity: critical.

    ## Example (noncompliant)
    ```python
    CORS_ALLOW_ALL_ORIGINS = True
    CORS_ALLOW_CREDENTIALS = True                       # django-cors-headers echoes every origin
    CORS(app, supports_credentials=True)                # flask-cors: no origins = every origin
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    ```

    ## Fix
    - **Django (django-cors-headers)**: keep `CORS_ALLOW_CREDENTIALS = True` only with an explicit
      `CORS_ALLOWED_ORIGINS = ["https://app.example.com"]`; remove `CORS_ALLOW_ALL_ORIGINS`.
    - **Flask (flask-cors)**: `CORS(app, origins=["https://app.example.com"], supports_credentials=True)`.
    - **FastAPI/Starlette**: `CORSMiddleware(allow_origins=["https://app.example.com"], allow_credentials=True)`.
    - **Quart (quart-cors)**: `cors(app, allow_origin=["https://app.example.com"], allow_credentials=True)`;
      never a catch-all pattern such as `re.compile(".*")` with credentials.
    - **Sanic (sanic-cors / sanic-ext)**: sanic-cors: `CORS(app, origins=["https://app.example.com"], supports_credentials=True)`;
      sanic-ext: listed `CORS_ORIGINS` with `CORS_SUPPORTS_CREDENTIALS = True`, never
      `@cors(origin="*", supports_credentials=True)` on a route.
    - **aiohttp (aiohttp-cors)**: `{"https://app.example.com": ResourceOptions(allow_credentials=True)}`
      instead of the README's `{"*": ResourceOptions(allow_credentials=True)}`.
    - **Falcon (CORSMiddleware)**: `CORSMiddleware(allow_origins=["https://app.example.com"], allow_credentials=["https://app.example.com"])`;
      never `allow_credentials="*"` with the default `allow_origins="*"`.
    - **Litestar (CORSConfig)**: `CORSConfig(allow_origins=["https://app.example.com"], allow_credentials=True)`;
      with `"*"` Litestar echoes every cookie-bearing request with credentials.
    - **CherryPy (cherrypy-cors)**: `cherrypy_cors.expose(allow_credentials=True, origins=["https://app.example.com"])`;
      without `origins` every origin is echoed with credentials.
    - **By hand**: echo the origin only after an exact membership test against a constant set, and
      send `Vary: Origin`.

    ## References
    - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    - CWE-346: Origin Validation Error
    - CWE-522: Insufficiently Protected Credentials
    - https://portswigger.net/web-security/cors
    """

    id = "CORS102"
    # with credentials every origin is also "any origin" (CORS101), and an unchecked echo is why
    # the value varies without `Vary: Origin` (CORS202)
    supersedes = (("CORS101", False), ("CORS202", True))
    name = "any-origin-with-credentials"
    severity = "critical"
    cwe = (942, 346, 522)
    summary = "every origin may read responses with the victim's credentials"
    fix_hint = "allow credentials only together with an explicit list of trusted origins"
    proven_by = ("any_origin",)

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        policy = facts.policy
        found = facts.any_origin
        if found is None or policy.fallback is not None or not facts.credentials:
            return
        if not (policy.any_echo or policy.echo_with_credentials):
            return
        loc, check = found
        what = check.describe + " accepts every origin" if check else "every origin is echoed"
        message = f"{what} with Access-Control-Allow-Credentials: true: any site reads responses as the victim"
        yield Issue(loc, message, "critical", ARBITRARY, facts.context())
