"""How the evaluator reads environment lookups (`os.environ.get("X", default)`, `os.getenv`,
django-environ, python-decouple, with their casts) and `getattr(config, "X", default)`: the
default is what runs when the variable or the setting is missing (CORS301)."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from corsproof.static.semantic._imports import project_module, provides
from corsproof.static.semantic._values import MAX_DEPTH, UNKNOWN, Frame, Value, unknown

if TYPE_CHECKING:
    from corsproof.static._module import Module

_ENV_FUNCS = {
    "os.environ.get",
    "os.getenv",
    "environ.get",
    "os.environ.setdefault",
    "getenv",
    "decouple.config",
    "decouple.AutoConfig",
    "config",
    "env",
    "env.str",
    "env.list",
    "env.bool",
    "env.tuple",
    "env.json",
    "environ.Env",
    "settings.env",
}


class Environment:
    """Part of `Evaluator`: environment lookups and `getattr()` defaults."""

    module: Module
    _frames: list[Frame]

    def _getattr(self, node: ast.Call, depth: int) -> Value:
        """`getattr(config, "X", default)`: the module's X, else the default (CORS301 when the
        configuration is not in the project: the default applies when it does not set X)."""
        base = self.resolve(node.args[0], depth)
        attr = self.resolve(node.args[1], depth)
        if not isinstance(attr.value, str):
            return unknown("getattr() of an unknown attribute")
        found = self._member(base, attr.value, depth)
        if found is not None and found.known:
            return found
        if len(node.args) == 3:
            default = self.resolve(node.args[2], depth)
            if default.known:
                what = f"{self.module.text(node.args[0])}.{attr.value}"
                return replace(default, env=default.env or what)
            return default
        return unknown(base.reason or f"the attribute {attr.value!r}")

    def _is_env_call(self, node: ast.Call, func: str) -> bool:
        if func in _ENV_FUNCS or func.endswith(("environ.get", ".getenv")):
            return True
        # django-environ: env = environ.Env(); env("X", default=...), env.list(...) — also when
        # `env` is imported from the settings module that made it (`from .base import env`)
        target = node.func.value if isinstance(node.func, ast.Attribute) else node.func
        if isinstance(target, ast.Name):
            made = self._maker(target)
            if made in ("environ.Env", "Env", "decouple.AutoConfig", "decouple.Config"):
                return True
        return False

    def _maker(self, name: ast.Name) -> str:
        """The callee that made the object bound to `name` (`environ.Env` for `env = environ.Env()`)."""
        module, node = self.module, name
        visible = module.semantic.visible(name.id, name)
        for _ in range(MAX_DEPTH):
            binding = next((b for b in reversed(visible.bindings)), None)
            if binding is None:
                for star in reversed(visible.stars):
                    other = project_module(module, star.module, star.level)
                    if other is not None and provides(other, node.id):
                        module = other
                        visible = other.semantic.visible(node.id, None)
                        break
                else:
                    return ""
                continue
            if binding.kind == "assign" and isinstance(binding.value, ast.Call):
                return module.qualname(binding.value.func)
            if binding.kind == "from-import" and binding.attr is not None:
                other = project_module(module, binding.module or "", binding.level)
                if other is None:
                    return ""
                module = other
                visible = other.semantic.visible(binding.attr, None)
                node = ast.Name(id=binding.attr)
                continue
            return ""
        return ""

    def _env_value(self, node: ast.Call, depth: int, short: str) -> Value:
        name_value = self.resolve(node.args[0], depth).value if node.args else None
        name = name_value if isinstance(name_value, str) else "an environment variable"
        default_node = node.args[1] if len(node.args) > 1 else None
        cast = None
        for kw in node.keywords:
            if kw.arg == "default":
                default_node = kw.value
            elif kw.arg == "cast":
                cast = kw.value
        if default_node is None:
            return unknown(f"environment variable {name} (no default)", env=name)
        default = self.resolve(default_node, depth)
        value = default.value
        cast_name = self.module.qualname(cast) if cast is not None else ""
        if isinstance(cast, ast.Call):
            cast_name = self.module.qualname(cast.func)
        if isinstance(value, str) and cast_name in ("int", "float"):
            try:
                value = int(value) if cast_name == "int" else float(value)
            except ValueError:
                return unknown(f"a default {cast_name}() would reject", env=name)
        elif isinstance(value, str):
            if short in ("list", "tuple") or cast_name.endswith(("Csv", "list")):
                value = [v.strip() for v in value.split(",") if v.strip()]
            elif short == "bool" or cast_name.endswith("bool"):
                value = value.strip().lower() in ("1", "true", "yes", "on")
        if value is UNKNOWN:
            return unknown(default.reason or "an unknown default", env=name)
        return Value(value, env=name, debug=default.debug)
