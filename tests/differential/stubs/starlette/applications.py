from __future__ import annotations

from typing import Any


class Starlette:
    def __init__(
        self,
        debug: bool = False,
        routes: Any = None,
        middleware: Any = None,
        **kwargs: Any,
    ) -> None:
        self.debug = debug
        self.routes = list(routes or [])
        self.user_middleware = list(middleware or [])
        self.state = type("State", (), {})()

    def add_middleware(self, middleware_class: Any, *args: Any, **kwargs: Any) -> None:
        self.user_middleware.insert(0, middleware_class(self, *args, **kwargs))

    def route(self, path: str, **kwargs: Any) -> Any:
        def decorator(view: Any) -> Any:
            self.routes.append((path, view))
            return view

        return decorator
