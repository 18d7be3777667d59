ORIGINS = ["https://local-import.example.com"]
