"""Values that depend on a branch: CPython takes the branch of an unset environment."""

import os

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)

if os.environ.get("DIFF_PRODUCTION"):
    ORIGINS = ["https://prod.example.com"]
else:
    ORIGINS = ["*"]
CORS(app, origins=ORIGINS)

DEBUG = os.environ.get("DIFF_DEBUG", "0") == "1"
CORS(app, origins="*" if DEBUG else ["https://app.example.com"], supports_credentials=not DEBUG)

STAGE = os.getenv("DIFF_STAGE", "dev")
if STAGE == "prod":
    CREDENTIALS = True
elif STAGE == "dev":
    CREDENTIALS = False
else:
    CREDENTIALS = None
CORS(app, supports_credentials=CREDENTIALS)

ALWAYS = True
if ALWAYS:
    FIXED = "https://fixed.example.com"
else:
    FIXED = "*"
CORS(app, origins=FIXED)
