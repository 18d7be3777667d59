"""Values produced by small functions and lambdas (or left to the evaluator to give up on)."""

from flask import Flask
from flask_cors import CORS


def allowed_origins():
    return ["https://helper.example.com"]


def build(host, scheme="https"):
    return f"{scheme}://{host}"


app = Flask(__name__)
CORS(app, origins=allowed_origins())
CORS(app, origins=build("built.example.com"))
CORS(app, origins=(lambda: ["https://lambda.example.com"])())
CORS(app, origins=list(map(build, ["m1.example.com", "m2.example.com"])))
CORS(app, origins=[o for o in allowed_origins() if o.endswith(".com")])
