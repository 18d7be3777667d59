"""match statements over a constant and over the environment."""

import os

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
MODE = "prod"

match MODE:
    case "dev":
        ORIGINS = "*"
    case "prod" | "staging":
        ORIGINS = ["https://prod.example.com"]
    case _:
        ORIGINS = []
CORS(app, origins=ORIGINS)

match os.environ.get("DIFF_MODE"):
    case "open":
        EXPOSED = "*"
    case None:
        EXPOSED = ["https://unset.example.com"]
    case _:
        EXPOSED = ["https://other.example.com"]
CORS(app, origins=EXPOSED)

CONFIG = {"cors": {"origins": ["https://mapped.example.com"], "credentials": True}}
match CONFIG:
    case {"cors": {"origins": list(found), "credentials": creds}}:
        CORS(app, origins=found, supports_credentials=creds)
