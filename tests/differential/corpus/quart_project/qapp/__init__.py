from quart import Quart
from quart_cors import cors

from .routes import register

ALLOWED = ["https://quart-project.example.com"]


def create_app():
    app = cors(Quart(__name__), allow_origin=ALLOWED, allow_credentials=True)
    register(app)
    return app
