"""Command line: commands, options, exit codes. No analysis logic lives here."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from corsproof._terminal import (
    code_frames,
    printable,
    progress_bar,
    progress_enabled,
    report_width,
    use_color,
)
from corsproof._version import __version__
from corsproof.findings import SEVERITIES, ScanResult, UnitDone, at_least
from corsproof.report import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# a parsed tree takes about 20 times its source: 10 MB of source is ~200 MB per worker
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*", re.IGNORECASE)


def _size(text: str) -> int:
    """`--max-file-size`: bytes, or a number with K/KB/KiB, M/MB/MiB or G/GB/GiB (powers of 1024)."""
    match = _SIZE.fullmatch(text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"expected a size such as 10MB, 512KB or 1048576, got {text!r}"
        )
    size = int(float(match[1]) * _UNITS[match[2].lower()])
    if size <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0: {text!r}")
    return size


_size.__name__ = "size"


def _rule_list(value: str) -> set[str]:
    return {v.strip().upper() for v in value.split(",") if v.strip()}


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `scan` and `probe`: what to report, where, and what fails the run."""
    out = parser.add_argument_group("report")
    out.add_argument(
        "--format",
        choices=list(FORMATS),
        default="text",
        help="report format (default: text; colour and code frames on a terminal)",
    )
    out.add_argument(
        "-o", "--output", metavar="FILE", help="write the report to FILE (default: stdout)"
    )
    out.add_argument(
        "--fail-on",
        choices=list(reversed(SEVERITIES)),
        default=None,
        help="exit 1 when a finding is at least this severe (default: [tool.corsproof] fail-on, "
        "else low)",
    )
    rules = "rule ids, prefixes (CORS1, CORS10) or ALL, comma-separated; repeatable"
    out.add_argument(
        "--select",
        type=_rule_list,
        action="append",
        metavar="RULES",
        help=f"only these rules ({rules}; default: [tool.corsproof] select, else ALL)",
    )
    out.add_argument(
        "--ignore",
        type=_rule_list,
        action="append",
        metavar="RULES",
        help=f"skip these rules ({rules}; default: [tool.corsproof] ignore); the more specific "
        "of a select and an ignore wins, an ignore wins a tie",
    )
    out.add_argument(
        "--extend-select",
        type=_rule_list,
        action="append",
        metavar="RULES",
        help="add to the selected rules (the command line's or the configuration's; default: none)",
    )
    out.add_argument(
        "--extend-ignore",
        type=_rule_list,
        action="append",
        metavar="RULES",
        help="add to the ignored rules (the command line's or the configuration's; default: none)",
    )
    out.add_argument(
        "--baseline",
        metavar="FILE",
        help="report only findings that are not in this baseline (default: none)",
    )
    out.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="record the current findings as the baseline (default: none)",
    )
    out.add_argument(
        "--config",
        metavar="PYPROJECT",
        help="read [tool.corsproof] from this file (default: the nearest pyproject.toml above "
        "the first path)",
    )
    out.add_argument(
        "--no-config", action="store_true", help="ignore [tool.corsproof] (default: read it)"
    )
    out.add_argument(
        "--strict",
        action="store_true",
        help="exit 2 when any file or target could not be analysed (listed under errors; default: "
        "only when nothing could be)",
    )
    out.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when there are findings (errors still exit 2; default: exit 1 on findings)",
    )
    out.add_argument(
        "--statistics",
        action="store_true",
        help="instead of the findings, the count of each rule found, most frequent first "
        "(text: one 'COUNT  RULE  NAME' line each; json: a list of {count, rule_id, rule_name}; "
        "default: the findings)",
    )
    out.add_argument(
        "--resume",
        action="store_true",
        help="continue the JSON Lines report named by -o: skip every target or repository it "
        "has a done line for, cut off a unit left unfinished, append the rest (default: start "
        "anew)",
    )
    out.add_argument(
        "--cluster",
        nargs="?",
        const="",
        metavar="ADDRESS",
        help="run the units on a Dask distributed scheduler (tcp://host:8786; alone: "
        "DASK_SCHEDULER_ADDRESS), with --format jsonl; needs corsproof[cluster] (default: "
        "this machine)",
    )
    out.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar on stderr (default: shown when stderr is a terminal)",
    )
    out.add_argument(
        "--quiet", action="store_true", help="print only findings (default: with a summary)"
    )


