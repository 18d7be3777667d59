from .base import *  # noqa: F403
from .base import CORS_ALLOWED_ORIGINS as BASE_ORIGINS

DEBUG = False
ALLOWED_HOSTS = ["example.com"]
CORS_ALLOW_ALL_ORIGINS = DEBUG
CORS_ALLOWED_ORIGINS = BASE_ORIGINS + ["https://example.com"]
