"""Transitional: the hand-written adapter still imports from here (see corsproof.static.semantic)."""

from corsproof.static.semantic import UNKNOWN, Regex, Value, is_debug_expr
from corsproof.static.semantic import Evaluator as Resolver

__all__ = ["UNKNOWN", "Regex", "Resolver", "Value", "is_debug_expr"]
