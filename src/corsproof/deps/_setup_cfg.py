"""`setup.cfg`: `[options] install_requires` and `[options.extras_require]`."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement

from corsproof._text import source_lines
from corsproof.deps._entry import Entry, requirement_entry

_SECTION = re.compile(r"^\[([^\]]+)\]")
_OPTION = re.compile(r"^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$")
_CFG_COMMENT = re.compile(r"\s+[#;].*$")


def setup_cfg(text: str, display: str) -> list[Entry]:
    """`[options] install_requires` and every key of `[options.extras_require]`: an INI file read
    line by line (a value on the key's line, then one requirement per indented line)."""
    lines = source_lines(text)
    section = ""
    collecting = False
    entries = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if line[0] not in " \t":
            header = _SECTION.match(stripped)
            if header:
                section = header.group(1).strip().lower()
                collecting = False
                continue
            option = _OPTION.match(stripped)
            if option is None:
                collecting = False
                continue
            key = option.group(1).strip().lower()
            collecting = (section == "options" and key == "install_requires") or (
                section == "options.extras_require"
            )
            value = option.group(2)
            if not collecting or not value.strip():
                continue
            column = line.find(value)
            parts = [value] if ";" not in value else _semicolon_list(value)
        elif collecting:
            column = line.find(stripped)
            parts = [stripped]
        else:
            continue
        for part in parts:
            part = _CFG_COMMENT.sub("", part).strip()
            if not part or part.startswith(("file:", "attr:")):
                continue
            entry = requirement_entry(part, display, index + 1, line, max(column, 0))
            if entry is not None:
                entries.append(entry)
    return entries


def _semicolon_list(value: str) -> list[str]:
    """`a==1; b==2` (setuptools' list-semi) unless it is one requirement with a marker."""
    try:
        Requirement(_CFG_COMMENT.sub("", value).strip())
    except InvalidRequirement:
        return value.split(";")
    return [value]
