"""What django-cors-headers (4.9, on Django 5.2) does with `check_request_enabled` receivers: every
fact the `django_cors_signal` adapter relies on, re-observed through Django's own test client, and
each receiver source scanned by corsproof with the rule the observation calls for.

Each receiver below is our own literal source: executed here (which connects it, as importing the
module would) and written to a temporary project for the scan. Receivers are disconnected after
each test.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from corsheaders.signals import check_request_enabled
from django.test import Client
from django_testapp import cors_settings, setup

from corsproof import scan_paths

APP = "https://app.example.com"
EVIL = "https://evil.example"

setup()

UNCONDITIONAL = """
from corsheaders.signals import check_request_enabled
from django.dispatch import receiver


@receiver(check_request_enabled)
def cors_allow_everything(sender, request, **kwargs):
    return True
"""
AUTHORIZATION_META = """
from corsheaders.signals import check_request_enabled
from django.dispatch import receiver


@receiver(check_request_enabled)
def cors_for_api_clients(sender, request, **kwargs):
    return "HTTP_AUTHORIZATION" in request.META
"""
AUTHORIZATION_HEADERS = """
from corsheaders.signals import check_request_enabled
from django.dispatch import receiver


@receiver(check_request_enabled)
def cors_for_bearer_tokens(sender, **kwargs):
    request = kwargs["request"]
    if request.headers.get("Authorization"):
        return True
    return False
"""
PREFLIGHT = """
from corsheaders.signals import check_request_enabled
from django.dispatch import receiver


@receiver(check_request_enabled)
def cors_answer_every_preflight(sender, request, **kwargs):
    return request.method == "OPTIONS"
"""
API_PATH = """
from corsheaders.signals import check_request_enabled


def cors_open_api(sender, request, **kwargs):
    return request.path.startswith("/api/")


check_request_enabled.connect(cors_open_api)
"""
ORIGIN_CHECKED = """
from urllib.parse import urlparse

from corsheaders.signals import check_request_enabled
from django.dispatch import receiver

TRUSTED_HOSTS = {"app.example.com"}


@receiver(check_request_enabled)
def cors_allow_my_sites(sender, request, **kwargs):
    return urlparse(request.headers["origin"]).netloc in TRUSTED_HOSTS
"""
OTHER_SENDER = """
from corsheaders.signals import check_request_enabled
from django.dispatch import receiver


class Api:
    pass


@receiver(check_request_enabled, sender=Api)
def only_for_api(sender, request, **kwargs):
    return True
"""
CONNECT_AS_DECORATOR = """
from corsheaders.signals import check_request_enabled


@check_request_enabled.connect
def decorated(sender, request, **kwargs):
    return True
"""
WEAK_LAMBDA = """
from corsheaders.signals import check_request_enabled

