from .base import *  # noqa: F403

CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_HEADERS += ["x-debug"]  # noqa: F405 - extends base's list in place
CORS_ALLOWED_ORIGINS = [*CORS_ALLOWED_ORIGINS, "http://127.0.0.1:3000"]  # noqa: F405
DEBUG_TOOLBAR = DEBUG  # noqa: F405
