"""Framework adapters: one module per framework, registered by `@register_adapter`."""

from corsproof.static.adapters import (  # noqa: F401  (registration)
    aiohttp_cors,
    cherrypy_cors,
    django_cors_headers,
    django_cors_signal,
    falcon_cors,
    flask_cors,
    handwritten,
    litestar_cors,
    quart_cors,
    sanic_cors,
    starlette,
)
from corsproof.static.adapters._base import Adapter, all_adapters, register_adapter

__all__ = ["Adapter", "all_adapters", "register_adapter"]
