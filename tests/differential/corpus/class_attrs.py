"""Plain class attributes, inherited and overridden, loaded with app.config.from_object."""

from flask import Flask
from flask_cors import CORS


class BaseConfig:
    CORS_ORIGINS = ["https://base.example.com"]
    CORS_SUPPORTS_CREDENTIALS = True
    DEBUG = False


class DevConfig(BaseConfig):
    CORS_ORIGINS = "*"
    DEBUG = True


class ProdConfig(BaseConfig):
    CORS_ORIGINS = BaseConfig.CORS_ORIGINS + ["https://prod.example.com"]


CONFIGS = {"dev": DevConfig, "prod": ProdConfig}

app = Flask(__name__)
app.config.from_object(ProdConfig)
CORS(
    app, origins=ProdConfig.CORS_ORIGINS, supports_credentials=ProdConfig.CORS_SUPPORTS_CREDENTIALS
)
CORS(app, origins=CONFIGS["dev"].CORS_ORIGINS)
CORS(app, origins=getattr(DevConfig, "CORS_ORIGINS"))  # noqa: B009
