"""No byte of a scanned project or a probed server reaches the terminal raw.

File names, source lines, messages quoting the project's values, header values, error texts and
unresolved entries are made printable before the text report (plain or rich colour) is written:
control characters (ESC, CR, LF, BEL, C1), bidi overrides, line separators and the bytes of a
non-UTF-8 file name are shown as escapes. The only control characters in the text report are our
own SGR colour codes and the newlines between the lines we emit; every finding starts its line.

The property test scans real files on disk with `scan_paths` and renders with `render_text`
(fast); a few hostile trees go through the real CLI in a subprocess, with and without colour.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from corsproof import scan_paths
from corsproof._terminal import printable
from corsproof.findings import FileError, Finding, ScanResult, Target, Unresolved
from corsproof.judge import judge_policies
from corsproof.report import render_text

SGR = re.compile(r"\x1b\[[0-9;]*m")
FINDING_LINE = re.compile(r": CORS\d{3} \[[a-z-]+\] (critical|high|medium|low): ")
# characters that would act on a terminal or change how a line reads
ALLOWED_FORMAT = {"\u200c", "\u200d"}  # zero-width (non-)joiners: shaping, not control


def bad_characters(text: str) -> list[str]:
    """Every control-ish character in `text` besides our SGR codes and line feeds."""
    found = []
    for char in SGR.sub("", text):
        category = unicodedata.category(char)
        if char == "\n":
            continue
        if category in ("Cc", "Cs", "Zl", "Zp") or (
            category == "Cf" and char not in ALLOWED_FORMAT
        ):
            found.append(char)
    return found


def assert_terminal_safe(text: str) -> None:
    bad = bad_characters(text)
    assert not bad, f"raw control characters {sorted(set(bad))!r} in:\n{text!r}"
    assert text.encode("utf-8")  # no lone surrogate: the report can be written as UTF-8


# ------------------------------------------------------------------------------ hostile inputs

HOSTILE = [
    "\x1b[2J",  # clear the screen
    "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",  # OSC 8 hyperlink (BEL-terminated)
    "\x1b]8;;https://evil.example\x1b\\x\x1b]8;;\x1b\\",  # OSC 8, ST-terminated
    "\x1b[31m",
    "\x9b31m",  # C1 CSI
    "\x85",  # C1 next line
    "\r",
    "\n",
    "\rFAKE: ok.py:4:1: CORS101 [any-origin] high: forged\n",
    "\u202e",  # right-to-left override
    "\u2066",
    "\u2028",
    "\u200b",
    "\ufeff",
    "\x07",
    "\x08",
    "\x7f",
    "\t",
    "\x0c",
    "[bold red]markup[/]",  # rich markup must stay text
    "[link=https://evil.example]x[/link]",
    ":smile:",  # and emoji codes too
    "\udce9",  # a byte of a non-UTF-8 file name (os.fsdecode)
]


def hostile_text(exclude: str, max_size: int = 12) -> st.SearchStrategy[str]:
    pieces = st.one_of(
        st.characters(exclude_categories=["Cs"], exclude_characters=exclude),
        st.sampled_from([h for h in HOSTILE if not set(h) & set(exclude)]),
    )
    return st.lists(pieces, max_size=max_size).map("".join)


# a file name: anything but "/" and NUL, as Linux allows
names = hostile_text("/\x00", max_size=10).map(lambda s: s + ".py")
# inside a raw string literal on one line; inside a comment
literal_text = hostile_text('"\\\n\r\x00\x85\u2028\u2029\udce9')
comment_text = hostile_text("\n\r\x00")

TEMPLATES = [
    # flask-cors quotes the regex in its message (CORS104 here, with credentials)
    "from flask import Flask\n"
    "from flask_cors import CORS\n"
    "\n"
    "app = Flask(__name__)\n"
    "# {c}\n"
    'CORS(app, origins=r"https://.*\\.example\\.com|{s}", supports_credentials=True)  # {c}\n',
    # a listed origin, a wildcard, and environment variables named by the project (unresolved)
    "import os\n"
    "\n"
    "from fastapi import FastAPI\n"
    "from fastapi.middleware.cors import CORSMiddleware\n"
    "\n"
    "app = FastAPI()\n"
    "app.add_middleware(\n"
    "    CORSMiddleware,  # {c}\n"
    '    allow_origins=[r"{s}", "*"],\n'
    '    allow_origin_regex=os.environ.get(r"{s}"),\n'
    ")\n",
]
files = st.lists(
    st.tuples(names, st.sampled_from(TEMPLATES), literal_text, comment_text),
    min_size=1,
    max_size=3,
    unique_by=lambda item: os.fsencode(item[0]),
)


def write_tree(top: Path, items: list[tuple[str, str, str, str]]) -> None:
    for name, template, value, comment in items:
        source = template.replace("{s}", value).replace("{c}", comment)
        try:
            with open(
                os.path.join(top, name), "w", encoding="utf-8", errors="surrogateescape"
            ) as f:
                f.write(source)
        except OSError:  # a name the file system refuses (too long in bytes)
            assume(False)


def finding_lines_start(text: str, result: ScanResult) -> None:
    """Each finding's header is a line of its own, starting with its (escaped) place."""
    lines = SGR.sub("", text).split("\n")
    for finding in result.findings:
        if finding.location is not None:
            loc = finding.location
            where = f"{printable(loc.path)}:{loc.line}:{loc.column}"
        else:
            assert finding.target is not None
            where = f"{printable(finding.target.method)} {printable(finding.target.url)}"
        header = f"{where}: {finding.rule_id} [{finding.rule_name}] {finding.severity}: "
        assert any(line.startswith(header) for line in lines), (header, lines)
    for error in result.errors:
        head = f"{printable(error.path)}: error: "
        assert any(line.startswith(head) for line in lines), (head, lines)


