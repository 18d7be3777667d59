"""Stub Starlette (applications, middleware, middleware.cors)."""
