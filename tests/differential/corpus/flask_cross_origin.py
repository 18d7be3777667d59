"""cross_origin as a decorator: bare, with keywords, positional, through a module alias, on a
blueprint."""

import flask_cors as fc
from flask import Blueprint, Flask
from flask_cors import cross_origin

app = Flask(__name__)
api = Blueprint("api", __name__)


@app.route("/")
@cross_origin()
def index():
    return "index"


@app.route("/creds")
@cross_origin(origins=["https://app.example.com"], supports_credentials=True)
def creds():
    return "creds"


@app.route("/positional")
@cross_origin("https://positional.example.com", methods=("GET",))
def positional():
    return "positional"


@api.route("/items")
@fc.cross_origin(origins="*", expose_headers=["X-Total"])
def items():
    return "items"


app.register_blueprint(api)
