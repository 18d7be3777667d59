"""A Quart API behind a session cookie, opened to browsers with quart-cors."""

import re

from quart import Quart, jsonify, session
from quart_cors import cors, route_cors

app = Quart(__name__)
app.secret_key = "change-me"

# a compiled pattern is applied with .match: https://app.example.com.attacker.net passes too,
# and with credentials it reads /api/me as the logged-in user
app = cors(
    app,
    allow_origin=[re.compile(r"https://(app|admin)\.example\.com")],
    allow_credentials=True,
)


@app.get("/api/me")
async def me():
    return jsonify({"user": session.get("user")})


# route_cors() with no allow_origin answers every origin with a literal `*`
@app.get("/status")
@route_cors()
async def status():
    return jsonify({"ok": True})
