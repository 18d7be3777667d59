ORIGINS = ("https://const.example.com", "https://const2.example.com")
HEADERS = ["Content-Type", "X-Token"]
MAX_AGE = 3_600
