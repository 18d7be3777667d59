"""Stub Flask: an app with a `config` mapping and route decorators."""

from __future__ import annotations

import importlib
import json
import os
from typing import Any


class Config(dict):
    def from_object(self, obj: Any) -> None:
        if isinstance(obj, str):
            module, _, attr = obj.partition(":")
            if not attr and "." in module:
                try:
                    obj = importlib.import_module(module)
                except ImportError:
                    module, _, attr = module.rpartition(".")
            if attr or isinstance(obj, str):
                obj = importlib.import_module(module)
                obj = getattr(obj, attr) if attr else obj
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_mapping(self, mapping: Any = None, **kwargs: Any) -> bool:
        merged = dict(mapping or {})
        merged.update(kwargs)
        for key, value in merged.items():
            if key.isupper():
                self[key] = value
        return True

    def from_prefixed_env(self, prefix: str = "FLASK", *, loads: Any = json.loads) -> bool:
        prefix = f"{prefix}_"
        for key in sorted(os.environ):
            if key.startswith(prefix):
                value = os.environ[key]
                try:
                    value = loads(value)
                except Exception:
                    pass
                self[key[len(prefix) :]] = value
        return True


class _Routes:
    def route(self, rule: str, **options: Any) -> Any:
        def decorator(view: Any) -> Any:
            self.views.append((rule, view))
            return view

        return decorator

    def get(self, rule: str, **options: Any) -> Any:
        return self.route(rule, **options)

    post = get


class Flask(_Routes):
    def __init__(self, import_name: str, **kwargs: Any) -> None:
        self.import_name = import_name
        self.config = Config(DEBUG=False)
        self.views: list[Any] = []
        self.blueprints: list[Any] = []

    def register_blueprint(self, blueprint: Any, **options: Any) -> None:
        self.blueprints.append(blueprint)


class Blueprint(_Routes):
    def __init__(self, name: str, import_name: str, **kwargs: Any) -> None:
        self.name = name
        self.views: list[Any] = []


def jsonify(*args: Any, **kwargs: Any) -> Any:
    return args or kwargs


__all__ = ["Blueprint", "Config", "Flask", "jsonify"]
