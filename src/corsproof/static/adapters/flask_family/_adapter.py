"""`FlaskFamilyAdapter`: what the flask-cors and sanic-cors adapters share. Keyword and dict
options, layers merged last-wins, the config an app has when `CORS(app)` runs, `resources={...}`
and the policy of one set of resolved options. A subclass names its library's table (`library`,
`rules`), finds the calls and reads its library's config writes."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Protocol

from corsproof.findings import Location
from corsproof.policy import CorsPolicy, Fallback, OriginCheck, OriginVaries
from corsproof.static._module import Module
from corsproof.static.adapters._base import Adapter, fallback_of, note_unresolved
from corsproof.static.adapters.flask_family._config import config_read, mapping_entries
from corsproof.static.adapters.flask_family._library import Library, Rules
from corsproof.static.adapters.flask_family._options import (
    ALLOW_ALL,
    Layer,
    Merged,
    Setting,
    elements,
    layer_of,
    merge,
    raw,
    strings,
    truthy,
    valid_regex,
)
from corsproof.static.adapters.flask_family._syntax import follow, local_names
from corsproof.static.semantic import UNKNOWN, Evaluator, Regex, Value, branch_condition, unknown


class Write(Protocol):
    """A config write as `_app_config` orders and scopes it."""

    @property
    def owner(self) -> str: ...  # the text of the object whose `.config` is written

    @property
    def stmt(self) -> ast.AST: ...  # where it happens in the scanned module


class FlaskFamilyAdapter(Adapter):
    """flask-cors and sanic-cors: what they share. Subclasses name their library's table, set
    `self.module`/`self.evaluator` in `analyse`, find the calls and their option layers."""

    library: ClassVar[Library]  # names, options and config spelling
    rules: ClassVar[Rules]  # how the library treats its options

    module: Module
    evaluator: Evaluator

    @property
    def options(self) -> tuple[str, ...] | frozenset[str]:
        return self.library.options

    def probably_regex(self, text: str) -> bool:
        return not self.rules.regex_hint.isdisjoint(text)

    def _resolver_of(self, module: Module) -> Evaluator:
        return self.evaluator if module is self.module else Evaluator(module)

    # -- option layers --------------------------------------------------------------------------
    def _call_layer(self, call: ast.Call, module: Module, evaluator: Evaluator) -> Layer:
        """The options passed to a call by keyword."""
        layer = Layer()
        for kw in call.keywords:
            if kw.arg is None:
                spread = self._mapping(kw.value, module, evaluator, {n: n for n in self.options})
                # an unknown `**spread` may hold any option but those passed by name (a duplicate
                # keyword is a TypeError), which the merge keeps known
                layer.everything |= spread.everything
                layer.settings.update(spread.settings)
            elif kw.arg in self.options:
                read = config_read(kw.value, module, evaluator)  # `origins=app.config["X"]`
                layer.settings[kw.arg] = read or Setting(
                    evaluator.resolve(kw.value), kw.value, module
                )
        return layer

    def _mapping(
        self, node: ast.AST, module: Module, evaluator: Evaluator, names: dict[str, str]
    ) -> Layer:
        """A dict of options (`names` maps its keys to option names; other keys are ignored),
        read from the config too (`CORS(app, **app.config["CORS_OPTIONS"])`)."""
        entries = mapping_entries(node, module, evaluator, names, through_config_reads=True)
        return layer_of(entries, names, none_skipped=False)

    # -- app.config -----------------------------------------------------------------------------
    def _writes(self) -> Iterable[Write]:
        """The module's config writes, in source order."""
        raise NotImplementedError

    def _write_layer(self, write: Any, sure: bool) -> Layer:
        """The options one config write sets; `sure=False`: it may or may not run first."""
        raise NotImplementedError

    def _is_blueprint(self, app: ast.AST) -> bool:
        node, owner, _ = follow(app, self.module, self.evaluator)
        return isinstance(node, ast.Call) and owner.qualname(node.func).endswith("Blueprint")

    def _app_config(self, call: ast.Call, app: ast.AST) -> list[Layer]:
        """The config layers `CORS(app)` reads: writes to `app.config` that run before it. Writes
        that may or may not run first make their keys unknowable."""
        module = self.module
        if self._is_blueprint(app):
            return []  # a Blueprint has no config
        owner = module.text(app)
        head = owner.split(".")[0]
        scope = module.function_of(call)
        layers: list[Layer] = []
        for write in self._writes():
            if write.owner != owner:
                continue
            where = module.function_of(write.stmt)
            line = getattr(write.stmt, "lineno", 0)
            if where is scope:
                if line < call.lineno:
                    layers.append(self._write_layer(write, True))
                continue
            # different scopes write the same object only when neither binds the name locally
            if any(f is not None and head in local_names(module, f) for f in (scope, where)):
                continue
            # module code above the function runs before it
            sure = where is None and scope is not None and line < scope.lineno
            layers.append(self._write_layer(write, sure))
        return layers

    # -- policies -------------------------------------------------------------------------------
    def _policies(
        self, call: ast.Call, layers: list[Layer], resources: bool = True
    ) -> Iterator[CorsPolicy]:
        merged = merge(layers, self.options)
        if not resources or "resources" not in merged:
            policy = self._policy(call, merged, self.module, call)
            if policy is not None:
                yield policy
            return
        setting = merged["resources"]
        if setting is None or not setting.value.known:
            # per-resource options could override anything: nothing is claimed, and that is said
            unknown_policy = CorsPolicy(framework=self.name, loc=self.module.loc(call))
            reason = (
                setting.value.reason
                if setting is not None and setting.value.reason
                else "set by something the analysis cannot read (a config loader such as "
                "from_prefixed_env/from_pyfile/from_envvar, or an unknown ** mapping)"
            )
            note_unresolved(
                unknown_policy,
                setting.module if setting is not None else self.module,
                setting.node if setting is not None else call,
                unknown(reason),
                "every CORS option",
            )
            yield unknown_policy
            return
        spec = setting.value.value
        if isinstance(spec, dict):
            node, module, evaluator = follow(
                setting.node, setting.module, self._resolver_of(setting.module)
            )
            # (path pattern, where a default it causes is reported, that node's module, options)
            entries: list[tuple[object, ast.AST, Module, Layer]] = []
            if isinstance(node, ast.Dict) and all(k is not None for k in node.keys):
                for key, value in zip(node.keys, node.values, strict=False):
                    pattern = evaluator.resolve(key).value if key is not None else UNKNOWN
                    options = self._mapping(value, module, evaluator, {n: n for n in self.options})
                    entries.append((pattern, value, module, options))
            else:
                for pattern, options in spec.items():
                    layer = Layer(everything=True)
                    if isinstance(options, dict):
                        layer = Layer(
                            {
                                name: Setting(Value(v), setting.node, setting.module)
                                for name, v in options.items()
                                if name in self.options
                            }
                        )
                    entries.append((pattern, setting.node, setting.module, layer))
            if not all(self._valid_path(entry[0]) for entry in entries):
                return  # an invalid resource pattern breaks the app
            for _pattern, anchor, anchor_module, layer in entries:
                resource = merge([Layer(dict(merged)), layer], self.options)
                policy = self._policy(call, resource, anchor_module, anchor)
                if policy is not None:
                    yield policy
            return
        patterns = [spec] if isinstance(spec, (str, Regex)) else spec
        if not isinstance(patterns, (list, tuple)) or not all(
            self._valid_path(p) for p in patterns
        ):
            return
        policy = self._policy(call, merged, self.module, call)
        if policy is not None:
            yield policy

    def _valid_path(self, pattern: object) -> bool:
        if not isinstance(pattern, str) or pattern == "*" or not self.probably_regex(pattern):
            return True  # a compiled pattern, or unknown: assume it works
        return valid_regex(pattern, self.rules.path_flags)

    def _policy(
        self, call: ast.Call, merged: Merged, default_module: Module, default_node: ast.AST
    ) -> CorsPolicy | None:
        """The effective policy of one set of merged options; None when the library refuses it."""
        module = self.module
        policy = CorsPolicy(framework=self.name, loc=module.loc(call))
        credentials = truthy(merged, "supports_credentials")
        send_wildcard = truthy(merged, "send_wildcard")
        origins = self._origins(merged, default_module, default_node)
        if origins is None:
            return None  # an invalid regex raises at setup / the value fails every request
        allow_all, checks, count, fallback = origins
        policy.checks, policy.fallback = checks, fallback
        for name in ("origins", "supports_credentials", "allow_private_network", "allow_headers"):
            option = merged.get(name)
            if option is not None and not option.value.known:
                note_unresolved(policy, option.module, option.node, option.value, name)
        if merged.get("origins") is None and "origins" in merged:
            reason = "set by something the analysis cannot read (a config loader such as "
            reason += "from_prefixed_env/from_pyfile/from_envvar, or an unknown ** mapping)"
            note_unresolved(policy, module, call, unknown(reason), "origins")
        if fallback is None:
            cond = branch_condition(module, call)
            if cond:
                policy.fallback = Fallback("debug", cond, module.loc(call))
        literal_star = False
        if isinstance(allow_all, Location):
            if send_wildcard is not False and isinstance(credentials, Location):
                if send_wildcard is not None:
                    return None  # raises: the app does not start / every request fails
                literal_star = not self.rules.unknown_wildcard_echoes
            else:
                literal_star = send_wildcard is not False
            policy.any_origin = allow_all
        policy.any_echo = policy.echo_with_credentials = not literal_star
        if isinstance(credentials, Location):
            policy.credentials = credentials
        network = truthy(merged, "allow_private_network")  # never set where it is not an option
        if isinstance(network, Location):
            policy.private_network = network
        headers = merged.get("allow_headers")
        if headers is not None and any(h in ALLOW_ALL for h in strings(headers.value)):
            policy.any_header = headers.module.loc(headers.node)
        expose = merged.get("expose_headers")
        if expose is not None and expose.value.known and expose.value.value is not None:
            names = [part.strip() for item in strings(expose.value) for part in item.split(",")]
            policy.expose_headers = tuple(n for n in names if n)
            policy.expose_loc = expose.module.loc(expose.node)
        vary = merged.get("vary_header")
        if (
            vary is not None
            and vary.value.known
            and not vary.value.value
            and count is not None
            and not literal_star
        ):
            several = allow_all is False and (count > 1 or any(c.how == "match" for c in checks))
            if several or (isinstance(allow_all, Location) and self.rules.echo_all_varies):
                policy.origin_varies = OriginVaries(vary.module.loc(vary.node), vary_origin=False)
        return policy

    def _origins(
        self, merged: Merged, default_module: Module, default_node: ast.AST
    ) -> tuple[Location | bool | None, list[OriginCheck], int | None, Fallback | None] | None:
        """(allow-all: where, False, or None when unknown; the checks; the number of entries;
        the CORS301 fallback), or None when a pattern does not compile or the value fails."""
        if "origins" not in merged:  # the default, "*": every origin
            loc = default_module.loc(default_node)
            cond = branch_condition(default_module, default_node)
            return loc, [], 1, Fallback("debug", cond, loc) if cond else None
        setting = merged["origins"]
        if setting is None or not setting.value.known:
            return None, [], None, None
        fallback = fallback_of(setting.module, setting.value, setting.node)
        raw_value = setting.value.value
        if raw_value is None:
            return None if self.rules.none_origins_fail else (False, [], 0, fallback)
        if not isinstance(raw_value, (str, Regex, list, tuple, set, frozenset)):
            return None, [], None, None
        allow_all: Location | bool = False
        checks: list[OriginCheck] = []
        items = elements(setting)
        for item, node in items:
            loc = setting.module.loc(node)
            if isinstance(item, str):
                if item in ALLOW_ALL:
                    allow_all = allow_all or loc
                elif self.probably_regex(item):
                    if not valid_regex(item, re.IGNORECASE):
                        return None
                    checks.append(
                        OriginCheck(
                            "match",
                            item,
                            flags=re.IGNORECASE,
                            loc=loc,
                            describe=f"origins regex {raw(item)} (re.match, case-insensitive)",
                        )
                    )
                else:
                    checks.append(
                        OriginCheck(
                            "exact",
                            item,
                            flags=re.IGNORECASE,
                            loc=loc,
                            describe=f"origins entry {item!r}",
                        )
                    )
            elif isinstance(item, Regex):
                if not valid_regex(item.pattern, item.flags):
                    return None
                checks.append(
                    OriginCheck(
                        "match",
                        item.pattern,
                        flags=item.flags,
                        loc=loc,
                        describe=f"origins re.compile({raw(item.pattern)}) (re.match)",
                    )
                )
        return allow_all, checks, len(items), fallback
