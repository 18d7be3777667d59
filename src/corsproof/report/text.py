"""Human-readable report: one block per finding; on a terminal (colour asked for), the same
report with rich colours and a code frame around each finding."""

from __future__ import annotations

from corsproof.findings import SEVERITIES, Finding, ScanResult
from corsproof.report._source import frame

_RICH_SEVERITY = {
    "critical": "bold magenta",
    "high": "bold red",
    "medium": "bold yellow",
    "low": "bold cyan",
}


def _where(f: Finding) -> str:
    if f.location:
        return f"{f.location.path}:{f.location.line}:{f.location.column}"
    return f"{f.target.method} {f.target.url}" if f.target else "?"


def _summary(result: ScanResult) -> str:
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in SEVERITIES}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no findings"
    total = len(result.findings)
    unit = getattr(result, "unit", "file")  # probe results count targets
    return (
        f"Found {total} finding{'s' if total != 1 else ''} ({summary}) in {result.files_scanned} "
        f"{unit}{'s' if result.files_scanned != 1 else ''}"
        + (f"; {result.suppressed} suppressed" if result.suppressed else "")
        + (
            f"; {len(result.errors)} error{'s' if len(result.errors) != 1 else ''}"
            if result.errors
            else ""
        )
        + _unresolved_count(result)
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
        f"{u.path}:{u.line}:{u.column}: unresolved: {u.what}: {u.reason}"
        for u in getattr(result, "unresolved", ())
    ]


def render_text(result: ScanResult, color: bool = False) -> str:
    if color:
        return _render_rich(result)
    out: list[str] = []
    for f in result.findings:
        out.append(f"{_where(f)}: {f.rule_id} [{f.rule_name}] {f.severity}: {f.message}")
        if f.location and f.location.source:
            out.append(f"    {f.location.line} | {f.location.source}")
        if f.proof_origin:
            out.append(f"    proof: Origin: {f.proof_origin}")
        if f.context:
            out.append(f"    context: {', '.join(f.context)}")
        if f.fix:
            out.append(f"    fix: {f.fix} (corsproof explain {f.rule_id})")
        out.append("")
    for error in result.errors:
        out.append(f"{error.path}: error: {error.message}")
    if result.errors:
        out.append("")
    unresolved = _unresolved_lines(result)
    if unresolved:
        out.extend([*unresolved, ""])
    out.append(_summary(result))
    return "\n".join(out) + "\n"


def _render_rich(result: ScanResult) -> str:
    import io
    import shutil

    from rich.console import Console
    from rich.syntax import Syntax
    from rich.text import Text

    buffer = io.StringIO()
    width = shutil.get_terminal_size((100, 24)).columns
    console = Console(file=buffer, force_terminal=True, color_system="standard", width=width)
    for f in result.findings:
        header = Text()
        header.append(_where(f), style="bold")
        header.append(f": {f.rule_id} [{f.rule_name}] ")
        header.append(f.severity, style=_RICH_SEVERITY[f.severity])
        header.append(f": {f.message}")
        console.print(header)
        if f.location is not None:
            lines = frame(f.location, radius=1)
            if lines:
                code = "\n".join(text for _, text in lines)
                console.print(
                    Syntax(
                        code,
                        "python",
                        line_numbers=True,
                        start_line=lines[0][0],
                        highlight_lines=set(range(f.location.line, f.location.end_line + 1)),
                        theme="ansi_dark",
                        word_wrap=True,
                        indent_guides=False,
                    )
                )
        if f.proof_origin:
            console.print(Text.assemble("    proof: Origin: ", (f.proof_origin, "bold magenta")))
        if f.context:
            console.print(
                f"    context: {', '.join(f.context)}",
                style="default",
                markup=False,
                highlight=False,
            )
        if f.fix:
            console.print(
                f"    fix: {f.fix} (corsproof explain {f.rule_id})",
                style="dim",
                markup=False,
                highlight=False,
            )
        console.print()
    for error in result.errors:
        console.print(
            Text.assemble((error.path, "bold"), ": ", ("error", "red"), f": {error.message}")
        )
    if result.errors:
        console.print()
    for line in _unresolved_lines(result):
        console.print(line, style="yellow", markup=False, highlight=False)
    console.print(_summary(result), style="bold", markup=False, highlight=False)
    return buffer.getvalue()
