import quart_cors as qc
from quart import Quart
from quart_cors import cors, route_cors

app = Quart(__name__)
app = cors(app, allow_origin=["https://quart.example.com"], allow_credentials=True)

other = qc.cors(Quart(__name__), allow_origin="*", max_age=300)


@app.route("/open")
@route_cors(allow_origin="*", allow_methods=["GET"])
async def open_route():
    return "open"


@app.route("/alias")
@qc.route_cors(allow_origin=("https://a.example.com", "https://b.example.com"))
async def alias_route():
    return "alias"
