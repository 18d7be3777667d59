"""The Flask family: flask-cors, its fork sanic-cors, and quart-cors, one shared model.

Each library has its own registered adapter module (`flask_cors`, `sanic_cors`, `quart_cors`),
mostly a table (`Library`, and `Rules` for the two of the flask-cors model) of how it differs:

| library    | flask-cors               | sanic-cors                 | quart-cors                 |
|------------|--------------------------|----------------------------|----------------------------|
| calls      | `CORS(app)`, `CORS()`    | `CORS(app, ...)`,          | `cors(app, ...)`,          |
|            | `.init_app(app)`,        | `@cross_origin(app, ...)`  | `@route_cors(...)`         |
|            | `@cross_origin(...)`     | (the app comes first)      | (keyword-only options)     |
| options    | flask-cors's 12 and      | flask-cors's 12 (no        | `allow_origin`,            |
|            | `allow_private_network`  | private network)           | `allow_credentials`, ...   |
| config     | `CORS_*`: item writes,   | `CORS_*`: item and         | `QUART_CORS_*`, read on    |
|            | `update`, `from_mapping`,| attribute writes, `update`,| every request, as argument |
|            | `from_object`; read when | `update_config`, `load`;   | fallback (`False` defers   |
|            | `CORS(app)` runs         | a branch makes it unknown  | for credentials, wildcard) |
| regex      | `* \\ ] ? $ ^ [ ( )`     | `* \\ ] ?`; resource paths | never (strings are exact)  |
|            |                          | case-insensitive           |                            |
| `*`        | echoed, `Vary: Origin`   | echoed, `Vary` only for    | sent as a literal `*`      |
|            | needed                   | several origins or a regex |                            |
| None       | `origins=None`: no match | `origins=None`: fails      | falls back to the config   |
| decorator  | `decorators = [...]`     | above the route only       | above the route, or        |
|            | works too                |                            | applied to a view          |
| special    | star imports, `init_app` | no-op with sanic-ext       | `*` with credentials: 500  |

The shared parts: `_library` (the table's shape), `_syntax` (following names, decorators),
`_options` (settings, layers, merging), `_config` (`ConfigReader`: every config write of a module,
for all three), `_adapter` (`FlaskFamilyAdapter`: the flask-cors model flask-cors and sanic-cors
share; quart-cors's model is its own). The library modules are imported (registered) by
`corsproof.static.adapters`, not here.
"""

from corsproof.static.adapters.flask_family._syntax import follow, local_names

__all__ = ["follow", "local_names"]
