"""Comprehensions over constant lists; the loop variable does not leak."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)

HOSTS = ["a", "b", "c"]
h = "leaked-not"

CORS(app, origins=[f"https://{h}.example.com" for h in HOSTS])
CORS(app, origins=[f"https://{h}.example.com" for h in HOSTS if h != "b"])
CORS(app, origins={f"https://{h}.example.com" for h in HOSTS})
CORS(app, origins=list(f"https://{h}.example.org" for h in HOSTS[:2]))
CORS(app, origins=[f"https://{sub}.{h}.example.com" for h in HOSTS for sub in ("x", "y")])
CORS(app, origins=h)

PER_HOST = {h: f"https://{h}.example.com" for h in HOSTS}
CORS(app, origins=sorted(PER_HOST.values(), reverse=True))
CORS(app, resources={r"/api/*": {"origins": [PER_HOST[k] for k in sorted(PER_HOST)]}})
