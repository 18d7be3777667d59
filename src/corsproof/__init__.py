"""corsproof: find overly permissive CORS policies in Python web applications."""

# Nothing but the version is imported with the package: `python -m corsproof` imports it before
# its `__main__` takes the current directory (the scanned project) off `sys.path`, so a project's
# own `pathspec.py` or `typing.py` must not be reachable from here. The rest loads on first use.
from corsproof._version import __version__

__all__ = ["Finding", "Location", "ScanResult", "__version__", "scan_paths"]


def __getattr__(name: str) -> object:
    if name == "scan_paths":
        from corsproof.static import scan_paths

        return scan_paths
    if name in ("Finding", "Location", "ScanResult"):
        from corsproof import findings

        return getattr(findings, name)
    raise AttributeError(f"module 'corsproof' has no attribute {name!r}")
