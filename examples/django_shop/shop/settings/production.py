"""Production: inherits credentials and the origin regex from base."""

from .base import *  # noqa: F403

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=["*"])  # noqa: F405
