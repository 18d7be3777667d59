"""Stub python-decouple: `config` (environment only) and the `Csv` / `Choices` casts, with the
real one's semantics: an unset option gives `default`, and `cast` is applied to it."""

from __future__ import annotations

import os
import string
from shlex import shlex
from typing import Any


class UndefinedValueError(Exception):
    pass


class Undefined:
    pass


undefined = Undefined()


class Config:
    _BOOLEANS = {
        "1": True,
        "yes": True,
        "true": True,
        "on": True,
        "0": False,
        "no": False,
        "false": False,
        "off": False,
        "": False,
    }

    def __init__(self, repository: Any = None) -> None:
        self.repository = repository or {}

    def _cast_boolean(self, value: Any) -> bool:
        value = str(value)
        if value.lower() not in self._BOOLEANS:
            raise ValueError(f"Not a boolean: {value}")
        return self._BOOLEANS[value.lower()]

    @staticmethod
    def _cast_do_nothing(value: Any) -> Any:
        return value

    def get(self, option: str, default: Any = undefined, cast: Any = undefined) -> Any:
        if option in os.environ:
            value = os.environ[option]
        elif option in self.repository:
            value = self.repository[option]
        else:
            if isinstance(default, Undefined):
                raise UndefinedValueError(
                    f"{option} not found. Declare it as envvar or define a default value."
                )
            value = default
        if isinstance(cast, Undefined):
            cast = self._cast_do_nothing
        elif cast is bool:
            cast = self._cast_boolean
        return cast(value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.get(*args, **kwargs)


class AutoConfig(Config):
    def __init__(self, search_path: Any = None) -> None:
        super().__init__({})


config = AutoConfig()


class RepositoryEnv(dict):
    def __init__(self, source: Any = None) -> None:
        super().__init__()


class Csv:
    def __init__(
        self,
        cast: Any = str,
        delimiter: str = ",",
        strip: str = string.whitespace,
        post_process: Any = list,
    ) -> None:
        self.cast = cast
        self.delimiter = delimiter
        self.strip = strip
        self.post_process = post_process

    def __call__(self, value: Any) -> Any:
        if value is None:
            return self.post_process()

        def transform(item: str) -> Any:
            return self.cast(item.strip(self.strip))

        splitter = shlex(value, posix=True)
        splitter.whitespace = self.delimiter
        splitter.whitespace_split = True
        return self.post_process(transform(item) for item in splitter)


class Choices:
    def __init__(self, flat: Any = None, cast: Any = str, choices: Any = ()) -> None:
        self.flat = flat or []
        self.cast = cast
        self.choices = choices
        self._valid_values = list(self.flat) + [choice for choice, _ in choices]

    def __call__(self, value: Any) -> Any:
        transformed = self.cast(value)
        if transformed not in self._valid_values:
            raise ValueError(
                f"Value not in list: {value!r}; valid values are {self._valid_values!r}"
            )
        return transformed


__all__ = [
    "AutoConfig",
    "Choices",
    "Config",
    "Csv",
    "RepositoryEnv",
    "UndefinedValueError",
    "config",
    "undefined",
]
