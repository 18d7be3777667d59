"""The README's "Adding a rule" example, as written: its module, added beside the rules with its
one registration line (an import), makes a rule that `scan`, `explain` and the reports use with
nothing else changed. Run in a child process, so that the registry of this one stays as it is."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"

APP = """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com", "http://localhost:3000"],
)
"""

CHILD = """\
import contextlib, io, json, sys
import corsproof.rules

corsproof.rules.__path__.append(sys.argv[1])
import corsproof.rules.cors108_localhost_origin  # the registration line

from corsproof.cli import main

out = io.StringIO()
with contextlib.redirect_stdout(out):
    scan = main(["scan", sys.argv[2], "--format", "json", "--select", "CORS108"])
report = out.getvalue()
out = io.StringIO()
with contextlib.redirect_stdout(out):
    explained = main(["explain", "CORS108"])
print(json.dumps({"scan": scan, "report": json.loads(report), "explain": explained,
                  "doc": out.getvalue()}))
"""


def _example() -> tuple[str, str]:
    section = README.read_text(encoding="utf-8").split("### Adding a rule", 1)[1]
    # fences at the start of a line: the docstring's own example is indented
    blocks = re.findall(r"^```python\n(.*?)^```$", section, re.S | re.M)
    return blocks[0], blocks[1]


def test_the_readme_rule_is_one_module_and_one_registration_line(tmp_path: Path) -> None:
    module, registration = _example()
    assert registration.strip() == "cors108_localhost_origin,"
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "cors108_localhost_origin.py").write_text(module, encoding="utf-8")
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text(APP, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(rules), str(app)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["scan"] == 1  # a finding
    (finding,) = got["report"]["findings"]
    assert finding["rule_id"] == "CORS108" and finding["rule_name"] == "localhost-origin"
    assert finding["severity"] == "low"
    assert finding["message"] == "http://localhost:3000 is trusted"
    assert finding["proof_origin"] == "http://localhost:3000"
    assert finding["location"]["line"] == 7
    assert got["explain"] == 0
    assert "## What it finds" in got["doc"] and "localhost" in got["doc"]
    assert textwrap.dedent(module).startswith("from __future__ import annotations")
