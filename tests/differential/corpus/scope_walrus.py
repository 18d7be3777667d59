"""Assignment expressions, including one inside a comprehension (binds in the enclosing scope)."""

import os

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)

if origins := os.environ.get("DIFF_WALRUS", "https://walrus.example.com"):
    CORS(app, origins=origins)

HOSTS = ["a.example.com", "b.example.com"]
FULL = [last := f"https://{h}" for h in HOSTS]
CORS(app, origins=last)
CORS(app, origins=FULL)

if (count := len(HOSTS)) > 1:
    CORS(app, max_age=count * 100)
