"""Dynamic probing: send the attacker catalogue to live endpoints (or an in-process app), turn what
they grant into the same `CorsPolicy` the scanner builds, and judge it with the same rules.

    from corsproof.probe import ProbeOptions, probe_targets
    result = probe_targets(["https://api.example.com/me"], ProbeOptions(origins=("https://app.example.com",)))

`probe_targets(..., app=wsgi_or_asgi_app)` probes the application in-process: no server, no network.
`load_app("module:app")` imports one as `--app` does; what the application's code does while it is
imported, built or started (an exception, `sys.exit()`, a `KeyboardInterrupt` it raises) is one
error in the result, never the end of the run; `load_app(..., isolate=True)` runs it in a child
process, which `os._exit()` cannot take corsproof down with.
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
    target_label,
)
from corsproof.probe._in_process import in_process_transport
from corsproof.probe._isolate import IsolatedApp, IsolatedTransport
from corsproof.probe._targets import (
    IN_PROCESS_BASE,
    BadTarget,
    FailedApp,
    LoadedApp,
    TargetSourceError,
    app_label,
    file_targets,
    is_asgi,
    load_app,
    openapi_targets,
    path_targets,
    unwrap,
    url_targets,
)
from corsproof.probe._transport import (
    FailedTransport,
    Transport,
    network_transport,
    tls_context,
)

__all__ = [
    "IN_PROCESS_BASE",
    "SAFE_METHODS",
    "BadTarget",
    "FailedApp",
    "IsolatedApp",
    "LoadedApp",
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
    "target_label",
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
    if isinstance(app, FailedApp):
        return FailedTransport(app.spec, app.message)
    if isinstance(app, IsolatedApp):
        return IsolatedTransport(app, timeout=options.timeout, workers=options.concurrency)
    if app is not None:
        transport = in_process_transport(
            unwrap(app), asgi=is_asgi(app), timeout=options.timeout, workers=options.concurrency
        )
        transport.label = app_label(app)
        return transport

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
