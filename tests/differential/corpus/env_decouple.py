"""python-decouple: config() applies cast to the default too."""

from decouple import Choices, Csv, config
from flask import Flask
from flask_cors import CORS

CORS_ALLOWED_ORIGINS = config("DIFF_CORS_ALLOWED_ORIGINS", default="*", cast=Csv())
CORS_TWO = config(
    "DIFF_CORS_TWO", default="https://a.example.com, https://b.example.com", cast=Csv()
)
CORS_TUPLE = config("DIFF_CORS_TUPLE", default="x,y", cast=Csv(post_process=tuple))
CORS_ALLOW_CREDENTIALS = config("DIFF_CORS_CREDS", default=False, cast=bool)
CORS_ON = config("DIFF_CORS_ON", default="on", cast=bool)
CORS_MAX_AGE = config("DIFF_CORS_MAX_AGE", default="600", cast=int)
CORS_PLAIN = config("DIFF_CORS_PLAIN", default="https://plain.example.com")
CORS_MODE = config("DIFF_CORS_MODE", default="strict", cast=Choices(["strict", "open"]))

app = Flask(__name__)
CORS(app, origins=CORS_ALLOWED_ORIGINS, supports_credentials=CORS_ALLOW_CREDENTIALS)
CORS(app, origins=CORS_TWO, max_age=CORS_MAX_AGE)
CORS(app, origins=config("DIFF_INLINE", default="https://inline.example.com"))
CORS(app, origins=CORS_PLAIN, vary_header=CORS_ON)
