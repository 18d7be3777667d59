"""@dataclass defaults read through instances (and one overridden at construction)."""

from dataclasses import dataclass, field

from flask import Flask
from flask_cors import CORS


@dataclass
class CorsSettings:
    origins: tuple = ("https://dc.example.com",)
    credentials: bool = True
    headers: list = field(default_factory=lambda: ["Content-Type", "Authorization"])
    max_age: int = field(default=120)


@dataclass(frozen=True)
class Frozen:
    origins: str = "https://frozen.example.com"


settings = CorsSettings()
app = Flask(__name__)
CORS(
    app,
    origins=settings.origins,
    supports_credentials=settings.credentials,
    allow_headers=settings.headers,
    max_age=settings.max_age,
)

strict = CorsSettings(credentials=False)
CORS(app, supports_credentials=strict.credentials, origins=Frozen().origins)
