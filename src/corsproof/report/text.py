"""Human-readable report: one block per finding; on a terminal (colour asked for), the same
report with rich colours and a code frame around each finding.

Every string that comes from a scanned project or a probed server (paths, URLs, source lines,
messages, origins, error texts, unresolved entries) goes through `printable`: control characters,
bidi overrides and line breaks are shown as escapes, so a file name or a header value can neither
drive the terminal (`\x1b[2J`, OSC 8 links) nor forge report lines (`\r`, `\n`). With colour, user
text only ever reaches rich as `Text` or with `markup=False`: the colour codes are all ours.
"""

from __future__ import annotations

from corsproof._terminal import printable
from corsproof.findings import SEVERITIES, FileError, Finding, ScanResult
from corsproof.report._evidence import evidence_lines
from corsproof.report._frames import Frames

TAB = 4  # tabs in code frames: columns (a raw tab is a control character too)

_RICH_SEVERITY = {
    "critical": "bold magenta",
    "high": "bold red",
    "medium": "bold yellow",
    "low": "bold cyan",
}


def _where(f: Finding) -> str:
    if f.location:
        return f"{printable(f.location.path)}:{f.location.line}:{f.location.column}"
    return f"{printable(f.target.method)} {printable(f.target.url)}" if f.target else "?"


def _code(line: str) -> str:
    return printable(line.expandtabs(TAB))


def _header(f: Finding) -> tuple[str, str, str]:
    """(where, `: RULE [name] `, severity); the message follows after `: `."""
    return _where(f), f": {printable(f.rule_id)} [{printable(f.rule_name)}] ", printable(f.severity)


def _context(f: Finding) -> str:
    return f"    context: {printable(', '.join(f.context))}"


def _fix(f: Finding) -> str:
    return f"    fix: {printable(f.fix)} (corsproof explain {printable(f.rule_id)})"


def _error(error: FileError) -> tuple[str, str]:
    return printable(error.path), printable(error.message)


def _summary(result: ScanResult) -> str:
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in SEVERITIES}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no findings"
    total = len(result.findings)
    unit = printable(result.unit)
    return (
        f"Found {total} finding{'s' if total != 1 else ''} ({summary}) in {result.analysed} "
        f"{unit}{'s' if result.analysed != 1 else ''}"
        + (f"; {result.suppressed} suppressed" if result.suppressed else "")
        + (
            f"; {len(result.errors)} error{'s' if len(result.errors) != 1 else ''}"
            if result.errors
            else ""
        )
        + _unresolved_count(result)
        + (
            f"; {len(result.unused_suppressions)} unused suppression"
            f"{'s' if len(result.unused_suppressions) != 1 else ''}"
            if result.unused_suppressions
            else ""
        )
        + f" in {result.duration_s:.2f}s."
    )


def _unresolved_count(result: ScanResult) -> str:
    count = len(getattr(result, "unresolved", ()))
    if not count:
        return ""
    hint = "" if getattr(result, "show_unresolved", False) else " (--show-unresolved lists them)"
    return f"; {count} unresolved value{'s' if count != 1 else ''}{hint}"


def _unresolved_lines(result: ScanResult) -> list[str]:
    if not getattr(result, "show_unresolved", False):
        return []
    return [
        f"{printable(u.path)}:{u.line}:{u.column}: unresolved: {printable(u.what)}: "
        f"{printable(u.reason)}"
        for u in getattr(result, "unresolved", ())
    ]


def _unused_lines(result: ScanResult) -> list[str]:
    return [
        f"{printable(u.path)}:{u.line}:{u.column}: unused suppression {printable(u.comment)}: "
        f"{printable(u.reason)}"
        for u in result.unused_suppressions or ()
    ]


def _evidence(f: Finding) -> list[str]:
    """A probe finding's exchange, as `curl -v` shows one, and the command that replays it; a
    vulnerable library's advisories."""
    if not f.evidence:
        return []
    lines = [f"    {text}" for text in evidence_lines(f.evidence)]
    if f.replay:
        lines.append(f"    replay: {printable(f.replay)}")
    return lines


def render_text(
    result: ScanResult, color: bool = False, frames: bool | None = None, width: int | None = None
) -> str:
    """The report; `frames` (default: with colour) gives the terminal view, code frames around
    each finding, coloured or not, wrapped at `width` (None: not wrapped)."""
    if color if frames is None else frames:
        return _render_rich(result, color, width)
    out: list[str] = []
    for f in result.findings:
        where, rule, severity = _header(f)
        out.append(f"{where}{rule}{severity}: {printable(f.message)}")
        if f.location and f.location.source:
            out.append(f"    {f.location.line} | {_code(f.location.source)}")
        if f.proof_origin:
            out.append(f"    proof: Origin: {printable(f.proof_origin)}")
        out.extend(_evidence(f))
        if f.context:
            out.append(_context(f))
        if f.fix:
            out.append(_fix(f))
        out.append("")
    for error in result.errors:
        path, message = _error(error)
        out.append(f"{path}: error: {message}")
    if result.errors:
        out.append("")
    unresolved = _unresolved_lines(result)
    if unresolved:
        out.extend([*unresolved, ""])
    unused = _unused_lines(result)
    if unused:
        out.extend([*unused, ""])
    out.append(_summary(result))
    return "\n".join(out) + "\n"


def _render_rich(result: ScanResult, color: bool, width: int | None) -> str:
    import io

    from rich.console import Console
    from rich.syntax import Syntax
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width or 100_000,  # None: no wrapping (soft_wrap below)
        soft_wrap=width is None,
        emoji=False,  # `:smile:` in a message stays text
        highlight=False,
        markup=False,
    )

    def line(text: Text, style: str = "") -> None:
        # `Text`: never markup; rich wraps it at the console width (a line break of ours)
        console.print(text, style=style, markup=False, highlight=False)

    frames = Frames(result.given)
    for f in result.findings:
        where, rule, severity = _header(f)
        header = Text()
        header.append(where, style="bold")
        header.append(rule)
        header.append(severity, style=_RICH_SEVERITY.get(f.severity, "bold"))
        header.append(f": {printable(f.message)}")
        line(header)
        if f.location is not None:
            lines = frames(f.location, radius=1)
            if lines:
                code = "\n".join(_code(text) for _, text in lines)
                console.print(
                    Syntax(
                        code,
                        "python",
                        line_numbers=True,
                        start_line=lines[0][0],
                        highlight_lines=set(range(f.location.line, f.location.end_line + 1)),
                        theme="ansi_dark",
                        background_color="default",  # no padding to the width
                        word_wrap=width is not None,
                        indent_guides=False,
                        tab_size=TAB,
                    )
                )
        if f.proof_origin:
            line(Text.assemble("    proof: Origin: ", (printable(f.proof_origin), "bold magenta")))
        for text in _evidence(f):
            line(Text(text), style="dim")
        if f.context:
            line(Text(_context(f)), style="default")
        if f.fix:
            line(Text(_fix(f)), style="dim")
        console.print()
    for error in result.errors:
        path, message = _error(error)
        line(Text.assemble((path, "bold"), ": ", ("error", "red"), f": {message}"))
    if result.errors:
        console.print()
    for text in _unresolved_lines(result):
        line(Text(text), style="yellow")
    for text in _unused_lines(result):
        line(Text(text), style="yellow")
    line(Text(_summary(result)), style="bold")
    return buffer.getvalue()
