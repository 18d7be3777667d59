"""Local development."""

from .base import *  # noqa: F403

DEBUG = True
CORS_ALLOWED_ORIGINS = ["http://localhost:3000"]
