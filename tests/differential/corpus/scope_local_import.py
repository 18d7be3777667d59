"""The module-level CORS is a lookalike; ONE function imports flask-cors' locally."""

from flask import Flask
from lookalike import CORS, cross_origin

app = Flask(__name__)


def real():
    from flask_cors import CORS

    CORS(app, origins=["https://local.example.com"], supports_credentials=True)


def fake():
    CORS(app, origins="*")


def real_decorator():
    import flask_cors

    @app.route("/x")
    @flask_cors.cross_origin(origins="https://deco.example.com")
    def view():
        return "x"

    @app.route("/y")
    @cross_origin(origins="*")
    def not_cors():
        return "y"

    return view, not_cors


real()
fake()
real_decorator()
CORS(app, origins="*")
