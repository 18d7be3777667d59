"""Two scans in one process do not share what they learnt: a file changed between them is read
again (no module-level cache of project facts)."""

from __future__ import annotations

from pathlib import Path

from corsproof import scan_paths

APP = """\
from sanic import Sanic
from sanic_cors import CORS

app = Sanic("shop")
CORS(app, origins="*", supports_credentials=True)
"""


def test_a_second_scan_sees_a_requirement_added_between_them(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    first = {f.rule_id for f in scan_paths([str(tmp_path)], workers=1).findings}
    assert "CORS102" in first
    # with sanic-ext installed, sanic-cors does nothing: there is no policy to report
    (tmp_path / "requirements.txt").write_text("sanic\nsanic-ext\nsanic-cors\n")
    second = {f.rule_id for f in scan_paths([str(tmp_path)], workers=1).findings}
    assert "CORS102" not in second
    (tmp_path / "requirements.txt").write_text("sanic\nsanic-cors\n")
    third = {f.rule_id for f in scan_paths([str(tmp_path)], workers=1).findings}
    assert "CORS102" in third
