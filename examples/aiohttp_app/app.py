"""An aiohttp API with cookie sessions, opened to browsers with aiohttp-cors (its README's setup)."""

import aiohttp_cors
from aiohttp import web


async def profile(request):
    return web.json_response({"email": "user@example.com"}, headers={"X-Session-Token": "t"})


app = web.Application()
app.router.add_get("/api/profile", profile)

# "*" never sends a literal `*` in aiohttp-cors: every origin is echoed, here with credentials,
# and expose_headers="*" lets the page read every response header (X-Session-Token too)
cors = aiohttp_cors.setup(
    app,
    defaults={
        "*": aiohttp_cors.ResourceOptions(
            allow_credentials=True,
            expose_headers="*",
            allow_headers="*",
        )
    },
)
for route in list(app.router.routes()):
    cors.add(route)

if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1")