def _examples(*lines: str) -> str:
    """An epilog of real command lines, shown as written (RawDescriptionHelpFormatter)."""
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _subcommand(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
    examples: Sequence[str],
) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=_examples(*examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corsproof",
        description="Find overly permissive CORS policies in Python web applications (Django, "
        "Flask, FastAPI/Starlette, Quart, Sanic, aiohttp, Falcon, Litestar, CherryPy, Tornado and "
        "hand-written headers), prove each with a concrete attacker origin, and say how to fix "
        "it. `scan` reads source and requirement files without running them; `probe` asks "
        "running servers, or an application in-process. Exit codes: 0 clean, 1 findings, 2 "
        "error.",
        epilog=_examples(
            "corsproof scan .",
            "corsproof probe https://api.example.com/v1/me --origin https://app.example.com",
            "corsproof explain CORS102",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"corsproof {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

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
    scan.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip paths matching this gitignore-style glob (repeatable; default: none beyond "
        ".gitignore and [tool.corsproof] exclude)",
    )
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

    _add_probe_parser(sub)
    _add_fix_parser(sub)

    _subcommand(
        sub,
        "rules",
        "list the rule catalogue",
        "List every rule: id, name, default severity, CWE and a one-line summary.",
        ("corsproof rules", "corsproof rules | grep CORS1", "corsproof rules > rules.txt"),
    )
    explain = _subcommand(
        sub,
        "explain",
        "print a rule's documentation",
        "Print a rule's documentation: what it finds, why it matters, an example, the fix for "
        "each framework, references, and what `corsproof fix` rewrites for it.",
        (
            "corsproof explain CORS101",
            "corsproof explain cors302",
            "corsproof explain CORS104 | less",
        ),
    )
    explain.add_argument("rule", metavar="RULE", help="a rule id, e.g. CORS102 (no default)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_CLEAN if exc.code == 0 else EXIT_ERROR
    # a character the output encoding cannot take (an ASCII locale, a non-UTF-8 file name) is
    # written as an escape instead of ending the run with a traceback
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # pragma: no cover - a stream that cannot
                pass
    try:
        return _command(parser, args)
    except BrokenPipeError:
        # `corsproof scan . | head`: the reader left; no traceback, and no second error at exit
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
            pass
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\ncorsproof: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception:  # noqa: BLE001 - a bug of ours: exit 2 (an error), never 1 (findings)
        import traceback

        traceback.print_exc()
        print(
            "corsproof: internal error (a bug in corsproof, not in your code): the traceback "
            "above says where; please report it",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "scan":
        return _scan(args)
    if args.command == "probe":
        return _probe(args)
    if args.command == "fix":
        return _fix(args)
    if args.command == "rules":
        return _rules()
    if args.command == "explain":
        return _explain(args.rule)
    parser.print_help(sys.stderr)
    return EXIT_ERROR


def _error(message: str) -> int:
    # messages may quote a configuration, a baseline, a spec or a server: one line, no controls
    print(f"corsproof: error: {printable(message)}", file=sys.stderr)
    return EXIT_ERROR


def _config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The [tool.corsproof] configuration (or an exit code when it is unusable)."""
    from corsproof.config import Config, ConfigError, load_config, load_config_file

    if args.no_config and args.config:
        return _error("--no-config and --config contradict each other: give one of them")
    if args.no_config:
        return Config()
    try:
        if args.config:
            return load_config_file(args.config)
        stdin_name = getattr(args, "stdin_filename", None)
        return load_config([stdin_name] if stdin_name else getattr(args, "paths", None) or ["."])
    except ConfigError as exc:
        return _error(str(exc))


def _union(groups: list[set[str]] | None) -> set[str] | None:
    return set().union(*groups) if groups else None


def _rule_selection(
    args: argparse.Namespace,
    config,  # type: ignore[no-untyped-def]
    *more: set[str],
) -> tuple[set[str], str | None]:
    """The ids of the rules that run, and the selectors that name no rule (with the closest
    valid one; `more`: per-path ignores, checked too, where "*" stands for every rule).

    `--select`/`--ignore` (each repeatable, additive) replace the configuration's lists,
    `--extend-select`/`--extend-ignore` add to whichever applies."""
    from corsproof.rules._select import ALL, selected_rules, unknown_selectors

    select = _union(args.select)
    select = select if select is not None else config.select
    ignore = _union(args.ignore)
    ignore = ignore if ignore is not None else config.ignore
    extend_select, extend_ignore = _union(args.extend_select), _union(args.extend_ignore)
    if extend_select:
        select = (select or {ALL}) | extend_select
    if extend_ignore:
        ignore = (ignore or set()) | extend_ignore
    named = {n for names in (select, ignore, *more) for n in names or () if n != "*"}
    unknown = unknown_selectors(sorted(named))
    return selected_rules(select, ignore), ", ".join(unknown) if unknown else None


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
    config = _config(args)
    if isinstance(config, int):
        return config
    rules, bad = _rule_selection(args, config, *config.per_path_ignores.values())
    if bad:
        return _error(f"unknown rule id or prefix: {bad} (see `corsproof rules`)")
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
    config = _config(args)
    if isinstance(config, int):
        return config
    rules, bad = _rule_selection(args, config, *config.per_path_ignores.values())
    if bad:
        return _error(f"unknown rule id or prefix: {bad} (see `corsproof rules`)")
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


def _missing(path: str) -> bool:
    """Nothing at all at `path` (a dangling link exists: it is a file error, not a typo)."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except (OSError, ValueError):
        return False  # there but unusable (permissions, a NUL byte): the walk reports why
    return False


def _problems(result: ScanResult, args: argparse.Namespace, nothing: str) -> list[str]:
    """Why the run cannot pass whatever its findings (exit 2), one line each; [] when it can."""
    problems: list[str] = []
    max_file_size = getattr(args, "max_file_size", None)  # scan only
    if max_file_size is not None and result.errors:
        from corsproof.static.engine import TooLargeError, size_text

        limit = size_text(max_file_size)
        for error in result.errors:
            if not isinstance(error, TooLargeError):
                continue
            problems.append(
                f"{error.path}: mentions CORS but is larger than --max-file-size ({limit}), so "
                "it was not analysed; raise --max-file-size, or --exclude the file if it is "
                "not code"
            )
    if args.strict and result.errors:
        unit = getattr(result, "unit", "file")
        count = len(result.errors)
        problems.append(
            f"--strict: {count} {unit}{'s' if count != 1 else ''} could not be analysed "
            "(listed under errors)"
        )
    if result.files_scanned == 0 and result.errors:
        problems.append(f"{nothing} (every one is listed under errors, with the reason)")
    return problems


def _finish(
    result: ScanResult,
    args: argparse.Namespace,
    config,  # type: ignore[no-untyped-def]
    nothing: str = "nothing could be analysed",
    problems: Sequence[str] = (),
) -> int:
    """Per-path ignores, baseline, report, exit code: the same for scan and probe.

    Exit 2 (whatever the findings) for a path that does not exist, a CORS-relevant file over the
    size limit, any error with --strict, or when nothing could be analysed; the report is
    written first all the same."""
    from corsproof.baseline import BaselineError, apply_baseline, load_baseline, write_baseline

    if config.per_path_ignores:
        kept = [f for f in result.findings if not config.ignored_by_path(f)]
        result.suppressed += len(result.findings) - len(kept)
        result.findings = kept
    if args.write_baseline:
        try:
            write_baseline(result, args.write_baseline)
        except OSError as exc:
            return _error(
                f"cannot write {args.write_baseline}: {exc.strerror or exc} "
                "(choose a writable --write-baseline file)"
            )
        print(
            f"corsproof: baseline of {len(result.findings)} finding(s) written to "
            f"{args.write_baseline}",
            file=sys.stderr,
        )
    elif args.baseline:
        try:
            outcome = apply_baseline(result, load_baseline(args.baseline))
        except BaselineError as exc:
            return _error(str(exc))
        if not args.quiet:
            print(
                f"corsproof: baseline {args.baseline}: {outcome.matched} known finding(s) "
                f"hidden, {outcome.new} new, {outcome.stale} fixed since",
                file=sys.stderr,
            )
    fail_on = args.fail_on or config.fail_on or "low"
    code = _emit(result, args)
    if code != EXIT_CLEAN:
        return code
    problems = [*problems, *_problems(result, args, nothing)]
    if problems:
        for problem in problems:
            _error(problem)
        return EXIT_ERROR
    if result.files_scanned == 0:
        print(
            "corsproof: warning: no Python files found (check the paths, --exclude and .gitignore)",
            file=sys.stderr,
        )
    if args.write_baseline or args.exit_zero:
        return code
    if result.unused_suppressions:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if any(at_least(f.severity, fail_on) for f in result.findings) else code


def _emit(result: ScanResult, args: argparse.Namespace) -> int:
    """Write the report (stdout or -o); EXIT_ERROR when it cannot be written."""
    from corsproof.report import render
    from corsproof.report.text import render_text

    stream = sys.stdout
    terminal = args.format == "text" and not args.output
    color = terminal and use_color(stream)
    if args.statistics:
        if args.format not in ("text", "json"):
            return _error("--statistics prints text or json (not " + args.format + ")")
        text = _statistics(result, args.format)
    else:
        text = (
            render_text(result, color=color, frames=code_frames(stream), width=report_width(stream))
            if terminal
            else render(args.format, result, color=color)
        )
    if args.quiet and args.format == "text":
        text = "\n".join(text.rstrip("\n").split("\n")[:-1]) + "\n" if result.findings else ""
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(text)
        except OSError as exc:
            return _error(
                f"cannot write {args.output}: {exc.strerror or exc} (choose a writable -o file)"
            )
    else:
        stream.write(text)
        stream.flush()
    return EXIT_CLEAN


def _statistics(result: ScanResult, form: str) -> str:
    """How often each rule was found, most frequent first (then by id), as Ruff's --statistics."""
    import json
    from collections import Counter

    counts = Counter((f.rule_id, f.rule_name) for f in result.findings)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    if form == "json":
        listed = [{"count": n, "rule_id": rule, "rule_name": name} for (rule, name), n in rows]
        return json.dumps(listed, indent=2) + "\n"
    width = max((len(str(n)) for _, n in rows), default=1)
    return "".join(f"{n:>{width}}  {rule}  {name}\n" for (rule, name), n in rows)


def _add_fix_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fix = _subcommand(
        sub,
        "fix",
        "rewrite permissive CORS configurations into the policy you mean",
        "Rewrite what `scan` finds, in place, with comments and layout kept: safe fixes keep "
        "every origin the code meant to trust and close the bypass (anchor and escape origin "
        "regexes, an empty default for a missing environment variable); --unsafe-fixes also "
        "narrows who is trusted (every origin or an echoed Origin -> the --allow-origin list). "
        "Files that do not parse are left untouched; a second run changes nothing. Exit 1 when "
        "findings remain (with --diff: when something would change).",
        (
            "corsproof fix . --diff",
            "corsproof fix . --allow-origin https://app.example.com --unsafe-fixes",
            "corsproof fix src/ --select CORS104,CORS301",
        ),
    )
    fix.add_argument(
        "paths", nargs="*", default=[], metavar="PATH", help="files and directories (default: .)"
    )
    fix.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="URL",
        help="a front end that must keep working (repeatable; default: [tool.corsproof] "
        "trusted-origins, else the list is read from the CORS_ALLOWED_ORIGINS environment "
        "variable, empty when unset)",
    )
    fix.add_argument(
        "--diff",
        action="store_true",
        help="print a unified diff of what would change, write nothing, exit 1 if anything "
        "would (default: write)",
    )
    fix.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="also apply fixes that narrow who is trusted beyond what the code says (default: "
        "only safe fixes; the summary counts the unsafe ones available)",
    )
    fix.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip paths matching this gitignore-style glob (repeatable; default: none beyond "
        ".gitignore and [tool.corsproof] exclude)",
    )
    rules = "rule ids, prefixes or ALL, comma-separated; repeatable"
    for flag, what in (
        ("--select", f"only fix these rules ({rules}; default: [tool.corsproof] select, else ALL)"),
        ("--ignore", f"do not fix these rules ({rules}; default: [tool.corsproof] ignore)"),
        ("--extend-select", "add to the selected rules (default: none)"),
        ("--extend-ignore", "add to the ignored rules (default: none)"),
    ):
        fix.add_argument(flag, type=_rule_list, action="append", metavar="RULES", help=what)
    fix.add_argument(
        "--config",
        metavar="PYPROJECT",
        help="read [tool.corsproof] from this file (default: the nearest pyproject.toml)",
    )
    fix.add_argument(
        "--no-config", action="store_true", help="ignore [tool.corsproof] (default: read it)"
    )


def _fix(args: argparse.Namespace) -> int:
    from corsproof.fix import SAFE, FixOptions, fix_paths, relative

    if not args.paths:
        args.paths = ["."]
    config = _config(args)
    if isinstance(config, int):
        return config
    rules, bad = _rule_selection(args, config, *config.per_path_ignores.values())
    if bad:
        return _error(f"unknown rule id or prefix: {bad} (see `corsproof rules`)")
    origins = []
    for origin in args.allow_origin or config.trusted_origins:
        normal = _origin(origin)
        if normal is None:
            return _error(f"--allow-origin expects scheme://host[:port], got {origin!r}")
        origins.append(normal)
    missing = [path for path in args.paths if _missing(path)]
    if missing:
        return _error(f"{missing[0]}: no such file or directory")
    options = FixOptions(
        allow_origins=tuple(dict.fromkeys(origins)),
        unsafe=args.unsafe_fixes,
        write=not args.diff,
        scan={"select": rules, "exclude": [*config.exclude, *args.exclude]},
    )
    outcome = fix_paths(args.paths, options)
    out = sys.stdout
    if args.diff:
        out.write("".join(outcome.diffs[path] for path in sorted(outcome.diffs)))
    for applied in outcome.applied:
        loc = applied.finding.location
        assert loc is not None
        verb = "would fix" if args.diff else "fixed"
        kind = "" if applied.fix.applicability == SAFE else " (unsafe)"
        out.write(
            f"{printable(relative(loc.path))}:{loc.line}:{loc.column}: {applied.finding.rule_id} "
            f"{verb}{kind}: {printable(applied.fix.description)}\n"
        )
    for error in outcome.errors:
        out.write(f"{printable(error.path)}: error: {printable(error.message)}\n")
    count, left = len(outcome.applied), len(outcome.remaining)
    noun = "finding" if count == 1 else "findings"
    out.write(
        f"{'Would fix' if args.diff else 'Fixed'} {count} {noun} ({left} remaining)."
        + (
            f" {outcome.unsafe_available} more fix{'es' if outcome.unsafe_available != 1 else ''}"
            " available with --unsafe-fixes."
            if outcome.unsafe_available
            else ""
        )
        + (
            " No --allow-origin given: unsafe fixes read CORS_ALLOWED_ORIGINS (empty when unset)."
            if not options.allow_origins
            and (
                outcome.unsafe_available
                or any(a.fix.applicability != SAFE for a in outcome.applied)
            )
            else ""
        )
        + "\n"
    )
    out.flush()
    if args.diff:
        return EXIT_FINDINGS if outcome.diffs else EXIT_CLEAN
    return EXIT_FINDINGS if outcome.remaining else EXIT_CLEAN


def _origin(text: str) -> str | None:
    """`scheme://host[:port]` lower-cased, or None."""
    from urllib.parse import urlsplit

    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _rules() -> int:
    from corsproof.rules import all_rules

    for rule in all_rules():
        cwe = ", ".join(f"CWE-{c}" for c in rule.cwe)
        print(f"{rule.id}  {rule.name:<30} {rule.severity:<8} {cwe:<22} {rule.summary}")
    return EXIT_CLEAN


def _explain(rule_id: str) -> int:
    from corsproof.rules import get_rule
    from corsproof.rules._docs import render_markdown

    rule = get_rule(rule_id)
    if rule is None:
        return _error(f"unknown rule {rule_id!r} (see `corsproof rules`)")
    sys.stdout.write(render_markdown(rule) + _offered_fixes(rule.id))
    return EXIT_CLEAN


def _offered_fixes(rule_id: str) -> str:
    """The `corsproof fix` section of `explain`: what the rule's fixers rewrite."""
    from corsproof.fix import offered

    fixes = offered(rule_id)
    if not fixes:
        return (
            "\n## Automatic fix (`corsproof fix`)\nNone: this rule's fix needs a decision the "
            "code does not show; see Fix above.\n"
        )
    grouped: dict[tuple[str, str], list[str]] = {}
    for applicability, library, text in fixes:
        grouped.setdefault((applicability, text), []).append(library)
    lines = ["", "## Automatic fix (`corsproof fix`)"]
    for (applicability, text), libraries in grouped.items():
        where = "" if "*" in libraries else f" ({', '.join(libraries)})"
        flag = "" if applicability == "safe" else ", with --unsafe-fixes"
        lines.append(f"- {applicability}{flag}{where}: {text}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------- probe


def _positive(kind: type[int] | type[float]) -> object:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0: {text!r}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _add_probe_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def _usage(message: str) -> int:
    print(f"corsproof probe: error: {printable(message)}", file=sys.stderr)
    return EXIT_ERROR


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
    if result.files_scanned == 0 and not result.errors:
        return _usage("no targets to probe")
    return _finish(result, args, config, nothing="no target could be probed")


def _streaming(args: argparse.Namespace) -> str | None:
    """Why the run must stream JSON Lines (--cluster, --resume, --repos), None when it need not;
    a usage error message when what it asks for cannot go together."""
    asked = [
        flag
        for flag, on in (
            ("--cluster", args.cluster is not None),
            ("--resume", args.resume),
            ("--repos", bool(getattr(args, "repos", None))),
        )
        if on
    ]
    if not asked:
        return None
    if args.format != "jsonl":
        return f"{', '.join(asked)} write(s) JSON Lines as units finish: add --format jsonl"
    if args.write_baseline or args.statistics:
        return f"{', '.join(asked)} cannot go with --write-baseline or --statistics (they need every finding at the end)"
    if args.resume and not args.output:
        return "--resume continues the report named by -o FILE: give -o"
    return None


@contextlib.contextmanager
def _jsonl_stream(args: argparse.Namespace) -> Iterator[Any]:
    """For `--format jsonl`: (the stream each unit's lines go to as it finishes, the units to
    skip); None when the report is written at the end (another format, --write-baseline or
    --statistics, which need every finding); an exit code when the output, the baseline or the
    report to resume cannot be used. With --resume, -o is cut after its last complete unit and
    appended to."""
    if args.format != "jsonl" or args.write_baseline or args.statistics:
        yield None
        return
    from corsproof.baseline import BaselineError, load_baseline
    from corsproof.report.jsonl import JsonlStream
    from corsproof.scale import Resumed, ResumeError, finished_units

    known: set[str] = set()
    if args.baseline:
        try:
            known = load_baseline(args.baseline)
        except BaselineError as exc:
            yield _error(str(exc))
            return
    if not args.output:
        yield JsonlStream(sys.stdout, known), set()
        return
    resumed = Resumed()
    if args.resume:
        try:
            resumed = finished_units(args.output)
        except ResumeError as exc:
            yield _error(str(exc))
            return
    try:
        handle = open(  # noqa: SIM115 - closed below
            args.output, "a" if args.resume else "w", encoding="utf-8", errors="backslashreplace"
        )
    except OSError as exc:
        yield _error(
            f"cannot write {args.output}: {exc.strerror or exc} (choose a writable -o file)"
        )
        return
    with handle:
        stream = JsonlStream(handle, known)
        stream.severities |= resumed.severities  # the exit code is the whole report's
        yield stream, resumed.done


def _cluster(args: argparse.Namespace) -> Any:
    """The Dask client of --cluster (None without it), or an exit code."""
    if args.cluster is None:
        return None
    from corsproof.scale._cluster import ClusterError, address, connect

    where = address(args.cluster or None)
    if where is None:
        return _error(
            "--cluster without an address needs DASK_SCHEDULER_ADDRESS (e.g. tcp://host:8786)"
        )
    try:
        return connect(where)
    except ClusterError as exc:
        return _error(str(exc))


def _finish_streamed(
    args: argparse.Namespace,
    config,  # type: ignore[no-untyped-def]
    stream: Any,
    analysed: int,
    what: str = "target",
) -> int:
    """The exit code of a run whose report was streamed (the lines are written already);
    `analysed`: the units that could be analysed this run."""
    if args.baseline and not args.quiet:
        print(
            f"corsproof: baseline {args.baseline}: {stream.hidden} known finding(s) hidden, "
            f"{stream.findings} new",
            file=sys.stderr,
        )
    problems = []
    if args.strict and stream.errors:
        problems.append(f"--strict: {stream.errors} error(s) (listed as error lines)")
    if analysed == 0 and stream.units:
        problems.append(f"no {what} could be analysed (each is listed with its error lines)")
    if problems:
        for problem in problems:
            _error(problem)
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN
    fail_on = args.fail_on or config.fail_on or "low"
    return EXIT_FINDINGS if any(at_least(s, fail_on) for s in stream.severities) else EXIT_CLEAN
