"""TLS: a uvicorn server that requires a client certificate (certificates made here with trustme),
and servers whose certificate the client must not accept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from probe_apps import TRUSTED, starlette_app
from probe_support import serve_asgi

from corsproof.cli import main
from corsproof.probe import ProbeOptions, probe_targets

OPEN = {"allow_origins": ["*"], "allow_credentials": True}


class Pki:
    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA()
        self.ca_file = directory / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        server = self.ca.issue_cert("127.0.0.1", "localhost")
        self.server_cert = directory / "server.pem"
        self.server_key = directory / "server.key"
        server.cert_chain_pems[0].write_to_path(str(self.server_cert))
        server.private_key_pem.write_to_path(str(self.server_key))
        client = self.ca.issue_cert("client@example.org")
        self.client_cert = directory / "client.pem"
        self.client_key = directory / "client.key"
        client.cert_chain_pems[0].write_to_path(str(self.client_cert))
        client.private_key_pem.write_to_path(str(self.client_key))
        # a certificate for another name, from the same CA
        other = self.ca.issue_cert("other.example")
        self.other_cert = directory / "other.pem"
        self.other_key = directory / "other.key"
        other.cert_chain_pems[0].write_to_path(str(self.other_cert))
        other.private_key_pem.write_to_path(str(self.other_key))


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


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
    assert result.files_scanned == 0
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
