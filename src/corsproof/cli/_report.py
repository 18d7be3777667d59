"""Writing the report and the exit code: per-path ignores, baselines, formats, JSON Lines streams."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from corsproof._terminal import (
    code_frames,
    report_width,
    use_color,
)
from corsproof.cli._common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, _error
from corsproof.findings import ScanResult, at_least


def _unwritable(path: str, exc: OSError) -> int:
    """The error of an -o file that cannot be written."""
    return _error(f"cannot write {path}: {exc.strerror or exc} (choose a writable -o file)")


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
    if result.analysed == 0 and result.errors:
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
    if result.analysed == 0:
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

    stream = sys.stdout
    terminal = args.format == "text" and not args.output
    color = terminal and use_color(stream)
    if args.statistics:
        if args.format not in ("text", "json"):
            return _error("--statistics prints text or json (not " + args.format + ")")
        text = _statistics(result, args.format)
    else:
        view = {"frames": code_frames(stream), "width": report_width(stream)} if terminal else {}
        text = render(args.format, result, color=color, **view)
    if args.quiet and args.format == "text":
        text = "\n".join(text.rstrip("\n").split("\n")[:-1]) + "\n" if result.findings else ""
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(text)
        except OSError as exc:
            return _unwritable(args.output, exc)
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
        yield _unwritable(args.output, exc)
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
