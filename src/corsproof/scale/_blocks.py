"""What a unit of work returns: one `Block` per finished target or repository."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corsproof.findings import FileError, Finding, UnitDone


@dataclass
class Block:
    """A finished target's (or repository's) findings and errors as their JSON objects, and its
    `done` record: picklable, small, and written by the client as it arrives."""

    findings: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    done: dict[str, Any]

    @classmethod
    def of(
        cls,
        findings: list[Finding],
        errors: list[FileError],
        done: UnitDone,
        **tags: str,
    ) -> Block:
        """From a run's objects; `tags` are added to every finding (`repository=…`)."""
        return cls(
            [{**f.to_json(), **tags} for f in findings],
            [e.to_json() for e in errors],
            done.to_json(),
        )
