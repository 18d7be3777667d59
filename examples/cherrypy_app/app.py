"""A CherryPy account service using cherrypy-cors."""

import cherrypy
import cherrypy_cors

cherrypy_cors.install()


class Account:
    @cherrypy.expose
    @cherrypy.tools.json_out()
    def index(self):
        return {"email": "user@example.com"}

    @cherrypy.expose
    def avatar(self):
        # a list is sent as "['X-Request-Id']": browsers expose nothing (not a finding)
        cherrypy_cors.expose(origins=["https://app.example.com"], expose_headers=["X-Request-Id"])
        return b""


config = {
    # no `cors.expose.origins`: every origin is echoed, with credentials
    "/": {"cors.expose.on": True, "cors.expose.allow_credentials": True},
}

if __name__ == "__main__":
    cherrypy.quickstart(Account(), "/", config)
