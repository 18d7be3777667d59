"""A Sanic API with cookie sessions, opened to browsers with sanic-cors."""

from sanic import Sanic
from sanic.response import json
from sanic_cors import CORS

app = Sanic("shop_api")
app.config.CORS_SUPPORTS_CREDENTIALS = True

# no `origins` for /api: sanic-cors echoes every origin, and the config turned credentials on
CORS(
    app,
    resources={
        r"/api/*": {},
        r"/partners/*": {
            "origins": ["https://a.partner.example", "https://b.partner.example"],
            "vary_header": False,  # two origins, no Vary: Origin: caches mix their grants up
        },
    },
)


@app.get("/api/orders")
async def orders(request):
    return json([{"id": 1, "total": 42}])


@app.get("/partners/feed")
async def feed(request):
    return json({"items": []})
