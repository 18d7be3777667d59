"""`corsproof probe`: its options and the run."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from typing import Any

from corsproof._terminal import (
    progress_bar,
    progress_enabled,
)
from corsproof.cli._common import (
    EXIT_ERROR,
    _add_report_options,
    _config,
    _positive,
    _rule_selection,
    _subcommand,
    _usage,
)
from corsproof.cli._report import _cluster, _finish, _finish_streamed, _jsonl_stream, _streaming


def add_probe_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    probe = _subcommand(
        sub,
        "probe",
        "probe live endpoints (or an in-process app) with attacker origins",
        "Send attacker origins and preflights to endpoints and report what they grant, with the "
        "exchange as evidence and a curl command that replays it. Only GET, HEAD and OPTIONS are "
        "sent unless --allow-method names more; every request is bounded in time (--timeout) and "
        "count (--max-requests). Targets are URLs, a file of URLs, an OpenAPI document, or a "
        "WSGI/ASGI application probed in-process without a network.",
        (
            "corsproof probe https://api.example.com/v1/me -H 'X-API-Key: test-key'",
            "corsproof probe --targets urls.txt --origin https://app.example.com --rate 5",
            "corsproof probe --app myproject.wsgi:application --path /api/users/",
        ),
    )
    probe.add_argument(
        "urls", nargs="*", metavar="URL", help="absolute http(s) URLs to probe (default: none)"
    )
    src = probe.add_argument_group("targets")
    src.add_argument(
        "--targets", metavar="FILE", help="one URL per line, `#` comments (default: none)"
    )
    src.add_argument(
        "--openapi",
        metavar="SPEC",
        help="probe the operations of an OpenAPI 3.x / Swagger 2.0 document, JSON or YAML "
        "(default: none)",
    )
    src.add_argument(
        "--base-url",
        metavar="URL",
        help="server URL for --openapi, and the host for --app (default: the spec's first "
        "server; for --app http://localhost)",
    )
    src.add_argument(
        "--app",
        metavar="MODULE:ATTR",
        help="probe a WSGI/ASGI application in-process (default: none)",
    )
    src.add_argument("--app-dir", metavar="DIR", help="directory to import --app from (default: .)")
    src.add_argument(
        "--app-log",
        metavar="FILE",
        help="write what the --app application prints and logs to FILE (default: stderr)",
    )
    src.add_argument(
        "--isolate",
        action="store_true",
        help="run the --app application in a child process (survives os._exit; slower start; "
        "default: in this process)",
    )
    src.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="P",
        help="path to probe with --app (repeatable; default: /)",
    )
    req = probe.add_argument_group("requests")
    req.add_argument(
        "--origin",
        action="append",
        default=[],
        metavar="URL",
        help="a trusted front-end origin (repeatable; default: [tool.corsproof] trusted-origins, "
        "else the target's own origin)",
    )
    req.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="extra request header, e.g. an API key or `Authorization: Bearer …` (repeatable; "
        "default: none)",
    )
    req.add_argument(
        "--cookie", metavar="COOKIES", help="Cookie header for the requests (default: none)"
    )
    req.add_argument(
        "--cert", metavar="FILE", help="client certificate (PEM) for mTLS (default: none)"
    )
    req.add_argument(
        "--key",
        metavar="FILE",
        help="private key of --cert (default: read from the --cert file)",
    )
    req.add_argument(
        "--cacert",
        metavar="FILE",
        help="CA bundle to verify servers with (default: the system's)",
    )
    req.add_argument(
        "--insecure",
        action="store_true",
        help="do not verify server certificates (default: verified)",
    )
    req.add_argument(
        "--allow-method",
        action="append",
        default=[],
        metavar="M",
        help="also send method M (besides GET, HEAD, OPTIONS) to targets documented with it "
        "(repeatable; default: none)",
    )
    lim = probe.add_argument_group("limits")
    lim.add_argument(
        "--timeout",
        type=_positive(float),
        default=10.0,
        metavar="S",
        help="seconds per request (default: 10)",
    )
    lim.add_argument(
        "--concurrency",
        type=_positive(int),
        default=32,
        metavar="N",
        help="requests at once (default: 32)",
    )
    lim.add_argument(
        "--per-host",
        type=_positive(int),
        default=8,
        metavar="N",
        help="requests per host at once (default: 8)",
    )
    lim.add_argument(
        "--rate",
        type=_positive(float),
        metavar="R",
        help="requests per second per host (default: no limit)",
    )
    lim.add_argument(
        "--max-requests",
        type=_positive(int),
        default=100_000,
        metavar="N",
        help="stop after N requests in all (default: 100000)",
    )
    _add_report_options(probe)


def _probe(args: argparse.Namespace) -> int:
    if args.app_log is None:
        return _probe_with(args, contextlib.nullcontext)
    if not args.app:
        return _usage("--app-log applies to an in-process application: give --app")
    from corsproof.probe._guard import app_output_to

    try:
        sink = open(args.app_log, "w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
    except OSError as exc:
        return _usage(f"cannot write --app-log {args.app_log}: {exc.strerror or exc}")
    with sink:
        return _probe_with(args, lambda: app_output_to(sink))


def _probe_with(
    args: argparse.Namespace, app_output: Callable[[], contextlib.AbstractContextManager[Any]]
) -> int:
    """`probe`, the application running inside `app_output()` (stderr, or the --app-log file)."""
    import itertools
    import ssl
    from collections.abc import Iterable
    from urllib.parse import urlsplit

    from corsproof import probe as probing
    from corsproof.findings import Target

    origins: list[str] = []
    for origin in args.origin:
        parts = urlsplit(origin.strip())
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path not in ("", "/")
        ):
            return _usage(f"--origin expects scheme://host[:port], got {origin!r}")
        origins.append(f"{parts.scheme}://{parts.netloc}".lower())
    headers: list[tuple[str, str]] = []
    for header in args.header:
        name, sep, value = header.partition(":")
        if not sep or not name.strip():
            return _usage(f"-H expects 'Name: value', got {header!r}")
        headers.append((name.strip(), value.strip()))
    if args.key and not args.cert:
        return _usage("--key needs --cert")
    allowed = set(probing.SAFE_METHODS)
    for item in args.allow_method:
        allowed.update(m.strip().upper() for m in item.split(",") if m.strip())

    sources: list[Iterable[Target | probing.BadTarget]] = []
    app = None
    try:
        if args.isolate and not args.app:
            return _usage("--isolate applies to an in-process application: give --app")
        if args.cluster is not None and args.app:
            return _usage("--cluster probes over the network: an in-process --app cannot be sent")
        if args.app:
            if args.urls or args.targets:
                return _usage("with --app, name paths with --path (or --openapi), not URLs")
            with app_output():
                app = probing.load_app(args.app, args.app_dir, isolate=args.isolate)
            base = args.base_url or probing.IN_PROCESS_BASE
            if args.path or not args.openapi:
                sources.append(probing.path_targets(args.path or ["/"], base))
            if args.openapi:
                sources.append(probing.openapi_targets(args.openapi, base))
        else:
            if args.path:
                return _usage("--path needs --app (for URLs, name them in full)")
            sources.append(probing.url_targets(args.urls))
            if args.targets:
                sources.append(probing.file_targets(args.targets))
            if args.openapi:
                sources.append(probing.openapi_targets(args.openapi, args.base_url))
            if not args.urls and not args.targets and not args.openapi:
                return _usage("no targets: name URLs, --targets FILE, --openapi SPEC or --app")
    except probing.TargetSourceError as exc:
        return _usage(str(exc))

    config = _config(args)
    if isinstance(config, int):
        return config
    if not origins and config.trusted_origins:
        origins = list(config.trusted_origins)
    rules, bad = _rule_selection(args, config)
    if bad:
        return _usage(f"unknown rule id or prefix: {bad} (see `corsproof rules`)")
    options = probing.ProbeOptions(
        origins=tuple(dict.fromkeys(origins)),
        headers=tuple(headers),
        cookie=args.cookie,
        cert=args.cert,
        key=args.key,
        cacert=args.cacert,
        insecure=args.insecure,
        timeout=args.timeout,
        concurrency=args.concurrency,
        per_host=args.per_host,
        rate=args.rate,
        max_requests=args.max_requests,
        allow_methods=frozenset(allowed),
        select=rules,
    )
    why = _streaming(args)
    if why is not None:
        return _usage(why)
    cluster = _cluster(args)
    if isinstance(cluster, int):
        return cluster
    # (with --app-log, stderr is the log's while the application runs: no progress line there)
    enabled = progress_enabled(args.no_progress, args.quiet) and not args.app_log
    try:
        with progress_bar("probing", enabled) as update, app_output():
            if enabled:
                options.progress = lambda p: update(
                    completed=p.targets_done,
                    unit="targets",
                    detail=f"{p.requests} requests, {p.findings} findings, {p.errors} errors",
                )
            with _jsonl_stream(args) as streaming:
                if isinstance(streaming, int):
                    return streaming
                if streaming is not None:
                    from corsproof.scale._run import probe_stream

                    stream, skip = streaming
                    answered = probe_stream(
                        itertools.chain.from_iterable(sources),
                        options,
                        stream,
                        app=app,
                        skip=skip,
                        cluster=cluster,
                    )
                    if stream.units == 0 and not skip:
                        return _usage("no targets to probe")
                    return _finish_streamed(args, config, stream, answered)
                result = probing.probe_targets(
                    itertools.chain.from_iterable(sources), options, app=app
                )
    except (OSError, ssl.SSLError) as exc:
        return _usage(f"cannot use the TLS files: {exc}")
    except KeyboardInterrupt:
        print("\ncorsproof probe: interrupted", file=sys.stderr)
        return EXIT_ERROR
    finally:
        if cluster is not None:
            cluster.close()
    if result.analysed == 0 and not result.errors:
        return _usage("no targets to probe")
    return _finish(result, args, config, nothing="no target could be probed")
