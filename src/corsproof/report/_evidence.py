"""A finding's evidence as lines a reviewer reads: a probe's exchange like `curl -v` shows it (`>`
what was sent, `<` what came back; only the CORS-relevant response headers are kept in the
evidence), a vulnerable library's advisories one a line."""

from __future__ import annotations

from typing import Any

from corsproof._terminal import printable


def exchange_lines(evidence: dict[str, Any]) -> list[str]:
    """`> METHOD URL`, `> Name: value` per request header, `< STATUS`, `< name: value` per
    response header; every value made printable (a server's header may carry anything)."""
    request = evidence.get("request") or {}
    response = evidence.get("response") or {}
    lines = [
        f"> {printable(str(request.get('method', '')))} {printable(str(request.get('url', '')))}"
    ]
    lines += [
        f"> {printable(str(k))}: {printable(str(v))}" for k, v in request.get("headers", {}).items()
    ]
    lines.append(f"< {printable(str(response.get('status', '')))}")
    lines += [
        f"< {printable(str(k))}: {printable(str(v))}"
        for k, v in response.get("headers", {}).items()
    ]
    return lines


def advisory_lines(evidence: dict[str, Any]) -> list[str]:
    """`CVE-2024-6221 (high), fixed in 6.0.0: https://…` per advisory of a CORS302 finding."""
    lines = []
    for advisory in evidence.get("advisories") or ():
        fixed = advisory.get("fixed_in")
        lines.append(
            f"{printable(str(advisory.get('id', '')))} ({printable(str(advisory.get('severity')))}"
            f"), {'fixed in ' + printable(str(fixed)) if fixed else 'no fixed release'}: "
            f"{printable(str(advisory.get('source', '')))}"
        )
    return lines


def evidence_lines(evidence: dict[str, Any]) -> list[str]:
    """The lines of any finding's evidence: a probe's exchange, or a library's advisories."""
    if "request" in evidence or "response" in evidence:
        return exchange_lines(evidence)
    return advisory_lines(evidence)
