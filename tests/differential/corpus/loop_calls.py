"""One call statement executed several times with different values."""

from flask import Flask
from flask_cors import CORS

APPS = {"a": "https://a.example.com", "b": "https://b.example.com"}

for name, origin in APPS.items():
    CORS(Flask(name), origins=origin)

for index in range(2):
    CORS(Flask("range"), max_age=index)

for constant in ["https://only.example.com"]:
    CORS(Flask("single"), origins=constant)
