"""Stub quart-cors: records what `cors` and `route_cors` receive."""

from __future__ import annotations

from typing import Any

from _differential_recorder import record


def cors(app: Any, *args: Any, **kwargs: Any) -> Any:
    record("cors", args, kwargs)
    return app


def route_cors(*args: Any, **kwargs: Any) -> Any:
    record("route_cors", args, kwargs)

    def decorator(view: Any) -> Any:
        return view

    return decorator


__all__ = ["cors", "route_cors"]
