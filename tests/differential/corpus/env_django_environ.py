"""django-environ: scheme defaults, default=, list/bool/str/int, parse_default."""

import environ
from flask import Flask
from flask_cors import CORS

env = environ.Env(
    DEBUG=(bool, False),
    DIFF_ORIGINS=(list, ["https://scheme.example.com"]),
)
environ.Env.read_env()

DEBUG = env("DEBUG")
CORS_ALLOWED_ORIGINS = env.list("DIFF_CORS_ALLOWED_ORIGINS", default=["*"])
CORS_ALLOW_CREDENTIALS = env.bool("DIFF_CORS_CREDENTIALS", default=True)
CORS_ORIGIN = env.str("DIFF_CORS_ORIGIN", default="https://str.example.com")
CORS_MAX_AGE = env.int("DIFF_CORS_MAX_AGE", default=86400)
SCHEME_ORIGINS = env("DIFF_ORIGINS")
PARSED = env(
    "DIFF_PARSED",
    cast=list,
    default="https://p.example.com,https://q.example.com",
    parse_default=True,
)
UNPARSED = env.list("DIFF_UNPARSED", default="https://u.example.com,https://v.example.com")

app = Flask(__name__)
CORS(app, origins=CORS_ALLOWED_ORIGINS, supports_credentials=CORS_ALLOW_CREDENTIALS)
CORS(app, origins=SCHEME_ORIGINS, max_age=CORS_MAX_AGE)
CORS(app, origins=PARSED, send_wildcard=DEBUG)
CORS(app, origins=UNPARSED)
