"""Lists built step by step: +, append, extend, +=, insert, and a mutation after the call (the
call received the list as it was then)."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)

BASE = ["https://base.example.com"]
EXTRA = ("https://extra.example.com",)

ORIGINS = BASE + list(EXTRA)
ORIGINS.append("https://appended.example.com")
ORIGINS.extend(["https://x.example.com", "https://y.example.com"])
ORIGINS += ["https://aug.example.com"]
ORIGINS.insert(0, "https://first.example.com")
CORS(app, origins=ORIGINS)

LATER = ["https://before.example.com"]
CORS(app, origins=LATER)
LATER.append("https://after.example.com")

SHARED = BASE
SHARED.append("https://shared.example.com")
CORS(app, origins=BASE)

HEADERS = ["Content-Type"] * 2
HEADERS.remove("Content-Type")
HEADERS.pop()
HEADERS += ["Authorization"]
CORS(app, allow_headers=HEADERS)
