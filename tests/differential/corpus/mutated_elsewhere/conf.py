ORIGINS = ["https://conf.example.com"]
CREDENTIALS = False
