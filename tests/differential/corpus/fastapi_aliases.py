"""FastAPI's re-export of the middleware under aliases; Middleware from fastapi.middleware."""

import fastapi
import fastapi.middleware.cors
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware as CM
from starlette.middleware.cors import CORSMiddleware

app = fastapi.FastAPI()
app.add_middleware(CM, allow_origins=["https://cm.example.com"])
app.add_middleware(
    fastapi.middleware.cors.CORSMiddleware, allow_origins=["https://dotted.example.com"]
)

api = fastapi.FastAPI(
    middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)]
)
