"""Environment variables with defaults (the variables are unset when CPython runs this)."""

import os
from os import environ, getenv

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)

CORS(app, origins=os.environ.get("DIFF_CORS_ORIGINS", "*"))
CORS(
    app,
    origins=os.getenv("DIFF_CORS_ORIGINS", "https://a.example.com,https://b.example.com").split(
        ","
    ),
)
CORS(app, origins=os.getenv("DIFF_CORS_ORIGINS", default="https://kw.example.com"))
CORS(app, origins=environ.get("DIFF_CORS_ORIGINS") or "https://or.example.com")
CORS(app, origins=getenv("DIFF_CORS_ORIGINS", "https://bare.example.com"))
CORS(app, supports_credentials=os.environ.get("DIFF_CORS_CREDS", "false").lower() == "true")
CORS(app, max_age=int(os.environ.get("DIFF_CORS_MAX_AGE", "600")))
CORS(app, origins=os.environ.get("DIFF_CORS_ORIGINS", ""))

SET = os.environ.setdefault("DIFF_CORS_SET", "https://setdefault.example.com")
CORS(app, origins=SET)
CORS(app, origins=os.environ["DIFF_CORS_SET"])
CORS(app, origins=os.environ.get("DIFF_CORS_SET", "*"))
