"""Builtins and operators: sorted, set algebra, dict.fromkeys, arithmetic, int(), bool()."""

from flask import Flask
from flask_cors import CORS

A = {"https://a.example.com", "https://shared.example.com"}
B = {"https://b.example.com", "https://shared.example.com"}

app = Flask(__name__)
CORS(app, origins=sorted(A | B))
CORS(app, origins=sorted(A & B))
CORS(app, origins=sorted(A - B))
CORS(app, origins=list(dict.fromkeys(["https://d.example.com", "https://d.example.com"])))
CORS(app, max_age=60 * 60 * 2 + 1)
CORS(app, max_age=int("600"), supports_credentials=bool("yes"))
CORS(app, origins=tuple(reversed(["https://1.example.com", "https://2.example.com"])))
CORS(app, max_age=len(A) ** 2, vary_header=len(A) > 1)
CORS(app, origins=min(["https://z.example.com", "https://y.example.com"]))
