"""A library that is not a CORS library but has callables with the same names: calls to it must
not be reported."""

from __future__ import annotations

from typing import Any


def CORS(*args: Any, **kwargs: Any) -> None:  # noqa: N802
    return None


def cross_origin(*args: Any, **kwargs: Any) -> Any:
    return lambda view: view


def cors(app: Any, *args: Any, **kwargs: Any) -> Any:
    return app


def route_cors(*args: Any, **kwargs: Any) -> Any:
    return lambda view: view


class CORSMiddleware:
    def __init__(self, app: Any = None, **kwargs: Any) -> None:
        self.app = app


__all__ = ["CORS", "CORSMiddleware", "cors", "cross_origin", "route_cors"]
