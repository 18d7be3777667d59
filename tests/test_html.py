"""The HTML report: one self-contained file, rendered by real headless Chromium."""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest

from corsproof import scan_paths
from corsproof.findings import SEVERITIES, Finding, Location, ScanResult, Target
from corsproof.report.html import (
    HANDWRITTEN,
    Library,
    _markdown,
    fix_entries,
    fix_section,
    framework_fix,
    render_html,
)
from corsproof.rules import get_rule

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
RANK = {name: rank for rank, name in enumerate(SEVERITIES)}  # critical=0 … low=3


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = scan_paths(["examples"], workers=1)
        text = render_html(result)  # the paths are relative: the files are read from here
    finally:
        os.chdir(cwd)
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(text, encoding="utf-8")
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


def _dom(url: str, tmp_path: Path) -> str:
    """The document after its scripts ran."""
    proc = _run_chromium(["--dump-dom", url], tmp_path / "profile")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "<h1>corsproof report</h1>" in proc.stdout
    return proc.stdout


class _Tags(HTMLParser):
    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.tag:
            self.found.append(dict(attrs))


def _tags(text: str, tag: str) -> list[dict[str, str | None]]:
    parser = _Tags(tag)
    parser.feed(text)
    return parser.found


def _articles(text: str) -> list[dict[str, str | None]]:
    """Every finding's attributes, in document order."""
    return _tags(text, "article")


def _shown(text: str) -> list[dict[str, str | None]]:
    return [a for a in _articles(text) if "hidden" not in a]


def _count(dom: str) -> tuple[int, str]:
    """What the report says is shown: (data-visible, the sentence)."""
    found = re.search(r'<p id="visible-count" data-visible="(\d+)">([^<]*)</p>', dom)
    assert found, "no visible-count paragraph"
    return int(found.group(1)), found.group(2)


def _order(article: dict[str, str | None], *keys: str) -> tuple[object, ...]:
    values: dict[str, object] = {
        "severity": RANK[str(article["data-severity"])],
        "rule": article["data-rule"],
        "file": article["data-file"],
        "line": int(str(article["data-line"])),
    }
    return tuple(values[k] for k in keys)


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def _finding_html(text: str, path: str, line: int | None = None, rule: str = "") -> str:
    """The <article> of a finding of the example report at `path` (and `line`, `rule`)."""
    for match in re.finditer(r"<article .*?</article>", text, re.S):
        attrs = _articles(match.group(0))[0]
        if (
            attrs["data-file"] == path
            and (line is None or attrs["data-line"] == str(line))
            and (not rule or attrs["data-rule"] == rule)
        ):
            return match.group(0)
    raise AssertionError(f"no finding at {path}:{line} {rule}")


# --- the file itself


def test_report_is_self_contained(report: tuple[Path, int]) -> None:
    text = report[0].read_text(encoding="utf-8")
    # one inline script, none loaded
    assert len(re.findall(r"<script\b", text, re.IGNORECASE)) == 1
    assert re.search(r"<script>", text)
    # nothing that a browser would fetch: no src=, no stylesheet links, no @import / url()
    assert not re.search(r"""\ssrc\s*=|<link\b|@import|url\(""", text, re.IGNORECASE)


