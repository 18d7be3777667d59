import os


class Config:
    CORS_ORIGINS = os.environ.get("DIFF_FACTORY_ORIGINS", "https://factory.example.com").split(",")
    CORS_SUPPORTS_CREDENTIALS = False


class TestingConfig(Config):
    CORS_SUPPORTS_CREDENTIALS = True


config_by_name = {"default": Config, "testing": TestingConfig}
