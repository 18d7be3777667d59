"""How the evaluator reads names: the binding a use sees (through star imports and `from m
import name` of the project's own modules), the value of each binding kind, conditional
bindings as alternatives, in-place changes (`.append()`, `X[k] = v`) applied in order, and the
value a name has at the end of a module (a settings module)."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from corsproof.static.semantic._conditions import DEBUG_NAME, branch_condition
from corsproof.static.semantic._imports import binds, project_module, provides
from corsproof.static.semantic._scopes import END, Binding, Mutation, Scope, StarImport, start_of
from corsproof.static.semantic._values import (
    MAX_DEPTH,
    ClassRef,
    Frame,
    ModuleRef,
    Value,
    unknown,
)

if TYPE_CHECKING:
    from corsproof.static._module import Module

_SETTINGS_BASES = ("BaseSettings", "pydantic_settings.BaseSettings", "pydantic.BaseSettings")

_CONSTANTS = {"True": True, "False": False, "None": None}


class Names:
    """Part of `Evaluator`: names, bindings and their values."""

    module: Module
    _frames: list[Frame]

    # -- bindings as expressions (for adapters that keep an expression's own location) ---------
    def lookup(
        self, name: str, use: ast.AST | None, _depth: int = 0
    ) -> tuple[ast.expr, Module] | None:
        """The expression `name` is bound to where it is used (None: the end of the module), and
        the module that expression is in: through star imports and `from m import name` of the
        project's own modules. None for anything but an assignment (a parameter, an import from
        a library, a def…)."""
        found = self.binding(name, use, _depth)
        if found is None:
            return None
        binding, owner = found
        if binding.kind not in ("assign", "walrus", "augassign") or binding.value is None:
            return None
        if binding.kind == "augassign":
            # `X += [...]`: the whole value, as an expression `previous + added`
            previous = type(self)(owner).lookup(name, binding.node, _depth + 1)
            if previous is None:
                return None
            combined = ast.BinOp(left=previous[0], op=binding.op, right=binding.value)
            ast.copy_location(combined, binding.value)
            statement = owner.semantic.parents.get(binding.node)
            if statement is not None:  # so that its branch (`if DEBUG:`) is found from it
                owner.semantic.parents[combined] = statement
            return combined, owner
        expr: ast.expr = binding.value
        for i in binding.index:
            if isinstance(expr, (ast.Tuple, ast.List)) and i < len(expr.elts):
                expr = expr.elts[i]
            else:
                return None
        return expr, owner

    def binding(
        self, name: str, use: ast.AST | None, _depth: int = 0
    ) -> tuple[Binding, Module] | None:
        """The binding of `name` last made before `use` (the last alternative, as Python would
        see it when every condition held), followed through project imports."""
        module = self.module
        visible = module.semantic.visible(name, use)
        for item in reversed(visible.ordered):
            if isinstance(item, StarImport):
                other = project_module(module, item.module, item.level)
                if other is not None and provides(other, name) and _depth < MAX_DEPTH:
                    return type(self)(other).binding(name, None, _depth + 1)
                continue
            if item.kind == "from-import" and item.attr is not None and _depth < MAX_DEPTH:
                other = project_module(module, item.module or "", item.level)
                if other is not None and binds(other, item.attr):
                    return type(self)(other).binding(item.attr, None, _depth + 1)
            return item, module
        return None

    def module_named(self, name: str, use: ast.AST | None = None) -> Module | None:
        """The project module a name is bound to (`from . import config`, `import settings`)."""
        found = self.binding(name, use)
        if found is None:
            return None
        binding, owner = found
        if binding.kind not in ("import", "from-import"):
            return None
        value = type(self)(owner)._binding_value(binding, 0)
        return value.value.module if isinstance(value.value, ModuleRef) else None

    # -- names --------------------------------------------------------------------------------
    def _name(self, node: ast.Name, name: str, depth: int) -> Value:
        visible = self.module.semantic.visible(name, node)
        if visible.scope is not None:
            for frame in reversed(self._frames):
                if frame.scope is visible.scope and name in frame.names:
                    return frame.names[name]
            if visible.scope.kind == "comprehension":
                return unknown(f"comprehension variable {name!r}")
        if visible.ordered:
            value = self._visible_value(self.module, name, visible.ordered, node, depth)
            if value is not None:
                return value
        if name in _CONSTANTS:
            return Value(_CONSTANTS[name])
        if DEBUG_NAME.search(name):
            return Value(True, debug=name)
        if visible.scope is None:
            return unknown(f"{name!r} is not bound in this module")
        return unknown(f"{name!r} is not bound here")

    def _visible_value(
        self,
        module: Module,
        name: str,
        ordered: list[Binding | StarImport],
        use: ast.AST | None,
        depth: int,
    ) -> Value | None:
        """The value(s) of the visible bindings, last first; conditional ones are alternatives."""
        evaluator = self._for(module)
        values: list[Value] = []
        stop = start_of(use) if use is not None else END
        use_scope = module.semantic.scope_of(use) if use is not None else None
        for index in range(len(ordered) - 1, -1, -1):
            item = ordered[index]
            if isinstance(item, StarImport):
                other = project_module(module, item.module, item.level)
                if other is None or not provides(other, name):
                    continue
                inherited = evaluator._global(other, name, depth)
                value = evaluator._mutated(module, name, inherited, item.position, stop, depth)
                values.append(value)
                if not item.branch:
                    break
                continue
            value = evaluator._memoised(item, depth)
            # read from another scope (a function reads the module when it runs): every change
            until = stop if item.scope is use_scope else END
            value = evaluator._mutated(module, name, value, item.position, until, depth, item.scope)
            if item.conditional:
                cond = branch_condition(module, item.node)
                if cond and not value.debug:
                    value = replace(value, debug=cond)
            values.append(value)
            if index == 0 or not item.conditional:
                break
        if not values:
            return None
        values.reverse()
        return self._alternatives(values)

    def _alternatives(self, values: list[Value]) -> Value:
        if len(values) == 1:
            return values[0]
        last = values[-1]
        if all(v.known and v.value == last.value for v in values):
            return last
        # a debug-only alternative is the permissive one development gets: keep the others as the
        # value, as before, and the alternatives for whoever wants them
        return replace(last, alternatives=tuple(values))

    def global_value(self, name: str) -> Value:
        """The value `name` has when this module has finished executing (a settings module)."""
        return self._global(self.module, name, 0)

    def _global(self, module: Module, name: str, depth: int) -> Value:
        """The value `name` has at the end of a project module (a settings module)."""
        visible = module.semantic.visible(name, None)
        value = self._visible_value(module, name, visible.ordered, None, depth + 1)
        if value is None:
            return unknown(f"{name!r} is not bound in {module.display}")
        return value

    def _mutated(
        self,
        module: Module,
        name: str,
        value: Value,
        after: tuple[int, int],
        before: tuple[int, int],
        depth: int,
        scope: Scope | None = None,
    ) -> Value:
        """Apply `.append()`/`.extend()`/`X[k] = v` made in the binding's scope between the
        binding and the use."""
        scope = scope or module.semantic.module_scope
        mutations = module.semantic.mutations(scope, name, after, before)
        if not mutations:
            return value
        return self._apply(module, value, mutations, depth)

    def _apply(self, module: Module, value: Value, mutations: list[Mutation], depth: int) -> Value:
        evaluator = self._for(module)
        current = value.value
        if isinstance(current, tuple):
            return value
        if isinstance(current, list):
            current = list(current)
        elif isinstance(current, dict):
            current = dict(current)
        else:
            return value
        env, debug = value.env, value.debug
        for mutation in mutations:
            node = mutation.node
            if mutation.method == "setitem" and isinstance(node, ast.Assign):
                key_node = node.targets[0].slice  # type: ignore[attr-defined]
                key, item = evaluator.resolve(key_node, depth), evaluator.resolve(node.value, depth)
                if isinstance(current, dict) and key.known:
                    current[key.value] = item.value
                    continue
                return unknown("an item set to an unknown key")
            if not isinstance(node, ast.Call):
                continue
            args = [evaluator.resolve(a, depth) for a in node.args]
            if any(not a.known for a in args) or node.keywords:
                return unknown(f".{mutation.method}() with unknown arguments")
            cond = branch_condition(module, node)
            debug = debug or cond
            env = env or next((a.env for a in args if a.env), None)
            try:
                getattr(current, mutation.method)(*[a.value for a in args])
            except (AttributeError, TypeError, ValueError, IndexError, KeyError):
                return unknown(f".{mutation.method}() that Python would reject")
        return replace(value, value=current, env=env, debug=debug)

    def _memoised(self, binding: Binding, depth: int) -> Value:
        """A binding's value, computed once per module (not inside a comprehension or an inlined
        call, where its names mean something else)."""
        if self._frames:
            return self._binding_value(binding, depth)
        memo = self.module.semantic.values
        value = memo.get(binding)
        if value is None:
            value = memo[binding] = self._binding_value(binding, depth)
        return value

    def _binding_value(self, binding: Binding, depth: int) -> Value:
        module = self.module
        match binding.kind:
            case "assign" | "walrus" | "global-assign":
                value_node = binding.value
                if value_node is None:
                    return unknown("an annotation without a value")
                for i in binding.index:
                    if isinstance(value_node, (ast.Tuple, ast.List)) and i < len(value_node.elts):
                        value_node = value_node.elts[i]
                    else:
                        whole = self.resolve(value_node, depth)
                        try:
                            item = whole.value
                            for j in binding.index[binding.index.index(i) :]:
                                item = item[j]
                            return replace(whole, value=item, node=None)
                        except (TypeError, IndexError, KeyError):
                            return unknown("an unpacking of an unknown value")
                return self.resolve(value_node, depth)
            case "augassign":
                before = module.semantic.visible(binding.name, binding.node)
                previous = (
                    self._visible_value(module, binding.name, before.ordered, binding.node, depth)
                    if before.ordered
                    else None
                )
                if previous is None:
                    return unknown(f"{binding.name!r} += on an unknown value")
                assert binding.op is not None and binding.value is not None
                return self._binop(previous, binding.op, self.resolve(binding.value, depth))
            case "from-import":
                other = project_module(module, binding.module or "", binding.level)
                if other is not None:
                    assert binding.attr is not None
                    if binds(other, binding.attr):
                        return self._global(other, binding.attr, depth)
                    # `from . import settings`: a module of the package
                    sub = project_module(
                        module,
                        f"{binding.module}.{binding.attr}" if binding.module else binding.attr,
                        binding.level,
                    )
                    if sub is not None:
                        return Value(ModuleRef(sub))
                    return unknown(f"{binding.attr!r} is not bound in {other.display}")
                sub = project_module(
                    module,
                    f"{binding.module}.{binding.attr}" if binding.module else binding.attr or "",
                    binding.level,
                )
                if sub is not None:
                    return Value(ModuleRef(sub))
                return unknown(f"imported from {binding.module or '.' * binding.level}")
            case "import":
                other = project_module(module, binding.module or "", 0)
                if other is not None:
                    return Value(ModuleRef(other))
                return unknown(f"the module {binding.module}")
            case "parameter":
                return unknown(f"the function parameter {binding.name!r}")
            case "class":
                node = binding.node
                assert isinstance(node, ast.ClassDef)
                return Value(ClassRef(module, node, self._is_settings_class(node)))
            case "function":
                return unknown(f"the function {binding.name!r}")
            case "delete":
                return unknown(f"{binding.name!r} was deleted")
        return unknown(f"bound by {binding.kind}")

    def _is_settings_class(self, node: ast.ClassDef) -> bool:
        for base in node.bases:
            qual = self.module.qualname(base)
            if qual.endswith(_SETTINGS_BASES) or qual in _SETTINGS_BASES:
                return True
            value = self.resolve(base)
            if isinstance(value.value, ClassRef) and value.value.settings:
                return True
        return False
