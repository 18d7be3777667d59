from flask import Flask
from flask_cors import CORS

from .config import config_by_name


def create_app(name="default"):
    app = Flask(__name__)
    config = config_by_name[name]
    app.config.from_object(config)
    CORS(
        app,
        resources={r"/api/*": {"origins": config.CORS_ORIGINS}},
        supports_credentials=config.CORS_SUPPORTS_CREDENTIALS,
    )
    return app
