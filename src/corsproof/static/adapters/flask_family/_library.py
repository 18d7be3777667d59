"""The shape of the table each library of the Flask family fills in: `Library` (names, options,
how its config keys are spelled and read) and, for flask-cors and its fork sanic-cors, `Rules`
(how the shared flask-cors model treats their options)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Flask's (and Quart's) Config: loaders whose content cannot be read statically
LOADERS = ("from_pyfile", "from_envvar", "from_prefixed_env", "from_file")
# route decorators (Quart, Sanic): applied before a CORS decorator, they register the bare view
ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "delete", "patch", "head", "options", "websocket"}
)
# the options of flask-cors that its fork sanic-cors kept (flask-cors added private network)
CORS_OPTIONS = frozenset(
    {
        "origins",
        "methods",
        "allow_headers",
        "expose_headers",
        "supports_credentials",
        "max_age",
        "send_wildcard",
        "automatic_options",
        "vary_header",
        "resources",
        "intercept_exceptions",
        "always_send",
    }
)


@dataclass(frozen=True)
class ConfigSpelling:
    """How a library's app config is written and read (`<app>.config`)."""

    prefix: str = "CORS_"  # a key is the prefix and the option's name in capitals
    attributes: bool = False  # `app.config.KEY = v` writes a key too (Sanic's Config)
    mapping_methods: tuple[str, ...] = ("update", "from_mapping")  # take a dict and keywords
    object_methods: tuple[str, ...] = ("from_object",)  # read a class's or module's attributes
    loaders: tuple[str, ...] = LOADERS  # may set any key
    object_mappings: bool = True  # `from_object(<a dict>)` reads the dict's keys
    # `update(app.config["OTHER"])` reads what that key holds
    through_config_reads: bool = False
    # a None keyword argument or class attribute leaves the key as an earlier one set it
    # (flask-cors's model); otherwise None is a value (the library then skips it)
    none_keeps_earlier: bool = False


@dataclass(frozen=True)
class Library:
    """One library of the family: what the rule output calls it and what its code is called."""

    framework: str  # the name findings carry
    package: str  # what its code imports
    prefilter: re.Pattern[bytes]  # a file is analysed only when its bytes match
    extension: tuple[str, ...]  # the dotted names of the app-wide call (`CORS`, `cors`)
    decorator: tuple[str, ...]  # the dotted names of the per-view decorator
    options: tuple[str, ...] | frozenset[str]  # the option names it knows
    config: ConfigSpelling = field(default_factory=ConfigSpelling)
    # decorators that register a view: a CORS decorator above one has no effect
    route_decorators: frozenset[str] = ROUTE_DECORATORS

    def config_key(self, option: str) -> str:
        return f"{self.config.prefix}{option.upper()}"

    @property
    def config_keys(self) -> dict[str, str]:
        """Config key -> option name."""
        return {self.config_key(name): name for name in self.options}


@dataclass(frozen=True)
class Rules:
    """How a library of the flask-cors model (flask-cors, sanic-cors) treats its options."""

    # characters that make the library treat an origin or resource string as a regex
    regex_hint: frozenset[str]
    # flags a resource path pattern is compiled with (an invalid one breaks the app)
    path_flags: int
    # `origins=None`: True when it fails every request, False when it matches nothing
    none_origins_fail: bool
    # every origin with credentials and an unknown `send_wildcard`: True when the policy is the
    # echo, False when it may be either (the combination that fails is not the deployed one)
    unknown_wildcard_echoes: bool
    # whether `vary_header=False` matters when every origin is echoed (not only for several
    # origins or a regex)
    echo_all_varies: bool
    # a decorator call that is neither above a view nor applied to one (`decorators = [...]`):
    # True when it still serves the view it ends up on, unless it was given positional arguments
    listed_decorator_works: bool
