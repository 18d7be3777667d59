"""Adapter module reserved for aiohttp_cors (issue 5); filled in by its own change."""
