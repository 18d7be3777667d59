from flask_cors import CORS

from . import settings
from .settings import ORIGINS


def setup_cors(app):
    CORS(app, origins=ORIGINS, supports_credentials=settings.CREDENTIALS)
