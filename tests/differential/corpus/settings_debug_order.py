"""Django-style settings in one module: a value copied from DEBUG keeps DEBUG's value at the
time of the copy; lists extended in place; later overrides."""

DEBUG = True
CORS_ALLOW_ALL_ORIGINS = DEBUG
DEBUG = False

CORS_ALLOWED_ORIGINS = ["https://a.example.com"]
CORS_ALLOWED_ORIGINS += ["https://b.example.com"]
CORS_ORIGIN_WHITELIST = tuple(CORS_ALLOWED_ORIGINS)
CORS_ALLOWED_ORIGINS.append("https://c.example.com")

CORS_ALLOW_CREDENTIALS = not DEBUG
CORS_ALLOW_HEADERS = (*("accept", "authorization"), "x-custom")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_PREFLIGHT_MAX_AGE = 60 * 60 * 24
CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://\w+\.example\.com$"]
CORS_ALLOWED_ORIGINS = CORS_ALLOWED_ORIGINS + ["https://d.example.com"]
ALLOWED_HOSTS = ["*"] if DEBUG else ["example.com"]
