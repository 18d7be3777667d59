"""Reading a source file safely: opened non-blocking (a FIFO never hangs the scan), read up to a
bound (`MAX_BYTES`), decoded as Python would (BOM, PEP 263), parsed with errors a user can read
(`AnalysisError`)."""

from __future__ import annotations

import ast
import io
import os
import stat
import tokenize
from pathlib import Path
from typing import BinaryIO

MAX_BYTES = 10 * 1024 * 1024  # larger files are not parsed (their tree would take ~20x as much)
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class AnalysisError(Exception):
    """A file that cannot be analysed; the message is what the user sees under `errors`."""


def open_source(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a file for reading; AnalysisError unless it is a regular file.

    Opened non-blocking, so a FIFO (or a file replaced by one after the walk) never hangs the scan.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise AnalysisError("not a regular file (FIFO, socket or device): skipped")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(handle: BinaryIO, limit: int) -> bytes:
    """The file's bytes, at most `limit + 1` of them (one more than allowed tells a file too
    large). Sized from `fstat` first: `read(limit + 1)` would allocate the whole limit (10 MiB)
    for every small file; a file that grew since is read on, up to the bound."""
    try:
        size = os.fstat(handle.fileno()).st_size
    except (OSError, ValueError, io.UnsupportedOperation):
        size = limit
    data = handle.read(min(size, limit) + 1)
    if len(data) <= size:
        return data  # all of it (a BufferedReader reads until the count or the end)
    # more than fstat told (grown since, or a size it does not tell): read on, within the bound
    while len(data) <= limit:
        more = handle.read(min(1 << 16, limit + 1 - len(data)))
        if not more:
            break
        data += more
    return data


def decode_source(data: bytes) -> str:
    """The text of a source file, decoded as Python would (BOM, PEP 263 coding declaration)."""
    if b"\x00" in data:
        raise AnalysisError("contains NUL bytes: not a Python source file")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise AnalysisError(f"cannot decode: {exc.msg}") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding.startswith("utf-8") else encoding
        line = data.count(b"\n", 0, exc.start) + 1
        raise AnalysisError(f"not valid {name} (line {line}, byte {exc.start})") from None
    except (UnicodeError, LookupError) as exc:
        raise AnalysisError(f"cannot decode as {encoding}: {exc}") from None


def parse_source(source: str, filename: str) -> ast.Module:
    try:
        return ast.parse(source, filename=filename)
    except SyntaxError as exc:
        msg = exc.msg or "invalid syntax"
        if "print" in msg and "parentheses" in msg or "Missing parentheses" in msg:
            msg += " (Python 2 source?)"
        raise AnalysisError(f"SyntaxError: {msg} (line {exc.lineno})") from None
    except (RecursionError, MemoryError):
        raise AnalysisError("too deeply nested to parse") from None
    except ValueError as exc:
        raise AnalysisError(f"cannot parse: {exc}") from None


def bytes_of(path: Path) -> bytes:
    """A project file's bytes for the readings that need no tree (empty when it cannot be read:
    a reading of nothing finds nothing to follow)."""
    try:
        with open_source(path) as handle:
            return read_bounded(handle, MAX_BYTES)
    except (OSError, AnalysisError):
        return b""
