"""TLS: a uvicorn server that requires a client certificate (certificates made here with trustme),
and servers whose certificate the client must not accept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from probe_apps import TRUSTED, starlette_app
from probe_support import Pki, serve_asgi

from corsproof.cli import main
from corsproof.probe import ProbeOptions, probe_targets

OPEN = {"allow_origins": ["*"], "allow_credentials": True}


@pytest.fixture
def mtls_server(pki: Pki) -> Iterator[str]:
    with serve_asgi(
        starlette_app(**OPEN),
        certfile=str(pki.server_cert),
        keyfile=str(pki.server_key),
        ca_certs=str(pki.ca_file),
        require_client_cert=True,
    ) as base:
        yield base


def test_without_client_certificate_a_clear_per_target_error(pki: Pki, mtls_server: str) -> None:
    result = probe_targets(
        [mtls_server + "/data"],
        ProbeOptions(origins=(TRUSTED,), cacert=str(pki.ca_file), timeout=3, trust_env=False),
    )
    assert result.findings == []
    assert result.analysed == 0
    (error,) = result.errors
    assert error.path == mtls_server + "/data"
    assert "client certificate" in error.message and "--cert" in error.message


def test_with_client_certificate_the_real_findings(pki: Pki, mtls_server: str) -> None:
    result = probe_targets(
        [mtls_server + "/data"],
        ProbeOptions(
            origins=(TRUSTED,),
            cacert=str(pki.ca_file),
            cert=str(pki.client_cert),
            key=str(pki.client_key),
            timeout=3,
            trust_env=False,
        ),
    )
    assert not result.errors
    (finding,) = result.findings
    assert finding.rule_id == "CORS102"
    assert finding.context == ["credentials", "mtls"]


def test_cli_mtls(pki: Pki, mtls_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "probe", mtls_server + "/data", "--origin", TRUSTED, "--cacert", str(pki.ca_file),
            "--cert", str(pki.client_cert), "--key", str(pki.client_key), "--timeout", "3",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    assert "CORS102" in out and "mtls" in out


def test_wrong_server_certificate_is_refused_unless_insecure(pki: Pki) -> None:
    with serve_asgi(
        starlette_app(**OPEN), certfile=str(pki.other_cert), keyfile=str(pki.other_key)
    ) as base:
        strict = probe_targets(
            [base + "/data"],
            ProbeOptions(origins=(TRUSTED,), cacert=str(pki.ca_file), timeout=3, trust_env=False),
        )
        loose = probe_targets(
            [base + "/data"],
            ProbeOptions(origins=(TRUSTED,), insecure=True, timeout=3, trust_env=False),
        )
    (error,) = strict.errors
    assert "certificate" in error.message and "--cacert" in error.message
    assert [f.rule_id for f in loose.findings] == ["CORS102"]


def test_unusable_certificate_files_are_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.pem"
    code = main(["probe", "https://127.0.0.1:9/", "--cert", str(missing)])
    assert code == 2
    assert "TLS" in capsys.readouterr().err
