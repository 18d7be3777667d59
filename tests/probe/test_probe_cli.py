"""`corsproof probe` on the command line: targets, options, the JSON contract, exit codes."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from probe_apps import handwritten_app
from probe_support import serve_wsgi

from corsproof.cli import main

APP = """\
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route


async def data(request):
    return JSONResponse({"secret": 42})


def sub(**cors):
    return Starlette(routes=[Route("/data", data)], middleware=[Middleware(CORSMiddleware, **cors)])


app = Starlette(
    routes=[
        Mount("/open", app=sub(allow_origins=["*"], allow_credentials=True, allow_headers=["*"])),
        Mount("/strict", app=sub(allow_origins=["https://www.example.com"])),
    ]
)
"""


@pytest.fixture
def app_dir(tmp_path: Path) -> Iterator[Path]:
    name = f"corsproof_cli_app_{abs(hash(tmp_path)) % 10**8}"
    (tmp_path / f"{name}.py").write_text(APP)
    yield tmp_path
    sys.modules.pop(name, None)


def _app(app_dir: Path) -> list[str]:
    (module,) = [p.stem for p in app_dir.glob("corsproof_cli_app_*.py")]
    return ["--app", f"{module}:app", "--app-dir", str(app_dir)]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["probe", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_contract(app_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, *_app(app_dir), "--path", "/open/data", "--path", "/strict/data",
        "--origin", "https://www.example.com", "--format", "json",
    )  # fmt: skip
    assert code == 1, err
    doc = json.loads(out)
    assert set(doc) == {"tool", "findings", "errors", "unresolved", "stats"}
    assert set(doc["stats"]) == {
        "files_scanned",
        "files_skipped",
        "suppressed",
        "duration_s",
        "unresolved",
    }
    assert doc["stats"]["files_scanned"] == 2
    assert [(f["rule_id"], f["target"]) for f in doc["findings"]] == [
        ("CORS102", {"url": "http://localhost/open/data", "method": "GET"}),
        ("CORS201", {"url": "http://localhost/open/data", "method": "GET"}),
    ]
    first = doc["findings"][0]
    assert set(first) == {
        "rule_id", "rule_name", "severity", "message", "location", "target", "proof_origin",
        "context", "fingerprint", "evidence",
    }  # fmt: skip
    assert first["location"] is None
    assert first["proof_origin"] == "https://corsproof-attacker.example"
    assert first["evidence"]["request"]["headers"]["Origin"] == first["proof_origin"]
    assert first["evidence"]["response"]["headers"]["access-control-allow-credentials"] == "true"
    # stable fingerprints across runs
    _, again, _ = run(
        capsys, *_app(app_dir), "--path", "/open/data", "--path", "/strict/data",
        "--origin", "https://www.example.com", "--format", "json",
    )  # fmt: skip
    assert [f["fingerprint"] for f in json.loads(again)["findings"]] == [
        f["fingerprint"] for f in doc["findings"]
    ]


def test_text_report_and_exit_codes(app_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *_app(app_dir), "--path", "/open/data")
    assert code == 1
    assert "GET http://localhost/open/data: CORS102" in out
    assert "in 1 target" in out
    code, out, _ = run(capsys, *_app(app_dir), "--path", "/strict/data")
    assert code == 0 and "no findings" in out
    code, _, _ = run(capsys, *_app(app_dir), "--path", "/open/data", "--ignore", "CORS102,CORS201")
    assert code == 0
    code, out, _ = run(capsys, *_app(app_dir), "--path", "/open/data", "--select", "CORS201")
    assert code == 1 and "CORS102" not in out
    code, _, _ = run(
        capsys, *_app(app_dir), "--path", "/open/data", "--ignore", "CORS102", "--fail-on", "medium"
    )
    assert code == 0


def test_targets_file_over_loopback_and_output_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    targets = tmp_path / "targets.txt"
    report = tmp_path / "report.json"
    with serve_wsgi(handwritten_app) as base:
        targets.write_text(f"# hand-written\n{base}/echo-creds\n{base}/exact\nnot-a-url\n")
        code, out, err = run(
            capsys, "--targets", str(targets), "--origin", "https://www.example.com",
            "--format", "json", "-o", str(report), "--timeout", "5",
        )  # fmt: skip
    assert code == 1, err
    assert out == ""
    doc = json.loads(report.read_text())
    assert [f["rule_id"] for f in doc["findings"]] == ["CORS102"]
    assert doc["errors"] == [{"path": f"{targets}:4", "message": "not-a-url: not an absolute "
                              "http:// or https:// URL"}]  # fmt: skip
    assert doc["stats"]["files_scanned"] == 2


def test_strict_fails_a_run_where_some_target_failed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --strict, a target that failed next to ones that answered is listed under errors
    and the exit follows the findings (0 here: the answering target is safe); with --strict it
    exits 2, so that a CI gate notices."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/"
        with serve_wsgi(handwritten_app) as base:
            args = [f"{base}/exact", dead, "--origin", "https://www.example.com", "--timeout", "2"]
            code, out, err = run(capsys, *args, "--format", "json")
            strict_code, strict_out, strict_err = run(capsys, *args, "--format", "json", "--strict")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["findings"] == [] and [e["path"] for e in doc["errors"]] == [dead]
    assert strict_code == 2
    assert json.loads(strict_out)["errors"] == doc["errors"]  # the report is still complete
    assert "--strict" in strict_err


def test_nothing_could_be_probed_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        code, out, err = run(
            capsys, f"http://127.0.0.1:{port}/", "--format", "json", "--timeout", "2"
        )
    assert code == 2
    assert json.loads(out)["errors"][0]["path"] == f"http://127.0.0.1:{port}/"
    assert "no target could be probed" in err


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "no targets"),
        (["https://a.example/", "-H", "no colon"], "-H expects"),
        (["https://a.example/", "--origin", "https://a.example/path"], "--origin expects"),
        (["https://a.example/", "--path", "/x"], "--path needs --app"),
        (["https://a.example/", "--select", "CORS999"], "unknown rule"),
        (["https://a.example/", "--key", "k.pem"], "--key needs --cert"),
        (["--app", "nope_no_module_here:app"], "cannot import"),
        (["--openapi", "/nonexistent/openapi.yaml"], "cannot read"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert message in err


def test_bad_option_values_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "https://a.example/", "--timeout", "0"]) == 2
    assert main(["probe", "https://a.example/", "--concurrency", "x"]) == 2
    capsys.readouterr()


def test_baseline_and_sarif_for_probe(
    app_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_sarif import validate

    baseline = tmp_path / "probe-baseline.json"
    args = [*_app(app_dir), "--path", "/open/data", "--no-progress"]
    code, _, err = run(capsys, *args, "--write-baseline", str(baseline), "--format", "json")
    assert code == 0 and "baseline of 2 finding(s)" in err
    code, out, err = run(capsys, *args, "--baseline", str(baseline), "--format", "json")
    assert code == 0 and json.loads(out)["findings"] == []
    assert "2 known finding(s) hidden, 0 new" in err
    code, out, _ = run(capsys, *args, "--format", "sarif")
    assert code == 1
    document = json.loads(out)
    validate(document)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in document["runs"][0]["results"]
    }
    assert uris == {"http://localhost/open/data"}
