"""Every way of binding flask-cors' CORS: module, module alias, name, name alias."""

import flask_cors
import flask_cors as fc
from flask import Flask
from flask_cors import CORS
from flask_cors import CORS as C

app = Flask(__name__)

CORS(app, origins="https://one.example.com")
C(app, origins=["https://two.example.com"], supports_credentials=True)
fc.CORS(app, origins=("https://three.example.com",), max_age=600)
flask_cors.CORS(
    app,
    origins={"https://b.example.com", "https://a.example.com"},
    methods=["GET", "POST"],
)
