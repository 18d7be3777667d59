"""A project function named CORS: calls to it are not flask-cors calls."""


def CORS(app, **options):  # noqa: N802
    return options


def cross_origin(**options):
    return lambda view: view
