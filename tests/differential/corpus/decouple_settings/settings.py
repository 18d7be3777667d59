from decouple import Csv, config

DEBUG = config("DEBUG", default=False, cast=bool)
ALLOWED_ORIGINS = config(
    "ALLOWED_ORIGINS", default="https://d1.example.com,https://d2.example.com", cast=Csv()
)
ALLOW_CREDENTIALS = config("ALLOW_CREDENTIALS", default="true", cast=bool)
