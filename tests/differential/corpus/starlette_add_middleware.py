from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

app = Starlette()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_methods=("GET", "POST"),
    allow_headers={"x-b", "x-a"},
    max_age=3600,
)
