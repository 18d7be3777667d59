from __future__ import annotations

from collections.abc import Iterator

from packaging.version import InvalidVersion, Version

from corsproof.deps import Advisory, Dependency
from corsproof.findings import SEVERITY_RANK
from corsproof.rules._base import DependencyFacts, Issue, Rule, register


@register
class VulnerableCorsLibrary(Rule[DependencyFacts]):
    """
    ## What it finds
    A requirement that pins or caps a CORS library at versions with a published CORS security
    advisory: every version it admits is affected. Read from `requirements*.txt` (and the files
    they include with `-r`/`-c`), `pyproject.toml` (PEP 621, PEP 735 groups, Poetry), `Pipfile`,
    `Pipfile.lock`, `poetry.lock`, `uv.lock` and `setup.cfg`. A pin (`flask-cors==4.0.0`) or a
    cap (`flask-cors<5`, `~=3.0`, Poetry `^3.0`, `3.*`) is reported; a lower bound that admits a
    fixed release (`flask-cors>=3.0`) is not, unless a lock file pins a vulnerable version (then
    the lock file's entry is reported). The advisories ship as data
    (`corsproof/data/advisories.json`, each with its source): flask-cors CVE-2020-25032,
    CVE-2024-1681, CVE-2024-6221 (private network access by default before 5.0.0),
    CVE-2024-6839, CVE-2024-6844, CVE-2024-6866 (fixed in 6.0.0); Litestar CVE-2026-25478;
    sanic-cors CVE-2026-37737 (no fixed release); django-cors-headers before 3.0.0 (http origins
    trusted by https sites, no CVE).

    ## Why it matters
    The policy the code configures is not the policy the library enforces: flask-cors before
    5.0 answers private-network preflights with `Access-Control-Allow-Private-Network: true`
    unless told otherwise, matches resource paths case-insensitively and after `+` decoding
    before 6.0, Litestar before 2.20 treats the dots of `allow_origins` as regex wildcards, and
    sanic-cors accepts `https://trusted.com.attacker.io` for a `https://trusted\\.com` pattern.
    Severity: the highest severity of the advisories matched (GitHub's, which follows CVSS).

    ## Example (noncompliant)
    ```text
    # requirements.txt
    flask-cors==4.0.0        # CVE-2024-6221 and four more; fixed in 6.0.0
    ```
    ```python
    from flask_cors import CORS

    CORS(app, origins=["https://app.example.com"])  # 4.0.0 still grants private-network access
    ```

    ## Fix
    - **Django (django-cors-headers)**: require `django-cors-headers>=3.0.0` (current: 4.x) and
      list origins with their scheme.
    - **Flask (flask-cors)**: require `flask-cors>=6.0.0`; re-check resource patterns, whose
      ordering, decoding and case sensitivity changed in 6.0.
    - **FastAPI/Starlette**: no advisory is known for Starlette's `CORSMiddleware`; keep starlette
      (and fastapi) current.
    - **Quart (quart-cors)**: no advisory is known for quart-cors; keep it current.
    - **Sanic (sanic-cors / sanic-ext)**: sanic-cors has no fixed release for CVE-2026-37737: use exact
      origins or end each regex with `$`, or move to sanic-ext's CORS (no advisory known; require
      `sanic-ext>=25.12.0`, which stopped matching string origins as prefixes).
    - **aiohttp (aiohttp-cors)**: no advisory is known for aiohttp-cors; keep it current.
    - **Falcon (CORSMiddleware)**: no advisory is known for Falcon's `CORSMiddleware`; keep falcon current.
    - **Litestar (CORSConfig)**: require `litestar>=2.20.0` (CVE-2026-25478: the dots of `allow_origins`
      were regex wildcards).
    - **CherryPy (cherrypy-cors)**: no advisory is known for cherrypy-cors; keep it current.
    - **By hand**: raise the pin or cap to the fixed release, then re-lock (`poetry lock`,
      `uv lock`, `pipenv lock`, `pip-compile`) so the lock file follows.

    ## References
    - CWE-1395: Dependency on Vulnerable Third-Party Component
    - https://github.com/advisories?query=flask-cors
    - https://osv.dev/list?ecosystem=PyPI&q=flask-cors
    """

    id = "CORS302"
    name = "vulnerable-cors-library"
    severity = "high"
    cwe = (1395,)
    summary = "a requirement pins or caps a CORS library at versions with a security advisory"
    fix_hint = "require the fixed release of the CORS library, then re-lock"

    judges = DependencyFacts

    def check(self, facts: DependencyFacts) -> Iterator[Issue]:
        dependency = facts.dependency
        if not dependency.advisories:
            return
        advisories = sorted(
            dependency.advisories, key=lambda a: (-SEVERITY_RANK.get(a.severity, 0), a.id)
        )
        fixed = fixed_in(advisories)
        listed = ", ".join(f"{a.id} ({a.severity})" for a in advisories)
        what = requirement(dependency)
        if dependency.locked:
            message = f"{what} is locked: it has CORS advisories {listed}; {fixed}"
        else:
            message = f"{what} admits only versions with CORS advisories {listed}; {fixed}"
        evidence = {
            "package": dependency.package,
            "specifier": dependency.specifier,
            "advisories": [
                {"id": a.id, "severity": a.severity, "fixed_in": a.fixed, "source": a.source}
                for a in advisories
            ],
            # the release that fixes every one (None: one of them has no fixed release)
            "fixed_in": fixed.removeprefix("fixed in ") if fixed.startswith("fixed in") else None,
        }
        fix = (
            None
            if fixed.startswith("fixed in")
            else "no release fixes every advisory: move to a maintained CORS library, or set "
            "the headers yourself against an allow-list"
        )
        yield Issue(dependency.loc, message, advisories[0].severity, None, (), evidence, fix)


def requirement(dependency: Dependency) -> str:
    """`flask-cors==4.0.0`, `flask-cors ^4.0`, `flask-cors 4.0.0`, as the file states it."""
    specifier = dependency.specifier
    if specifier.startswith(("==", "<", ">", "!=", "~=")):  # PEP 440 operators
        return f"{dependency.package}{specifier}"
    return f"{dependency.package} {specifier}".rstrip()


def fixed_in(advisories: list[Advisory]) -> str:
    """`fixed in 6.0.0` (the release that fixes them all) or why there is none."""
    unfixed = [a.id for a in advisories if not a.fixed]
    if unfixed:
        return f"no fixed release for {', '.join(unfixed)}"
    try:
        return f"fixed in {max((a.fixed or '' for a in advisories), key=Version)}"
    except InvalidVersion:
        return f"fixed in {', '.join(sorted({a.fixed or '' for a in advisories}))}"
