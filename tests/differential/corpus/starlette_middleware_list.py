"""Middleware(...) entries in the constructor's list, one per line and two on one line."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

ORIGINS = ["https://list.example.com"]

middleware = [
    Middleware(
        CORSMiddleware,
        allow_origins=ORIGINS,
        allow_credentials=True,
    )
]
app = Starlette(middleware=middleware)

PAIR = [Middleware(CORSMiddleware, allow_origins=["*"]), Middleware(CORSMiddleware, max_age=1)]
both = Starlette(middleware=PAIR)
