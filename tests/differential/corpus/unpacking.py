"""Tuple unpacking, starred targets, starred displays, annotated and chained assignment."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)

PRIMARY, SECONDARY = "https://p.example.com", "https://s.example.com"
FIRST, *REST = ["https://1.example.com", "https://2.example.com", "https://3.example.com"]
(LEFT, RIGHT), MIDDLE = ("https://l.example.com", "https://r.example.com"), "https://m.example.com"
ANNOTATED: list[str] = [PRIMARY, SECONDARY]
ONE = TWO = ["https://chained.example.com"]
TWO.append("https://two.example.com")

CORS(app, origins=[*ANNOTATED, "https://c.example.com"])
CORS(app, origins=(*REST, FIRST))
CORS(app, origins=[LEFT, RIGHT, MIDDLE])
CORS(app, origins=ONE)
HEAD, TAIL = "https://head.example.com,https://tail.example.com".split(",")
CORS(app, origins=TAIL)
