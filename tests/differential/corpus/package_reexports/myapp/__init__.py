from .cors import setup_cors
from .settings import ORIGINS as ALLOWED

__all__ = ["ALLOWED", "setup_cors"]
