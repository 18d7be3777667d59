"""global and nonlocal rebinding before the call."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
ORIGINS = ["https://initial.example.com"]


def configure():
    global ORIGINS
    ORIGINS = ["https://global.example.com"]


def apply():
    CORS(app, origins=ORIGINS)


def outer():
    origins = ["https://outer.example.com"]

    def rebind():
        nonlocal origins
        origins = origins + ["https://nonlocal.example.com"]

    rebind()
    CORS(app, origins=origins)


configure()
apply()
outer()
CORS(app, origins=ORIGINS)
