from __future__ import annotations

from collections.abc import Iterator

from corsproof.rules._base import Issue, PolicyFacts, Rule, register


@register
class PrivateNetwork(Rule):
    """
    ## What it finds
    The policy answers private-network preflights with `Access-Control-Allow-Private-Network: true`
    (django-cors-headers `CORS_ALLOW_PRIVATE_NETWORK = True`, flask-cors `allow_private_network=True`,
    or the header set by hand).

    ## Why it matters
    Private Network Access stops public websites from reaching services on the intranet or on
    `localhost`. Granting it lets any page the policy trusts drive this internal service from a
    victim's browser. Severity: medium; high when any origin or a weak check is trusted as well.

    ## Example (noncompliant)
    ```python
    CORS_ALLOW_PRIVATE_NETWORK = True
    CORS(app, allow_private_network=True)
    ```

    ## Fix
    - **Django (django-cors-headers)**: remove `CORS_ALLOW_PRIVATE_NETWORK` (default `False`).
    - **Flask (flask-cors)**: remove `allow_private_network=True`; flask-cors before 5.0 sends the
      header by default: upgrade.
    - **FastAPI/Starlette**: do not add the header in a custom middleware.
    - **Quart (quart-cors)**: it has no private-network option and never grants it: do not set the
      header in an `after_request` hook.
    - **Sanic (sanic-cors / sanic-ext)**: neither grants it (sanic-cors ignores
      `allow_private_network=`): do not set the header in a response middleware.
    - **aiohttp (aiohttp-cors)**: it never grants it: do not set the header in an `on_response_prepare`
      handler or a middleware.
    - **Falcon (CORSMiddleware)**: remove `allow_private_network=True` (default `False`).
    - **Litestar (CORSConfig)**: it has no private-network option and never grants it: do not set the
      header in a middleware or an `after_request` hook.
    - **CherryPy (cherrypy-cors)**: it never grants it: do not set the header in
      `cherrypy.response.headers`.
    - **By hand**: do not send `Access-Control-Allow-Private-Network`.

    ## References
    - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    - https://wicg.github.io/private-network-access/
    """

    id = "CORS107"
    name = "private-network"
    severity = "medium"
    cwe = (942,)
    summary = "public sites may reach this private-network or localhost service"
    fix_hint = "stop granting Access-Control-Allow-Private-Network"
    proven_by = ("private_network",)

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        loc = facts.policy.private_network
        if loc is None or facts.debug_only:
            return
        permissive = facts.permissive
        message = "Access-Control-Allow-Private-Network: true lets public sites reach this service"
        if permissive:
            message += " — and every origin (or an attacker-passable check) is trusted"
        yield Issue(loc, message, "high" if permissive else "medium", None, facts.context())
