from __future__ import annotations

from collections.abc import Iterator

from corsproof.origins import ARBITRARY
from corsproof.rules._base import Issue, PolicyFacts, Rule, register

# a debug switch, not a missing setting: a flag left on in production opens CORS to everyone
DEBUG_FIX = (
    "do not tie CORS to the debug flag: list the development front ends (e.g. "
    "http://localhost:3000) in the development settings instead of allowing every origin"
)


@register
class PermissiveFallback(Rule):
    """
    ## What it finds
    A policy that turns permissive depending on the environment: an environment variable whose
    *default* allows every origin (`os.environ.get("CORS_ORIGINS", "*")`), `CORS_ALLOW_ALL_ORIGINS = DEBUG`,
    a permissive `CORS(app)` in a development branch.

    ## Why it matters
    A deployment that forgets the variable, or runs with `DEBUG` on, is open to every origin —
    and nothing in the code review shows it. Severity: medium when the default or fallback is
    permissive; low when only a debug/development branch is.

    ## Example (noncompliant)
    ```python
    CORS_ALLOWED_ORIGINS = os.environ.get("CORS_ORIGINS", "*").split(",")
    CORS_ALLOW_ALL_ORIGINS = DEBUG
    if app.debug:
        CORS(app)
    ```

    ## Fix
    - **Django (django-cors-headers)**: default to no origins: `env.list("CORS_ALLOWED_ORIGINS", default=[])`;
      set development origins in the development settings module only.
    - **Flask (flask-cors)**: `CORS(app, origins=os.environ["CORS_ORIGINS"].split(","))` — fail when unset.
    - **FastAPI/Starlette**: read `allow_origins` from required settings with no `*` default.
    - **Quart (quart-cors)**: `cors(app, allow_origin=os.environ["CORS_ORIGINS"].split(","))` — fail when
      unset; an unset `allow_origin` means `["*"]`, and a string `QUART_CORS_ALLOW_ORIGIN` is read as a
      set of characters.
    - **Sanic (sanic-cors / sanic-ext)**: sanic-cors: `CORS(app, origins=os.environ["CORS_ORIGINS"].split(","))`
      (its default is every origin); sanic-ext: `app.config.CORS_ORIGINS = os.environ["CORS_ORIGINS"]`
      (its default `""` allows none); no `"*"` default.
    - **aiohttp (aiohttp-cors)**: build the keys from a required setting:
      `{o: ResourceOptions() for o in os.environ["CORS_ORIGINS"].split(",")}`, with no `"*"` fallback.
    - **Falcon (CORSMiddleware)**: `CORSMiddleware(allow_origins=os.environ["CORS_ORIGINS"].split(","))` —
      fail when unset; the default `allow_origins` and `cors_enable=True` allow every origin.
    - **Litestar (CORSConfig)**: `CORSConfig(allow_origins=os.environ["CORS_ORIGINS"].split(","))` — fail
      when unset; `CORSConfig()` allows every origin.
    - **CherryPy (cherrypy-cors)**: `cherrypy_cors.expose(origins=os.environ["CORS_ORIGINS"].split(","))` —
      fail when unset; an unset `origins` echoes every origin.
    - **By hand**: fail closed: no header when the configuration is missing.

    ## References
    - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    - CWE-1188: Initialization of a Resource with an Insecure Default
    """

    id = "CORS301"
    name = "permissive-fallback"
    severity = "medium"
    cwe = (942, 1188)
    summary = "the policy turns permissive depending on the environment"
    fix_hint = "fail closed: default to no origins when the setting is missing"

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        fallback = facts.policy.fallback
        if fallback is None or not facts.permissive:
            return
        proof = ARBITRARY if facts.any_origin else None
        accepts = "lets every origin in"
        if proof is None:
            attack = next(
                (a for v in facts.verdicts for a in (v.first("weak"), v.first("null")) if a),
                None,
            )
            proof = attack.origin if attack else None
            accepts = f"accepts {proof}" if proof else "trusts an attacker-passable origin check"
        if fallback.kind == "env-default":
            message = f"when {fallback.detail} is not set, the default {accepts}"
            severity = "medium"
            context = facts.context()
        else:
            message = f"when {fallback.detail} is true, the policy {accepts}"
            severity = "low"
            context = facts.context("debug-only")
        if facts.credentials:
            message += ", with credentials"
        fix = None if fallback.kind == "env-default" else DEBUG_FIX
        yield Issue(fallback.loc, message, severity, proof, context, fix=fix)
