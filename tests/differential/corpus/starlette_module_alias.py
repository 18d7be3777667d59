"""The middleware class reached through module aliases."""

import starlette.middleware.cors
import starlette.middleware.cors as m
from starlette.applications import Starlette

app = Starlette()
app.add_middleware(m.CORSMiddleware, allow_origins=["https://m.example.com"])

other = Starlette()
other.add_middleware(
    starlette.middleware.cors.CORSMiddleware,
    allow_origins=["https://full.example.com"],
    allow_credentials=True,
)
