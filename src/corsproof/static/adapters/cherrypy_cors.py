"""Adapter module reserved for cherrypy_cors (issue 5); filled in by its own change."""
