"""What a regular expression can match, read from `re`'s own parse of it.

`regex_samples` gives strings a pattern accepts (the origins a check was written for, which the
oracle derives its attackers from); `is_redos_prone` says whether evaluating the pattern could
backtrack catastrophically, in which case the oracle does not evaluate it.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # type: ignore[import-not-found]

# ---------------------------------------------------------------- regex sample generation


_MAX_SAMPLE = 512  # characters: a sample longer than any origin is useless (and `x{10**9}` exists)
_MAX_SAMPLES = 8  # alternatives followed per pattern


def _sample_of(parsed: object, depth: int = 0, repeated: bool = False) -> str:
    return _samples_of(parsed, depth, repeated, 1)[0]


def _optional(item: tuple[object, object]) -> bool:
    name = str(item[0])
    return name in ("AT", "ASSERT", "ASSERT_NOT") or (name in _REPEATS and item[1][0] == 0)  # type: ignore[index]


def _samples_of(
    parsed: object, depth: int, repeated: bool, limit: int, tail: bool = False
) -> list[str]:
    r"""Up to `limit` strings the parsed sequence matches (one per alternative of a `|`).

    With `tail`, the sequence ends the pattern: optional parts at its end (`(:\d+)?$`, `.*`) are
    sampled empty, so `https://app\.example\.com.*` is sampled as the origin it was written for.
    """
    if depth > 50:
        raise ValueError("pattern too deep")
    outs: list[str] = [""]
    items = list(parsed)  # type: ignore[call-overload]
    for index, (op, arg) in enumerate(items):
        name = str(op)
        at_end = tail and all(_optional(item) for item in items[index + 1 :])
        parts: list[str]
        if name in _REPEATS and at_end and arg[0] == 0:
            parts = [""]
        elif name == "LITERAL":
            parts = [chr(arg)]
        elif name == "NOT_LITERAL":
            parts = ["a" if chr(arg) != "a" else "b"]
        elif name == "ANY":
            # a lone `.` was most likely meant as a literal dot: sample it as one
            parts = ["a" if repeated else "."]
        elif name == "IN":
            parts = [_sample_in(arg)]
        elif name == "BRANCH":
            parts = []
            for alternative in arg[1]:
                parts.extend(_samples_of(alternative, depth + 1, repeated, limit, at_end))
        elif name == "SUBPATTERN":
            parts = _samples_of(arg[-1], depth + 1, repeated, limit, at_end)
        elif name == "ATOMIC_GROUP":
            parts = _samples_of(arg, depth + 1, repeated, limit, at_end)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            count = max(low, 1)
            if high is not None and high != sre_parse.MAXREPEAT:
                count = min(count, high)
            if count > _MAX_SAMPLE:
                raise ValueError("sample too long")
            parts = [text * count for text in _samples_of(sub, depth + 1, True, limit)]
        elif name == "CATEGORY":
            parts = [_sample_category(str(arg))]
        elif name in ("AT", "ASSERT", "ASSERT_NOT", "GROUPREF", "GROUPREF_EXISTS"):
            continue
        else:
            raise ValueError(name)
        outs = [head + part for head in outs for part in parts][:limit]
        if any(len(text) > _MAX_SAMPLE for text in outs):
            raise ValueError("sample too long")
    return outs


def _sample_category(name: str) -> str:
    if "DIGIT" in name and "NOT" not in name:
        return "0"
    if "SPACE" in name and "NOT" not in name:
        return " "
    return "a"


def _sample_in(items: list[tuple[object, object]]) -> str:
    negate = any(str(op) == "NEGATE" for op, _ in items)
    if negate:
        for cand in "axz0-.":
            if not _in_set(items, cand):
                return cand
        return "a"
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)  # type: ignore[arg-type]
        if name == "RANGE":
            low, high = arg  # type: ignore[misc]
            return "a" if low <= ord("a") <= high else chr(low)
        if name == "CATEGORY":
            return _sample_category(str(arg))
    return "a"


def _in_set(items: list[tuple[object, object]], char: str) -> bool:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL" and chr(arg) == char:  # type: ignore[arg-type]
            return True
        if name == "RANGE" and arg[0] <= ord(char) <= arg[1]:  # type: ignore[index]
            return True
        if name == "CATEGORY":
            cat = str(arg)
            if "WORD" in cat and (char.isalnum() or char == "_"):
                return True
            if "DIGIT" in cat and char.isdigit():
                return True
    return False


def regex_samples(pattern: str, flags: int = 0) -> list[str]:
    """Short strings the pattern matches, one per top-level alternative (at most a few)."""
    try:
        texts = _samples_of(sre_parse.parse(pattern, flags), 0, False, _MAX_SAMPLES, True)
        compiled = re.compile(pattern, flags)
    except (re.error, ValueError, TypeError, IndexError, RecursionError, OverflowError):
        return []
    if is_redos_prone(pattern, flags):
        return []
    return list(dict.fromkeys(t for t in texts if compiled.match(t)))


def regex_sample(pattern: str, flags: int = 0) -> str | None:
    """A short string the pattern matches, used as the 'trusted' origin the pattern was written for."""
    samples = regex_samples(pattern, flags)
    return samples[0] if samples else None


# ---------------------------------------------------------------- catastrophic backtracking

# Python's `re` backtracks and cannot be interrupted: a pattern such as `(a+)+$` or
# `([\w.-]+)+\.example\.com` takes exponential time on a non-matching origin. The oracle refuses to
# evaluate such patterns (no verdict, so no finding) rather than hang the scan.
_ALPHABET = frozenset(chr(c) for c in range(0x20, 0x7F))
_WIDE_REPEAT = 10  # a repeat allowing more iterations than this counts as unbounded
_MAX_OVERLAPPING_REPEATS = 3  # polynomial backtracking: n ** (repeats + 1) with `search`


def _category_chars(name: str) -> frozenset[str]:
    if "DIGIT" in name:
        chars = frozenset(c for c in _ALPHABET if c.isdigit())
    elif "SPACE" in name:
        chars = frozenset(" ")
    elif "WORD" in name:
        chars = frozenset(c for c in _ALPHABET if c.isalnum() or c == "_")
    else:
        return _ALPHABET
    return _ALPHABET - chars if "NOT" in name else chars


def _item_chars(name: str, arg: object, icase: bool) -> frozenset[str] | None:
    """The characters a single-character item matches (None: not a single-character item)."""
    chars: frozenset[str]
    if name == "LITERAL":
        chars = frozenset(chr(arg))  # type: ignore[arg-type]
    elif name == "NOT_LITERAL":
        chars = _ALPHABET - {chr(arg), chr(arg).swapcase() if icase else chr(arg)}  # type: ignore[arg-type]
        return chars
    elif name == "ANY":
        return _ALPHABET
    elif name == "CATEGORY":
        return _category_chars(str(arg))
    elif name == "IN":
        found: set[str] = set()
        negate = False
        for op, sub in arg:  # type: ignore[attr-defined]
            kind = str(op)
            if kind == "NEGATE":
                negate = True
            elif kind == "LITERAL":
                found.add(chr(sub))
            elif kind == "RANGE":
                found.update(c for c in _ALPHABET if sub[0] <= ord(c) <= sub[1])
            elif kind == "CATEGORY":
                found.update(_category_chars(str(sub)))
            else:
                found.update(_ALPHABET)  # unknown: assume the worst
        chars = frozenset(found)
        if icase:
            chars = chars | {c.swapcase() for c in chars}
        return _ALPHABET - chars if negate else chars
    else:
        return None
    return chars | {c.swapcase() for c in chars} if icase else chars


def _is_wide(high: object) -> bool:
    return high == sre_parse.MAXREPEAT or (isinstance(high, int) and high > _WIDE_REPEAT)


def _children(name: str, arg: object) -> list[tuple[object, bool]]:
    """Sub-sequences of an item, with whether each one sets IGNORECASE."""
    if name in _REPEATS:
        return [(arg[2], False)]  # type: ignore[index]
    if name == "SUBPATTERN":
        return [(arg[-1], bool(arg[1] & re.IGNORECASE))]  # type: ignore[index,operator]
    if name == "ATOMIC_GROUP":
        return [(arg, False)]
    if name == "BRANCH":
        return [(alt, False) for alt in arg[1]]  # type: ignore[index]
    if name in ("ASSERT", "ASSERT_NOT"):
        return [(arg[1], False)]  # type: ignore[index]
    if name == "GROUPREF_EXISTS":
        return [(sub, False) for sub in arg[1:] if sub is not None]  # type: ignore[index]
    return []


def _all_chars(seq: object, icase: bool) -> frozenset[str]:
    out: set[str] = set()
    for op, arg in seq:  # type: ignore[attr-defined]
        chars = _item_chars(str(op), arg, icase)
        if chars is not None:
            out |= chars
        for sub, sets_icase in _children(str(op), arg):
            out |= _all_chars(sub, icase or sets_icase)
    return frozenset(out)


_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _variable_chars(seq: object, icase: bool) -> frozenset[str] | None:
    """Characters consumed by the parts of `seq` whose length varies (None: `seq` is fixed-length)."""
    found: frozenset[str] | None = None
    for op, arg in seq:  # type: ignore[attr-defined]
        name = str(op)
        chars: frozenset[str] | None
        if name in _REPEATS and arg[0] != arg[1]:
            chars = _all_chars(arg[2], icase)
        elif name in ("BRANCH", "GROUPREF_EXISTS"):
            chars = _all_chars([(op, arg)], icase)
        elif name == "GROUPREF":
            chars = _ALPHABET
        elif name in ("ASSERT", "ASSERT_NOT"):
            chars = None
        else:
            chars = None
            for sub, sets_icase in _children(name, arg):
                inner = _variable_chars(sub, icase or sets_icase)
                if inner is not None:
                    chars = inner if chars is None else chars | inner
        if chars is not None:
            found = chars if found is None else found | chars
    return found


def _edge_chars(seq: object, icase: bool, last: bool) -> frozenset[str] | None:
    """Characters of the single-character item every match of `seq` starts (or ends) with."""
    items = [item for item in seq if str(item[0]) != "AT"]  # type: ignore[attr-defined]
    if not items:
        return None
    op, arg = items[-1] if last else items[0]
    name = str(op)
    chars = _item_chars(name, arg, icase)
    if chars is not None:
        return chars
    if name == "SUBPATTERN":
        return _edge_chars(arg[-1], icase or bool(arg[1] & re.IGNORECASE), last)
    if name == "ATOMIC_GROUP":
        return _edge_chars(arg, icase, last)
    return None


def _first_chars(seq: object, icase: bool) -> frozenset[str]:
    """Characters a match of `seq` can start with (everything when `seq` can match empty)."""
    for op, arg in seq:  # type: ignore[attr-defined]
        name = str(op)
        chars = _item_chars(name, arg, icase)
        if chars is not None:
            return chars
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        if name == "SUBPATTERN":
            return _first_chars(arg[-1], icase or bool(arg[1] & re.IGNORECASE))
        if name in _REPEATS and arg[0] >= 1:
            return _first_chars(arg[2], icase)
        return _ALPHABET
    return _ALPHABET


def _backtracks(seq: object, icase: bool, under_repeat: bool) -> bool:
    for op, arg in seq:  # type: ignore[attr-defined]
        name = str(op)
        repeat = name in _REPEATS and _is_wide(arg[1])
        if repeat:
            # `(a+)+`, `(\w?-?)*`: a body of varying length repeated without a delimiter it cannot
            # consume (`([a-z0-9-]+\.)*` is fine) splits a run of characters in exponentially many ways
            variable = _variable_chars(arg[2], icase)
            if variable is not None:
                edges = (_edge_chars(arg[2], icase, False), _edge_chars(arg[2], icase, True))
                if not any(edge is not None and edge.isdisjoint(variable) for edge in edges):
                    return True
        if name == "BRANCH" and under_repeat:
            # `(a|a)*`, `(aa|a)*`: alternatives that can start alike under a repeat
            firsts = [_first_chars(alt, icase) for alt in arg[1]]
            for i, first in enumerate(firsts):
                if any(not first.isdisjoint(other) for other in firsts[i + 1 :]):
                    return True
        for sub, sets_icase in _children(name, arg):
            if _backtracks(sub, icase or sets_icase, under_repeat or repeat):
                return True
    return False


def is_redos_prone(pattern: str, flags: int = 0) -> bool:
    """True when `re` may backtrack catastrophically on some origin (or the pattern is invalid)."""
    try:
        parsed = sre_parse.parse(pattern, flags)
        icase = bool(flags & re.IGNORECASE)
        if _backtracks(parsed, icase, False):
            return True
        # `.*.*.*.*x`: every extra unbounded repeat over the same characters multiplies the work by n
        return max(_degrees(parsed, icase).values(), default=0) > _MAX_OVERLAPPING_REPEATS
    except (re.error, ValueError, TypeError, IndexError, RecursionError, OverflowError):
        return True


def _degrees(seq: object, icase: bool) -> dict[str, int]:
    """Per character: how many unbounded repeats in a row can consume it (nested ones count once)."""
    total: dict[str, int] = {}

    def add(counts: dict[str, int]) -> None:
        for char, count in counts.items():
            total[char] = total.get(char, 0) + count

    for op, arg in seq:  # type: ignore[attr-defined]
        name = str(op)
        if name in _REPEATS:
            inner = _degrees(arg[2], icase)
            if _is_wide(arg[1]):
                for char in _all_chars(arg[2], icase):
                    inner[char] = max(inner.get(char, 0), 1)
            add(inner)
        elif name == "BRANCH":
            widest: dict[str, int] = {}
            for alternative in arg[1]:
                for char, count in _degrees(alternative, icase).items():
                    widest[char] = max(widest.get(char, 0), count)
            add(widest)
        else:
            for sub, sets_icase in _children(name, arg):
                add(_degrees(sub, icase or sets_icase))
    return total
