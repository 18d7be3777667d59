"""How the evaluator reads attributes and subscripts: members of project modules, classes
(settings classes: fields an environment variable may set) and instances, `re` flags,
`os.environ[...]`, items of known containers, and why a value stays unknown."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from corsproof.static.semantic._conditions import DEBUG_NAME
from corsproof.static.semantic._imports import binds, project_module
from corsproof.static.semantic._values import (
    MAX_ITEMS,
    ClassRef,
    Frame,
    Instance,
    ModuleRef,
    Value,
    unknown,
)

if TYPE_CHECKING:
    from corsproof.static._module import Module

_RE_FLAGS = {
    "IGNORECASE": re.IGNORECASE,
    "I": re.IGNORECASE,
    "VERBOSE": re.VERBOSE,
    "X": re.VERBOSE,
    "MULTILINE": re.MULTILINE,
    "M": re.MULTILINE,
    "DOTALL": re.DOTALL,
    "S": re.DOTALL,
    "ASCII": re.ASCII,
    "A": re.ASCII,
}


class Members:
    """Part of `Evaluator`: attributes and subscripts."""

    module: Module
    _frames: list[Frame]

    def _attribute(self, node: ast.Attribute, depth: int) -> Value:
        qual = self.module.qualname(node)
        if qual.startswith("re.") and node.attr in _RE_FLAGS:
            return Value(_RE_FLAGS[node.attr])
        base = self.resolve(node.value, depth)
        if base.alternatives:
            # `config.X` where config is one of several objects: X of each
            members = [self._member(alt, node.attr, depth) for alt in base.alternatives]
            if all(m is not None for m in members):
                return self._alternatives([m for m in members if m is not None])
            return unknown(f"the attribute {node.attr!r} of one of several objects")
        found = self._member(base, node.attr, depth)
        if found is not None:
            return found
        if DEBUG_NAME.search(node.attr):
            return Value(True, debug=self.module.text(node))
        return unknown(self._why(node, base), base.env)

    def _member(self, base: Value, attr: str, depth: int) -> Value | None:
        target = base.value
        if isinstance(target, ModuleRef):
            if binds(target.module, attr):
                return self._global(target.module, attr, depth)
            sub = project_module(target.module, attr, 1)
            return Value(ModuleRef(sub)) if sub is not None else None
        if isinstance(target, Instance):
            for key, value in target.overrides:
                if key == attr:
                    return value if isinstance(value, Value) else Value(value)
            return self._member(Value(target.cls), attr, depth)
        if isinstance(target, ClassRef):
            value = self._class_attribute(target, attr, depth)
            if value is not None and target.settings and value.known:
                return replace(value, env=value.env or attr, settings_field=attr)
            return value
        return None

    def _class_attribute(self, cls: ClassRef, attr: str, depth: int) -> Value | None:
        scope = cls.module.semantic.scopes.get(cls.node)
        if scope is None:
            return None
        bindings = scope.bindings.get(attr)
        if bindings:
            evaluator = self._for(cls.module)
            value = evaluator._visible_value(cls.module, attr, list(bindings), None, depth + 1)
            return value
        # inherited from a project base class
        evaluator = self._for(cls.module)
        for base in cls.node.bases:
            parent = evaluator.resolve(base, depth)
            if isinstance(parent.value, ClassRef):
                found = evaluator._class_attribute(parent.value, attr, depth + 1)
                if found is not None:
                    return found
        return None

    def _subscript(self, node: ast.Subscript, depth: int) -> Value:
        qual = self.module.qualname(node.value)
        if qual in ("os.environ", "environ"):
            key = self.resolve(node.slice, depth).value
            name = key if isinstance(key, str) else "an environment variable"
            return unknown(f"environment variable {name} (no default)", env=name)
        base = self.resolve(node.value, depth)
        key = self.resolve(node.slice, depth)
        if isinstance(base.value, dict) and not key.known and 0 < len(base.value) <= MAX_ITEMS:
            # `config_by_name[os.environ["ENV"]]`: one of the entries, the analysis cannot say
            # which
            entries = [Value(v, base.env, base.debug) for v in base.value.values()]
            return self._alternatives(entries) if len(entries) > 1 else entries[0]
        if base.known and key.known:
            try:
                if isinstance(node.slice, ast.Slice):
                    return unknown("a slice")
                item = base.value[key.value]
                return Value(item, base.env, base.debug)
            except (TypeError, KeyError, IndexError):
                pass
        if not key.known and base.known:
            return unknown(self._why(node, key), key.env)
        return unknown(self._why(node, base), base.env)

    def _why(self, node: ast.AST, part: Value) -> str:
        """Why `node` is unknown, from the unknown part it reads: an environment variable is
        said as it is; anything else with the expression it reaches."""
        if part.env is not None and part.reason:
            return part.reason
        text = self.module.text(node)
        if len(text) > 60:
            text = text[:57] + "..."
        return f"{text}: {part.reason}" if part.reason else f"{text} cannot be known statically"
