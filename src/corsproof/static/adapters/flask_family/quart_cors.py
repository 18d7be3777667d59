"""quart-cors: `cors(app_or_blueprint, ...)` and `@route_cors(...)`.

Modelled from quart-cors 0.8.0 on Quart 0.22 (see tests/semantics/test_quart_cors.py):
- the options are keyword-only: an unknown keyword or a positional option raises `TypeError` when
  the call runs (the module does not import: nothing to report);
- every option falls back to `current_app.config["QUART_CORS_<OPTION>"]`, read on every request
  (`route_cors`: on its first), so config written anywhere applies, to a blueprint's routes too;
  `allow_credentials` and `send_origin_wildcard` are `argument or config`: `False` as an argument
  defers to the config;
- `allow_origin` defaults to `["*"]`; `"*"` in it allows every origin, sent as a literal `*` (an
  echo with `Vary: Origin` only when the *config* sets `QUART_CORS_SEND_ORIGIN_WILDCARD = False`);
- `"*"` with truthy credentials raises `ValueError` on every request: every response is a 500
  without CORS headers (broken, not open: nothing to report); `re.compile(".*")` passes that check
  and echoes every origin, `null` too, with credentials;
- strings compare exactly and case-sensitively (never as a regex: `"https://*.example.com"` is a
  literal); `re.compile(...)` patterns are applied with `.match` (not end-anchored) with their own
  flags; a *string* config value is a set of characters: only a `*` among them matters (allow all);
- `Access-Control-Allow-Credentials: true` is sent for `True` itself only;
- `"*"` in `allow_methods` grants every method, in `allow_headers` every requested header (so
  does the default `["*"]`: only an explicit `*` is reported); no private-network support;
  `Vary: Origin` on every answer but a literal `*` (CORS202 never applies);
- `@route_cors(...)` above the route decorator has no effect; `websocket_cors` sends no CORS headers
  (not modelled).

The config reader (`ConfigReader`, in `_config`) is shared with flask-cors and sanic-cors.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from corsproof.policy import CorsPolicy, Fallback, OriginCheck
from corsproof.static._module import Module
from corsproof.static.adapters._base import Adapter, fallback_of, note_unresolved, register_adapter
from corsproof.static.adapters.flask_family._config import ConfigReader
from corsproof.static.adapters.flask_family._library import ConfigSpelling, Library
from corsproof.static.adapters.flask_family._options import Setting, elements, raw, valid_regex
from corsproof.static.adapters.flask_family._syntax import serves_view
from corsproof.static.semantic import DottedNames, Evaluator, Regex, Value, branch_condition

OPTIONS = (
    "allow_credentials",
    "allow_headers",
    "allow_methods",
    "allow_origin",
    "expose_headers",
    "max_age",
    "send_origin_wildcard",
)
LIBRARY = Library(
    framework="quart-cors",
    package="quart_cors",
    prefilter=re.compile(rb"quart_cors"),
    extension=("quart_cors.cors",),
    decorator=("quart_cors.route_cors",),
    options=OPTIONS,
    config=ConfigSpelling(prefix="QUART_CORS_"),
)
ROUTE_ONLY = ("provide_automatic_options",)  # an option of `route_cors` only
# `argument or config`: `False` as an argument defers to the config
OR_CONFIG = ("allow_credentials", "send_origin_wildcard")
CONFIG_KEYS = LIBRARY.config_keys
_CALLED = DottedNames((*LIBRARY.extension, *LIBRARY.decorator))  # what the analysis starts from


# ------------------------------------------------------------------------------ the adapter

# an option's effective value: a Setting, DEFAULT (the library default) or None (unknowable)
DEFAULT: Any = object()
Option = Setting | None | Any


@register_adapter
class QuartCors(Adapter):
    name = LIBRARY.framework
    prefilter = LIBRARY.prefilter

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterator[CorsPolicy]:
        self.module, self.evaluator = module, evaluator
        self.config: ConfigReader | None = None
        for node, qual in module.calls_to(_CALLED):
            if qual in LIBRARY.extension:
                if len(node.args) + any(k.arg == "app_or_blueprint" for k in node.keywords) != 1:
                    continue  # options are keyword-only: anything else raises TypeError
                if any(isinstance(a, ast.Starred) for a in node.args):
                    continue
                policy = self._policy(node, (*OPTIONS, "app_or_blueprint"))
            elif qual in LIBRARY.decorator:
                # positional arguments raise; above the route, or never decorating a view (not
                # applied to one): no effect
                if node.args or not serves_view(module, node, LIBRARY.route_decorators):
                    continue
                policy = self._policy(node, OPTIONS + ROUTE_ONLY)
            else:
                continue
            if policy is not None:
                yield policy

    # -- options --------------------------------------------------------------------------------
    def _arguments(
        self, call: ast.Call, allowed: tuple[str, ...]
    ) -> dict[str, Setting | None] | None:
        """The options passed to the call (None as a value: unknowable); None when the call raises."""
        found: dict[str, Setting | None] = {}
        for kw in call.keywords:
            if kw.arg is None:
                spread = self.evaluator.resolve(kw.value)
                if not isinstance(spread.value, dict):
                    # may hold any option but those passed by name (a duplicate is a TypeError)
                    named = {k.arg for k in call.keywords if k.arg is not None}
                    found.update({name: None for name in allowed if name not in named})
                    continue
                for name, item in spread.value.items():
                    if name not in allowed:
                        return None
                    found[name] = Setting(
                        Value(item, spread.env, spread.debug), kw.value, self.module
                    )
            elif kw.arg not in allowed:
                return None  # TypeError: unexpected keyword argument
            else:
                found[kw.arg] = Setting(self.evaluator.resolve(kw.value), kw.value, self.module)
        return found

    def _config(self, name: str) -> Option:
        """The value `app.config["QUART_CORS_<NAME>"]` has when requests arrive."""
        if self.config is None:
            self.config = ConfigReader(self.module, self.evaluator, CONFIG_KEYS, LIBRARY.config)
        key = LIBRARY.config_key(name)
        writes = [w for w in self.config.writes if w.key in (key, None)]
        if not writes:
            return DEFAULT
        if any(w.key is None or w.setting is None or w.conditional for w in writes):
            return None
        values = {repr(w.setting.value.value) for w in writes if w.setting is not None}
        last = writes[-1].setting
        if len(values) != 1 or last is None or not last.value.known:
            return None
        return last

    def _option(self, arguments: dict[str, Setting | None], name: str) -> Option:
        """The effective option: the argument, else (when it is None, or falsy for the two
        `argument or config` options) the config."""
        if name not in arguments:
            return self._config(name)
        setting = arguments[name]
        if setting is None or not setting.value.known:
            return None
        value = setting.value.value
        if value is None or (name in OR_CONFIG and not value):
            return self._config(name)
        return setting

    # -- the policy -----------------------------------------------------------------------------
    def _policy(self, call: ast.Call, allowed: tuple[str, ...]) -> CorsPolicy | None:
        module = self.module
        arguments = self._arguments(call, allowed)
        if arguments is None:
            return None
        policy = CorsPolicy(framework=LIBRARY.framework, loc=module.loc(call))
        credentials = self._option(arguments, "allow_credentials")
        truthy = False if credentials is DEFAULT else _truth(credentials)
        if isinstance(credentials, Setting) and credentials.value.value is True:
            policy.credentials = credentials.module.loc(credentials.node)
        origins = self._origins(self._option(arguments, "allow_origin"), call, policy)
        if origins is None:
            return None  # broken: the configuration raises on every request
        if policy.any_origin is not None:
            if truthy is True:
                return None  # "*" with credentials: every response is a 500
            wildcard = self._option(arguments, "send_origin_wildcard")
            # a literal `*` unless the config turns the wildcard off (credentials cannot be on here)
            policy.any_echo = False if wildcard is DEFAULT else _truth(wildcard) is False
            policy.echo_with_credentials = False
        else:
            policy.any_echo = True  # an origin a check accepts is echoed (with credentials)
        if policy.fallback is None:
            cond = branch_condition(module, call)
            if cond:
                policy.fallback = Fallback("debug", cond, module.loc(call))
        for name, attr in (("allow_methods", "any_method"), ("allow_headers", "any_header")):
            option = self._option(arguments, name)
            if isinstance(option, Setting) and "*" in _header_items(module, option, call):
                setattr(policy, attr, option.module.loc(option.node))
        expose = self._option(arguments, "expose_headers")
        if isinstance(expose, Setting):
            items = _header_items(module, expose, call)
            policy.expose_headers = tuple(h for h in items if h)
            policy.expose_loc = expose.module.loc(expose.node)
        return policy

    def _origins(self, option: Option, call: ast.Call, policy: CorsPolicy) -> bool | None:
        """Fill in the policy's origins; None when the value makes every request fail."""
        module = self.module
        if option is None:
            return True  # unknowable: no origin finding
        if option is DEFAULT:  # ["*"]
            policy.any_origin = module.loc(call)
            return True
        assert isinstance(option, Setting)
        value, owner = option.value, option.module
        policy.fallback = fallback_of(owner, value, option.node)
        note_unresolved(policy, owner, option.node, value, "allow_origin")
        from_config = not _in_call(module, option, call)
        if isinstance(value.value, Regex) and from_config:
            return None  # set(<pattern>) raises TypeError
        if isinstance(value.value, str) and from_config:
            # the config value is used as an iterable: a set of characters
            if "*" in value.value:
                policy.any_origin = owner.loc(option.node)
            return True
        if not isinstance(value.value, (str, Regex, list, tuple, set, frozenset)):
            return True
        for item, node in elements(option):
            loc = owner.loc(node)
            if item == "*":
                policy.any_origin = policy.any_origin or loc
            elif isinstance(item, str):
                policy.checks.append(
                    OriginCheck("exact", item, loc=loc, describe=f"allow_origin entry {item!r}")
                )
            elif isinstance(item, Regex):
                if not valid_regex(item.pattern, item.flags):
                    return None
                policy.checks.append(
                    OriginCheck(
                        "match",
                        item.pattern,
                        flags=item.flags,
                        loc=loc,
                        describe=f"allow_origin re.compile({raw(item.pattern)}) (.match)",
                    )
                )
        return True


def _in_call(module: Module, setting: Setting, call: ast.Call) -> bool:
    """Whether the setting was written in the call (an argument) rather than in the config."""
    if setting.module is not module:
        return False
    node: ast.AST | None = setting.node
    while node is not None:
        if node is call:
            return True
        node = module.parents.get(node)
    return False


def _truth(option: Option) -> bool | None:
    if not isinstance(option, Setting) or not option.value.known:
        return None
    return bool(option.value.value)


def _header_items(module: Module, option: Setting, call: ast.Call) -> list[str]:
    """The entries of a header/method option as quart-cors builds its HeaderSet: an argument
    string is one entry, a config string is iterated character by character."""
    value = option.value.value
    if isinstance(value, str):
        return [value] if _in_call(module, option, call) else list(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [v for v in value if isinstance(v, str)]
    return []
