from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

ORIGINS = [
    "http://localhost",
    "http://localhost:8080",
]

app = FastAPI(title="api")
app.add_middleware(
    CORSMiddleware,
    allow_origins=ORIGINS,
    allow_origin_regex=r"https://.*\.example\.org",
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
