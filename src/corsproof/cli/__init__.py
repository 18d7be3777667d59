"""Command line: commands, options, exit codes. No analysis logic lives here.

One module per command (`_scan`, `_probe`, `_fix`, `_docs`), what they share in `_common`, the
report and exit code in `_report`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from corsproof._version import __version__
from corsproof.cli._common import (
    DEFAULT_MAX_FILE_SIZE,
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    _examples,
    _size,
)
from corsproof.cli._docs import _explain, _rules, add_docs_parsers
from corsproof.cli._fix import _fix, add_fix_parser
from corsproof.cli._probe import _probe, add_probe_parser
from corsproof.cli._scan import _scan, add_scan_parser


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
    add_scan_parser(sub)
    add_probe_parser(sub)
    add_fix_parser(sub)
    add_docs_parsers(sub)
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


__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "EXIT_CLEAN",
    "EXIT_ERROR",
    "EXIT_FINDINGS",
    "_size",
    "build_parser",
    "main",
]
