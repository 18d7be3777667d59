import settings.production  # noqa: F401
