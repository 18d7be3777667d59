"""A tiny Django project for tests that run django-cors-headers for real.

Django can be configured once per process; every test module that needs it calls `setup()`
(configures only when nothing else has) and then runs under `cors_settings(...)`, which sets
this module's urlconf, CorsMiddleware first and exactly the CORS_* settings given.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path

CORS = "corsheaders.middleware.CorsMiddleware"
COMMON = "django.middleware.common.CommonMiddleware"
CORS_SETTINGS = (
    "CORS_ALLOW_ALL_ORIGINS",
    "CORS_ORIGIN_ALLOW_ALL",
    "CORS_ALLOWED_ORIGINS",
    "CORS_ORIGIN_WHITELIST",
    "CORS_ALLOWED_ORIGIN_REGEXES",
    "CORS_ORIGIN_REGEX_WHITELIST",
    "CORS_ALLOW_CREDENTIALS",
    "CORS_ALLOW_PRIVATE_NETWORK",
    "CORS_ALLOW_METHODS",
    "CORS_ALLOW_HEADERS",
    "CORS_EXPOSE_HEADERS",
    "CORS_URLS_REGEX",
    "CORS_PREFLIGHT_MAX_AGE",
)


def data(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"secret": 42})


urlpatterns = [path("api/data/", data), path("apiary/", data), path("other/", data)]


def setup() -> None:
    import django
    from django.apps import apps
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="corsproof-tests",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=__name__,
            INSTALLED_APPS=["corsheaders"],
            MIDDLEWARE=[CORS, COMMON],
            USE_TZ=True,
        )
    if not apps.ready:
        django.setup()


@contextmanager
def cors_settings(middleware: list[str] | None = None, **cors: Any) -> Iterator[None]:
    """This project with only the given CORS_* settings (all others removed), and with
    `middleware` instead of `[CorsMiddleware, CommonMiddleware]` when given."""
    from django.conf import settings
    from django.test import override_settings

    setup()
    with override_settings(
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["*"],
        APPEND_SLASH=True,
        MIDDLEWARE=middleware if middleware is not None else [CORS, COMMON],
        **cors,
    ):
        for name in CORS_SETTINGS:
            if name not in cors and hasattr(settings, name):
                delattr(settings, name)
        yield


def wsgi_application() -> Any:
    """A fresh WSGI handler (middleware is loaded when the handler is made)."""
    from django.core.handlers.wsgi import WSGIHandler

    return WSGIHandler()
