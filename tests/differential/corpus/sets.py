"""Sets: displays with duplicates, set comprehensions, set(), frozenset() (CPython's value is a
set: no duplicates, no order -- normalised to a sorted list)."""

from flask import Flask
from flask_cors import CORS

HOSTS = ["c", "a", "c"]

app = Flask(__name__)
CORS(app, origins={"https://b.example.com", "https://a.example.com", "https://b.example.com"})  # noqa: B033
CORS(app, origins={f"https://{h}.example.com" for h in HOSTS})
CORS(app, origins=set(HOSTS))
CORS(app, origins=frozenset(["https://z.example.com", "https://y.example.com"]))
CORS(app, origins=sorted(set(HOSTS)))
