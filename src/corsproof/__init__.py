"""corsproof: find overly permissive CORS policies in Python web applications."""

from corsproof._version import __version__
from corsproof.findings import Finding, Location, ScanResult
from corsproof.static import scan_paths

__all__ = ["Finding", "Location", "ScanResult", "__version__", "scan_paths"]
