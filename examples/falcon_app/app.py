"""A Falcon JSON API behind a cookie session, opened to browsers with Falcon's CORSMiddleware."""

import falcon


class Orders:
    def on_get(self, req, resp):
        resp.media = [{"id": 1, "total": 42}]


# allow_origins keeps its default ('*'); allow_credentials='*' turns it into an echo of every
# origin with credentials: any web page reads /orders as the logged-in user
cors = falcon.CORSMiddleware(allow_credentials="*", expose_headers=["X-Request-Id"])

app = falcon.App(middleware=[cors])
app.add_route("/orders", Orders())

# the admin API: two origins, one of them plain http, and Falcon never sends `Vary: Origin`
admin = falcon.App(
    middleware=[
        falcon.CORSMiddleware(
            allow_origins=["https://admin.example.com", "http://localhost:3000"],
            allow_credentials="*",
        )
    ]
)
admin.add_route("/orders", Orders())
