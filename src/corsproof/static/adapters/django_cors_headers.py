"""django-cors-headers (`corsheaders`): the effective CORS policy of a Django settings module.

Modelled from django-cors-headers 4.9 on Django 5.2 (see tests/semantics/test_django_cors_headers.py,
which re-observes each fact with Django's test client):
- settings are read with `getattr(settings, NEW, getattr(settings, OLD, default))`: the new name wins
  whenever it is set (`CORS_ALLOW_ALL_ORIGINS`/`CORS_ORIGIN_ALLOW_ALL`, `CORS_ALLOWED_ORIGINS`/
  `CORS_ORIGIN_WHITELIST`, `CORS_ALLOWED_ORIGIN_REGEXES`/`CORS_ORIGIN_REGEX_WHITELIST`);
  flags are Python truthiness (the string `"False"` allows all);
- allow-all sends `*`; with `CORS_ALLOW_CREDENTIALS` it echoes the origin with credentials;
- allow-list entries are compared by `urlsplit` scheme and netloc: an entry whose scheme and netloc
  are both empty (`"app.example.com"`, `""`, `"*"`) matches `Origin: null`, and so does a string
  setting (iterated character by character); `"null"` matches `null`;
- regexes are applied with `re.match` (compiled patterns keep their flags); a string setting is
  iterated, each character a pattern, so `"^https://…"` accepts every origin;
- `"*"` in `CORS_ALLOW_METHODS`/`CORS_ALLOW_HEADERS` is sent as `*`; `CORS_EXPOSE_HEADERS` is joined
  (a string only survives as `"*"`); `Vary: Origin` is always sent; `CORS_URLS_REGEX` only scopes;
- `CorsMiddleware` must be in `MIDDLEWARE` (else nothing is sent) and above the middleware that
  answer on their own (`CommonMiddleware`, WhiteNoise, the flat-page and redirect fallbacks).

A settings module is recognised by its content (`_django_settings`). Split settings are followed through
`from .base import *`: the policy of `production.py` includes what it inherits, each part located
where it is assigned, and the engine judges `base.py` only through the modules that import it.
Values that come from the environment (permissive *defaults*), from `DEBUG` (`= DEBUG`,
`if DEBUG:`) or from a development settings module are judged as CORS301 in a policy of their own,
apart from the production policy.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from corsproof.findings import Location
from corsproof.policy import CorsPolicy, Fallback, NotApplied, OriginCheck
from corsproof.static._module import Module
from corsproof.static.adapters._base import (
    Adapter,
    has_star,
    note_unresolved,
    register_adapter,
    string_items,
)
from corsproof.static.adapters._django_settings import (
    ALLOW_ALL,
    ALLOWED_ORIGINS,
    ORIGIN_REGEXES,
    SETTINGS_LEAF,
    development,
    recognise,
)
from corsproof.static.semantic import (
    Evaluator,
    Regex,
    Value,
    branch_condition,
    env_condition,
    is_debug_expr,
)

FRAMEWORK = "django-cors-headers"
CORS_MIDDLEWARE = "corsheaders.middleware.CorsMiddleware"

_BOOLEAN = {*ALLOW_ALL, "CORS_ALLOW_CREDENTIALS", "CORS_ALLOW_PRIVATE_NETWORK"}

# middleware that can answer a request themselves: placed above CorsMiddleware, their responses
# carry no CORS headers (Security/Locale redirect only under conditions; process_view hooks such
# as CSRF and LoginRequired run inside every middleware, so their answers get CORS headers)
_ANSWERING = {
    "django.middleware.common.CommonMiddleware": "its APPEND_SLASH/PREPEND_WWW redirects and 403s",
    "whitenoise.middleware.WhiteNoiseMiddleware": "the static files it serves",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware": "the flat pages it serves",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware": "the redirects it answers",
}


@dataclass(frozen=True)
class _Setting:
    """One setting as the effective settings module sees it: where it is bound and how."""

    name: str
    expr: ast.expr
    owner: Module  # the module the binding lives in (base.py for an inherited setting)
    value: Value
    debug: str | None  # the debug condition / development module it depends on
    env: str | None  # the environment variable it is read from (its default is the value)

    @property
    def loc(self) -> Location:
        return self.owner.loc(self.expr)

    @property
    def static(self) -> bool:
        return self.debug is None and self.env is None

    @property
    def truthy(self) -> bool:
        return self.value.known and bool(self.value.value)

    def fallback(self) -> Fallback | None:
        if self.debug is not None:
            return Fallback("debug", self.debug, self.loc)
        if self.env is not None and self.value.known:
            return Fallback("env-default", self.env, self.loc)
        return None


@register_adapter
class DjangoCorsHeaders(Adapter):
    name = "django-cors-headers"
    prefilter = re.compile(SETTINGS_LEAF + rb"|CORS_|corsheaders")

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterator[CorsPolicy]:
        found = recognise(module)
        if found is None:
            return
        settings = _SettingsModule(module, evaluator, found.chain, found.configured)
        if settings.configured or settings.installed():
            yield from settings.policies()


class _SettingsModule:
    def __init__(
        self,
        module: Module,
        evaluator: Evaluator,
        chain: list[Module],
        configured: list[str],
    ) -> None:
        self.module = module
        self.evaluator = evaluator
        self.chain = chain
        self.configured = configured
        self.development = {m.path: development(m) for m in chain}

    # -- reading settings -------------------------------------------------------------------
    def lookup(self, name: str) -> tuple[ast.expr, Module] | None:
        """Where `name` is bound: in the module, its star-imported bases, or a module it is
        imported from by name (`from .cors import CORS_ALLOWED_ORIGINS`)."""
        binding = self.evaluator.lookup(name, None)
        if binding is not None:
            return binding
        for module in self.chain:
            if module is not self.module:
                binding = Evaluator(module).lookup(name, None)
                if binding is not None:
                    return binding
        return None

    def installed(self) -> bool:
        """`corsheaders` in INSTALLED_APPS."""
        binding = self.lookup("INSTALLED_APPS")
        if binding is None:
            return False
        value = Evaluator(binding[1]).resolve(binding[0])
        return any(
            app == "corsheaders" or app.startswith("corsheaders.") for app in string_items(value)
        )

    def read(self, name: str) -> _Setting | None:
        binding = self.lookup(name)
        if binding is None:
            return None
        expr, owner = binding
        # the value the settings module ends with: `.append()`/`+=` after the binding included
        value = self.evaluator.global_value(name)
        if not value.known and value.env is None:
            value = (self.evaluator if owner is self.module else Evaluator(owner)).resolve(expr)
        if name in _BOOLEAN and _is_debug_flag(owner, expr) and not _bound_flag(value):
            # CORS_ALLOW_ALL_ORIGINS = DEBUG (DEBUG from the environment, django.conf, …): on
            # exactly when debugging; a DEBUG bound to a literal before is that literal, and a
            # later `DEBUG = False` does not change the value taken then
            return _Setting(name, expr, owner, Value(True), owner.text(expr), None)
        debug = value.debug or branch_condition(owner, expr) or self.development.get(owner.path)
        # `if os.environ.get("ORIGINS"): … else: CORS_ALLOW_ALL_ORIGINS = True`: the value the
        # settings take when the variable is missing
        env = value.env or env_condition(owner, expr)
        return _Setting(name, expr, owner, value, debug, env)

    def pick(self, names: tuple[str, str]) -> tuple[_Setting | None, _Setting | None]:
        """(what production reads, what debug/env variants read) for a (new, old) pair."""
        new, old = (self.read(n) for n in names)
        effective = new if new is not None else old
        production = next((s for s in (new, old) if s is not None and s.debug is None), None)
        if production is not None and production.env is not None:
            production = None  # an environment value is unknown in production
        variant = effective if effective is not None and not effective.static else None
        return production, variant

    def flag(self, name: str) -> _Setting | None:
        """A boolean setting that production reads as true (debug-only values do not count)."""
        setting = self.read(name)
        if setting is None or setting.debug is not None or not setting.truthy:
            return None
        return setting

    # -- policies ---------------------------------------------------------------------------
    def policies(self) -> Iterator[CorsPolicy]:
        middleware = _Middleware(self)
        if middleware.missing is not None:
            yield self.new_policy(not_applied=NotApplied(*middleware.missing, missing=True))
            return
        scope = self.scope()
        misplaced = middleware.misplaced
        policy = self.new_policy(not_applied=NotApplied(*misplaced) if misplaced else None)
        credentials = self.flag("CORS_ALLOW_CREDENTIALS")
        policy.credentials = credentials.loc if credentials else None
        private = self.flag("CORS_ALLOW_PRIVATE_NETWORK")
        policy.private_network = private.loc if private else None
        for name, attr in (
            ("CORS_ALLOW_METHODS", "any_method"),
            ("CORS_ALLOW_HEADERS", "any_header"),
        ):
            setting = self.read(name)
            if setting is not None and setting.debug is None and has_star(setting.value):
                setattr(policy, attr, setting.loc)
        expose = self.read("CORS_EXPOSE_HEADERS")
        if expose is not None and expose.debug is None and expose.value.known:
            # joined with ", ": a string is spelled out letter by letter, only "*" keeps a meaning
            value = expose.value.value
            if isinstance(value, str):
                headers: tuple[str, ...] = ("*",) if value == "*" else ()
            else:
                headers = tuple(string_items(expose.value))
            if headers:
                policy.expose_headers, policy.expose_loc = headers, expose.loc

        allow_all, allow_all_variant = self.pick(ALLOW_ALL)
        for name in (
            *ALLOW_ALL,
            *ALLOWED_ORIGINS,
            *ORIGIN_REGEXES,
            "CORS_ALLOW_CREDENTIALS",
            "CORS_ALLOW_PRIVATE_NETWORK",
            "CORS_ALLOW_METHODS",
            "CORS_ALLOW_HEADERS",
        ):
            read = self.read(name)
            if read is not None and not read.value.known:
                note_unresolved(policy, read.owner, read.expr, read.value, name)
        if allow_all is not None and allow_all.truthy:
            policy.any_origin = allow_all.loc
        variants: list[tuple[_Setting, CorsPolicy]] = []
        if policy.any_origin is None:
            if allow_all_variant is not None and allow_all_variant.truthy:
                variant = self.new_policy(any_origin=allow_all_variant.loc)
                variants.append((allow_all_variant, variant))
            for names, checks_of in (
                (ALLOWED_ORIGINS, self.origin_checks),
                (ORIGIN_REGEXES, self.regex_checks),
            ):
                production, changing = self.pick(names)
                if production is not None:
                    policy.checks.extend(checks_of(production, scope))
                if changing is not None:
                    checks = checks_of(changing, scope)
                    if checks:
                        variants.append((changing, self.new_policy(checks=checks)))
        yield policy
        # values that depend on the environment or on DEBUG: CORS301 when permissive on their own
        debug_credentials = self.read("CORS_ALLOW_CREDENTIALS")
        for setting, variant in variants:
            fallback = setting.fallback()
            if fallback is None:
                continue
            variant.fallback = fallback
            variant.credentials = policy.credentials
            if (
                variant.credentials is None
                and debug_credentials is not None
                and debug_credentials.truthy
            ):
                variant.credentials = debug_credentials.loc
            yield variant

    def new_policy(self, **parts: Any) -> CorsPolicy:
        return CorsPolicy(
            framework=FRAMEWORK,
            loc=self.module.loc(self.module.tree),
            module_path=self.module.display,
            star_imports=tuple(m.display for m in self.chain[1:]),
            **parts,
        )

    def scope(self) -> str:
        urls = self.read("CORS_URLS_REGEX")
        if (
            urls is None
            or not isinstance(urls.value.value, str)
            or urls.value.value in ("", r"^.*$")
        ):
            return ""
        return f" (on paths matching CORS_URLS_REGEX {urls.value.value!r})"

    # -- origin checks ----------------------------------------------------------------------
    def origin_checks(self, setting: _Setting, scope: str) -> list[OriginCheck]:
        value = setting.value.value
        name = setting.name
        if isinstance(value, str):
            if not value:
                return []
            describe = (
                f"{name} = {value!r} (a string, not a list: django-cors-headers iterates its "
                "characters, so the origin it names never matches)"
            )
            return [OriginCheck("exact", "null", describe=describe + scope, loc=setting.loc)]
        checks: list[OriginCheck] = []
        for entry, node, owner in self.entries(setting):
            if not isinstance(entry, str):
                continue
            loc = owner.loc(node)
            if entry == "null":
                checks.append(
                    OriginCheck("exact", "null", describe=f"{name} entry 'null'{scope}", loc=loc)
                )
                continue
            try:
                parts = urlsplit(entry)
            except ValueError:
                continue
            if not parts.scheme and not parts.netloc:
                what = "no scheme"
                if not entry.strip():
                    what = "empty"
                elif entry.strip() == "*":
                    what = "not an origin, not allow-all either"
                describe = (
                    f"{name} entry {entry!r} ({what}: django-cors-headers compares scheme and host, "
                    "both empty here as in null)"
                )
                checks.append(OriginCheck("exact", "null", describe=describe + scope, loc=loc))
            elif parts.scheme and parts.netloc:
                origin = f"{parts.scheme}://{parts.netloc}"
                checks.append(
                    OriginCheck("exact", origin, describe=f"{name} entry {entry!r}{scope}", loc=loc)
                )
            # a scheme without a host ("localhost:3000") or the reverse matches no browser origin
        return checks

    def regex_checks(self, setting: _Setting, scope: str) -> list[OriginCheck]:
        value = setting.value.value
        name = setting.name
        if isinstance(value, str):
            # iterated: each character is a pattern, tried in order until one matches or fails
            tried: list[tuple[Any, ...]] = []
            for char in dict.fromkeys(value):
                try:
                    re.compile(char)
                except re.error:
                    break
                tried.append(("regex", "match", char, 0, ("origin",)))
            if not tried:
                return []
            describe = (
                f"{name} = {value!r} (a string, not a list: django-cors-headers applies each "
                "character as a pattern with re.match)"
            )
            return [
                OriginCheck(
                    "predicate",
                    predicate=("or", *tried),
                    describe=describe + scope,
                    loc=setting.loc,
                )
            ]
        checks: list[OriginCheck] = []
        for entry, node, owner in self.entries(setting):
            if isinstance(entry, Regex):
                pattern, flags = entry.pattern, entry.flags
            elif isinstance(entry, str):
                pattern, flags = entry, 0
            else:
                continue
            describe = f"{name} entry (re.match) {pattern!r}{scope}"
            checks.append(
                OriginCheck("match", pattern, flags, describe=describe, loc=owner.loc(node))
            )
        return checks

    def entries(self, setting: _Setting) -> list[tuple[Any, ast.AST, Module]]:
        """The items of a list setting, each with the node that wrote it where that is known."""
        items = setting.value.items() if isinstance(setting.value.value, (list, tuple)) else []
        located = _elements(setting.expr, setting.owner)
        if located is not None and [value for value, _, _ in located] == items:
            return located
        return [(item, setting.expr, setting.owner) for item in items]


class _Middleware:
    """CORS303: CorsMiddleware missing from a known MIDDLEWARE, or below a middleware that answers."""

    def __init__(self, settings: _SettingsModule) -> None:
        self.missing: tuple[str, Location] | None = None
        self.misplaced: tuple[str, Location] | None = None
        binding = settings.lookup("MIDDLEWARE")
        if binding is None:
            return
        expr, owner = binding
        if branch_condition(owner, expr):
            return
        value = Evaluator(owner).resolve(expr)
        if not isinstance(value.value, (list, tuple)) or value.env is not None:
            return
        items = list(value.value)
        located = _elements(expr, owner)
        if located is None or [v for v, _, _ in located] != items:
            located = [(item, expr, owner) for item in items]
        # CorsMiddleware added anywhere else (MIDDLEWARE.insert(0, ...), another branch): unknown
        listed = {id(node) for item, node, _ in located if item == CORS_MIDDLEWARE}
        for module in settings.chain:
            for node in module.nodes(ast.Constant):
                if (
                    isinstance(node, ast.Constant)
                    and node.value == CORS_MIDDLEWARE
                    and id(node) not in listed
                ):
                    return
        index = next((i for i, (item, _, _) in enumerate(located) if item == CORS_MIDDLEWARE), None)
        if index is None:
            if any(not isinstance(item, str) or "cors" in item.lower() for item in items):
                return  # an unknown entry or a CORS middleware of the project's own
            what = ", ".join(settings.configured[:3]) or "corsheaders in INSTALLED_APPS"
            reason = (
                f"django-cors-headers is configured ({what}) but {CORS_MIDDLEWARE} is not in "
                "MIDDLEWARE: no CORS headers are sent, the CORS settings have no effect"
            )
            self.missing = (reason, owner.loc(expr))
            return
        for item, _, _ in located[:index]:
            if isinstance(item, str) and item in _ANSWERING:
                _, node, where = located[index]
                reason = (
                    f"CorsMiddleware is listed below {item} in MIDDLEWARE: {_ANSWERING[item]} "
                    "carry no CORS headers (put CorsMiddleware above it, as high as possible)"
                )
                self.misplaced = (reason, where.loc(node))
                return


# ------------------------------------------------------------------------------ helpers


def _bound_flag(value: Value) -> bool:
    """The flag's value is what the settings assigned before (`DEBUG = True` then `… = DEBUG`)."""
    return value.known and value.debug is None and value.env is None and not value.alternatives


