from __future__ import annotations

from typing import Any

from _differential_recorder import record

ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
SAFELISTED_HEADERS = {"Accept", "Accept-Language", "Content-Language", "Content-Type"}


class CORSMiddleware:
    def __init__(self, app: Any, **kwargs: Any) -> None:
        record("CORSMiddleware", [], kwargs)
        self.app = app
        self.options = kwargs
