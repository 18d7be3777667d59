"""Command line: commands, options, exit codes. No analysis logic lives here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from corsproof._version import __version__
from corsproof.findings import SEVERITIES, ScanResult, at_least

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _rule_list(value: str) -> set[str]:
    return {v.strip().upper() for v in value.split(",") if v.strip()}


def _use_color(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corsproof",
        description="Find overly permissive CORS policies in Python web applications.",
    )
    parser.add_argument("--version", action="version", version=f"corsproof {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = sub.add_parser("scan", help="statically analyse source files and directories")
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    scan.add_argument("--format", choices=["text", "json"], default="text")
    scan.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    scan.add_argument(
        "--fail-on",
        choices=list(reversed(SEVERITIES)),
        default="low",
        help="exit 1 when a finding is at least this severe (default: low)",
    )
    scan.add_argument(
        "--select",
        type=_rule_list,
        default=None,
        metavar="RULES",
        help="only these rule ids (comma-separated)",
    )
    scan.add_argument(
        "--ignore",
        type=_rule_list,
        default=None,
        metavar="RULES",
        help="skip these rule ids (comma-separated)",
    )
    scan.add_argument(
        "--include-deps",
        action="store_true",
        help="also scan virtualenvs, site-packages and node_modules",
    )
    scan.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip paths matching this gitignore-style glob (repeatable)",
    )
    scan.add_argument("--quiet", action="store_true", help="print only findings (no summary)")

    sub.add_parser("rules", help="list the rule catalogue")
    explain = sub.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule", metavar="RULE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_CLEAN if exc.code == 0 else EXIT_ERROR
    if args.command == "scan":
        return _scan(args)
    if args.command == "rules":
        return _rules()
    if args.command == "explain":
        return _explain(args.rule)
    parser.print_help(sys.stderr)
    return EXIT_ERROR


def _check_rules(names: set[str] | None) -> str | None:
    from corsproof.rules import get_rule

    unknown = sorted(n for n in names or () if get_rule(n) is None)
    return ", ".join(unknown) if unknown else None


def _scan(args: argparse.Namespace) -> int:
    from corsproof.static import scan_paths

    for option in (args.select, args.ignore):
        bad = _check_rules(option)
        if bad:
            print(
                f"corsproof: error: unknown rule id(s): {bad} (see `corsproof rules`)",
                file=sys.stderr,
            )
            return EXIT_ERROR
    result = scan_paths(
        args.paths,
        include_deps=args.include_deps,
        select=args.select,
        ignore=args.ignore,
        exclude=args.exclude,
    )
    return _emit(result, args)


def _emit(result: ScanResult, args: argparse.Namespace) -> int:
    from corsproof.report import FORMATS

    stream = sys.stdout
    color = args.format == "text" and not args.output and _use_color(stream)
    text = FORMATS[args.format](result, color=color)
    if args.quiet and args.format == "text":
        text = "\n".join(text.rstrip("\n").split("\n")[:-1]) + "\n" if result.findings else ""
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            print(
                f"corsproof: error: cannot write {args.output}: {exc.strerror or exc}",
                file=sys.stderr,
            )
            return EXIT_ERROR
    else:
        stream.write(text)
    if result.files_scanned == 0 and result.errors:
        print("corsproof: error: nothing could be analysed", file=sys.stderr)
        return EXIT_ERROR
    if result.files_scanned == 0 and not result.errors:
        print("corsproof: warning: no Python files found", file=sys.stderr)
    if any(at_least(f.severity, args.fail_on) for f in result.findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _rules() -> int:
    from corsproof.rules import all_rules

    for rule in all_rules():
        cwe = ", ".join(f"CWE-{c}" for c in rule.cwe)
        print(f"{rule.id}  {rule.name:<30} {rule.severity:<8} {cwe:<22} {rule.summary}")
    return EXIT_CLEAN


def _explain(rule_id: str) -> int:
    from corsproof.rules import get_rule

    rule = get_rule(rule_id)
    if rule is None:
        print(
            f"corsproof: error: unknown rule {rule_id!r} (see `corsproof rules`)", file=sys.stderr
        )
        return EXIT_ERROR
    print(f"# {rule.id} {rule.name}\n")
    print(f"Default severity: {rule.severity}. {', '.join(f'CWE-{c}' for c in rule.cwe)}.\n")
    print(rule.doc())
    return EXIT_CLEAN
