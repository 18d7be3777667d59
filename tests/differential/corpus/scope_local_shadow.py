"""A function-local import shadows the module's CORS in ONE function only: that function's call
is not flask-cors', the others are."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)


def uses_module_cors():
    CORS(app, origins=["https://module.example.com"])


def uses_lookalike():
    from lookalike import CORS

    CORS(app, origins="*")


def uses_module_cors_again():
    CORS(app, origins=["https://again.example.com"])


def assigns_local():
    CORS = len
    CORS("not a CORS call")


uses_module_cors()
uses_lookalike()
uses_module_cors_again()
assigns_local()
