"""Framework adapters: one module per framework, registered by `@register_adapter`."""

from corsproof.static.adapters import (  # noqa: F401  (registration)
    django_cors_headers,
    flask_cors,
    handwritten,
    starlette,
)
from corsproof.static.adapters._base import Adapter, all_adapters, register_adapter

__all__ = ["Adapter", "all_adapters", "register_adapter"]
