"""Version specifiers as intervals of versions: PEP 440 (`>=3,<5`, `~=3.0`, `3.*`) and Poetry (`^3.0`, `~3.0`, `||`), intersected and compared in PEP 440 order."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

Bound = tuple[Version, bool] | None  # (version, inclusive); None: unbounded


@dataclass(frozen=True)
class Span:
    """An interval of versions in PEP 440 order."""

    low: Bound
    high: Bound

    def empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        (low, low_in), (high, high_in) = self.low, self.high
        return low > high or (low == high and not (low_in and high_in))

    def point(self) -> Version | None:
        if self.low is not None and self.high is not None and self.low[0] == self.high[0]:
            return self.low[0]
        return None


ANY = (Span(None, None),)


def _higher_low(a: Bound, b: Bound) -> Bound:
    if a is None or b is None:
        return b if a is None else a
    if a[0] != b[0]:
        return a if a[0] > b[0] else b
    return (a[0], a[1] and b[1])


def _lower_high(a: Bound, b: Bound) -> Bound:
    if a is None or b is None:
        return b if a is None else a
    if a[0] != b[0]:
        return a if a[0] < b[0] else b
    return (a[0], a[1] and b[1])


def intersect(xs: tuple[Span, ...], ys: tuple[Span, ...]) -> tuple[Span, ...]:
    spans = (Span(_higher_low(x.low, y.low), _lower_high(x.high, y.high)) for x in xs for y in ys)
    return tuple(span for span in spans if not span.empty())


def _within(inner: Span, outer: Span) -> bool:
    if outer.low is not None:
        if inner.low is None or inner.low[0] < outer.low[0]:
            return False
        if inner.low[0] == outer.low[0] and inner.low[1] and not outer.low[1]:
            return False
    if outer.high is not None:
        if inner.high is None or inner.high[0] > outer.high[0]:
            return False
        if inner.high[0] == outer.high[0] and inner.high[1] and not outer.high[1]:
            return False
    return True


def subset(xs: tuple[Span, ...], ys: tuple[Span, ...]) -> bool:
    """Every version of `xs` is in `ys` (each span of `xs` inside one span of `ys`)."""
    return all(any(_within(x, y) for y in ys) for x in xs)


def _release(numbers: tuple[int, ...] | list[int], epoch: int = 0) -> Version:
    prefix = f"{epoch}!" if epoch else ""
    return Version(prefix + ".".join(str(n) for n in numbers) + ".dev0")


def _prefix_span(prefix: str) -> Span | None:
    """`3.0.*`: [3.0.dev0, 3.1.dev0), the versions whose release starts with 3.0."""
    try:
        version = Version(prefix)
    except InvalidVersion:
        return None
    if version.pre or version.post is not None or version.dev is not None or version.local:
        return None
    release = version.release
    upper = (*release[:-1], release[-1] + 1)
    return Span((_release(release, version.epoch), True), (_release(upper, version.epoch), False))


def spans_of(spec: Specifier) -> tuple[Span, ...] | None:
    """The versions one PEP 440 specifier admits; None when it cannot be read as an interval."""
    operator, text = spec.operator, spec.version
    if text.endswith(".*"):
        span = _prefix_span(text[:-2])
        if span is None or operator not in ("==", "!="):
            return None
        if operator == "==":
            return (span,)
        return (Span(None, (span.low[0], False)), Span(span.high, None))  # type: ignore[index]
    try:
        version = Version(text)
    except InvalidVersion:
        return None  # `===foo`: arbitrary equality with a non-PEP 440 string
    if operator in ("==", "==="):
        return (Span((version, True), (version, True)),)
    if operator == "!=":
        return (Span(None, (version, False)), Span((version, False), None))
    if operator == ">=":
        return (Span((version, True), None),)
    if operator == ">":
        return (Span((version, False), None),)
    if operator == "<=":
        return (Span(None, (version, True)),)
    if operator == "<":
        return (Span(None, (version, False)),)
    if operator == "~=":  # ~=2.2.1: >=2.2.1, ==2.2.*
        release = version.release
        upper = (*release[:-2], release[-2] + 1)
        return (Span((version, True), (_release(upper, version.epoch), False)),)
    return None


def spans_of_set(specs: SpecifierSet) -> tuple[Span, ...] | None:
    spans = ANY
    for spec in specs:
        one = spans_of(spec)
        if one is None:
            return None
        spans = intersect(spans, one)
    return spans


def pep440_spans(text: str) -> tuple[Span, ...] | None:
    """A Pipfile version: a PEP 440 specifier set, `*`, or a bare version (meaning `==`)."""
    text = text.strip()
    if text in ("", "*"):
        return ANY
    if text[0].isdigit():
        text = "==" + text
    try:
        return spans_of_set(SpecifierSet(text))
    except InvalidSpecifier:
        return None


_POETRY_TOKEN = re.compile(r"(\^|~=|~|===|==|!=|>=|<=|>|<|=)?\s*(\*|[0-9][0-9A-Za-z.*+!_-]*)")


def _caret(version: Version) -> Span:
    """Poetry `^1.2.3` >=1.2.3,<2.0.0; `^0.2.3` <0.3.0; `^0.0.3` <0.0.4; `^0` <1; `^0.0` <0.1."""
    release = list(version.release)
    nonzero = next((i for i, n in enumerate(release) if n), None)
    if nonzero is None:
        index = 0 if len(release) == 1 else len(release) - 1
    else:
        index = nonzero
    upper = (*release[:index], release[index] + 1)
    return Span((version, True), (_release(upper, version.epoch), False))


def _tilde(version: Version) -> Span:
    """Poetry `~1.2.3` >=1.2.3,<1.3.0; `~1.2` <1.3; `~1` <2."""
    release = version.release
    upper = (release[0] + 1,) if len(release) == 1 else (release[0], release[1] + 1)
    return Span((version, True), (_release(upper, version.epoch), False))


def _poetry_one(operator: str, text: str) -> tuple[Span, ...] | None:
    if text == "*":
        return ANY if operator in ("", "=", "==") else None
    if operator in ("", "="):
        operator = "=="
    if operator in ("^", "~"):
        try:
            version = Version(text)
        except InvalidVersion:
            return None
        return ((_caret if operator == "^" else _tilde)(version),)
    try:
        return spans_of(Specifier(operator + text))
    except InvalidSpecifier:
        return None


def poetry_spans(text: str) -> tuple[Span, ...] | None:
    """A Poetry version constraint: `^3.0`, `~3.0`, `3.*`, `>=1.2,<2`, `>= 1.2 < 2`, `a || b`."""
    alternatives: list[Span] = []
    for alternative in text.split("||"):
        spans = ANY
        position = 0
        for match in _POETRY_TOKEN.finditer(alternative):
            if alternative[position : match.start()].strip(" ,\t"):
                return None
            position = match.end()
            one = _poetry_one(match.group(1) or "", match.group(2))
            if one is None:
                return None
            spans = intersect(spans, one)
        if alternative[position:].strip(" ,\t"):
            return None
        alternatives.extend(spans)
    return tuple(alternatives)
