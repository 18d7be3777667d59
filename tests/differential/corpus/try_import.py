"""Optional imports: try/except ImportError, a TYPE_CHECKING import, a guarded call."""

from typing import TYPE_CHECKING

from flask import Flask

try:
    from flask_cors import CORS
except ImportError:  # pragma: no cover - the stub is there
    CORS = None

try:
    from not_installed_anywhere import CORS as Missing
except ImportError:
    Missing = None

if TYPE_CHECKING:
    from lookalike import CORSMiddleware  # noqa: F401

app = Flask(__name__)
if CORS is not None:
    CORS(app, origins=["https://optional.example.com"])
if Missing is not None:
    Missing(app, origins="*")
