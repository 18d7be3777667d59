from __future__ import annotations

from typing import Any


class Middleware:
    """Instantiates its class at once (the real one waits for the app): the call is recorded
    where `Middleware(...)` is written."""

    def __init__(self, cls: Any, *args: Any, **kwargs: Any) -> None:
        self.cls = cls
        self.args = args
        self.kwargs = kwargs
        self.instance = cls(None, *args, **kwargs)

    def __iter__(self) -> Any:
        return iter((self.cls, self.args, self.kwargs))
