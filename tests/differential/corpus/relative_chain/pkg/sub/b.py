from .. import a
from ..a import ORIGINS

__all__ = ["ALL_ORIGINS", "HEADER"]

ALL_ORIGINS = ORIGINS + [f"https://b{a.SUFFIX}.example.com"]
HEADER = "X-Chain" + a.SUFFIX
