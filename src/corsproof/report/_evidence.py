"""A probe finding's evidence as lines a reviewer reads like `curl -v`: `>` what was sent, `<`
what came back (only the CORS-relevant response headers are kept in the evidence)."""

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
