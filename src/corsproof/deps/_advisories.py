"""The advisories of CORS libraries (`corsproof/data/advisories.json`) and which of them a set of versions is wholly inside."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from corsproof.deps import Advisory
from corsproof.deps._versions import Span, spans_of_set, subset


@dataclass(frozen=True)
class Affected:
    """One advisory of a package and the versions it affects."""

    advisory: Advisory
    spec: SpecifierSet
    spans: tuple[Span, ...]


@lru_cache(maxsize=1)
def advisory_table() -> dict[str, tuple[Affected, ...]]:
    """The advisories of `corsproof/data/advisories.json` by PEP 503 normalised package name."""
    raw = json.loads(
        resources.files("corsproof").joinpath("data/advisories.json").read_text(encoding="utf-8")
    )
    table: dict[str, list[Affected]] = {}
    for item in raw["advisories"]:
        advisory = Advisory(
            item["id"], item["severity"], item["fixed"], item["summary"], item["source"]
        )
        spec = SpecifierSet(item["affected"])
        spans = spans_of_set(spec)
        if spans is None:  # pragma: no cover - the data is validated by the tests
            raise ValueError(f"advisory {item['id']}: cannot read affected {item['affected']!r}")
        table.setdefault(canonicalize_name(item["package"]), []).append(
            Affected(advisory, spec, tuple(spans))
        )
    return {name: tuple(items) for name, items in table.items()}


@lru_cache(maxsize=1)
def _prefilter() -> re.Pattern[bytes]:
    """The bytes of any spelling of a package of the table (`Flask_CORS`, `flask.cors`…)."""
    alternatives = [
        b"[-_.]+".join(re.escape(part.encode()) for part in name.split("-"))
        for name in sorted(advisory_table())
    ]
    return re.compile(b"(?i)" + b"|".join(alternatives))


_INCLUDES = re.compile(rb"(?m)^[ \t]*(?:-[rc]|--requirement|--constraint)")


def relevant(name: str, data: bytes) -> bool:
    """Can this file hold a finding? It names a CORS library, or (requirements) includes a file."""
    if _prefilter().search(data):
        return True
    return name.endswith(".txt") and _INCLUDES.search(data) is not None


def affected_by(package: str, spans: tuple[Span, ...]) -> tuple[Advisory, ...]:
    """The advisories of `package` that affect every version `spans` admits (none if it admits
    none)."""
    if not spans:
        return ()
    point = spans[0].point() if len(spans) == 1 else None
    found = []
    for affected in advisory_table().get(package, ()):
        if point is not None:
            hit = affected.spec.contains(point, prereleases=True)
        else:
            hit = subset(spans, affected.spans)
        if hit:
            found.append(affected.advisory)
    return tuple(found)
