"""Stub python-dotenv: loads nothing."""

from __future__ import annotations

from typing import Any


def load_dotenv(*args: Any, **kwargs: Any) -> bool:
    return False


def find_dotenv(*args: Any, **kwargs: Any) -> str:
    return ""


__all__ = ["find_dotenv", "load_dotenv"]
