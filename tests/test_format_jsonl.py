"""`--format jsonl`: one JSON object a line (`finding`, `error`, `done`); `probe` writes and
flushes each target's lines as it finishes, keeping nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from cli_support import corsproof
from probe_apps import EXPECTED_HANDWRITTEN, TRUSTED, handwritten_app
from probe_support import serve_wsgi
from report_schema import check_lines

from corsproof.findings import FileError, Finding, UnitDone
from corsproof.probe import ProbeOptions, probe_targets

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return corsproof(*args, "--no-progress", cwd=cwd, timeout=300)


def _lines(text: str) -> list[dict[str, Any]]:
    return check_lines(text)


def test_scan_lines_match_the_json_report() -> None:
    jsonl = _run("scan", str(ROOT / "examples"), "/no/such/dir", "--format", "jsonl")
    report = json.loads(
        _run("scan", str(ROOT / "examples"), "/no/such/dir", "--format", "json").stdout
    )
    lines = _lines(jsonl.stdout)
    assert jsonl.returncode == 2  # the missing path, as with every format
    findings = [
        {k: v for k, v in x.items() if k != "type"} for x in lines if x["type"] == "finding"
    ]
    errors = [{k: v for k, v in x.items() if k != "type"} for x in lines if x["type"] == "error"]
    assert findings == report["findings"] and errors == report["errors"]
    assert [x for x in lines if x["type"] == "done"] == [
        {
            "type": "done",
            "target": str(ROOT / "examples"),
            "findings": len(findings),
            "status": "ok",
        },
        {"type": "done", "target": "/no/such/dir", "findings": 0, "status": "failed"},
    ]
    # a finding line has exactly the fields of its finding in the JSON report, and "type"
    finding_lines = [x for x in lines if x["type"] == "finding"]
    assert all(
        set(x) == {"type", *f} for x, f in zip(finding_lines, report["findings"], strict=True)
    )


def test_probe_one_done_line_per_target_after_its_findings() -> None:
    paths = ["/exact", "/endswith", "/echo-creds", "/star"]
    with serve_wsgi(handwritten_app) as base:
        proc = _run(
            "probe",
            *[base + p for p in paths],
            "http://127.0.0.1:9/closed",
            "--origin",
            TRUSTED,
            "--format",
            "jsonl",
            "--timeout",
            "5",
        )
    lines = _lines(proc.stdout)
    assert proc.returncode == 1, proc.stderr
    done = [x for x in lines if x["type"] == "done"]
    assert sorted(x["target"] for x in done) == sorted(
        [base + p for p in paths] + ["http://127.0.0.1:9/closed"]
    )
    for path in paths:
        url = base + path
        index = next(i for i, x in enumerate(lines) if x["type"] == "done" and x["target"] == url)
        mine = [x for x in lines if x["type"] == "finding" and x["target"]["url"] == url]
        assert {x["rule_id"] for x in mine} == EXPECTED_HANDWRITTEN[path]
        assert lines[index]["findings"] == len(mine) and lines[index]["status"] == "ok"
        # a target's findings come before its done line
        assert all(lines.index(x) < index for x in mine)
    closed = next(x for x in done if x["target"].endswith("/closed"))
    assert closed["status"] == "failed" and closed["findings"] == 0
    assert any(x["type"] == "error" and x["path"].endswith("/closed") for x in lines)


def test_probe_streams_each_target_as_it_finishes(tmp_path: Path) -> None:
    """The fast target's lines are on stdout, flushed, while the slow one is still being asked."""
    release = threading.Event()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/slow":
            release.wait(30)
        start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        return [b"{}"]

    with serve_wsgi(app) as base:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "corsproof",
                "probe",
                base + "/fast",
                base + "/slow",
                "--format",
                "jsonl",
                "--no-progress",
                "--timeout",
                "60",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        seen: list[dict[str, Any]] = []
        while not any(x["type"] == "done" for x in seen):
            line = proc.stdout.readline()
            assert line, "the stream ended before the fast target's done line"
            seen.append(json.loads(line))
        assert proc.poll() is None  # still running: the slow target holds
        assert seen[-1] == {"type": "done", "target": base + "/fast", "findings": 1, "status": "ok"}
        release.set()
        rest, _ = proc.communicate(timeout=120)
    assert _lines(rest)[-1]["target"] == base + "/slow"


def test_streamed_run_keeps_nothing_in_memory() -> None:
    calls: list[tuple[list[Finding], list[FileError], UnitDone]] = []
    with serve_wsgi(handwritten_app) as base:
        targets = [base + "/echo", base + "/star", base + "/exact", "not a url"]
        options = ProbeOptions(origins=(TRUSTED,), on_target=lambda *a: calls.append(a))
        result = probe_targets(targets, options)
    assert result.findings == [] and result.errors == [] and result.units_done == []
    assert result.analysed == 3
    assert sorted(done.target for _, _, done in calls) == sorted(targets)
    assert {done.target: done.status for _, _, done in calls}["not a url"] == "failed"


def test_probe_jsonl_to_a_file_with_a_baseline(tmp_path: Path) -> None:
    with serve_wsgi(handwritten_app) as base:
        urls = [base + "/echo-creds", base + "/star"]
        baseline = tmp_path / "baseline.json"
        first = _run("probe", *urls, "--origin", TRUSTED, "--write-baseline", str(baseline))
        assert first.returncode == 0, first.stderr
        out = tmp_path / "out.jsonl"
        again = _run(
            "probe",
            *urls,
            "--origin",
            TRUSTED,
            "--format",
            "jsonl",
            "-o",
            str(out),
            "--baseline",
            str(baseline),
        )
    assert again.returncode == 0 and again.stdout == ""
    lines = _lines(out.read_text())
    assert [x["type"] for x in lines] == ["done", "done"]
    assert "2 known finding(s) hidden" in again.stderr


def test_jsonl_lines_are_one_object_each_whatever_the_text() -> None:
    from corsproof.report.jsonl import unit_lines

    finding = Finding("CORS101", "any-origin", "medium", "line\nbreak\u2028and\rmore")
    text = unit_lines([finding], [FileError("a\nb.py", "x")], UnitDone("t\n", 1, "ok"))
    # one line per object for any reader: str.splitlines also breaks at U+2028 and \r
    assert text.count("\n") == 3 and len(text.splitlines()) == 3
    assert json.loads(text.splitlines()[0])["message"] == "line\nbreak\u2028and\rmore"