def test_content_security_policy_allows_only_the_page_s_own_script_and_style(
    report: tuple[Path, int],
) -> None:
    text = report[0].read_text(encoding="utf-8")
    meta = _tags(text, "meta")
    (csp,) = [m["content"] for m in meta if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp is not None
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    script = re.search(r"<script>(.*?)</script>", text, re.S)
    style = re.search(r"<style>(.*?)</style>", text, re.S)
    assert script and style
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == f"'sha256-{_sha256(script.group(1))}'"
    assert directives["style-src"] == f"'sha256-{_sha256(style.group(1))}'"
    assert "unsafe" not in csp and "http" not in csp
    # the policy comes before anything it governs
    assert text.index("Content-Security-Policy") < text.index("<style>")


def test_report_escapes_untrusted_text() -> None:
    evil = "<img src=x onerror=alert(1)>"
    path = '<script>alert(1)</script>"onmouseover="alert(2).py'
    result = ScanResult(
        findings=[
            Finding(
                "CORS101",
                "any-origin",
                "medium",
                evil,
                location=Location(path, 1, 1, 1, 2, source=evil),
                proof_origin=evil,
                context=[evil, "x\" data-x='y"],
                fix=evil,
            ),
            Finding(
                "CORS104",
                "weak-origin-check",
                "high",
                evil,
                target=Target(f"https://a.example/{evil}", "GET"),
                evidence={
                    "request": {"method": "GET", "url": evil, "headers": {"Origin": evil}},
                    "response": {"status": 200, "headers": {"access-control-allow-origin": evil}},
                },
                replay=f"curl -H 'Origin: {evil}'",
            ),
        ]
    )
    text = render_html(result)
    assert evil not in text
    assert html.escape(evil) in text
    # a file name cannot open a script, nor leave a data-attribute to add an event handler
    assert text.count("<script") == 1 and "alert(1)</script>" not in text
    assert '"onmouseover=' not in text and "data-x='y" not in text
    (located, probed) = sorted(_articles(text), key=lambda a: str(a["data-rule"]))
    assert located["data-file"] == path and "onmouseover" not in located
    assert probed["data-file"] == f"https://a.example/{evil}"
    # the filter offers the name as an option value, escaped the same way
    assert f'<option value="{html.escape(path)}">' in text


def test_markdown_is_rendered_and_html_in_it_is_escaped() -> None:
    out = _markdown(
        "## Fix\n- **Django**: `CORS_ALLOWED_ORIGINS = [...]`\n\n"
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "![x](https://evil.example/pixel.png) [link](javascript:alert(3))\n"
    )
    assert "<h2>Fix</h2>" in out
    assert "<li><strong>Django</strong>: <code>CORS_ALLOWED_ORIGINS = [...]</code></li>" in out
    assert "<script" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<img" not in out and "&lt;img src=x onerror=alert(2)&gt;" in out
    assert 'href="javascript' not in out
    # an image would be loaded: it is shown as a link instead
    assert '!<a href="https://evil.example/pixel.png">x</a>' in out


def test_fix_section_is_rendered_as_markdown(report: tuple[Path, int]) -> None:
    text = report[0].read_text(encoding="utf-8")
    fixes = re.findall(
        r'<details class="all-fixes"(?: open)?><summary>How to fix it in each framework</summary>'
        r'<div class="md">(.*?)</div></details>',
        text,
        re.S,
    )
    assert len(fixes) == report[1]
    for fix in fixes:
        assert "<ul>" in fix and "<strong>By hand</strong>" in fix and "<code>" in fix
        assert "**" not in fix and "`" not in fix and "## " not in fix and "<pre>" not in fix
    # the whole section of the rule's documentation: CORS302's FastAPI entry runs over lines
    cors302 = _finding_html(text, "examples/flask_api/requirements.txt")
    assert "require <code>litestar&gt;=2.20.0</code>" in cors302


def test_fix_entries_of_items_and_of_subsections() -> None:
    doc = get_rule("CORS202").doc()  # type: ignore[union-attr]
    section = fix_section(doc)
    assert section.startswith("- **Django") and "## References" not in section
    entries = fix_entries(section)
    assert entries[0].labels == (
        "Django (django-cors-headers)",
        "Flask (flask-cors)",
        "FastAPI/Starlette",
    )
    assert entries[-1].labels == ("By hand",)
    assert "patch_vary_headers" in entries[-1].markdown  # the continuation line belongs to it
    assert "later middleware" in entries[0].markdown and "By hand" not in entries[0].markdown
    written = (
        "## Fix\n\n### Django\n\nSet it:\n\n```python\n## not a heading\nX = 1\n```\n\n"
        "### Flask, Quart\n\n- `CORS(app)`\n\n## References\n\n- x\n"
    )
    section = fix_section(written)
    assert "## not a heading" in section and "References" not in section
    entries = fix_entries(section)
    assert [e.labels for e in entries] == [("Django",), ("Flask", "Quart")]
    assert entries[0].markdown.endswith("```") and entries[1].markdown.endswith("- `CORS(app)`")


# --- the fix for the framework the finding's code uses


def _prominent_fix(article: str) -> str:
    found = re.search(r'<div class="fix-box">(.*?)</div><details', article, re.S)
    assert found, "no prominent fix"
    return found.group(1)


@pytest.mark.parametrize(
    ("path", "line", "rule", "framework", "entry"),
    [
        (
            "examples/django_shop/shop/settings/base.py",
            31,
            "CORS104",
            "Django (django-cors-headers)",
            "Django (django-cors-headers)",
        ),
        ("examples/flask_api/app.py", 12, "CORS102", "Flask (flask-cors)", "Flask (flask-cors)"),
        ("examples/flask_api/requirements.txt", 2, "CORS302", "Flask (flask-cors)", "Flask"),
        (
            "examples/fastapi_service/main.py",
            19,
            "CORS104",
            "FastAPI/Starlette (CORSMiddleware)",
            "FastAPI/Starlette",
        ),
        # hand-written headers in a Django view and a Flask app: not the libraries' settings
        ("examples/django_shop/shop/views.py", 15, "CORS104", "hand-written", "By hand"),
        ("examples/flask_api/app.py", 34, "CORS107", "hand-written", "By hand"),
    ],
)
def test_the_fix_for_the_finding_s_framework_comes_first(
    report: tuple[Path, int], path: str, line: int, rule: str, framework: str, entry: str
) -> None:
    article = _finding_html(report[0].read_text(encoding="utf-8"), path, line, rule)
    box = _prominent_fix(article)
    assert f"<h4>Fix for {html.escape(framework)}" in box
    shown = re.findall(r"<li><strong>([^<]+)</strong>", box)
    assert shown and all(entry.split(" ")[0] in s for s in shown), shown
    # every framework's fix stays one click away, collapsed
    assert '<details class="all-fixes"><summary>How to fix it in each framework' in article


def test_a_lock_file_entry_gets_its_library_s_fix(tmp_path: Path) -> None:
    # the reported line holds only the version: the library is the one the finding names
    (tmp_path / "poetry.lock").write_text(
        '[[package]]\nname = "flask-cors"\nversion = "4.0.0"\noptional = false\n'
    )
    result = scan_paths([str(tmp_path)], workers=1)
    assert [f.rule_id for f in result.findings] == ["CORS302"]
    assert result.findings[0].location and "flask" not in result.findings[0].location.source
    box = _prominent_fix(render_html(result))
    assert "<h4>Fix for Flask (flask-cors)</h4>" in box
    assert re.findall(r"<li><strong>([^<]+)</strong>", box) == ["Flask (flask-cors)"]


def test_a_framework_the_documentation_does_not_cover_is_named_missing() -> None:
    # every library of LIBRARIES has an entry (tests/test_rule_docs.py); one that had none would
    # be named missing, and the general ("By hand") entry shown for it
    entries = fix_entries(fix_section(get_rule("CORS101").doc()))  # type: ignore[union-attr]
    tornado = Library("tornado", "Tornado", ("tornado",))
    chosen, missing = framework_fix([tornado], entries)
    assert chosen == [] and missing == [tornado]
    assert [e.labels for e in framework_fix([HANDWRITTEN], entries)[0]] == [("By hand",)]


def test_litestar_finding_shows_litestar_s_own_fix(report: tuple[Path, int]) -> None:
    box = _prominent_fix(
        _finding_html(report[0].read_text(encoding="utf-8"), "examples/litestar_app/app.py", 15)
    )
    assert "<h4>Fix for Litestar</h4>" in box and "has no entry" not in box
    assert re.findall(r"<li><strong>([^<]+)</strong>", box) == ["Litestar (CORSConfig)"]


def test_a_probed_server_gets_every_framework_s_fix_open() -> None:
    finding = Finding(
        "CORS101", "any-origin", "medium", "m", target=Target("https://api.example/", "GET")
    )
    from corsproof.judge import rules_judged

    result = ScanResult(findings=[finding], rules=rules_judged(None))  # as a run fills it
    article = _finding_html(render_html(result), "https://api.example/")
    assert 'class="fix-box"' not in article
    assert '<details class="all-fixes" open><summary>' in article
    assert "<strong>Django (django-cors-headers)</strong>" in article


# --- the summary chart


def test_chart_has_a_bar_per_severity_and_per_rule_with_its_count(
    report: tuple[Path, int],
) -> None:
    text = report[0].read_text(encoding="utf-8")
    articles = _articles(text)
    severities = [str(a["data-severity"]) for a in articles]
    rules = [str(a["data-rule"]) for a in articles]
    chart = _section(text, '<svg class="chart" id="chart-severity"', "</svg>")
    bars = {b["data-severity"]: b["data-count"] for b in _tags(chart, "g")}
    assert bars == {s: str(severities.count(s)) for s in SEVERITIES if s in severities}
    for severity, count in bars.items():  # the count is written next to the bar
        assert re.search(rf'data-severity="{severity}".*?<text class="count"[^>]*>{count}<', chart)
    chart = _section(text, '<svg class="chart" id="chart-rule"', "</svg>")
    bars = {b["data-rule"]: b["data-count"] for b in _tags(chart, "g")}
    assert bars == {r: str(rules.count(r)) for r in set(rules)}
    assert len(bars) >= 10
    # a rule's bar is split by severity: CORS104 is critical in some places, high in another
    segments = {
        s["data-severity"]: s["data-count"]
        for s in _tags(_section(chart, 'data-rule="CORS104"', "</g>"), "rect")
        if "data-severity" in s
    }
    cors104 = [a for a in articles if a["data-rule"] == "CORS104"]
    assert segments == {
        s: str(sum(a["data-severity"] == s for a in cors104))
        for s in SEVERITIES
        if any(a["data-severity"] == s for a in cors104)
    }
    assert len(segments) > 1


# --- in the browser


def test_report_renders_in_chromium(report: tuple[Path, int], tmp_path: Path) -> None:
    path, count = report
    dom = _dom(path.as_uri(), tmp_path)
    articles = _articles(dom)
    assert len(re.findall(r'<article id="finding-\d+" class="finding"', dom)) == count > 0
    assert _shown(dom) == articles and _count(dom) == (count, f"{count} findings")
    # most severe first, without being asked
    assert [_order(a, "severity") for a in articles] == sorted(
        _order(a, "severity") for a in articles
    )
    # the chart counts what the findings list shows
    severities = [a["data-severity"] for a in articles]
    for bar in _tags(_section(dom, 'id="chart-severity"', "</svg>"), "g"):
        assert int(str(bar["data-count"])) == severities.count(bar["data-severity"])
    assert "Proof origin" in dom and "corsproof-attacker.example" in dom
    assert '<pre><span class="hit">' in dom or 'class="hit"' in dom  # code excerpts
    # the script showed the controls
    assert not [f for f in _tags(dom, "form") if f.get("id") == "controls" and "hidden" in f]
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "html-report.png"
    proc = _run_chromium(
        [f"--screenshot={shot}", "--window-size=1280,1800", "--hide-scrollbars", path.as_uri()],
        tmp_path / "profile2",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_severity_filter_from_the_url(report: tuple[Path, int], tmp_path: Path) -> None:
    path, count = report
    dom = _dom(path.as_uri() + "#severity=high", tmp_path)
    shown = _shown(dom)
    assert shown and {a["data-severity"] for a in shown} == {"high"}
    assert len(_articles(dom)) == count  # the others are hidden, not removed
    assert _count(dom) == (len(shown), f"Showing {len(shown)} of {count} findings")
    assert len(shown) == sum(a["data-severity"] == "high" for a in _articles(dom)) < count


def test_sort_by_rule_from_the_url(report: tuple[Path, int], tmp_path: Path) -> None:
    path, count = report
    dom = _dom(path.as_uri() + "#sort=rule", tmp_path)
    articles = _articles(dom)
    assert len(_shown(dom)) == len(articles) == count
    keys = [_order(a, "rule", "severity", "file", "line") for a in articles]
    assert keys == sorted(keys)
    # the page's own order is by severity: the script really moved the findings
    assert [a["data-rule"] for a in _articles(path.read_text(encoding="utf-8"))] != [
        a["data-rule"] for a in articles
    ]


@pytest.mark.parametrize("separator", ["#", "?"])
def test_file_filter_and_sort_from_the_url(
    report: tuple[Path, int], tmp_path: Path, separator: str
) -> None:
    path, count = report
    wanted = "examples/fastapi_service/main.py"
    dom = _dom(path.as_uri() + separator + urlencode({"file": wanted, "sort": "file"}), tmp_path)
    shown = _shown(dom)
    assert len(shown) > 2 and {a["data-file"] for a in shown} == {wanted}
    assert [_order(a, "line") for a in shown] == sorted(_order(a, "line") for a in shown)
    assert _count(dom) == (len(shown), f"Showing {len(shown)} of {count} findings")


def test_a_state_that_is_not_offered_is_ignored(report: tuple[Path, int], tmp_path: Path) -> None:
    path, count = report
    dom = _dom(path.as_uri() + "#rule=CORS999&sort=%3Cscript%3E", tmp_path)
    assert len(_shown(dom)) == count and _count(dom) == (count, f"{count} findings")


def test_changing_the_controls_filters_sorts_and_updates_the_url(
    report: tuple[Path, int], tmp_path: Path
) -> None:
    path, count = report
    # the report plus a script that works its controls (the policy would block the harness)
    driver = """<script>
function pick(id, value) {
  var select = document.getElementById(id);
  select.value = value;
  select.dispatchEvent(new Event("change", {bubbles: true}));
}
pick("filter-rule", "CORS104");
pick("sort", "file");
document.body.dataset.hashAfterChange = location.hash;
document.body.dataset.shownAfterChange = document.getElementById("visible-count").dataset.visible;
document.getElementById("reset").click();
document.body.dataset.hashAfterReset = location.hash;
document.body.dataset.shownAfterReset = document.getElementById("visible-count").dataset.visible;
pick("filter-rule", "CORS104");
pick("sort", "file");
</script></body>"""
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", path.read_text())
    harness = tmp_path / "harness.html"
    harness.write_text(text.replace("</body>", driver), encoding="utf-8")
    dom = _dom(harness.as_uri(), tmp_path)
    body = _tags(dom, "body")[0]
    shown = _shown(dom)
    assert shown and {a["data-rule"] for a in shown} == {"CORS104"}
    keys = [_order(a, "file", "line") for a in shown]
    assert keys == sorted(keys)
    assert body["data-hash-after-change"] == "#rule=CORS104&sort=file"
    assert body["data-shown-after-change"] == str(len(shown))
    assert body["data-hash-after-reset"] == "" and body["data-shown-after-reset"] == str(count)


def test_the_policy_blocks_any_other_inline_script(
    report: tuple[Path, int], tmp_path: Path
) -> None:
    path, count = report
    injected = tmp_path / "injected.html"
    injected.write_text(
        path.read_text().replace(
            "</body>", '<script>document.body.dataset.injected = "ran";</script></body>'
        ),
        encoding="utf-8",
    )
    dom = _dom(injected.as_uri() + "#severity=critical", tmp_path)
    assert "data-injected" not in dom
    # while the page's own script, allowed by its hash, ran
    assert 0 < len(_shown(dom)) < count


def test_without_javascript_every_finding_is_shown(
    report: tuple[Path, int], tmp_path: Path
) -> None:
    path, count = report
    plain = tmp_path / "plain.html"
    plain.write_text(re.sub(r"<script>.*?</script>", "", path.read_text(), flags=re.S))
    dom = _dom(plain.as_uri() + "#severity=high&sort=rule", tmp_path)
    articles = _articles(dom)
    assert len(_shown(dom)) == len(articles) == count
    assert [_order(a, "severity") for a in articles] == sorted(
        _order(a, "severity") for a in articles
    )
    # controls that could do nothing are not shown; the count is still right
    assert [f for f in _tags(dom, "form") if f.get("id") == "controls" and "hidden" in f]
    assert _count(dom) == (count, f"{count} findings")


def test_dependency_evidence_is_a_table_of_advisories(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask-cors==5.0.1\n")
    text = render_html(scan_paths([str(tmp_path)], workers=1))
    rows = re.findall(r"<tr><th>(\w+)</th><td><code>([^<]*)</code>", text)
    assert [label for label, _ in rows] == ["advisory"] * 3
    assert rows[0][1].startswith("CVE-2024-6839 (medium), fixed in 6.0.0: https://github.com/")
    assert "<th>sent</th>" not in text and "<th>received</th>" not in text
    # the fix shown is flask-cors's (from the requirement's package, not a guess from text)
    assert "Fix for Flask (flask-cors)" in text


def test_stdin_text_frames_the_excerpt(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("stale = 1\n" * 8)
    source = b'from flask_cors import CORS\n\nCORS(app, origins="*", supports_credentials=True)\n'
    result = scan_paths([], stdin=(str(tmp_path / "app.py"), source))
    text = render_html(result)
    assert "stale = 1" not in text and "supports_credentials=True" in text
