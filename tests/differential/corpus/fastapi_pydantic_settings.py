"""Settings from a pydantic-settings class: defaults, read through an instance."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")

    cors_origins: list[str] = ["https://settings.example.com"]
    cors_credentials: bool = False
    cors_methods: list[str] = Field(default_factory=lambda: ["GET", "OPTIONS"])
    cors_max_age: int = Field(600)


settings = Settings()
app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.cors_origins,
    allow_credentials=settings.cors_credentials,
    allow_methods=settings.cors_methods,
    max_age=settings.cors_max_age,
)
