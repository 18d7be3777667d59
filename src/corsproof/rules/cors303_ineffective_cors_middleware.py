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
    - **Quart (quart-cors)**: not applicable: `cors(app)` hooks `after_request`, which runs for aborts and
      errors too; `@route_cors()` must sit below `@app.route` (above it, it has no effect).
    - **Sanic (sanic-cors / sanic-ext)**: with sanic-ext installed, sanic-cors' `CORS(app, ...)` adds
      nothing: register it with `app.extend(extensions=[CORS], config={"CORS": False, "CORS_OPTIONS": {...}})`
      or use sanic-ext's own `CORS_*` settings.
    - **aiohttp (aiohttp-cors)**: `aiohttp_cors.setup(app, defaults=...)` alone does nothing: add every
      route (`for route in list(app.router.routes()): cors.add(route)`); middleware and error responses
      on added routes then get the headers.
    - **Falcon (CORSMiddleware)**: keep the default `independent_middleware=True` (every
      `process_response` runs, errors included); with `False`, list `CORSMiddleware` first in
      `middleware=[...]` (`cors_enable=True` adds it last).
    - **Litestar (CORSConfig)**: not applicable: `Litestar(cors_config=CORSConfig(...))` wraps the whole
      application (middleware, 404s and exception responses included); a `CORSConfig` never passed there
      does nothing.
    - **CherryPy (cherrypy-cors)**: call `cherrypy_cors.install()` (without it the `cors.expose.*` keys
      are silently ignored) and set `'cors.expose.priority': 0` so it runs before tools that answer
      early, such as `tools.auth_basic`.
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
        not_applied = facts.policy.not_applied
        if not_applied is None:
            return
        fix = (
            "add the CORS middleware (corsheaders.middleware.CorsMiddleware) to MIDDLEWARE, as "
            "high as possible, or remove the unused CORS settings"
            if not_applied.missing
            else None
        )
        yield Issue(not_applied.loc, not_applied.reason, "low", None, facts.context(), fix=fix)
