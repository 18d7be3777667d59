"""Compiled patterns as origins; a regex string built by join."""

import re

from flask import Flask
from flask_cors import CORS
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

HOSTS = ["a.example.com", "b.example.com"]

app = Flask(__name__)
CORS(app, origins=[re.compile(f"https://{re.escape(h)}") for h in HOSTS])
CORS(app, origins=re.compile(r"https://.*\.example\.com", re.IGNORECASE))
CORS(app, origins=[re.compile("^https://x\\.example\\.com$"), "https://literal.example.com"])

star = Starlette()
star.add_middleware(
    CORSMiddleware,
    allow_origin_regex="^(" + "|".join(re.escape(f"https://{h}") for h in HOSTS) + ")$",
)
