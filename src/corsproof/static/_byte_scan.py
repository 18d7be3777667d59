"""What a file's bytes show without parsing it: its imports, wherever written (`ImportSummary`,
`import_words`, `imports_in`, `from_imports`), and whether a pattern matches outside comments
(`code_match`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# what follows an `import`: a parenthesised list, or the rest of the line (and the next one after
# a backslash); anywhere in the file, comments and strings included (a word too many only costs
# a parse)
_IMPORT_LIST = re.compile(rb"import\b(?:\s*\(([^)]*)|((?:[^\n]*\\\n)*[^\n]*))")
_WORD = re.compile(rb"\w+")
_COMMENT = re.compile(rb"#[^\n]*")
# `from .m import a, b as c` / `from m import (a,\n b)`, anywhere (a compound statement's
# body, a doctest example, a comment: one more source is only more work): dots, module, names
_FROM_IMPORT = re.compile(
    rb"from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|(?:[^\n;]*\\\n)*[^\n;]*)"
)
# `import a.b, c as d`: the list (a literal first, for a fast scan: what comes before is checked
# in `_plain_import`, not in a lookbehind)
_PLAIN_IMPORT = re.compile(rb"import[ \t]+([\w. \t,]+)")
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_NAME_OR_DOT = _NAME_BYTES | {ord(".")}


def _inside_word(data: bytes, start: int) -> bool:
    """Does a match at `start` continue a word (`reimport`, `xfrom`)? (The patterns start with
    their literal, for a fast scan, instead of a `\\b`.)"""
    return start > 0 and data[start - 1] in _NAME_BYTES


def _plain_import(data: bytes, start: int) -> bool:
    """Is the `import` at `start` a statement of its own (not `from m import`, not a word in
    prose such as "we import it", not part of a name)?"""
    before = data[start - 1] if start else 10
    if before in _NAME_OR_DOT:  # a name, or an attribute `x.import`
        return False
    return not (before in b" \t" and start >= 2 and data[start - 2] in _NAME_OR_DOT)


_DOTTED = re.compile(rb"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class ImportSummary:
    """The imports of a file as its bytes show them, wherever they are (comments and strings
    included: a word or a module too many only costs a parse or an analysis, never a finding)."""

    star: bool  # a `*` after some `import`
    words: frozenset[str]  # every word named after an `import`
    # name -> (level, module, name imported there) of each `from <dots>module import …` that
    # binds it ("*": the star imports)
    sources: dict[str, list[tuple[int, str, str]]]
    modules: dict[str, list[str]]  # `import a.b [as c]`: the name bound -> the modules
    loose: frozenset[str]  # named after an `import` in a way neither reading understood

    @classmethod
    def read(cls, data: bytes) -> ImportSummary:
        star, words = import_words(data)
        sources: dict[str, list[tuple[int, str, str]]] = {}
        modules: dict[str, list[str]] = {}
        understood: set[bytes] = set()
        loose: set[bytes] = set()
        for level, dotted, items in from_imports(data):
            module = dotted.decode("ascii", "replace")
            for item in items:
                named = _WORD.findall(item)
                understood.update(named)
                if b"*" in item:
                    sources.setdefault("*", []).append((level, module, "*"))
                    continue
                if len(named) == 1:
                    original = name = named[0].decode("ascii")
                elif len(named) == 3 and named[1] == b"as":
                    original, name = named[0].decode("ascii"), named[2].decode("ascii")
                else:
                    loose.update(named)  # not read as names: undecided
                    continue
                sources.setdefault(name, []).append((level, module, original))
        for item in _plain_import_items(data):
            named = _WORD.findall(item)
            understood.update(named)
            dotted_words = _imported_dotted(item)
            if not named or dotted_words is None:
                loose.update(named)
                continue
            dotted = dotted_words.decode("ascii")
            parts = dotted.split(".")
            alias = item.split(b" as ")[1].strip() if b" as " in item else b""
            local = alias.decode("ascii") if _WORD.fullmatch(alias) else parts[0]
            modules.setdefault(local, []).append(dotted if alias else parts[0])
        loose.update(words - understood)
        return cls(
            star,
            frozenset(w.decode("ascii") for w in words),
            sources,
            modules,
            frozenset(w.decode("ascii") for w in loose),
        )


def import_words(data: bytes) -> tuple[bool, set[bytes]]:
    """Is there a `*` after some `import`, and every word named after one (what `may_import`
    needs: a name no import names is defined where it is, or nowhere)."""
    star = False
    words: set[bytes] = set()
    for match in _IMPORT_LIST.finditer(data):
        if _inside_word(data, match.start()):
            continue
        listed, rest = match.groups()
        segment = listed if listed is not None else rest
        if rest is not None and b"*" in rest.split(b"\n", 1)[0]:
            star = True
        words.update(_WORD.findall(segment))
    return star, words


def imports_in(data: bytes) -> set[tuple[int, str]]:
    """Every (level, module) a file may import, read from its bytes as `ImportSummary` reads
    them (wherever written): `from m import x` gives m and m.x (perhaps a submodule), `import
    a.b` gives a and a.b. All `Project.reaches` needs, without the rest of a summary."""
    found: set[tuple[int, str]] = set()
    for level, dotted, items in from_imports(data):
        found.add((level, dotted.decode("ascii", "replace")))
        prefix = dotted + b"." if dotted else b""
        for item in items:
            first = _WORD.search(item)
            if first is not None and b"*" not in item:
                found.add((level, (prefix + first.group()).decode("ascii", "replace")))
    for item in _plain_import_items(data):
        dotted_words = _imported_dotted(item)
        if dotted_words is not None:
            parts = dotted_words.decode("ascii").split(".")
            for end in range(1, len(parts) + 1):
                found.add((0, ".".join(parts[:end])))
    return found


def from_imports(data: bytes) -> Iterator[tuple[int, bytes, list[bytes]]]:
    """Each `from <dots>module import …` of the bytes, wherever written: (level, module, the
    items of its list, comments and brackets taken out)."""
    for match in _FROM_IMPORT.finditer(data):
        if _inside_word(data, match.start()):
            continue
        dots, dotted, listed = match.groups()
        yield len(dots), dotted, _COMMENT.sub(b"", listed).strip(b"()\\ \t\r\n").split(b",")


def _plain_import_items(data: bytes) -> Iterator[bytes]:
    """Each item of each `import a.b as c, d` statement of the bytes, wherever written."""
    for match in _PLAIN_IMPORT.finditer(data):
        if _plain_import(data, match.start()):
            yield from match.group(1).split(b",")


def _imported_dotted(item: bytes) -> bytes | None:
    """The dotted module name an `import` item names (`a.b` in `a.b as c`); None when it is not
    one."""
    dotted = item.split(b" as ")[0].strip()
    return dotted if _DOTTED.fullmatch(dotted) else None


def code_match(data: bytes, pattern: re.Pattern[bytes]) -> bool:
    """Does `pattern` match `data` (a Python file's bytes) somewhere that is not surely inside a
    comment? A match is surely in a comment when a `#` comes before it on its line and no quote
    before that `#` (nor any other character that could open a string). Else (in code, in a
    string, or undecided) it counts. A line inside a multi-line string that reads `# …` is string
    text after a `#`: no name, value or header either."""
    for match in pattern.finditer(data):
        start = match.start()
        line = data.rfind(b"\n", 0, start) + 1
        before = data[line:start]
        hash_at = before.find(b"#")
        if hash_at < 0 or b"'" in before[:hash_at] or b'"' in before[:hash_at]:
            return True
        if b"\r" in before or b"\\" in before[:hash_at]:
            return True  # another line end, or an escape: undecided
    return False
