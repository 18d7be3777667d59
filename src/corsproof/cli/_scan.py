"""`corsproof scan`: its options, stdin, many repositories."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from corsproof._terminal import (
    progress_bar,
    progress_enabled,
)
from corsproof.cli._common import (
    DEFAULT_MAX_FILE_SIZE,
    _add_exclude,
    _add_report_options,
    _config_and_rules,
    _error,
    _missing,
    _size,
    _subcommand,
)
from corsproof.cli._report import _cluster, _finish, _finish_streamed, _jsonl_stream, _streaming
from corsproof.findings import ScanResult, UnitDone


def add_scan_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scan = _subcommand(
        sub,
        "scan",
        "statically analyse source files and directories",
        "Statically analyse Python sources and requirement/lock files for permissive CORS "
        "policies: settings, middleware and decorator configuration, hand-written headers and "
        "CORS libraries with known advisories. Nothing is imported or executed. Directories are "
        "walked with .gitignore applied; [tool.corsproof] in pyproject.toml supplies defaults "
        "that the options below override.",
        (
            "corsproof scan .",
            "corsproof scan src/ --select CORS1 --fail-on high --format sarif -o corsproof.sarif",
            "git diff --name-only | xargs corsproof scan --force-exclude --format github",
        ),
    )
    scan.add_argument(
        "paths",
        nargs="*",
        default=[],
        metavar="PATH",
        help="files and directories to scan; `-` reads one file from stdin (default: .)",
    )
    scan.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="the name of the file read from stdin (`scan -`), for editors: it decides how the "
        "text is read (Python or a requirement file), where [tool.corsproof] is found and how "
        "findings name the file (default: -)",
    )
    scan.add_argument(
        "--include-deps",
        action="store_true",
        help="also scan virtualenvs, site-packages and node_modules (default: skipped)",
    )
    _add_exclude(scan)
    scan.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply --exclude and .gitignore to files named on the command line too, as pre-commit "
        "needs (default: a named file is always scanned)",
    )
    scan.add_argument(
        "--show-unresolved",
        action="store_true",
        help="list the CORS values the analysis could not determine (default: only count them)",
    )
    scan.add_argument(
        "--max-file-size",
        type=_size,
        default=DEFAULT_MAX_FILE_SIZE,
        metavar="SIZE",
        help="do not parse larger files (default: 10MB; a parsed tree takes ~20x its source); "
        "a larger file that mentions CORS is an error and the run exits 2",
    )
    scan.add_argument(
        "--repos",
        metavar="FILE",
        help="scan many repositories: one local path or git URL a line (`#` comments; a URL is "
        "cloned shallowly into a temporary directory and deleted afterwards), each its own unit "
        "with a done line, findings tagged with it; with --format jsonl (default: none)",
    )
    scan.add_argument(
        "--report-unused-suppressions",
        action="store_true",
        help="list the corsproof suppression comments that hide nothing (`# corsproof: ignore`, "
        "`# noqa: CORS…`, `# nosec CORS…`; bare `# noqa`/`# nosec` belong to every tool and are "
        "not listed); any such comment fails the run (exit 1) as a finding would (default: off)",
    )
    _add_report_options(scan)


def _stdin(args: argparse.Namespace) -> tuple[str, bytes] | int | None:
    """(name, text) of `scan -` (or `--stdin-filename` alone), read up to one byte past
    --max-file-size; None when the paths are to be walked; an exit code on a usage error."""
    if "-" not in args.paths and not (args.stdin_filename and not args.paths):
        if args.stdin_filename:
            return _error("--stdin-filename names the text read from stdin: scan - (no other path)")
        return None
    if args.paths not in ([], ["-"]):
        return _error("scan - reads one file from stdin: give no other path")
    try:
        data = sys.stdin.buffer.read(args.max_file_size + 1)
    except (OSError, ValueError, AttributeError) as exc:
        return _error(f"cannot read stdin: {exc}")
    name = args.stdin_filename or "-"
    if len(data) > args.max_file_size:
        from corsproof.static.engine import size_text

        return _error(
            f"{name}: the text on stdin is larger than --max-file-size "
            f"({size_text(args.max_file_size)}), so it was not analysed; raise --max-file-size"
        )
    return name, data


def _scan(args: argparse.Namespace) -> int:
    from corsproof.static import scan_paths

    if args.repos:
        return _scan_repos(args)
    if args.cluster is not None or args.resume:
        return _error(
            "--cluster and --resume apply to many repositories: scan --repos FILE --format jsonl"
        )
    stdin = _stdin(args)
    if isinstance(stdin, int):
        return stdin
    if not args.paths and stdin is None:
        args.paths = ["."]
    chosen = _config_and_rules(args)
    if isinstance(chosen, int):
        return chosen
    config, rules = chosen
    # a mistyped path must not make a run scan less and pass: reported, the rest still scanned
    # (as Ruff does), and the run exits 2
    missing = [
        f"{path}: no such file or directory (check the path; the other paths were scanned)"
        for path in args.paths
        if stdin is None and _missing(path)
    ]
    enabled = progress_enabled(args.no_progress, args.quiet)
    with progress_bar("scanning", enabled) as update:
        result = scan_paths(
            args.paths,
            include_deps=args.include_deps,
            select=rules,
            exclude=[*config.exclude, *args.exclude],
            extra_trusted=config.trusted_origins,
            force_exclude=args.force_exclude,
            progress=(lambda path: update(advance=1, unit="files", detail=path[-60:]))
            if enabled
            else None,
            max_file_size=args.max_file_size,
            report_unused_suppressions=args.report_unused_suppressions,
            stdin=stdin,
            # the formats that carry fixes (the text report does not show them: not computed)
            fixes=args.format in ("json", "jsonl", "sarif"),
        )
    result.show_unresolved = args.show_unresolved
    result.units_done = _scanned_units([stdin[0]] if stdin else args.paths, result, missing)
    return _finish(result, args, config, problems=missing)


def _scan_repos(args: argparse.Namespace) -> int:
    """`scan --repos FILE`: each repository one unit, streamed as JSON Lines."""
    from corsproof.scale._run import RepositoryListError, repositories, scan_stream

    if args.paths or args.stdin_filename:
        return _error("--repos names the repositories to scan: give no PATH (nor stdin)")
    why = _streaming(args)
    if why is not None:
        return _error(why)
    chosen = _config_and_rules(args)
    if isinstance(chosen, int):
        return chosen
    config, rules = chosen
    if not os.path.isfile(args.repos):
        return _error(f"--repos {args.repos}: no such file (one repository path or URL a line)")
    cluster = _cluster(args)
    if isinstance(cluster, int):
        return cluster
    options = {
        "include_deps": args.include_deps,
        "select": rules,
        "exclude": [*config.exclude, *args.exclude],
        "extra_trusted": config.trusted_origins,
        "max_file_size": args.max_file_size,
    }
    enabled = progress_enabled(args.no_progress, args.quiet)
    try:
        with progress_bar("scanning", enabled) as update, _jsonl_stream(args) as streaming:
            if isinstance(streaming, int):
                return streaming
            stream, skip = streaming
            scanned = scan_stream(
                repositories(args.repos),
                options,
                stream,
                skip=skip,
                cluster=cluster,
                progress=(lambda name: update(advance=1, unit="repositories", detail=name[-60:]))
                if enabled
                else None,
            )
    except RepositoryListError as exc:
        return _error(str(exc))
    finally:
        if cluster is not None:
            cluster.close()
    return _finish_streamed(args, config, stream, scanned, "repository")


def _scanned_units(
    paths: Sequence[str], result: ScanResult, missing: Sequence[str]
) -> list[UnitDone]:
    """A `done` record per scanned path: the findings located under it (the longest path that
    contains a finding's file claims it; `.` contains every relative path)."""
    gone = {problem.split(": no such file", 1)[0] for problem in missing}
    counts = dict.fromkeys(paths, 0)

    def contains(path: str, shown: str) -> bool:
        top = path.rstrip("/\\") or path
        if top in ("", "."):
            return not os.path.isabs(shown)
        return shown == top or shown.startswith((top + "/", top + os.sep))

    for finding in result.findings:
        shown = finding.location.path if finding.location else ""
        owners = [p for p in paths if contains(p, shown)]
        if owners:
            counts[max(owners, key=len)] += 1
    return [UnitDone(path, counts[path], "failed" if path in gone else "ok") for path in counts]
