from pkg.sub import ALL_ORIGINS, HEADER
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

app = Starlette()
app.add_middleware(CORSMiddleware, allow_origins=ALL_ORIGINS, expose_headers=[HEADER])
