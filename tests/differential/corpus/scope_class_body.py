"""Class bodies: class-level names, a comprehension in a class body (which does not see the
class's names, only the outermost iterable), inheritance, methods reading self."""

from flask import Flask
from flask_cors import CORS

SUFFIX = ".module.example.com"


class Config:
    SUFFIX = ".class.example.com"
    HOSTS = ["a", "b"]
    ORIGINS = [f"https://{h}" + SUFFIX for h in HOSTS]
    CREDENTIALS = True


class Production(Config):
    ORIGINS = ["https://prod.example.com"]


class Factory:
    origins = Config.ORIGINS

    def __init__(self, config):
        self.config = config

    def build(self):
        app = Flask(__name__)
        CORS(app, origins=self.config.ORIGINS, supports_credentials=self.config.CREDENTIALS)
        CORS(app, origins=self.origins)
        return app


Factory(Config).build()
Factory(Production).build()
CORS(Flask(__name__), origins=Production.ORIGINS, supports_credentials=Production.CREDENTIALS)
