"""Stub FastAPI: a Starlette with route decorators."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette


class FastAPI(Starlette):
    def __init__(self, *args: Any, title: str = "FastAPI", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = title

    def _route(self, path: str, **kwargs: Any) -> Any:
        return self.route(path)

    get = post = put = delete = patch = _route


class APIRouter:
    def __init__(self, **kwargs: Any) -> None:
        self.routes: list[Any] = []

    def get(self, path: str, **kwargs: Any) -> Any:
        def decorator(view: Any) -> Any:
            self.routes.append((path, view))
            return view

        return decorator


__all__ = ["APIRouter", "FastAPI"]
