"""`corsproof fix`: its options and the summary it prints."""

from __future__ import annotations

import argparse
import sys

from corsproof._terminal import (
    printable,
)
from corsproof.cli._common import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    _add_config_options,
    _add_exclude,
    _add_rule_options,
    _config_and_rules,
    _error,
    _missing,
    _origin,
    _subcommand,
)


def add_fix_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    _add_exclude(fix)
    _add_rule_options(fix, "only fix these rules", "do not fix these rules")
    _add_config_options(fix)


def _fix(args: argparse.Namespace) -> int:
    from corsproof.fix import SAFE, FixOptions, fix_paths, relative

    if not args.paths:
        args.paths = ["."]
    chosen = _config_and_rules(args)
    if isinstance(chosen, int):
        return chosen
    config, rules = chosen
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
