from flask import Flask
from flask_cors import CORS as RealCORS
from helpers import CORS, cross_origin

app = Flask(__name__)
CORS(app, origins="*")
RealCORS(app, origins=["https://real.example.com"])


@app.route("/")
@cross_origin(origins="*")
def index():
    return "index"
