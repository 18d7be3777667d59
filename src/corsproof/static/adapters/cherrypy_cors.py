"""cherrypy-cors: `cherrypy_cors.expose(...)`/`expose_public(...)` calls, the `cherrypy_cors.tools.*`
decorators and the `cors.expose.*` / `cors.expose_public.*` configuration keys.

Modelled from cherrypy-cors 1.7 on CherryPy 18 (see docs/frameworks.md and
tests/semantics/test_cherrypy_cors.py):
- `expose(allow_credentials=False, expose_headers=None, origins=None)`: without `origins` every
  origin (`null` too) is echoed, with `Access-Control-Allow-Credentials: true` when
  `allow_credentials` is truthy; `Vary: Origin` is added.
- `origins` entries: a string is compared exactly (`re.escape(s) + "$"`, case-sensitive), a
  compiled pattern is applied with `.match` (not end-anchored). A string for `origins` is iterated
  character by character: no real origin passes.
- `expose_public(expose_headers=None)`: a literal `*`.
- `expose_headers` is sent as given: a string works, a list is sent as its Python repr
  (`['X-API-Key']`), which browsers cannot parse: nothing exposed.
- The decorators (`@cherrypy_cors.tools.expose(...)`, keyword options) and the configuration keys
  (`'cors.expose.on': True`, `'cors.expose.origins': [...]`, in `tree.mount`/`quickstart` configs,
  `_cp_config`, `cherrypy.config.update`) need the toolbox installed (`cherrypy_cors.install()` or
  `app.toolboxes['cors'] = cherrypy_cors.tools`, anywhere in the process): it is assumed to be, as
  the library documents. Path sections inherit from the sections above them (`'/'` -> `'/api'`).
  When a section leaves `origins` unset but another configuration in the module sets it, the
  origins are unknown (they may be inherited from there): no any-origin claim.
- `preflight(...)` answers preflights only (nothing readable) and grants every requested header
  when `allowed_headers` is not given (not reported, as for flask-cors' defaults); no `"*"` value
  grants anything more, so it produces no policy.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from corsproof.findings import Location
from corsproof.policy import CorsPolicy, Fallback, OriginCheck
from corsproof.static._module import Module
from corsproof.static.adapters._base import Adapter, argument, fallback_of, register_adapter
from corsproof.static.semantic import DottedNames, Evaluator, Regex, Value

FRAMEWORK = "cherrypy-cors"
_EXPOSE_PRIVATE = ("cherrypy_cors.expose", "cherrypy_cors.tools.expose")
_EXPOSE = DottedNames(
    (*_EXPOSE_PRIVATE, "cherrypy_cors.expose_public", "cherrypy_cors.tools.expose_public")
)
_EXPOSE_POSITIONS = {"allow_credentials": 0, "expose_headers": 1, "origins": 2}
_TOOLS = ("expose", "expose_public")


@dataclass
class _Option:
    node: ast.expr
    value: Value


def _section_path(key: object) -> str | None:
    return key if isinstance(key, str) and key.startswith("/") else None


def _is_ancestor(parent: str, child: str) -> bool:
    parent = parent.rstrip("/")
    return child == parent or child.startswith(parent + "/") or parent == ""


def _unpacked(call: ast.Call) -> bool:
    """`f(*args)` / `f(**options)`: the options not written out are unknown, not the defaults."""
    return any(isinstance(a, ast.Starred) for a in call.args) or any(
        kw.arg is None for kw in call.keywords
    )


@register_adapter
class CherrypyCors(Adapter):
    name = "cherrypy-cors"
    # the decorators, calls and configuration keys all live in CherryPy code
    prefilter = re.compile(rb"cherrypy")

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterator[CorsPolicy]:
        if "cherrypy_cors" not in module.source and "cors." not in module.source:
            return
        configured = "cors." in module.source  # configuration keys may be written here
        for node in module.nodes(ast.Call, ast.Dict):
            if isinstance(node, ast.Call):
                qual = module.resolves_to(node.func, _EXPOSE) if not _unpacked(node) else None
                if qual in _EXPOSE_PRIVATE:
                    positional = qual == "cherrypy_cors.expose"
                    options = {
                        name: _Option(arg, evaluator.resolve(arg))
                        for name, position in _EXPOSE_POSITIONS.items()
                        if (arg := argument(node, name, position if positional else None))
                        is not None
                    }
                    yield from self._expose(module, node, options, module.loc(node), False)
                elif qual is not None:  # expose_public
                    arg = argument(
                        node, "expose_headers", 0 if qual == "cherrypy_cors.expose_public" else None
                    )
                    options = (
                        {}
                        if arg is None
                        else {"expose_headers": _Option(arg, evaluator.resolve(arg))}
                    )
                    yield self._public(module, node, options)
            elif configured and isinstance(node, ast.Dict):
                yield from self._config(module, evaluator, node)

    # -- configuration dictionaries -------------------------------------------------------------
    def _keys(self, evaluator: Evaluator, node: ast.Dict) -> dict[str, _Option]:
        found: dict[str, _Option] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                continue
            name = evaluator.resolve(key).value
            if isinstance(name, str) and name.startswith("cors."):
                found[name] = _Option(value, evaluator.resolve(value))
        return found

    def _config(self, module: Module, evaluator: Evaluator, node: ast.Dict) -> Iterator[CorsPolicy]:
        own = self._keys(evaluator, node)
        if not own:
            return
        # the sections above this one in the same `{path: {...}}` configuration
        chain: list[dict[str, _Option]] = []
        siblings: list[ast.AST] = []  # the other sections of the same `{path: {...}}` configuration
        parent = module.parents.get(node)
        if isinstance(parent, ast.Dict) and node in parent.values:
            path = _section_path(evaluator.resolve(parent.keys[parent.values.index(node)]).value)
            if path is not None:
                sections = [
                    (p, value)
                    for key, value in zip(parent.keys, parent.values, strict=True)
                    if key is not None
                    and isinstance(value, ast.Dict)
                    and value is not node
                    and (p := _section_path(evaluator.resolve(key).value)) is not None
                    and _is_ancestor(p, path)
                ]
                chain = [
                    self._keys(evaluator, v) for _, v in sorted(sections, key=lambda s: len(s[0]))
                ]
                siblings = list(parent.values)
        merged: dict[str, _Option] = {}
        for section in [*chain, own]:
            merged.update(section)
        for tool in _TOOLS:
            on = merged.get(f"cors.{tool}.on")
            if on is None or not (on.value.known and on.value.value):
                continue
            prefix = f"cors.{tool}."
            written = [v.node for k, v in own.items() if k.startswith(prefix)]
            if not written:
                continue  # reported where it is written (the section it is inherited from)
            # a section that inherits `on` is reported on its own first option
            anchor = on.node if f"{prefix}on" in own else written[0]
            options = {k[len(prefix) :]: v for k, v in merged.items() if k.startswith(prefix)}
            enabled = fallback_of(module, on.value, on.node)
            if tool == "expose_public":
                yield self._public(module, anchor, options, enabled)
                continue
            unknown = "origins" not in options and self._origins_elsewhere(
                module, evaluator, [node, *siblings]
            )
            yield from self._expose(module, anchor, options, module.loc(anchor), unknown, enabled)

    def _origins_elsewhere(
        self, module: Module, evaluator: Evaluator, excluded: list[ast.AST]
    ) -> bool:
        """Another configuration in the module sets `cors.expose.origins` (sections of the same
        path configuration that are not above this one never apply to it)."""
        for node in module.nodes(ast.Dict):
            if (
                isinstance(node, ast.Dict)
                and not any(node is other for other in excluded)
                and "cors.expose.origins" in self._keys(evaluator, node)
            ):
                return True
        return False

    # -- policies -------------------------------------------------------------------------------
    def _expose(
        self,
        module: Module,
        anchor: ast.AST,
        options: dict[str, _Option],
        default_loc: Location,
        origins_unknown: bool = False,
        enabled: Fallback | None = None,
    ) -> Iterator[CorsPolicy]:
        """`enabled`: the tool is switched on only in debug / by an environment default."""
        policy = CorsPolicy(framework=FRAMEWORK, loc=module.loc(anchor))
        policy.any_echo = True
        origins = options.get("origins")
        if origins is None or origins.value.value is None:
            if not origins_unknown:
                policy.any_origin = module.loc(origins.node) if origins else default_loc
                node, value = (origins.node, origins.value) if origins else (anchor, Value(None))
                policy.fallback = enabled or fallback_of(module, value, node)
        else:
            value = origins.value
            loc = module.loc(origins.node)
            policy.fallback = enabled or fallback_of(module, value, origins.node)
            if isinstance(value.value, str):
                return  # one character per entry: no real origin passes, nothing is sent
            if isinstance(value.value, (list, tuple)):
                for entry in value.value:
                    if isinstance(entry, str):
                        policy.checks.append(
                            OriginCheck(
                                "exact", entry, describe=f"origins entry {entry!r}", loc=loc
                            )
                        )
                    elif isinstance(entry, Regex):
                        policy.checks.append(
                            OriginCheck(
                                "match",
                                entry.pattern,
                                flags=entry.flags,
                                describe=f"origins pattern re.compile({entry.pattern!r}).match",
                                loc=loc,
                            )
                        )
        credentials = options.get("allow_credentials")
        if credentials is not None and credentials.value.known and credentials.value.value:
            policy.credentials = module.loc(credentials.node)
        self._expose_headers(module, policy, options)
        yield policy

    def _public(
        self,
        module: Module,
        anchor: ast.AST,
        options: dict[str, _Option],
        enabled: Fallback | None = None,
    ) -> CorsPolicy:
        policy = CorsPolicy(framework=FRAMEWORK, loc=module.loc(anchor))
        policy.any_origin = module.loc(anchor)
        policy.any_echo = policy.echo_with_credentials = False
        policy.fallback = enabled or fallback_of(module, Value(None), anchor)
        self._expose_headers(module, policy, options)
        return policy

    def _expose_headers(
        self, module: Module, policy: CorsPolicy, options: dict[str, _Option]
    ) -> None:
        expose = options.get("expose_headers")
        if expose is not None and isinstance(expose.value.value, str):  # a list is sent as its repr
            names = [part.strip() for part in expose.value.value.split(",")]
            policy.expose_headers = tuple(n for n in names if n)
            policy.expose_loc = module.loc(expose.node)
