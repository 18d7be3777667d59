"""Strings: f-strings, concatenation, format, %, split, join, strip, lower, replace."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)

DOMAIN = "Example.COM"
SCHEME = "https"
PORT = 8443

CORS(app, origins=f"{SCHEME}://app.{DOMAIN.lower()}")
CORS(app, origins=[SCHEME + "://" + "www." + DOMAIN.lower(), f"{SCHEME}://api.{DOMAIN}:{PORT}"])
CORS(app, origins="{}://{}".format(SCHEME, "fmt.example.com"))
CORS(app, origins="%s://%s:%d" % (SCHEME, "pct.example.com", PORT))  # noqa: UP031

RAW = " https://a.example.com , https://b.example.com ,"
CORS(app, origins=[o.strip() for o in RAW.split(",") if o.strip()])
CORS(app, origins="https://a.example.com,https://b.example.com".split(","))
CORS(app, origins=",".join(["https://c.example.com", "https://d.example.com"]))
CORS(app, origins="https://old.example.com".replace("old", "new"))
CORS(app, origins="https://implicit.example.com")
CORS(app, methods=" ".join("GET POST".split()).split(" "))
CORS(app, origins="HTTPS://UPPER.EXAMPLE.COM".lower().removeprefix("https://"))
