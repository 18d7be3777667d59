"""`corsproof fix`: the scan's findings rewritten into the policy the user means.

    from corsproof.fix import FixOptions, fix_paths
    outcome = fix_paths(["."], FixOptions(allow_origins=("https://app.example.com",), unsafe=True))

Each fixable finding gets one `Fix` (text edits made with libcst, so comments, quotes and layout
survive) with its description and applicability: safe fixes keep every origin the code meant to
trust and close the bypass; unsafe ones narrow who is trusted and apply only when asked. Two fixes
whose edits overlap in a file: the first applies, the other stays a remaining finding. A file that
does not parse is left untouched and reported; a file is written atomically (temporary file and
rename), its encoding, line ends and mode kept. A second run changes nothing.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field

from corsproof.findings import FileError, Finding
from corsproof.fix import fixers as _fixers  # noqa: F401  (registration)
from corsproof.fix._model import SAFE, UNSAFE, Edit, Fix
from corsproof.fix._registry import FixContext, fix_for, offered
from corsproof.fix._source import SourceError, SourceFile

__all__ = [
    "SAFE",
    "UNSAFE",
    "Edit",
    "Fix",
    "FixContext",
    "FixOptions",
    "FixOutcome",
    "attach_fixes",
    "fix_paths",
    "offered",
]


@dataclass
class FixOptions:
    allow_origins: tuple[str, ...] = ()
    unsafe: bool = False
    write: bool = True  # False: --diff (nothing written)
    scan: dict[str, object] = field(default_factory=dict)  # scan_paths keyword arguments


@dataclass
class Applied:
    finding: Finding
    fix: Fix


@dataclass
class FixOutcome:
    applied: list[Applied] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    unsafe_available: int = 0
    errors: list[FileError] = field(default_factory=list)
    diffs: dict[str, str] = field(default_factory=dict)  # path -> unified diff (changed files)


def attach_fixes(
    findings: list[Finding],
    context: FixContext,
    given: dict[str, bytes] | None = None,
    sources: dict[str, SourceFile | None] | None = None,
) -> dict[str, str]:
    """Each fixable finding's `Fix` set on it (`finding.fix_edit`); files that could not be read
    for it, with why. `given`: texts that did not come from disk (stdin), by path. `sources`:
    filled with the files as read, by path, for the caller that applies the edits to the very
    text they were made on."""
    sources = {} if sources is None else sources
    problems: dict[str, str] = {}
    for finding in findings:
        loc = finding.location
        if loc is None or not loc.path.endswith((".py", ".pyw")):
            continue  # requirement and lock files: no fixer rewrites them (yet)
        if loc.path not in sources:
            try:
                source: SourceFile | None = SourceFile(loc.path, (given or {}).get(loc.path))
                _ = source.positions  # parse now: a file that does not parse is never edited
            except SourceError as exc:
                source = None
                problems[loc.path] = str(exc)
            sources[loc.path] = source
        source = sources[loc.path]
        if source is None:
            continue
        try:
            finding.fix_edit = fix_for(finding, source, context)
        except RecursionError:
            problems[loc.path] = "too deeply nested to rewrite"
        except Exception as exc:  # noqa: BLE001 - a fixer's bug must not end the scan
            problems[loc.path] = f"internal error of a fixer: {type(exc).__name__}: {exc}"
    return problems


def _overlap(a: Edit, b: Edit) -> bool:
    if a == b:
        return False  # the same edit (an `import os` two fixes need) is made once
    start_a, end_a = (a.line, a.column), (a.end_line, a.end_column)
    start_b, end_b = (b.line, b.column), (b.end_line, b.end_column)
    if start_a == end_a or start_b == end_b:  # an insertion conflicts only strictly inside
        return start_b < start_a < end_b or start_a < start_b < end_a
    return start_a < end_b and start_b < end_a


def fix_paths(paths: list[str], options: FixOptions) -> FixOutcome:
    """Scan, fix what can be fixed, write (or diff) each changed file."""
    from corsproof.static import scan_paths

    result = scan_paths(paths, **options.scan)  # type: ignore[arg-type]
    outcome = FixOutcome(errors=list(result.errors))
    context = FixContext(options.allow_origins)
    sources: dict[str, SourceFile | None] = {}
    for path, why in attach_fixes(result.findings, context, sources=sources).items():
        outcome.errors.append(FileError(path, f"not fixed: {why}"))
    chosen: dict[str, list[Applied]] = {}
    for finding in result.findings:
        fix = finding.fix_edit
        if fix is None:
            outcome.remaining.append(finding)
            continue
        if fix.applicability == UNSAFE and not options.unsafe:
            outcome.unsafe_available += 1
            outcome.remaining.append(finding)
            continue
        taken = chosen.setdefault(finding.location.path, [])  # type: ignore[union-attr]
        if any(_overlap(e, other) for a in taken for other in a.fix.edits for e in fix.edits):
            outcome.remaining.append(finding)  # a conflict: the first fix in the file wins
            continue
        taken.append(Applied(finding, fix))
    for path, applied in chosen.items():
        source = sources[path]
        assert source is not None  # a fix was made on it
        edits = list(dict.fromkeys(e for a in applied for e in a.fix.edits))
        text = source.applied(edits)
        original = source.text
        if text == original:
            continue
        try:
            _check(text, path)
        except SourceError as exc:
            outcome.errors.append(FileError(path, f"not fixed: {exc}"))
            outcome.remaining.extend(a.finding for a in applied)
            continue
        outcome.diffs[path] = "".join(
            difflib.unified_diff(
                original.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"a/{relative(path)}",
                tofile=f"b/{relative(path)}",
            )
        )
        if options.write:
            source.write(text)
        outcome.applied.extend(applied)
    if options.write and outcome.applied:
        # what is left is what a scan now finds (a fix may leave, or show, another finding)
        outcome.remaining = scan_paths(paths, **options.scan).findings  # type: ignore[arg-type]
    return outcome


def _check(text: str, path: str) -> None:
    """The fixed text still compiles (a fixer's bug never leaves a broken file)."""
    try:
        compile(text, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise SourceError(f"the fix would not compile ({exc}); left as it was") from None


def relative(path: str) -> str:
    return os.path.relpath(path) if os.path.isabs(path) else path
