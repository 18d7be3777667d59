"""Another module rebinds and mutates conf's values before the call reads them."""

import conf
from flask import Flask
from flask_cors import CORS

conf.CREDENTIALS = True
conf.ORIGINS.append("https://appended-from-main.example.com")

app = Flask(__name__)
CORS(app, origins=conf.ORIGINS, supports_credentials=conf.CREDENTIALS)
