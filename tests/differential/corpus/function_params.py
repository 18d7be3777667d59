"""A helper called with different arguments: its call receives different values."""

from flask import Flask
from flask_cors import CORS


def setup_cors(app, origins, credentials=False):
    CORS(app, origins=origins, supports_credentials=credentials)


def setup_fixed(app, origins="https://default.example.com"):
    CORS(app, origins=origins)


def setup_kwargs(app, **options):
    CORS(app, **options)


first = Flask(__name__)
second = Flask(__name__)
setup_cors(first, ["https://first.example.com"])
setup_cors(second, "*", credentials=True)
setup_fixed(first)
setup_kwargs(second, origins=["https://kw.example.com"], max_age=5)
