"""Stub pydantic-settings: `BaseSettings` instances take their class-attribute defaults,
overridden by keyword arguments, then by environment variables of the same name (case-insensitive,
after `env_prefix`); a variable's text is parsed as JSON when it can be."""

from __future__ import annotations

import json
import os
from typing import Any

from pydantic import _MISSING, BaseModel


def SettingsConfigDict(**kwargs: Any) -> dict[str, Any]:  # noqa: N802
    return dict(kwargs)


class BaseSettings(BaseModel):
    model_config: Any = SettingsConfigDict()

    def _field_value(self, name: str, values: dict[str, Any]) -> Any:
        if name in values:
            return values[name]
        config = type(self).model_config or {}
        wanted = (config.get("env_prefix", "") + name).lower()
        for key, text in os.environ.items():
            if key.lower() == wanted:
                try:
                    return json.loads(text)
                except ValueError:
                    return text
        return _MISSING


__all__ = ["BaseSettings", "SettingsConfigDict"]
