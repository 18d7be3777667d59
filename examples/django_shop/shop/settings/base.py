"""Shared settings of the demo shop."""

import environ

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = ["shop.example.com"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "corsheaders",
    "shop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # below CommonMiddleware: its redirects carry no CORS
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "shop.urls"

# The storefront lives on its own domain and calls the API with the session cookie.
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://\w+\.example-shop\.com"]  # no `$`: re.match
CORS_EXPOSE_HEADERS = ["X-CSRFToken"]
