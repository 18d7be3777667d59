"""A Litestar API for the example.com front ends, with a cookie session."""

from litestar import Litestar, get
from litestar.config.cors import CORSConfig


@get("/me")
async def me() -> dict[str, str]:
    return {"email": "user@example.com"}


cors_config = CORSConfig(
    # meant for app.example.com / app.example.org: each `*` becomes `.*`, so
    # https://app.example.com.attacker.net passes too, with credentials
    allow_origins=["https://app.example.*"],
    allow_credentials=True,
    allow_methods=["GET", "POST"],
    allow_headers=["*"],
)

app = Litestar([me], cors_config=cors_config)