def expected_plain_lines(result: ScanResult) -> int:
    count = 0
    for f in result.findings:
        source = bool(f.location and f.location.source)
        count += 2 + source + bool(f.proof_origin) + bool(f.context) + bool(f.fix)
        if f.evidence:  # `> METHOD URL`, a line per header sent, `< STATUS`, one per header back
            request, response = f.evidence["request"], f.evidence["response"]
            count += 2 + len(request["headers"]) + len(response["headers"]) + bool(f.replay)
    count += len(result.errors) + bool(result.errors)
    if result.show_unresolved and result.unresolved:
        count += len(result.unresolved) + 1
    return count + 1  # the summary


def check_report(result: ScanResult) -> None:
    # wide enough that rich wraps no line: the lines of the report are the lines we emit
    with mock.patch.dict(os.environ, {"COLUMNS": "20000"}):
        _check_report(result)


def _check_report(result: ScanResult) -> None:
    plain = render_text(result)
    assert_terminal_safe(plain)
    # nothing the project wrote added or split a line
    assert plain.endswith("\n")
    assert len(plain.split("\n")) - 1 == expected_plain_lines(result), plain
    finding_lines_start(plain, result)
    headers = [line for line in plain.split("\n") if FINDING_LINE.search(line)]
    assert len(headers) >= len(result.findings)
    coloured = render_text(result, color=True)
    assert_terminal_safe(coloured)
    assert "\x1b[" in coloured
    finding_lines_start(coloured, result)


