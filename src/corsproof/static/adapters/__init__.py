"""Framework adapters: one module per framework, registered by `@register_adapter`."""

# the adapters register in this order, which is the order of their policies
# isort: off
from corsproof.static.adapters import (  # noqa: F401  (registration)
    aiohttp_cors,
    cherrypy_cors,
    django_cors_headers,
    django_cors_signal,
    falcon_cors,
)
from corsproof.static.adapters.flask_family import flask_cors  # noqa: F401
from corsproof.static.adapters import handwritten, litestar_cors  # noqa: F401
from corsproof.static.adapters.flask_family import quart_cors  # noqa: F401
from corsproof.static.adapters.flask_family import sanic_cors  # noqa: F401
from corsproof.static.adapters import starlette  # noqa: F401

# isort: on
from corsproof.static.adapters._base import Adapter, all_adapters, register_adapter

__all__ = ["Adapter", "all_adapters", "register_adapter"]
