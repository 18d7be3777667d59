"""A Flask API protected by an API key, opened to browsers with flask-cors."""

import os

from flask import Flask, abort, jsonify, request
from flask_cors import CORS, cross_origin

app = Flask(__name__)
app.config["CORS_SUPPORTS_CREDENTIALS"] = True

# every origin, echoed, with credentials: any web page reads /api as the logged-in user
CORS(app, resources={r"/api/*": {"origins": "*"}})


@app.before_request
def require_api_key():
    if request.headers.get("X-API-Key") != os.environ.get("API_KEY"):
        abort(401)


@app.get("/api/reports")
def reports():
    return jsonify([{"id": 1, "revenue": 1200}])


@app.get("/partners/feed")
@cross_origin(origins=r"https://.*\.partner\.example\.com")  # re.match: not anchored at the end
def partner_feed():
    return jsonify({"items": []})


@app.after_request
def legacy_headers(response):
    response.headers["Access-Control-Allow-Private-Network"] = "true"
    return response
