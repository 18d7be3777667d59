"""Order of execution: a module-level call sees the value of its time; a function sees the value
when it is called."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
ORIGINS = ["https://first.example.com"]


def early():
    CORS(app, origins=ORIGINS)


def late():
    CORS(app, origins=ORIGINS, supports_credentials=True)


early()
CORS(app, origins=ORIGINS)
ORIGINS = ["https://second.example.com"]
CORS(app, origins=ORIGINS, max_age=1)
late()
ORIGINS = "*"
