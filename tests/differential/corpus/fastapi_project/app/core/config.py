"""As in the full-stack FastAPI template: a settings class, CORS origins derived from it."""

from pydantic_settings import BaseSettings, SettingsConfigDict


def parse_cors(value):
    if isinstance(value, str) and not value.startswith("["):
        return [item.strip() for item in value.split(",")]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    API_V1_STR: str = "/api/v1"
    FRONTEND_HOST: str = "http://localhost:5173"
    BACKEND_CORS_ORIGINS: list[str] = ["http://localhost", "https://localhost/"]

    @property
    def all_cors_origins(self) -> list[str]:
        return [origin.rstrip("/") for origin in self.BACKEND_CORS_ORIGINS] + [self.FRONTEND_HOST]


settings = Settings()
