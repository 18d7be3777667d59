"""An internal FastAPI service behind mTLS, with a permissive CORS configuration."""

import os

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()

app.add_middleware(
    CORSMiddleware,
    allow_origins=os.getenv("CORS_ORIGINS", "*").split(","),
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=r"https://console.example.com",  # unescaped dots
    expose_headers=["Authorization"],
)


@app.middleware("http")
async def client_certificate(request: Request, call_next):
    if "x-ssl-client-verify" not in request.headers:
        from fastapi.responses import JSONResponse

        return JSONResponse({"error": "client certificate required"}, status_code=401)
    return await call_next(request)


@app.get("/internal/metrics")
async def metrics() -> dict[str, int]:
    return {"queue_depth": 3}


@app.get("/public/status")
async def status(request: Request):
    from fastapi.responses import JSONResponse

    origin = request.headers.get("origin", "*")
    return JSONResponse({"ok": True}, headers={"Access-Control-Allow-Origin": origin})
