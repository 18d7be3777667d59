"""Stub flask-cors: records what `CORS` and `cross_origin` receive."""

from __future__ import annotations

import functools
from typing import Any

from _differential_recorder import record


class CORS:
    def __init__(self, app: Any = None, *args: Any, **kwargs: Any) -> None:
        record("CORS", args, kwargs)
        self.app = app
        self._options = kwargs

    def init_app(self, app: Any, **kwargs: Any) -> None:
        self.app = app


def cross_origin(*args: Any, **kwargs: Any) -> Any:
    record("cross_origin", args, kwargs)

    def decorator(view: Any) -> Any:
        @functools.wraps(view)
        def wrapped(*a: Any, **kw: Any) -> Any:
            return view(*a, **kw)

        return wrapped

    return decorator


__all__ = ["CORS", "cross_origin"]
