from flask import Flask
from flask_cors import CORS
from myapp import ALLOWED, setup_cors

app = Flask(__name__)
setup_cors(app)
CORS(Flask("second"), origins=ALLOWED + ["https://main.example.com"])
