"""Adapter module reserved for litestar_cors (issue 5); filled in by its own change."""
