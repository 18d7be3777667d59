"""What every command shares: exit codes, errors, the configuration, rule selection, argument types and the report options."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from corsproof._terminal import (
    printable,
)
from corsproof.findings import SEVERITIES
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


def _rule_list(value: str) -> set[str]:
    return {v.strip().upper() for v in value.split(",") if v.strip()}


def _add_rule_options(group: Any, select: str, ignore: str) -> None:
    """--select/--ignore and their --extend- forms (`select`, `ignore`: what each does)."""
    rules = "rule ids, prefixes (CORS1, CORS10) or ALL, comma-separated; repeatable"
    group.add_argument(
        "--select",
        type=_rule_list,
        action="append",
        metavar="RULES",
        help=f"{select} ({rules}; default: [tool.corsproof] select, else ALL)",
    )
    group.add_argument(
        "--ignore",
        type=_rule_list,
        action="append",
        metavar="RULES",
        help=f"{ignore} ({rules}; default: [tool.corsproof] ignore); the more specific "
        "of a select and an ignore wins, an ignore wins a tie",
    )
    group.add_argument(
        "--extend-select",
        type=_rule_list,
        action="append",
        metavar="RULES",
        help="add to the selected rules (the command line's or the configuration's; default: none)",
    )
    group.add_argument(
        "--extend-ignore",
        type=_rule_list,
        action="append",
        metavar="RULES",
        help="add to the ignored rules (the command line's or the configuration's; default: none)",
    )


def _add_config_options(group: Any) -> None:
    """--config and --no-config."""
    group.add_argument(
        "--config",
        metavar="PYPROJECT",
        help="read [tool.corsproof] from this file (default: the nearest pyproject.toml above "
        "the first path)",
    )
    group.add_argument(
        "--no-config", action="store_true", help="ignore [tool.corsproof] (default: read it)"
    )


def _add_exclude(parser: Any) -> None:
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip paths matching this gitignore-style glob (repeatable; default: none beyond "
        ".gitignore and [tool.corsproof] exclude)",
    )


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
    _add_rule_options(out, "only these rules", "skip these rules")
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
    _add_config_options(out)
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


def _error(message: str) -> int:
    # messages may quote a configuration, a baseline, a spec or a server: one line, no controls
    print(f"corsproof: error: {printable(message)}", file=sys.stderr)
    return EXIT_ERROR


def _usage(message: str) -> int:
    print(f"corsproof probe: error: {printable(message)}", file=sys.stderr)
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


def _missing(path: str) -> bool:
    """Nothing at all at `path` (a dangling link exists: it is a file error, not a typo)."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except (OSError, ValueError):
        return False  # there but unusable (permissions, a NUL byte): the walk reports why
    return False


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


def _origin(text: str) -> str | None:
    """`scheme://host[:port]` lower-cased, or None."""
    from urllib.parse import urlsplit

    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _config_and_rules(args: argparse.Namespace) -> tuple[Any, set[str]] | int:
    """The configuration and the ids of the rules that run (scan and fix: per-path ignores
    checked too), or the exit code of a usage error."""
    config = _config(args)
    if isinstance(config, int):
        return config
    rules, bad = _rule_selection(args, config, *config.per_path_ignores.values())
    if bad:
        return _error(f"unknown rule id or prefix: {bad} (see `corsproof rules`)")
    return config, rules
