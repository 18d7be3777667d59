"""The evidence of probe findings in every format: the exact request and the response headers that
prove a finding, and (for a network target) a curl command that sends the proof again, checked by
sending it again to the same real server."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from typing import Any

import httpx
from probe_support import assert_no_errors, run_probe, serve_wsgi

from corsproof.report import render_html, render_json, render_sarif, render_text


def _app() -> Any:
    from flask import Flask
    from flask_cors import CORS

    app = Flask(__name__)
    app.add_url_rule("/api", "api", lambda: {"ok": True})
    CORS(app, origins=[r"https://[a-z]+\.example\.com"], supports_credentials=True)
    return app


def _replayed(command: str) -> httpx.Response:
    """Send what a replay command line says (curl's -i/-I/-X/-H and the URL) with httpx."""
    words = shlex.split(command)
    assert words[0] == "curl" and words[1] in ("-i", "-I")
    method = "HEAD" if words[1] == "-I" else "GET"
    headers: dict[str, str] = {}
    rest = words[2:]
    while len(rest) > 1:
        flag, value, rest = rest[0], rest[1], rest[2:]
        if flag == "-X":
            method = value
        else:
            assert flag == "-H"
            name, _, text = value.partition(": ")
            headers[name] = text
    (url,) = rest
    return httpx.request(method, url, headers=headers, timeout=5, trust_env=False)


def test_evidence_and_replay_in_every_format() -> None:
    with serve_wsgi(_app()) as base:
        from corsproof.findings import Target
        from corsproof.probe import ProbeOptions, probe_targets

        options = ProbeOptions(origins=("https://example.com",), timeout=5, trust_env=False)
        result = probe_targets([Target(base + "/api")], options)
        assert_no_errors(result)
        weak = next(f for f in result.findings if f.rule_id == "CORS104")
        proof = weak.proof_origin
        assert proof == "https://corsproof.example.com.corsproof-attacker.example"
        assert weak.evidence == {
            "request": {"method": "GET", "url": base + "/api", "headers": {"Origin": proof}},
            "response": {
                "status": 200,
                "headers": {
                    "access-control-allow-origin": proof,
                    "access-control-allow-credentials": "true",
                    "vary": "Origin",
                },
            },
        }
        assert weak.replay == f"curl -i -H 'Origin: {proof}' {base}/api"
        # the command sends the proof again: the server grants it again
        again = _replayed(weak.replay)
        assert again.headers["access-control-allow-origin"] == proof
        if shutil.which("curl"):
            out = subprocess.run(
                shlex.split(weak.replay), capture_output=True, text=True, timeout=30
            ).stdout
            assert f"access-control-allow-origin: {proof}" in out.lower()

    document = json.loads(render_json(result))
    found = next(f for f in document["findings"] if f["rule_id"] == "CORS104")
    assert found["evidence"] == weak.evidence and found["replay"] == weak.replay

    text = render_text(result)
    block = text[text.index("CORS104") :].split("\n\n")[0].splitlines()
    assert block[1:8] == [
        f"    proof: Origin: {proof}",
        f"    > GET {base}/api",
        f"    > Origin: {proof}",
        "    < 200",
        f"    < access-control-allow-origin: {proof}",
        "    < access-control-allow-credentials: true",
        "    < vary: Origin",
    ]
    assert f"    replay: {weak.replay}" in block

    sarif = json.loads(render_sarif(result))
    (run,) = sarif["runs"]
    props = next(r["properties"] for r in run["results"] if r["ruleId"] == "CORS104")
    assert props["evidence"] == weak.evidence and props["replay"] == weak.replay

    html = render_html(result)
    assert f"<tr><th>sent</th><td><code>Origin: {proof}</code></td></tr>" in html
    assert "<tr><th>received</th><td><code>200</code></td></tr>" in html
    assert "<tr><th>replay</th><td><code>curl -i -H &#x27;Origin:" in html


def test_no_replay_for_an_application_probed_in_process() -> None:
    result, _ = run_probe(
        _app(), ["/api"], "in-process", serve=serve_wsgi, origins=("https://example.com",)
    )
    assert result.findings and all(f.evidence and f.replay is None for f in result.findings)
    assert all("replay" not in f for f in json.loads(render_json(result))["findings"])
