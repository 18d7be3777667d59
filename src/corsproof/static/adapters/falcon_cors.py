"""Adapter module reserved for falcon_cors (issue 5); filled in by its own change."""
