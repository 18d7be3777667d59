import environ

env = environ.Env(
    DEBUG=(bool, True),
    CORS_ALLOWED_ORIGINS=(list, ["http://localhost:8000"]),
)

DEBUG = env("DEBUG")
CORS_ALLOWED_ORIGINS = env("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_ALL_ORIGINS = env.bool("DJANGO_CORS_ALLOW_ALL", default=DEBUG)