@settings(
    max_examples=int(os.environ.get("CORSPROOF_FUZZ_EXAMPLES", 40)),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(items=files)
@example(
    items=[
        ("ok\rFAKE: ok.py:4:1: CORS101 x.py", TEMPLATES[0], "\x1b]8;;x\x07", "\x1b[2J\u202e"),
        ("a\nb\x1b[2J\udce9.py", TEMPLATES[1], "\x1b[31m", "\r"),
    ]
)
def test_text_report_of_any_tree_is_terminal_safe(items: list[tuple[str, str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_tree(Path(tmp), items)
        result = scan_paths([tmp], workers=1)
        result.show_unresolved = True
        check_report(result)


def test_the_property_test_does_reach_findings_errors_and_unresolved(tmp_path: Path) -> None:
    # the templates above do what the property relies on: findings that quote the project's
    # values, a code frame, unresolved entries, and an error for a file that does not parse
    (tmp_path / "a\x1b[2J.py").write_text(
        TEMPLATES[0].replace("{s}", "\x1b]8;;x\x07").replace("{c}", "\u202e")
    )
    (tmp_path / "b.py").write_text(TEMPLATES[1].replace("{s}", "\x1b[2J").replace("{c}", "\x07"))
    (tmp_path / "c\r.py").write_text(TEMPLATES[0].replace("{s}", "x").replace("{c}", "\rX = ("))
    result = scan_paths([str(tmp_path)], workers=1)
    result.show_unresolved = True
    assert {f.rule_id for f in result.findings} >= {"CORS101", "CORS104"}
    assert any("\x1b]8;;" in f.message for f in result.findings)
    assert any("\x1b[2J" in u.reason for u in result.unresolved)
    assert [printable(e.path) for e in result.errors] == [printable(str(tmp_path / "c\r.py"))]
    check_report(result)
    plain = render_text(result)
    assert "a\\x1b[2J.py:6:" in plain
    assert "|\\x1b]8;;x\\x07" in plain
    assert "c\\r.py: error: " in plain


# ------------------------------------------------------------------------------- printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text, backslashes \\d and émoji ✓", "plain text, backslashes \\d and émoji ✓"),
        ("\x1b[2J", "\\x1b[2J"),
        ("a\rb\nc\td", "a\\rb\\nc\\td"),
        ("\x9b31m\x85\x7f", "\\x9b31m\\x85\\x7f"),
        ("evil\u202etxt.py", "evil\\u202etxt.py"),
        ("line\u2028sep\u2029", "line\\u2028sep\\u2029"),
        (os.fsdecode(b"caf\xe9.py"), "caf\\xe9.py"),
        ("\ud800", "\\ud800"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("emoji 👩\u200d💻 joined", "emoji 👩\u200d💻 joined"),
    ],
)
def test_printable(raw: str, shown: str) -> None:
    assert printable(raw) == shown
    assert not bad_characters(printable(raw))


# -------------------------------------------------------------------------- probed servers


def probe_result(url: str, header_value: str, error: str) -> ScanResult:
    """What `probe` reports for a server that answers with `header_value` in its CORS headers."""
    from corsproof.origins import ARBITRARY
    from corsproof.probe._observe import Exchange, Observation, Probe
    from corsproof.probe._transport import Reply

    observation = Observation(Target(url))
    reply = Reply(
        200,
        (
            ("access-control-allow-origin", ARBITRARY),
            ("access-control-allow-credentials", "true"),
            ("access-control-expose-headers", f"X-{header_value}-Token"),
            ("vary", header_value),
        ),
    )
    observation.add(Exchange(Probe(kind="attack", method="GET", origin=ARBITRARY), url, reply))
    findings, _ = judge_policies([(observation.policy(("https://app.example",)), frozenset())])
    for finding in findings:
        finding.evidence = observation.evidence(finding)
    return ScanResult(findings=findings, errors=[FileError(url, error)], analysed=1, duration_s=0.1)


@settings(
    max_examples=int(os.environ.get("CORSPROOF_FUZZ_EXAMPLES", 60)), deadline=None, database=None
)
@given(
    # a URL is text the user gave (arguments, a targets file, a spec): no lone surrogates
    url=hostile_text("\udce9", max_size=8).map(lambda s: "http://127.0.0.1:8000/" + s),
    value=hostile_text("", max_size=8),
    error=hostile_text("", max_size=8),
)
def test_probe_report_is_terminal_safe(url: str, value: str, error: str) -> None:
    result = probe_result(url, value, error)
    assert result.findings
    check_report(result)


def test_header_values_of_a_server_are_escaped() -> None:
    result = probe_result(
        "http://127.0.0.1:8000/\x1b[2J", "T\x1b]8;;https://evil.example\x07k\x9b2J", "reset\r\n"
    )
    plain = render_text(result)
    assert "GET http://127.0.0.1:8000/\\x1b[2J: CORS" in plain
    assert "makes X-T\\x1b]8;;https://evil.example\\x07k\\x9b2J-Token readable" in plain
    assert "http://127.0.0.1:8000/\\x1b[2J: error: reset\\r\\n\n" in plain
    check_report(result)


def test_messages_and_unresolved_reasons_built_by_hand_are_escaped() -> None:
    # every text field a reporter prints, from any source
    hostile = "\x1b[2J\r\n\u202e[bold]x[/bold]:smile:\udce9"
    finding = Finding(
        rule_id="CORS101",
        rule_name="any-origin",
        severity="medium",
        message=f"message {hostile}",
        target=Target(f"http://h/{hostile}", method="GET"),
        proof_origin=f"https://{hostile}",
        context=[hostile],
        fix=f"fix {hostile}",
    )
    result = ScanResult(
        findings=[finding],
        errors=[FileError(hostile, hostile)],
        unresolved=[Unresolved(hostile, 1, 2, hostile, hostile)],
        show_unresolved=True,
    )
    check_report(result)
    coloured = render_text(result, color=True)
    assert "[bold]x[/bold]:smile:" in SGR.sub("", coloured)  # markup and emoji codes stay text


# ------------------------------------------------------------------------------ progress bar


def test_progress_shows_a_file_name_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from corsproof._terminal import progress_bar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stderr = Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    name = "a\x1b]8;;https://evil.example\x07b\x1b[2J[link=https://evil.example]c[/link].py"
    with progress_bar("scanning", True) as update:
        update(advance=1, unit="files", detail=name)
    out = stderr.getvalue()
    assert "\x1b]8" not in out  # no hyperlink, neither raw nor from markup
    assert "\x1b[2J" not in out
    assert "a\\x1b]8;;https://evil.example\\x07b\\x1b[2J[link=" in out


# --------------------------------------------------------------------------- the real CLI


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env["COLUMNS"] = "400"  # rich wraps no finding line: one header, one line
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "corsproof", *args],
        capture_output=True,
        encoding="utf-8",
        errors="surrogateescape",
        timeout=120,
        env=full_env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def hostile_tree(tmp_path: Path) -> Path:
    top = tmp_path / "tree"
    top.mkdir()
    source = TEMPLATES[0].replace("{s}", "\x1b]8;;https://evil.example\x07x\x1b]8;;\x07\x9b31m")
    source = source.replace("{c}", "\x1b[2J\u202e")
    for name in (
        "ok\rFAKE: ok.py:4:1: CORS101 [any-origin] high: forged.py",
        "a\nFAKE: b.py:1:1: CORS101 [any-origin] high: forged.py",
        "\x1b[2Jclear.py",
        "\x1b]8;;https:\\\\evil.example\x07link\x1b]8;;\x07.py",
        "bidi\u202etxt.py",
        "[bold red]markup[!].py",
        os.fsdecode(b"caf\xe9.py"),
    ):
        with open(top / name, "w", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write(source)
    (top / "broken\x1b[2J.py").write_text(source.replace("supports_credentials=True)", "("))
    (top / "env.py").write_text(TEMPLATES[1].replace("{s}", "\x1b[2J").replace("{c}", "\x07"))
    return top


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "FORCE_COLOR"])
def test_cli_text_report_of_a_hostile_tree(hostile_tree: Path, colour: bool) -> None:
    document = json.loads(run("scan", ".", "--format", "json", cwd=hostile_tree).stdout)
    assert len(document["findings"]) == 8  # 7 hostile names, and env.py's wildcard
    env = {"FORCE_COLOR": "1"} if colour else {}
    proc = run("scan", ".", "--show-unresolved", cwd=hostile_tree, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    out = proc.stdout
    assert_terminal_safe(out)
    assert ("\x1b[" in out) is colour
    lines = SGR.sub("", out).split("\n")
    assert not [line for line in lines if line.startswith("FAKE")]
    assert len([line for line in lines if FINDING_LINE.search(line)]) == 8
    for shown in (
        "ok\\rFAKE: ok.py:4:1: CORS101 [any-origin] high: forged.py:6:19: CORS104",
        "a\\nFAKE: b.py:1:1: CORS101 [any-origin] high: forged.py:6:19: CORS104",
        "\\x1b[2Jclear.py:6:19: CORS104",
        "\\x1b]8;;https:\\\\evil.example\\x07link\\x1b]8;;\\x07.py:6:19: CORS104",
        "bidi\\u202etxt.py:6:19: CORS104",
        "[bold red]markup[!].py:6:19: CORS104",
        "caf\\xe9.py:6:19: CORS104",
        "broken\\x1b[2J.py: error: SyntaxError",
        "env.py:10:24: unresolved: allow_origin_regex: environment variable \\x1b[2J",
    ):
        assert any(line.startswith(shown) for line in lines), (shown, lines)
    assert "|\\x1b]8;;https://evil.example\\x07x\\x1b]8;;\\x07\\x9b31m" in out


def test_cli_html_report_of_a_non_utf8_file_name(hostile_tree: Path) -> None:
    # it used to end with UnicodeEncodeError (a lone surrogate cannot be written as UTF-8)
    proc = run("scan", ".", "--format", "html", "-o", "report.html", cwd=hostile_tree)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "caf\\xe9.py" in (hostile_tree / "report.html").read_text(encoding="utf-8")


def test_cli_error_messages_quoting_a_project_are_escaped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.corsproof]\nfail-on = "\\u001b[2J\\u001b]8;;https://evil.example\\u0007"\n'
    )
    (tmp_path / "app.py").write_text("x = 1\n")
    proc = run("scan", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("corsproof: error: ")
    assert_terminal_safe(proc.stderr)
    assert len(proc.stderr.rstrip("\n").split("\n")) == 1
