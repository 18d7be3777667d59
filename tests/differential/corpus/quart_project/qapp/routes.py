import quart_cors

PUBLIC = "*"


def register(app):
    @app.route("/public")
    @quart_cors.route_cors(allow_origin=PUBLIC, allow_methods=["GET"])
    async def public():
        return "public"

    return public
