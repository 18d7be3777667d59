"""Fixtures for the probe tests: every server binds 127.0.0.1 and is stopped by its test."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["in-process", "loopback"])
def mode(request: pytest.FixtureRequest) -> str:
    """Each app is probed twice: through httpx's WSGI/ASGI transport, and over a real socket."""
    return str(request.param)
