"""Adapter module reserved for quart_cors (issue 5); filled in by its own change."""
