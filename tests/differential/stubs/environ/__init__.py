"""Stub django-environ: `Env` with a scheme, `__call__`, `str`, `bool`, `int`, `list`, `tuple`.

As the real one: a variable that is unset gives the default (`default=` first, then the scheme's),
which is returned as given unless `parse_default=True`.
"""

from __future__ import annotations

import os
from typing import Any


class ImproperlyConfigured(Exception):
    pass


class NoValue:
    def __repr__(self) -> str:
        return "<NoValue>"


class Env:
    NOTSET = NoValue()
    BOOLEAN_TRUE_STRINGS = ("true", "on", "ok", "y", "yes", "1")
    ENVIRON = os.environ

    def __init__(self, **scheme: Any) -> None:
        self.scheme = scheme
        self.prefix = ""

    def __call__(
        self, var: str, cast: Any = None, default: Any = NOTSET, parse_default: bool = False
    ) -> Any:
        return self.get_value(var, cast=cast, default=default, parse_default=parse_default)

    def str(self, var: str, default: Any = NOTSET, multiline: bool = False) -> Any:
        return self.get_value(var, cast=str, default=default)

    def bool(self, var: str, default: Any = NOTSET) -> Any:
        return self.get_value(var, cast=bool, default=default)

    def int(self, var: str, default: Any = NOTSET) -> Any:
        return self.get_value(var, cast=int, default=default)

    def list(self, var: str, cast: Any = None, default: Any = NOTSET) -> Any:
        return self.get_value(var, cast=list if not cast else [cast], default=default)

    def tuple(self, var: str, cast: Any = None, default: Any = NOTSET) -> Any:
        return self.get_value(var, cast=tuple if not cast else (cast,), default=default)

    def get_value(
        self, var: str, cast: Any = None, default: Any = NOTSET, parse_default: bool = False
    ) -> Any:
        var_name = f"{self.prefix}{var}"
        if var_name in self.scheme:
            var_info = self.scheme[var_name]
            try:
                has_default = len(var_info) == 2
            except TypeError:
                has_default = False
            if has_default:
                if not cast:
                    cast = var_info[0]
                if default is self.NOTSET:
                    default = var_info[1]
            elif not cast:
                cast = var_info
        try:
            value = self.ENVIRON[var_name]
        except KeyError as exc:
            if default is self.NOTSET:
                raise ImproperlyConfigured(f"Set the {var_name} environment variable") from exc
            value = default
        if value != default or (parse_default and value is not None):
            value = self.parse_value(value, cast)
        return value

    @classmethod
    def parse_value(cls, value: Any, cast: Any) -> Any:
        if cast is None:
            return value
        if cast is bool:
            try:
                return int(value) != 0
            except ValueError:
                return value.lower() in cls.BOOLEAN_TRUE_STRINGS
        if isinstance(cast, list):
            return [cast[0](part) for part in value.split(",") if part]
        if isinstance(cast, tuple):
            return tuple(cast[0](part) for part in value.strip("()").split(",") if part)
        if cast is list:
            return [part for part in value.split(",") if part]
        if cast is tuple:
            return tuple(part for part in value.strip("()").split(",") if part)
        return cast(value)

    @classmethod
    def read_env(cls, env_file: Any = None, overwrite: bool = False, **overrides: Any) -> None:
        return None


class FileAwareEnv(Env):
    pass


__all__ = ["Env", "FileAwareEnv", "ImproperlyConfigured"]
