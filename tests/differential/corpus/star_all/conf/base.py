__all__ = ["ORIGINS", "CREDENTIALS"]

ORIGINS = ["https://exported.example.com"]
CREDENTIALS = True
NOT_EXPORTED = "*"
_PRIVATE = "*"
