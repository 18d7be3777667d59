r"""The byte prefilter: which adapters a file's bytes may concern, before anything is parsed.

An adapter's prefilter is a bytes regex, and the regex engine scans fast only for a pattern
that starts with a case-sensitive literal: `(?i:access-control-)` or `a|(?i:b)\w*c` makes it
try every position (about 50 MB/s). Before running a pattern, `Needs` checks words the pattern
cannot match without (found in its parsed form: runs of literal characters, required groups,
alternations), with `bytes.__contains__` (GB/s). A necessary condition only: the regex still
decides, so no adapter is changed or weakened. A pattern whose alternatives are not all
anchored by some word is always run.
"""

from __future__ import annotations

import re
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from corsproof.static.adapters import Adapter

Clause = frozenset[tuple[bytes, bool]]  # (word, case-insensitive): one of them must occur


def _cnf(items: list[tuple[Any, Any]], icase: bool) -> list[Clause]:
    """Clauses that must all hold for the sequence `items` to match somewhere."""
    clauses: list[Clause] = []
    run = bytearray()

    def flush() -> None:
        if run:
            word = bytes(run).lower() if icase else bytes(run)
            clauses.append(frozenset({(word, icase)}))
            run.clear()

    for op, av in items:
        if op is _c.LITERAL:
            run.append(av)
            continue
        flush()
        if op is _c.SUBPATTERN:
            _group, add, remove, sub = av
            inner = (icase or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
            clauses.extend(_cnf(list(sub), inner))
        elif op is _c.ATOMIC_GROUP:
            clauses.extend(_cnf(list(av), icase))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            low, _high, sub = av
            if low >= 1:
                clauses.extend(_cnf(list(sub), icase))
        elif op is _c.BRANCH:
            clause = _any_of([_cnf(list(branch), icase) for branch in av[1]])
            if clause is not None:
                clauses.append(clause)
        # anything else (classes, anchors, lookarounds, back-references) requires no word
    flush()
    return clauses


def _any_of(alternatives: list[list[Clause]]) -> Clause | None:
    """One clause implied by any of the alternatives: the best clause of each, joined."""
    words: set[tuple[bytes, bool]] = set()
    for clauses in alternatives:
        if not clauses:
            return None
        words |= max(clauses, key=_strength)
    return frozenset(words)


def _strength(clause: Clause) -> int:
    return min(len(word) for word, _ in clause)


def _literal(items: list[tuple[Any, Any]], icase: bool) -> tuple[bytes, bool] | None:
    """The word an alternative is exactly (literal characters, perhaps in one `(?i:...)`
    group), else None: when it occurs, the pattern matches without being run."""
    if len(items) == 1 and items[0][0] is _c.SUBPATTERN:
        _group, add, remove, sub = items[0][1]
        inner = (icase or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
        return _literal(list(sub), inner)
    if not items or any(op is not _c.LITERAL for op, _ in items):
        return None
    word = bytes(av for _, av in items)
    return (word.lower() if icase else word), icase


class Needs:
    """What a bytes pattern needs, alternative by alternative: a word that decides alone (the
    alternative is that word exactly), or clauses of words that must all occur before the
    pattern is worth running."""

    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        # (the word exactly, or None; clauses as (word, case-insensitive, contains _GATE))
        self.branches: list[tuple[tuple[bytes, bool] | None, list[list[Word]]]] | None = None
        if pattern.flags & re.LOCALE or not isinstance(pattern.pattern, bytes):
            return
        try:
            parsed = _parser.parse(pattern.pattern, pattern.flags)
            icase = bool(parsed.state.flags & re.IGNORECASE)
            items = list(parsed)
            branches = (
                [list(b) for b in items[0][1][1]]
                if len(items) == 1 and items[0][0] is _c.BRANCH
                else [items]
            )
            alternatives = [_cnf(branch, icase) for branch in branches]
            literals = [_literal(branch, icase) for branch in branches]
        except Exception:  # noqa: BLE001 - a private parser: when in doubt, run the pattern
            return
        if all(alternatives):
            # the words that decide alone first; the rarest-looking words first in each clause,
            # so that a miss is found early
            self.branches = [
                (
                    literal,
                    [
                        [(w, i, _GATE in w.lower()) for w, i in clause]
                        for clause in sorted(clauses, key=_strength, reverse=True)
                    ],
                )
                for literal, clauses in sorted(
                    zip(literals, alternatives, strict=True), key=lambda b: b[0] is None
                )
            ]

    def decide(self, data: bytes, lowered: bytes, gated: bool = True) -> bool | None:
        """True: the pattern matches (a word that decides alone is there); False: it cannot (a
        word every alternative needs is missing); None: run it. `gated`: the file has `_GATE`
        (any case); when it has not, no word containing it is looked for (most files have none
        of the CORS words, which nearly all contain it)."""
        if self.branches is None:
            return None
        maybe = False
        for literal, clauses in self.branches:  # plain loops: this runs for every file
            if literal is not None:
                word, icase = literal
                if (gated or _GATE not in word.lower()) and word in (lowered if icase else data):
                    return True
                continue
            if maybe:
                continue
            for clause in clauses:
                for w, i, gate in clause:
                    if (gated or not gate) and w in (lowered if i else data):
                        break
                else:
                    break  # a clause with none of its words: this alternative cannot match
            else:
                maybe = True
        return None if maybe else False


_GATE = b"cors"
Word = tuple[bytes, bool, bool]


class Prefilter:
    """The prefilters of a set of adapters, with the words each needs worked out once."""

    def __init__(self, adapters: list[type[Adapter]]) -> None:
        self.adapters = [(adapter, Needs(adapter.prefilter)) for adapter in adapters]

    def matching(self, data: bytes, lowered: bytes | None = None) -> list[type[Adapter]]:
        """The adapters whose prefilter matches: each pattern searched on its own (an
        alternation of all of them would lose the fast literal scan), after a check of the words
        it needs."""
        lowered = data.lower() if lowered is None else lowered
        gated = _GATE in lowered
        found = []
        for adapter, needs in self.adapters:
            decided = needs.decide(data, lowered, gated)
            if decided or (decided is None and adapter.prefilter.search(data)):
                found.append(adapter)
        return found
