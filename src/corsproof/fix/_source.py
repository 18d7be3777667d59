"""One Python (or requirement) file being fixed: its bytes as read, its text, its line ends and
encoding kept, libcst's tree with positions, edits applied, written back atomically."""

from __future__ import annotations

import io
import os
import stat
import tempfile
import tokenize
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from corsproof._text import source_lines
from corsproof.findings import Location
from corsproof.fix._model import Edit


class SourceError(Exception):
    """The file cannot be fixed (unreadable, not decodable, does not parse): left untouched."""


class SourceFile:
    def __init__(self, path: str, data: bytes | None = None) -> None:
        """`data`: the file's bytes when they did not come from disk (stdin)."""
        self.path = path
        try:
            self.data = Path(path).read_bytes() if data is None else data
        except OSError as exc:
            raise SourceError(f"cannot read: {exc.strerror or exc}") from None
        try:
            self.encoding = tokenize.detect_encoding(io.BytesIO(self.data).readline)[0]
            self.text = self.data.decode(self.encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
            raise SourceError(f"cannot decode: {exc}") from None
        if self.encoding == "utf-8-sig":
            self.text = self.text.removeprefix("\ufeff")
        self.newline = "\r\n" if "\r\n" in self.text else "\r" if "\r" in self.text else "\n"
        # lines as Location numbers them (the parser's: \n, \r\n and \r end one)
        self.lines = source_lines(self.text)

    @property
    def python(self) -> bool:
        return self.path.endswith((".py", ".pyw"))

    @cached_property
    def wrapper(self) -> MetadataWrapper:
        try:
            module = cst.parse_module(self.text)
        except (cst.ParserSyntaxError, RecursionError) as exc:
            raise SourceError(f"does not parse: {str(exc).splitlines()[0]}") from None
        return MetadataWrapper(module, unsafe_skip_copy=True)

    @cached_property
    def positions(self) -> dict[cst.CSTNode, CodeRange]:
        try:
            return dict(self.wrapper.resolve(PositionProvider))
        except RecursionError:
            raise SourceError("too deeply nested to rewrite") from None

    @cached_property
    def parents(self) -> dict[cst.CSTNode, cst.CSTNode]:
        from libcst.metadata import ParentNodeProvider

        return dict(self.wrapper.resolve(ParentNodeProvider))

    @property
    def module(self) -> cst.Module:
        return self.wrapper.module

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def nodes_at(self, line: int, column: int, end_line: int, end_column: int) -> list[cst.CSTNode]:
        """The nodes whose span is exactly this one (1-based columns, end exclusive), outermost
        first."""
        out = []
        for node, where in self.positions.items():
            if (
                where.start.line == line
                and where.start.column + 1 == column
                and where.end.line == end_line
                and where.end.column + 1 == end_column
            ):
                out.append(node)
        return out

    def expression_at(self, loc: Location | None) -> cst.BaseExpression | None:
        """The expression whose span is a finding's location (libcst's spans leave out a node's
        own parentheses, Python's include them: `(a, "null")` is the tuple inside)."""
        if loc is None:
            return None
        for node in self.nodes_at(loc.line, loc.column, loc.end_line, loc.end_column):
            if isinstance(node, cst.BaseExpression):
                return node
        first = self.lines[loc.line - 1][loc.column - 1 : loc.column]
        if loc.end_line - 1 < len(self.lines) and loc.end_column > 1 and first == "(":
            for node in self.nodes_at(loc.line, loc.column + 1, loc.end_line, loc.end_column - 1):
                if isinstance(node, cst.BaseExpression) and node.lpar:
                    return node
        return None

    def span(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        where = self.positions[node]
        return where.start.line, where.start.column + 1, where.end.line, where.end.column + 1

    def replace(self, node: cst.CSTNode, replacement: str) -> Edit:
        return Edit(self.path, *self.span(node), replacement)

    def insert_after_line(self, line: int, text: str) -> Edit:
        """Insert whole lines after line `line` (text without the final line end)."""
        end = len(self.lines[line - 1]) + 1
        return Edit(self.path, line, end, line, end, self.newline + text)

    # ---------------------------------------------------------------- applying and writing
    def _offset(self, line: int, column: int) -> int:
        """The index in the normalised text of (line, 1-based column)."""
        return sum(len(text) + 1 for text in self.lines[: line - 1]) + column - 1

    def applied(self, edits: Iterable[Edit]) -> str:
        """The text with `edits` applied (they must not overlap), line ends as the file has them."""
        text = "\n".join(self.lines)
        # from the end, so that offsets stay true; at one place, the first listed ends up first
        ordered = sorted(enumerate(edits), key=lambda p: (p[1].line, p[1].column, p[0]))
        for _, edit in reversed(ordered):
            start = self._offset(edit.line, edit.column)
            end = self._offset(edit.end_line, edit.end_column)
            text = text[:start] + edit.replacement.replace(self.newline, "\n") + text[end:]
        return text.replace("\n", self.newline) if self.newline != "\n" else text

    def encode(self, text: str) -> bytes:
        prefix = "\ufeff" if self.encoding == "utf-8-sig" else ""
        codec = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        return (prefix + text).encode(codec)

    def write(self, text: str) -> None:
        """Atomically: a temporary file beside it, the mode kept, then renamed over it."""
        data = self.encode(text)
        directory = os.path.dirname(os.path.abspath(self.path))
        mode = stat.S_IMODE(os.stat(self.path).st_mode)
        handle, temporary = tempfile.mkstemp(prefix=".corsproof-fix-", dir=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, self.path)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
