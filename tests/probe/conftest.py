"""Fixtures for the probe tests: every server binds 127.0.0.1 and is stopped by its test."""

from __future__ import annotations

import pytest
from probe_support import Pki


@pytest.fixture(params=["in-process", "loopback"])
def mode(request: pytest.FixtureRequest) -> str:
    """Each app is probed twice: through httpx's WSGI/ASGI transport, and over a real socket."""
    return str(request.param)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A test CA with server, client and other-name certificates (`probe_support.Pki`)."""
    return Pki(tmp_path_factory.mktemp("pki"))
