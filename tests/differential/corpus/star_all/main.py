from flask import Flask
from flask_cors import CORS

NOT_EXPORTED = "https://fallback.example.com"

from conf import *  # noqa: E402, F403

app = Flask(__name__)
CORS(app, origins=ORIGINS, supports_credentials=CREDENTIALS)  # noqa: F405
CORS(app, origins=NOT_EXPORTED)
