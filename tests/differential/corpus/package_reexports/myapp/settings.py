ORIGINS = ["https://pkg.example.com"]
CREDENTIALS = False