def _is_debug_flag(module: Module, expr: ast.expr) -> bool:
    """`DEBUG`, `settings.DEBUG`, `DEBUG and …`: a boolean setting that is on when debugging."""
    if isinstance(expr, (ast.Name, ast.Attribute)):
        return is_debug_expr(module, expr) is not None
    if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.And):
        return any(_is_debug_flag(module, value) for value in expr.values)
    return False


def _elements(
    expr: ast.AST, owner: Module, depth: int = 0
) -> list[tuple[Any, ast.AST, Module]] | None:
    """The items of a list expression, each with its own node: literals, `+`, `*spread`, names."""
    if depth > 20:
        return None
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        evaluator = Evaluator(owner)
        out: list[tuple[Any, ast.AST, Module]] = []
        for elt in expr.elts:
            if isinstance(elt, ast.Starred):
                inner = _elements(elt.value, owner, depth + 1)
                if inner is None:
                    return None
                out.extend(inner)
            else:
                out.append((evaluator.resolve(elt).value, elt, owner))
        return out
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left = _elements(expr.left, owner, depth + 1)
        right = _elements(expr.right, owner, depth + 1)
        return None if left is None or right is None else left + right
    if isinstance(expr, ast.Name):
        binding = Evaluator(owner).lookup(expr.id, expr)
        if binding is not None:
            return _elements(binding[0], binding[1], depth + 1)
    return None