check_request_enabled.connect(lambda sender, **kwargs: True)
"""
SETTINGS = """
SECRET_KEY = "test"
INSTALLED_APPS = ["corsheaders"]
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "urls"
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CORS_ALLOW_CREDENTIALS = True
"""


@contextmanager
def connected(source: str) -> Iterator[dict[str, Any]]:
    """Run a receiver module (its `@receiver`/`connect()` connect it); disconnect on the way out."""
    before = list(check_request_enabled.receivers)
    namespace: dict[str, Any] = {"__name__": "receivers"}
    exec(textwrap.dedent(source), namespace)  # our own literal receiver source, not scanned code
    try:
        yield namespace
    finally:
        for value in namespace.values():
            if callable(value):
                check_request_enabled.disconnect(value)
        with check_request_enabled.lock:  # also what no plain disconnect() reaches
            check_request_enabled.receivers[:] = before
            check_request_enabled.sender_receivers_cache.clear()


@pytest.fixture(autouse=True)
def no_receivers_left() -> Iterator[None]:
    yield
    assert not check_request_enabled.has_listeners(None)


def get(origin: str, url: str = "/api/data/", **headers: str) -> Any:
    return Client().get(url, headers={"Origin": origin, **headers})


def preflight(origin: str, url: str = "/api/data/") -> Any:
    return Client().options(url, headers={"Origin": origin, "Access-Control-Request-Method": "PUT"})


def granted(response: Any) -> tuple[str | None, str | None]:
    """(Access-Control-Allow-Origin, Access-Control-Allow-Credentials) of a response."""
    return (
        response.headers.get("Access-Control-Allow-Origin"),
        response.headers.get("Access-Control-Allow-Credentials"),
    )


def scanned(tmp_path: Path, source: str, *, credentials: bool) -> set[str]:
    """The rule ids corsproof reports for the receiver module, alone or beside settings.py with
    CORS_ALLOW_CREDENTIALS = True."""
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "receivers.py").write_text(textwrap.dedent(source))
    if credentials:
        (tmp_path / "settings.py").write_text(textwrap.dedent(SETTINGS))
    result = scan_paths([str(tmp_path)], workers=1)
    assert not result.errors, result.errors
    for finding in result.findings:
        assert "check_request_enabled" in finding.context
    return {f.rule_id for f in result.findings}


# (source, a request the receiver grants, the same request without what the receiver checks)
BROAD = {
    "unconditional": (UNCONDITIONAL, lambda: get(EVIL), None),
    "authorization-in-meta": (
        AUTHORIZATION_META,
        lambda: get(EVIL, Authorization="Bearer t"),
        lambda: get(EVIL),
    ),
    "authorization-header": (
        AUTHORIZATION_HEADERS,
        lambda: get(EVIL, Authorization="Basic dTpw"),
        lambda: get(EVIL),
    ),
    "every-preflight": (PREFLIGHT, lambda: preflight(EVIL), lambda: get(EVIL)),
    "api-path": (API_PATH, lambda: get(EVIL), lambda: get(EVIL, "/other/")),
}


@pytest.mark.parametrize("case", list(BROAD))
def test_a_broad_receiver_echoes_every_origin_credentials_only_with_the_setting(
    case: str, tmp_path: Path
) -> None:
    source, request, without = BROAD[case]
    with connected(source):
        with cors_settings(CORS_ALLOWED_ORIGINS=[APP]):
            plain = granted(request())
            refused = granted(without()) if without is not None else (None, None)
        with cors_settings(CORS_ALLOWED_ORIGINS=[APP], CORS_ALLOW_CREDENTIALS=True):
            with_credentials = granted(request())
    # the receiver lets the attacker's origin in, echoed (never `*`) ...
    assert plain == (EVIL, None)
    # ... with credentials exactly when CORS_ALLOW_CREDENTIALS is on: the receiver does not decide
    assert with_credentials == (EVIL, "true")
    # and the condition it tests is the only gate (the origin is never looked at)
    assert refused == (None, None)
    assert scanned(tmp_path / "alone", source, credentials=False) == {"CORS101"}
    assert scanned(tmp_path / "with_settings", source, credentials=True) == {"CORS102"}


def test_a_preflight_only_grant_does_not_grant_the_actual_response() -> None:
    # what `request.method == "OPTIONS"` opens: every origin's preflight passes (so the browser
    # sends the credentialed PUT/DELETE/JSON request), but the actual response is not readable
    with connected(PREFLIGHT), cors_settings(CORS_ALLOW_CREDENTIALS=True):
        assert granted(preflight(EVIL)) == (EVIL, "true")
        assert granted(get(EVIL)) == (None, None)


def test_an_origin_checking_receiver_is_not_broad(tmp_path: Path) -> None:
    with connected(ORIGIN_CHECKED), cors_settings(CORS_ALLOW_CREDENTIALS=True):
        assert granted(get(EVIL)) == (None, None)
        assert granted(get(APP)) == (APP, "true")
    assert scanned(tmp_path, ORIGIN_CHECKED, credentials=True) == set()


@pytest.mark.parametrize(
    "source",
    [OTHER_SENDER, CONNECT_AS_DECORATOR, WEAK_LAMBDA],
    ids=["sender-other-than-none", "connect-as-decorator", "weakly-held-lambda"],
)
def test_receivers_that_never_run(source: str, tmp_path: Path) -> None:
    with connected(source), cors_settings(CORS_ALLOW_CREDENTIALS=True):
        assert granted(get(EVIL)) == (None, None)
    assert scanned(tmp_path, source, credentials=True) == set()


def test_a_receiver_without_kwargs_raises() -> None:
    source = """
        from corsheaders.signals import check_request_enabled


        def no_kwargs(sender, request):
            return True


        check_request_enabled.connect(no_kwargs)
    """
    with connected(source), cors_settings(CORS_ALLOW_CREDENTIALS=True):
        with pytest.raises(TypeError, match="signal"):
            get(EVIL)


def test_allow_all_without_credentials_keeps_the_star() -> None:
    # with CORS_ALLOW_ALL_ORIGINS the settings policy is what the browser sees: the receiver
    # changes nothing (the settings are reported by the django-cors-headers adapter)
    with connected(UNCONDITIONAL), cors_settings(CORS_ALLOW_ALL_ORIGINS=True):
        assert granted(get(EVIL)) == ("*", None)


def test_vary_origin_is_sent() -> None:
    with connected(UNCONDITIONAL), cors_settings():
        response = get(EVIL)
    assert "origin" in response.headers.get("Vary", "").lower()
