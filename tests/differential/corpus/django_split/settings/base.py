import os

DEBUG = True
SECRET_KEY = os.environ.get("DIFF_SECRET_KEY", "insecure")
ALLOWED_HOSTS = []

INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders"]
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOW_ALL_ORIGINS = DEBUG
CORS_ALLOWED_ORIGINS = ["http://localhost:3000"]
CORS_ALLOW_HEADERS = ["accept", "content-type"]
CORS_ALLOW_CREDENTIALS = True
