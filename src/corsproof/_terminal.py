"""The terminal: colour decisions and progress on stderr (never on stdout, which carries reports)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO


def use_color(stream: TextIO) -> bool:
    """Colour on a terminal; `NO_COLOR` (set and non-empty) disables, `FORCE_COLOR` forces."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def progress_enabled(no_progress: bool, quiet: bool) -> bool:
    if no_progress or quiet or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


@contextmanager
def progress_bar(description: str, enabled: bool) -> Iterator[Callable[..., None]]:
    """A rich progress line on stderr; `update(advance=1, **fields)`. A no-op when disabled."""
    if not enabled:
        yield lambda *args, **kwargs: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.completed} {task.fields[unit]}"),
        TextColumn("{task.fields[detail]}", style="dim"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=None, unit="", detail="")

        def update(advance: int = 0, **fields: Any) -> None:
            progress.update(task, advance=advance, **fields)

        yield update
