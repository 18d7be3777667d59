import constants
from constants import HEADERS as H
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

app = Starlette()
app.add_middleware(
    CORSMiddleware,
    allow_origins=list(constants.ORIGINS),
    allow_headers=H,
    max_age=constants.MAX_AGE,
)
