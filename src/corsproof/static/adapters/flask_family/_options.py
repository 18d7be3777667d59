"""Option values as the Flask-family adapters hold them: `Setting` (a value and where it is
written), `Layer` (the options one source sets), how layers merge, and reading a merged value."""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from corsproof.findings import Location
from corsproof.static._module import Module
from corsproof.static.semantic import Value

ALLOW_ALL = ("*", ".*")


@dataclass(frozen=True)
class Setting:
    """One option as written: its value, the node to report and the module that node is in."""

    value: Value
    node: ast.AST
    module: Module


class Entry(NamedTuple):
    """One key a mapping or config write sets: `key` None may be any key (`**unknown`, a
    loader); `setting` None leaves the key's value unknown."""

    key: str | None
    setting: Setting | None


Merged = dict[str, Setting | None]  # missing: the library default; None: unknowable


@dataclass
class Layer:
    """Options from one source. `None` marks an option whose value cannot be known;
    `everything` marks a source that may set any option (`**unknown`, `from_pyfile(...)`)."""

    settings: Merged = field(default_factory=dict)
    everything: bool = False

    def uncertain(self) -> Layer:
        return Layer(dict.fromkeys(self.settings), self.everything)


def layer_of(entries: Iterable[Entry], names: Mapping[str, str], none_skipped: bool) -> Layer:
    """The options a sequence of entries sets, in order (`names` maps keys to option names): an
    entry that may set any key starts over from `everything`; with `none_skipped`, a value of None
    is skipped, so the default applies."""
    layer = Layer()
    for key, setting in entries:
        if key is None:
            layer = Layer(everything=True)
            continue
        name = names[key]
        if (
            none_skipped
            and setting is not None
            and setting.value.known
            and setting.value.value is None
        ):
            layer.settings.pop(name, None)
        else:
            layer.settings[name] = setting
    return layer


def merge(layers: Iterable[Layer], options: Collection[str]) -> Merged:
    merged: Merged = {}
    for layer in layers:
        if layer.everything:
            merged = dict.fromkeys(options)
        merged.update(layer.settings)
    return merged


def truthy(merged: Merged, name: str) -> Location | bool | None:
    """Where an option is set to a true value; False when it is false (or the default);
    None when it cannot be known."""
    if name not in merged:
        return False
    setting = merged[name]
    if setting is None or not setting.value.known:
        return None
    return setting.module.loc(setting.node) if setting.value.value else False


def strings(value: Value) -> list[str]:
    return [v for v in value.items() if isinstance(v, str)] if value.known else []


def elements(setting: Setting) -> list[tuple[Any, ast.AST]]:
    """The entries of a list-like option with the node of each (the whole node when the literal
    cannot be lined up with the value)."""
    value, node = setting.value.value, setting.node
    items = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and len(node.elts) == len(items):
        if not any(isinstance(e, ast.Starred) for e in node.elts):
            return list(zip(items, node.elts, strict=True))
    return [(item, node) for item in items]


def raw(pattern: str) -> str:
    """A pattern as it is usually written: a raw string literal."""
    if '"' in pattern or pattern.endswith("\\") or "\n" in pattern:
        return repr(pattern)
    return f'r"{pattern}"'


def valid_regex(pattern: str, flags: int = 0) -> bool:
    try:
        re.compile(pattern, flags)
    except re.error:
        return False
    return True
