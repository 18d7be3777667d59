"""Static analysis: walk, prefilter, parse, adapters, and the pipeline that joins them."""

from corsproof.static.engine import scan_paths

__all__ = ["scan_paths"]
