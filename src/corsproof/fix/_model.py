"""What a fix is: text edits of one file, with a description and an applicability (Ruff's safe /
unsafe), for one finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SAFE, UNSAFE = "safe", "unsafe"


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, column) to (end_line, end_column) with `replacement`; lines
    and columns 1-based, characters, end exclusive (as `Location`). An insertion has start ==
    end."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    replacement: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "replacement": self.replacement,
        }


@dataclass(frozen=True)
class Fix:
    """How to fix one finding: `safe` keeps every origin the code meant to trust and closes the
    bypass; `unsafe` narrows who is trusted (replacing `*` or an echo by an allow-list)."""

    applicability: str
    description: str
    edits: tuple[Edit, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "applicability": self.applicability,
            "description": self.description,
            "edits": [edit.to_json() for edit in self.edits],
        }
