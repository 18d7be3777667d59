from flask import Flask

ORIGINS = "*"


def create_app():
    from conf import ORIGINS
    from flask_cors import CORS

    app = Flask(__name__)
    CORS(app, origins=ORIGINS)
    return app


def other_app():
    from flask_cors import CORS

    app = Flask(__name__)
    CORS(app, origins=ORIGINS)
    return app


create_app()
other_app()
