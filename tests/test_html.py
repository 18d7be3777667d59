"""The HTML report: one self-contained file, rendered by real headless Chromium."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from corsproof import scan_paths
from corsproof.report.html import render_html

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = scan_paths(["examples"], workers=1)
    finally:
        os.chdir(cwd)
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(result), encoding="utf-8")
    return path, len(result.findings)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def _run_chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_report_is_self_contained(report: tuple[Path, int]) -> None:
    text = report[0].read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    # nothing that a browser would fetch: no src=, no stylesheet links, no @import / url()
    assert not re.search(r"""\ssrc\s*=|<link\b|@import|url\(""", text, re.IGNORECASE)


def test_report_escapes_untrusted_text() -> None:
    from corsproof.findings import Finding, Location, ScanResult

    evil = "<img src=x onerror=alert(1)>"
    result = ScanResult(
        findings=[
            Finding(
                "CORS101",
                "any-origin",
                "medium",
                evil,
                location=Location("a.py", 1, 1, 1, 2, source=evil),
                proof_origin=evil,
            )
        ]
    )
    text = render_html(result)
    assert evil not in text
    assert html.escape(evil) in text


def test_report_renders_in_chromium(report: tuple[Path, int], tmp_path: Path) -> None:
    path, count = report
    proc = _run_chromium(["--dump-dom", path.as_uri()], tmp_path / "profile")
    dom = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "<h1>corsproof report</h1>" in dom
    assert len(re.findall(r'<article id="finding-\d+" class="finding"', dom)) == count > 0
    # the summary counts what the findings list shows
    severities = re.findall(r'<article [^>]*data-severity="(\w+)"', dom)
    for severity in ("critical", "high", "medium", "low"):
        shown = re.search(rf'<td class="count" data-severity="{severity}">(\d+)</td>', dom)
        assert shown and int(shown.group(1)) == severities.count(severity)
    assert "Proof origin" in dom and "corsproof-attacker.example" in dom
    assert '<pre><span class="hit">' in dom or 'class="hit"' in dom  # code excerpts
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "html-report.png"
    proc = _run_chromium(
        [f"--screenshot={shot}", "--window-size=1280,1800", "--hide-scrollbars", path.as_uri()],
        tmp_path / "profile2",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 10_000
