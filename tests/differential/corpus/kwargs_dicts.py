"""Keyword arguments through ** mappings: a constant dict, merges, dict(), |, update()."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)

CORS_KW = {"origins": ["https://kw.example.com"], "supports_credentials": True}
CORS(app, **CORS_KW)

CORS(app, **{**CORS_KW, "max_age": 600})
CORS(app, **dict(CORS_KW, origins="*"))
CORS(app, **(CORS_KW | {"methods": ["GET"]}))

options = dict(origins=["https://dict.example.com"], allow_headers=("Content-Type",))
options.update(send_wildcard=False)
CORS(app, **options)

merged = {}
merged.update(CORS_KW)
merged["origins"] = ["https://merged.example.com"]
CORS(app, vary_header=True, **merged)
