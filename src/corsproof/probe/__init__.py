"""Dynamic probing: send the attacker catalogue to live endpoints (or an in-process app), turn what
they grant into the same `CorsPolicy` the scanner builds, and judge it with the same rules.

    from corsproof.probe import ProbeOptions, probe_targets
    result = probe_targets(["https://api.example.com/me"], ProbeOptions(origins=("https://app.example.com",)))

`probe_targets(..., app=wsgi_or_asgi_app)` probes the application in-process: no server, no network.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from typing import Any

from corsproof.findings import Target
from corsproof.probe._engine import (
    SAFE_METHODS,
    Engine,
    ProbeOptions,
    ProbeProgress,
    ProbeResult,
    findings_by_target,
)
from corsproof.probe._targets import (
    IN_PROCESS_BASE,
    BadTarget,
    TargetSourceError,
    file_targets,
    is_asgi,
    load_app,
    openapi_targets,
    path_targets,
    url_targets,
)
from corsproof.probe._transport import (
    Transport,
    in_process_transport,
    network_transport,
    tls_context,
)

__all__ = [
    "IN_PROCESS_BASE",
    "SAFE_METHODS",
    "BadTarget",
    "ProbeOptions",
    "ProbeProgress",
    "ProbeResult",
    "TargetSourceError",
    "aprobe_targets",
    "file_targets",
    "findings_by_target",
    "is_asgi",
    "load_app",
    "openapi_targets",
    "path_targets",
    "probe_targets",
    "url_targets",
]


def _normalise(targets: Iterable[Target | BadTarget | str]) -> Iterable[Target | BadTarget]:
    for item in targets:
        if isinstance(item, str):
            yield from url_targets([item])
        else:
            yield item


def make_transport(options: ProbeOptions, app: Any = None) -> Transport:
    """The network client, or an in-process transport for a WSGI/ASGI `app` (auto-detected).

    Raises `OSError`/`ssl.SSLError` when the certificate files cannot be used."""
    if app is not None:
        return in_process_transport(
            app, asgi=is_asgi(app), timeout=options.timeout, workers=options.concurrency
        )

    def context() -> ssl.SSLContext:
        return tls_context(
            cacert=options.cacert, cert=options.cert, key=options.key, insecure=options.insecure
        )

    return network_transport(
        context=context,
        timeout=options.timeout,
        per_host=options.per_host,
        trust_env=options.trust_env,
        has_cert=bool(options.cert),
    )


async def aprobe_targets(
    targets: Iterable[Target | BadTarget | str],
    options: ProbeOptions | None = None,
    *,
    app: Any = None,
) -> ProbeResult:
    options = options or ProbeOptions()
    engine = Engine(options, make_transport(options, app))
    return await engine.run(_normalise(targets))


def probe_targets(
    targets: Iterable[Target | BadTarget | str],
    options: ProbeOptions | None = None,
    *,
    app: Any = None,
) -> ProbeResult:
    """Probe every target (URLs or `Target(url, method)`), streaming; findings as `scan` gives them."""
    return asyncio.run(aprobe_targets(targets, options, app=app))
