"""Values reached through nested dicts and lists, .get with defaults, setdefault."""

from flask import Flask
from flask_cors import CORS

CONFIG = {
    "cors": {"origins": ["https://nested.example.com"], "credentials": True},
    "hosts": ["x.example.com", "y.example.com"],
}
CONFIG["cors"]["origins"].append("https://added.example.com")
CONFIG.setdefault("extra", {"max_age": 90})

app = Flask(__name__)
CORS(app, origins=CONFIG["cors"]["origins"], supports_credentials=CONFIG["cors"]["credentials"])
CORS(app, origins=CONFIG.get("missing", "https://get-default.example.com"))
CORS(app, origins=[f"https://{h}" for h in CONFIG["hosts"]][-1], max_age=CONFIG["extra"]["max_age"])
CORS(app, resources={r"/api/*": CONFIG["cors"]}, origins=list(CONFIG["cors"]))
