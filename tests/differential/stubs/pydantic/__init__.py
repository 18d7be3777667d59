"""Stub pydantic: `BaseModel` whose instances take class-attribute defaults, and `Field`."""

from __future__ import annotations

import copy
from typing import Any

_MISSING = object()


class FieldInfo:
    def __init__(self, default: Any = _MISSING, default_factory: Any = None, **kwargs: Any) -> None:
        self.default = default
        self.default_factory = default_factory
        self.alias = kwargs.get("alias")

    def get_default(self) -> Any:
        if self.default_factory is not None:
            return self.default_factory()
        return copy.deepcopy(self.default)


def Field(default: Any = _MISSING, *, default_factory: Any = None, **kwargs: Any) -> Any:  # noqa: N802
    if default is Ellipsis:
        default = _MISSING
    return FieldInfo(default, default_factory, **kwargs)


def _fields(cls: type) -> dict[str, Any]:
    """Annotated names (and their defaults, or _MISSING), base classes first."""
    fields: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name in getattr(klass, "__annotations__", {}):
            if name.startswith("_") or name == "model_config":
                continue
            fields[name] = klass.__dict__.get(name, fields.get(name, _MISSING))
    return fields


class BaseModel:
    model_config: Any = {}

    def __init__(self, **values: Any) -> None:
        for name, default in _fields(type(self)).items():
            value = self._field_value(name, values)
            if value is _MISSING:
                if isinstance(default, FieldInfo):
                    value = default.get_default()
                else:
                    value = copy.deepcopy(default)
            if value is _MISSING:
                raise TypeError(f"{type(self).__name__}: field {name} required")
            object.__setattr__(self, name, value)

    def _field_value(self, name: str, values: dict[str, Any]) -> Any:
        return values.get(name, _MISSING)

    def model_dump(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _fields(type(self))}


def field_validator(*fields: str, **kwargs: Any) -> Any:
    def decorator(function: Any) -> Any:
        return function

    return decorator


class AnyHttpUrl(str):
    pass


__all__ = ["AnyHttpUrl", "BaseModel", "Field", "FieldInfo", "field_validator"]
