from starlette.middleware import Middleware

__all__ = ["Middleware"]
