"""Every finding's fix line fits the case found, not only the rule: a debug switch is not a
missing setting, an unescaped dot is not a prefix check, a missing middleware is not a misplaced
one."""

from __future__ import annotations

from pathlib import Path

import pytest

from corsproof import scan_paths

DJANGO = (
    'INSTALLED_APPS = ["corsheaders"]\nMIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]\n'
)

CASES = [
    (
        "debug switch",
        {
            "settings.py": "import os\nDEBUG = os.environ.get('DEBUG') == '1'\n"
            + DJANGO
            + "CORS_ALLOW_ALL_ORIGINS = DEBUG\n"
        },
        "CORS301",
        "do not tie CORS to the debug flag: list the development front ends",
    ),
    (
        "environment default",
        {
            "settings.py": "import os\n"
            + DJANGO
            + "CORS_ALLOWED_ORIGINS = os.environ.get('ORIGINS', '*').split(',')\n"
            "CORS_ALLOW_ALL_ORIGINS = os.environ.get('ORIGINS', '*') == '*'\n"
        },
        "CORS301",
        "fail closed: default to no origins when the setting is missing",
    ),
    (
        "unescaped dot",
        {
            "app.py": "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\n"
            "CORS(app, origins=[r'^https://app.example\\.com$'])\n"
        },
        "CORS104",
        "escape every `.` in the pattern",
    ),
    (
        "prefix check",
        {
            "app.py": "from flask import Flask, request\napp = Flask(__name__)\n"
            "@app.after_request\ndef cors(response):\n    origin = request.headers.get('Origin', '')\n"
            "    if origin.startswith('https://app.example.com'):\n"
            "        response.headers['Access-Control-Allow-Origin'] = origin\n"
            "        response.headers['Vary'] = 'Origin'\n    return response\n"
        },
        "CORS104",
        "anchor the check at the end",
    ),
    (
        "middleware missing",
        {
            "settings.py": 'INSTALLED_APPS = ["corsheaders"]\nMIDDLEWARE = []\n'
            'CORS_ALLOWED_ORIGINS = ["https://app.example.com"]\n'
        },
        "CORS303",
        "add the CORS middleware (corsheaders.middleware.CorsMiddleware) to MIDDLEWARE",
    ),
    (
        "middleware misplaced",
        {
            "settings.py": 'INSTALLED_APPS = ["corsheaders"]\nMIDDLEWARE = ['
            '"django.middleware.common.CommonMiddleware", "corsheaders.middleware.CorsMiddleware"]\n'
            'CORS_ALLOWED_ORIGINS = ["https://app.example.com"]\n'
        },
        "CORS303",
        "put the CORS middleware first (outermost)",
    ),
    (
        "every method",
        {
            "app.py": "from fastapi import FastAPI\nfrom starlette.middleware.cors import CORSMiddleware\n"
            "app = FastAPI()\napp.add_middleware(CORSMiddleware, "
            "allow_origins=['https://app.example.com'], allow_methods=['*'])\n"
        },
        "CORS201",
        "list the methods the front end sends",
    ),
    (
        "every header",
        {
            "app.py": "from fastapi import FastAPI\nfrom starlette.middleware.cors import CORSMiddleware\n"
            "app = FastAPI()\napp.add_middleware(CORSMiddleware, "
            "allow_origins=['https://app.example.com'], allow_headers=['*'])\n"
        },
        "CORS201",
        "list the request headers the front end sends",
    ),
    (
        "plain-text origin",
        {"settings.py": DJANGO + 'CORS_ALLOWED_ORIGINS = ["http://app.example.com"]\n'},
        "CORS105",
        "trust https://app.example.com instead",
    ),
    (
        "library with no fixed release",
        {"requirements.txt": "sanic-cors==2.2.0\n"},
        "CORS302",
        "no release fixes every advisory",
    ),
    (
        "library with a fixed release",
        {"requirements.txt": "flask-cors==5.0.1\n"},
        "CORS302",
        "require the fixed release of the CORS library, then re-lock",
    ),
]


@pytest.mark.parametrize(
    ("files", "rule", "fix"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_fix_line_fits_the_case(tmp_path: Path, files: dict[str, str], rule: str, fix: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    found = [f for f in scan_paths([str(tmp_path)], workers=1).findings if f.rule_id == rule]
    assert found, f"no {rule} finding"
    assert all(f.fix.startswith(fix) for f in found), [f.fix for f in found]
