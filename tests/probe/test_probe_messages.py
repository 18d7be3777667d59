"""Small error texts name the file or directory and say what to do, on one line; and the number
of requests per target the README states is what is sent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import trustme
from probe_apps import TRUSTED, handwritten_app, starlette_app

from corsproof.cli import main
from corsproof.probe import ProbeOptions, probe_targets

README = Path(__file__).resolve().parents[2] / "README.md"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["probe", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# ---------------------------------------------------------------------------------- --openapi

BROKEN_YAML = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /items:
    get: {}
  - /orphan
"""


def test_malformed_openapi_yaml_is_one_line_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(BROKEN_YAML)
    code, out, err = run(capsys, "--openapi", str(spec), "--base-url", "http://127.0.0.1:9")
    assert code == 2 and out == ""
    line = one_line(err)
    assert f"{spec}:6:3: invalid YAML" in line
    assert "(while parsing a block mapping that starts on line 4)" in line
    assert "fix the document" in line


def test_malformed_openapi_json_is_one_line_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text('{\n  "openapi": "3.0.3",\n  "paths": {"/a": {"get": {}}\n')
    code, _, err = run(capsys, "--openapi", str(spec), "--base-url", "http://127.0.0.1:9")
    assert code == 2
    line = one_line(err)
    assert f"{spec}:4:1: invalid JSON" in line and "fix the document" in line


def test_openapi_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_bytes(b"openapi: 3.0.3\ninfo: {title: \xff}\n")
    code, _, err = run(capsys, "--openapi", str(spec), "--base-url", "http://127.0.0.1:9")
    assert code == 2
    assert f"{spec}: not UTF-8 text" in one_line(err)


# --------------------------------------------------------------------------------- TLS files


@pytest.fixture(scope="module")
def pems(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("pems")
    ca = trustme.CA()
    files = {name: directory / f"{name}.pem" for name in ("ca", "cert", "key", "other_key")}
    ca.cert_pem.write_to_path(str(files["ca"]))
    leaf = ca.issue_cert("client@example.org")
    leaf.cert_chain_pems[0].write_to_path(str(files["cert"]))
    leaf.private_key_pem.write_to_path(str(files["key"]))
    ca.issue_cert("other@example.org").private_key_pem.write_to_path(str(files["other_key"]))
    files["garbage"] = directory / "garbage.pem"
    files["garbage"].write_text("not a certificate\n")
    return files


@pytest.mark.parametrize(
    "option, which, says",
    [
        ("--cert", "missing", "no such file"),
        ("--key", "missing", "no such file"),
        ("--cacert", "missing", "no such file"),
        ("--cert", "directory", "not a file"),
        ("--cert", "garbage", "expected a PEM certificate"),
        ("--cacert", "garbage", "not a PEM bundle of CA certificates"),
        ("--key", "other_key", "the key does not belong to the certificate"),
    ],
)
def test_tls_files_are_named(
    pems: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    which: str,
    says: str,
) -> None:
    bad = {"missing": tmp_path / "nowhere" / "client.pem", "directory": tmp_path}.get(
        which, pems.get(which)
    )
    args = {"--cert": str(pems["cert"]), "--key": str(pems["key"]), "--cacert": str(pems["ca"])}
    args[option] = str(bad)
    flat = [item for pair in args.items() for item in pair]
    code, out, err = run(capsys, "https://127.0.0.1:9/", *flat, "--timeout", "1")
    assert code == 2 and out == ""
    line = one_line(err)
    assert f"{option} {bad}" in line, line
    assert says in line, line


# -------------------------------------------------------------------------------- --app-dir


def test_app_dir_that_does_not_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-dir"
    code, out, err = run(capsys, "--app", "main:app", "--app-dir", str(missing))
    assert code == 2 and out == ""
    line = one_line(err)
    assert f"--app-dir {missing}: the directory does not exist" in line
    assert "No module named" not in line
    (tmp_path / "file.py").write_text("")
    code, _, err = run(capsys, "--app", "main:app", "--app-dir", str(tmp_path / "file.py"))
    assert code == 2 and "is a file, not a directory" in one_line(err)


def test_module_that_does_not_exist_names_the_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--app", "corsproof_nothing_here:app", "--app-dir", str(tmp_path))
    assert code == 2
    line = one_line(err)
    assert f"no module named 'corsproof_nothing_here' in {tmp_path}" in line
    assert "--app-dir" in line


# ------------------------------------------------------------------------ requests per target


def _sent(app: object, path: str, origins: tuple[str, ...] = (TRUSTED,)) -> int:
    result = probe_targets(["http://localhost" + path], ProbeOptions(origins=origins), app=app)
    return result.requests_sent


def _flask(**cors: object) -> object:
    from flask import Flask
    from flask_cors import CORS

    app = Flask("requests_per_target")
    app.add_url_rule("/data", "data", lambda: {"secret": 42})
    CORS(app, **cors)
    return app


def test_requests_per_target_as_the_readme_says() -> None:
    # Starlette answers every preflight with its lists: the combined preflight settles everything
    assert _sent(starlette_app(allow_origins=[TRUSTED]), "/data") == 14
    assert _sent(starlette_app(allow_origins=["*"]), "/data") == 3
    assert _sent(starlette_app(allow_origins=["*"], allow_credentials=True), "/data") == 3
    # flask-cors leaves the lists out for a method it refuses: two separate preflights more
    assert _sent(_flask(origins=[TRUSTED]), "/data") == 16
    # a trusted origin refused: only its subdomains are asked around it
    assert _sent(starlette_app(allow_origins=["https://other.example.org"]), "/data") == 7
    assert _sent(_flask(), "/data") == 5
    # one more per further --origin on an open endpoint
    assert _sent(_flask(), "/data", (TRUSTED, "https://app.example.com")) == 6
    # `*` with credentials is asked once more, with a cookie
    assert _sent(handwritten_app, "/star-creds") == 4
    speed = README.read_text(encoding="utf-8")
    sentence = " ".join(speed[speed.index("`probe` sends") :].split("\n\n")[0].split())
    assert re.search(r"14 requests to an endpoint with nothing to find", sentence), sentence
    assert "3 to an open one" in sentence and "(16 and 5)" in sentence and "(6 for" in sentence
