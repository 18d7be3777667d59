from __future__ import annotations

from collections.abc import Iterator

from corsproof.origins import seed_origins
from corsproof.rules._base import Issue, PolicyFacts, Rule, register


@register
class InsecureOrigin(Rule):
    """
    ## What it finds
    An `http://` origin is trusted, by an exact entry or by a check that also accepts the plain-text
    variant of a trusted `https://` origin. `http://localhost` and `http://127.0.0.1` count too: in a
    deployed policy they are development leftovers.

    ## Why it matters
    Anyone on the victim's network path (public Wi-Fi, a hostile proxy) can inject script into a
    plain-HTTP page of that origin and read the API through it. A localhost origin is served by
    whatever runs on the victim's machine. Severity: low; medium with credentials.

    ## Example (noncompliant)
    ```python
    CORS_ALLOWED_ORIGINS = ["https://app.example.com", "http://localhost:3000"]
    CORS(app, origins=["http://app.example.com"])
    ```

    ## Fix
    - **Django (django-cors-headers)**: only `https://` origins in production settings; keep
      development origins in a development settings module.
    - **Flask (flask-cors)**: only `https://` origins; add localhost origins only when
      `app.debug` is on.
    - **FastAPI/Starlette**: only `https://` origins in `allow_origins`; anchor regexes with `https://`.
    - **Quart (quart-cors)**: only `https://` origins in `allow_origin`; `re.compile(...)` patterns start
      with `https://` (not `https?://`).
    - **Sanic (sanic-cors / sanic-ext)**: only `https://` origins in `origins` (sanic-cors) or
      `CORS_ORIGINS` (sanic-ext); no `https?://` in regexes.
    - **aiohttp (aiohttp-cors)**: only `https://` keys in `defaults` and `cors.add(...)` mappings; keep
      `http://localhost` keys in development configuration.
    - **Falcon (CORSMiddleware)**: only `https://` origins in `allow_origins` and `allow_credentials`.
    - **Litestar (CORSConfig)**: only `https://` entries in `allow_origins`; `allow_origin_regex` starts
      with `https://` (not `https?://`).
    - **CherryPy (cherrypy-cors)**: only `https://` strings in `origins`; compiled patterns start with
      `https://`.
    - **By hand**: require the `https` scheme before comparing hosts.

    ## References
    - CWE-319: Cleartext Transmission of Sensitive Information
    - CWE-346: Origin Validation Error
    """

    id = "CORS105"
    name = "insecure-origin"
    severity = "low"
    cwe = (319, 346)
    summary = "a plain-text http:// origin is trusted"
    fix_hint = "trust only https:// origins in deployed settings"

    def check(self, facts: PolicyFacts) -> Iterator[Issue]:
        if facts.any_origin is not None or facts.fallback_reported:
            return
        severity = "medium" if facts.credentials else "low"
        for verdict in facts.verdicts:
            check = verdict.check
            if verdict.first("weak"):
                continue  # the weak check is the finding; its fix rewrites this check
            if check.how == "exact":
                if not check.value.lower().startswith("http://"):
                    continue
                proof = check.value
                message = f"the plain-text origin {check.value} is trusted"
                fix = f"trust https://{check.value[len('http://') :]} instead, or keep the http:// origin in development settings only"
            else:
                attack = verdict.first("insecure-scheme")
                # a check written for an http:// origin (`^http://localhost:\d+$`) accepts its own seed
                plain = [
                    o for o in seed_origins(check) if o.startswith("http://") and check.accepts(o)
                ]
                if attack is None and not plain:
                    continue
                proof = attack.origin if attack is not None else plain[0]
                message = (
                    f"{check.describe or 'the origin check'} accepts the plain-text origin {proof}"
                )
                fix = "require https:// in the pattern (`^https://…$`), or keep http:// patterns in development settings only"
            yield Issue(
                check.loc or facts.policy.loc, message, severity, proof, facts.context(), fix=fix
            )
