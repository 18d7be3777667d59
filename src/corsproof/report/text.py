"""Human-readable report: one block per finding, colour only when asked (a TTY without NO_COLOR)."""

from __future__ import annotations

from corsproof.findings import SEVERITIES, ScanResult

_COLORS = {
    "critical": "1;35",
    "high": "1;31",
    "medium": "1;33",
    "low": "1;36",
    "dim": "2",
    "bold": "1",
}


def _paint(text: str, style: str, color: bool) -> str:
    return f"\x1b[{_COLORS[style]}m{text}\x1b[0m" if color else text


def render_text(result: ScanResult, color: bool = False) -> str:
    out: list[str] = []
    for f in result.findings:
        where = (
            f"{f.location.path}:{f.location.line}:{f.location.column}"
            if f.location
            else (f"{f.target.method} {f.target.url}" if f.target else "?")
        )
        out.append(
            f"{_paint(where, 'bold', color)}: {f.rule_id} [{f.rule_name}] "
            f"{_paint(f.severity, f.severity, color)}: {f.message}"
        )
        if f.location and f.location.source:
            out.append(f"    {f.location.line} | {f.location.source}")
        if f.proof_origin:
            out.append(f"    proof: Origin: {f.proof_origin}")
        if f.context:
            out.append(f"    context: {', '.join(f.context)}")
        if f.fix:
            out.append(_paint(f"    fix: {f.fix} (corsproof explain {f.rule_id})", "dim", color))
        out.append("")
    for error in result.errors:
        out.append(f"{error.path}: error: {error.message}")
    if result.errors:
        out.append("")
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in SEVERITIES}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no findings"
    total = len(result.findings)
    unit = getattr(result, "unit", "file")  # probe results count targets
    out.append(
        f"Found {total} finding{'s' if total != 1 else ''} ({summary}) in {result.files_scanned} "
        f"{unit}{'s' if result.files_scanned != 1 else ''}"
        + (f"; {result.suppressed} suppressed" if result.suppressed else "")
        + (
            f"; {len(result.errors)} error{'s' if len(result.errors) != 1 else ''}"
            if result.errors
            else ""
        )
        + f" in {result.duration_s:.2f}s."
    )
    return "\n".join(out) + "\n"
