"""Values stored in and read back from app.config."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
app.config["CORS_ORIGINS"] = ["https://config.example.com"]
app.config.from_mapping(CORS_SUPPORTS_CREDENTIALS=True, CORS_MAX_AGE=30)
app.config.update(CORS_EXPOSE_HEADERS=["X-Request-Id"])

CORS(app, origins=app.config["CORS_ORIGINS"])
CORS(app, supports_credentials=app.config["CORS_SUPPORTS_CREDENTIALS"])
CORS(app, origins=app.config.get("CORS_MISSING", "https://fallback.example.com"))
CORS(app, expose_headers=app.config["CORS_EXPOSE_HEADERS"], max_age=app.config["CORS_MAX_AGE"])
