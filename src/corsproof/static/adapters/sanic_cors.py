"""Adapter module reserved for sanic_cors (issue 5); filled in by its own change."""
