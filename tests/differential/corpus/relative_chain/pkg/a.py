ORIGINS = ["https://a.example.com"]
SUFFIX = "-v2"
