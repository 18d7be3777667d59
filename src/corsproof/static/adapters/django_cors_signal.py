"""django-cors-headers `check_request_enabled` receivers that let every origin in.

Modelled from django-cors-headers 4.9 on Django 5.2 (see tests/semantics/test_django_signal.py,
which re-observes each fact with Django's test client):
- `CorsMiddleware` sends `corsheaders.signals.check_request_enabled` (`sender=None, request=...`)
  for every request whose origin no setting allows; when any receiver returns a truthy value the
  request's `Origin` is echoed in `Access-Control-Allow-Origin` (never `*`), whatever it is;
- `Access-Control-Allow-Credentials: true` comes with it only when `CORS_ALLOW_CREDENTIALS` is set:
  the receiver does not decide it. So the policy has credentials only when a settings module of the
  project sets the flag (CORS102); otherwise it is CORS101;
- receivers are connected with `@receiver(check_request_enabled)` or
  `check_request_enabled.connect(handler)`; a receiver connected for a `sender` other than None
  never runs (the middleware sends with `sender=None`), and Django keeps only a weak reference by
  default: a lambda or a function local to `ready()` connected without `weak=False` is collected
  at once, and so is a function decorated with `@check_request_enabled.connect` (the decorator
  returns None); a receiver without `**kwargs` raises (it is called with `signal=`, `sender=`,
  `request=`), so it opens nothing either;
- `Vary: Origin` is always sent.

A receiver is *broad* when a truthy `return` does not depend on the request's origin: `return True`,
`return "HTTP_AUTHORIZATION" in request.META`, `return request.method == "OPTIONS"`,
`return request.path.startswith("/api/")`. A return depends on the origin when it, or a condition
tested before it in the function, reads the origin (a name, attribute or string mentioning
`origin`, a header read whose key is not a known constant, a variable assigned from such a read),
or hands the request to code not seen here (`return allowed(request)`): those are not reported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from corsproof.findings import Location
from corsproof.policy import CorsPolicy, Fallback
from corsproof.static._module import Module
from corsproof.static.adapters._base import Adapter, argument, register_adapter
from corsproof.static.semantic import Binding, DottedNames, Evaluator, branch_condition

FRAMEWORK = "django-cors-headers"
SIGNAL = "corsheaders.signals.check_request_enabled"
_RECEIVER = DottedNames(("django.dispatch.receiver", "django.dispatch.dispatcher.receiver"))
_CONNECT = DottedNames((SIGNAL + ".connect",))
CONTEXT = "check_request_enabled"  # the finding's context: the receiver opens the policy

Function = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
# request attributes that cannot carry the Origin header
_SAFE_ATTRS = {
    "path",
    "path_info",
    "method",
    "user",
    "auth",
    "scheme",
    "session",
    "COOKIES",
    "GET",
    "POST",
    "FILES",
    "body",
    "content_type",
    "content_params",
    "encoding",
    "resolver_match",
    "site",
    "LANGUAGE_CODE",
}
_READS = {"get", "pop", "getlist", "setdefault", "__getitem__", "__contains__"}
_ENUMERATES = {"items", "keys", "values", "copy", "lists", "__iter__"}
_SETTINGS_NAME = re.compile(rb"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([A-Za-z_][\w.]*)['"]""")


@register_adapter
class DjangoCorsSignal(Adapter):
    name = "django-cors-signal"
    prefilter = re.compile(rb"check_request_enabled")

    def analyse(self, module: Module, evaluator: Evaluator) -> Iterator[CorsPolicy]:
        seen: set[tuple[Path, int, int]] = set()
        credentials: list[Location | None] | None = None  # looked up once, for the first receiver
        for owner, function in _receivers(module):
            key = (owner.path, function.lineno, function.col_offset)
            if key in seen:
                continue
            seen.add(key)
            found = _broad_return(owner, function)
            if found is None:
                continue
            if credentials is None:
                credentials = [_credentials(module)]
            policy = CorsPolicy(
                framework=FRAMEWORK,
                loc=owner.loc(function),
                any_origin=owner.loc(found),
                any_echo=True,  # the request origin is echoed, never `*`
                credentials=credentials[0],
                context=frozenset({CONTEXT}),
            )
            debug = branch_condition(owner, found)
            if debug:
                policy.fallback = Fallback("debug", debug, owner.loc(found))
            yield policy


# ------------------------------------------------------------------------------ receivers


def _receivers(module: Module) -> Iterator[tuple[Module, Function]]:
    """The functions connected to `check_request_enabled` in this module, with their module."""
    # the candidates only (`@receiver(...)`-decorated functions, `….connect(...)` calls), in
    # source order
    candidates: list[ast.AST] = [call for call, _ in module.calls_to(_CONNECT)]
    for call, _ in module.calls_to(_RECEIVER):
        function = module.parents.get(call)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if call in function.decorator_list and function not in candidates:
                candidates.append(function)
    candidates.sort(key=lambda node: (node.lineno, node.col_offset))  # type: ignore[attr-defined]
    for node in candidates:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                if _receiver_decorator(module, decorator):
                    yield module, node
        elif isinstance(node, ast.Call):
            handler = argument(node, "receiver", 0)
            sender = argument(node, "sender", 1)
            if handler is None or not _no_sender(sender):
                continue
            weak = argument(node, "weak", 2)
            strong = isinstance(weak, ast.Constant) and not weak.value
            found = _handler(module, handler, node)
            if found is None:
                continue
            owner, function = found
            if not strong and _collected(owner, function, handler):
                continue
            yield owner, function


def _receiver_decorator(module: Module, decorator: ast.expr) -> bool:
    """`@receiver(check_request_enabled)` / `@receiver([..., check_request_enabled])` with no
    sender. (`@check_request_enabled.connect` connects a function the name then no longer holds:
    Django's weak reference dies at once.)"""
    if not isinstance(decorator, ast.Call) or not module.resolves_to(decorator.func, _RECEIVER):
        return False
    signal = argument(decorator, "signal", 0)
    if signal is None or not _no_sender(argument(decorator, "sender")):
        return False
    signals = signal.elts if isinstance(signal, (ast.List, ast.Tuple, ast.Set)) else [signal]
    return any(module.qualname(s) == SIGNAL for s in signals)


def _no_sender(sender: ast.expr | None) -> bool:
    """The receiver hears the middleware, which sends with `sender=None`."""
    return sender is None or (isinstance(sender, ast.Constant) and sender.value is None)


def _handler(module: Module, handler: ast.expr, use: ast.AST) -> tuple[Module, Function] | None:
    """The function `connect()` is given: a lambda, the def a name is bound to where it is used
    (in this module or, through imports, in another module of the project), a method of the
    enclosing class (`self.allow`), or `handlers.allow` after `from . import handlers`."""
    if isinstance(handler, ast.Lambda):
        return module, handler
    evaluator = Evaluator(module)
    if isinstance(handler, ast.Name):
        return _defined(evaluator.binding(handler.id, use))
    if isinstance(handler, ast.Attribute) and isinstance(handler.value, ast.Name):
        method = _method(module, handler.value.id, handler.attr, use)
        if method is not None:
            return module, method
        other = evaluator.module_named(handler.value.id, use)
        if other is not None:
            return _defined(Evaluator(other).binding(handler.attr, None))
    return None


def _defined(found: tuple[Binding, Module] | None) -> tuple[Module, Function] | None:
    if found is None:
        return None
    binding, owner = found
    node = binding.node
    if binding.kind == "function" and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return owner, node
    return None


def _method(
    module: Module, owner: str, name: str, use: ast.AST
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """`self.name` inside a method: the class's method `name`."""
    function = module.function_of(use)
    if function is None or not function.args.args or function.args.args[0].arg != owner:
        return None
    cls = module.parents.get(function)
    if not isinstance(cls, ast.ClassDef):
        return None
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
            return stmt
    return None


def _collected(owner: Module, function: Function, handler: ast.expr) -> bool:
    """A receiver Django holds only weakly and nothing else keeps: a lambda, or a function local
    to another function whose name is used nowhere else there (the `ready()` idiom)."""
    if isinstance(function, ast.Lambda):
        return True
    enclosing = owner.function_of(function)
    if enclosing is None or not isinstance(handler, ast.Name):
        return False
    uses = [
        n
        for n in ast.walk(enclosing)
        if isinstance(n, ast.Name) and n.id == function.name and n is not handler
    ]
    return not uses


# ------------------------------------------------------------------------------ broadness


def _own_nodes(function: Function) -> Iterator[ast.AST]:
    """The nodes of a function's body, not those of functions, lambdas or classes inside it."""
    roots: list[ast.AST] = (
        [function.body] if isinstance(function, ast.Lambda) else list(function.body)
    )
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _SCOPES):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


class _Origin:
    """What in one receiver reads the request's origin, or may."""

    def __init__(self, module: Module, function: Function) -> None:
        self.module = module
        self.evaluator = Evaluator(module)
        args = function.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        # Django calls `receiver(signal=..., sender=None, request=request)`: the request is the
        # parameter of that name or an item of `**kwargs`
        self.carriers = {p.arg for p in params if p.arg == "request"}
        self.kwargs = {args.kwarg.arg} if args.kwarg is not None else set()
        self.names: set[str] = set()  # variables holding the origin (or something that may)
        self.reading = set()
        self.nodes = list(_own_nodes(function))
        assignments: list[tuple[list[ast.expr], ast.expr]] = []
        for node in self.nodes:
            if isinstance(node, ast.Assign):
                assignments.append((node.targets, node.value))
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                assignments.append(([node.target], node.value))
            elif isinstance(node, ast.NamedExpr):
                assignments.append(([node.target], node.value))
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                assignments.append(([node.target], node.iter))
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        assignments.append(([item.optional_vars], item.context_expr))
        for _ in range(8):  # names assigned from names: until nothing changes
            before = (len(self.carriers), len(self.names))
            for targets, value in assignments:
                names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
                if self.carrier(value):
                    self.carriers |= names
                elif self.reads(value):
                    self.names |= names
            if (len(self.carriers), len(self.names)) == before:
                break
        # functions defined inside the receiver that read the origin (closures over `request`):
        # calling one reads it too
        self.reading: set[str] = set()
        for node in self.nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and self.reads(node):
                self.reading.add(node.name)
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Lambda)
                and self.reads(node.value)
            ):
                self.reading |= {t.id for t in node.targets if isinstance(t, ast.Name)}

    def carrier(self, node: ast.AST) -> bool:
        """An expression that is the request, or a part of it that may hold the Origin header
        (`request`, `request.headers`, `request.META`, `kwargs["request"]`)."""
        if isinstance(node, ast.Name):
            return node.id in self.carriers or node.id in self.kwargs
        if isinstance(node, ast.Attribute):
            chain: list[str] = []
            inner: ast.AST = node
            while isinstance(inner, ast.Attribute):
                chain.append(inner.attr)
                inner = inner.value
            return (
                isinstance(inner, ast.Name)
                and (inner.id in self.carriers or inner.id in self.kwargs)
                and chain[-1] not in _SAFE_ATTRS
            )
        if isinstance(node, ast.Subscript):
            return isinstance(node.value, ast.Name) and node.value.id in self.kwargs
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            inner = node.func.value
            return (
                node.func.attr in ("get", "pop")
                and isinstance(inner, ast.Name)
                and inner.id in self.kwargs
            )
        return False

    def _key(self, node: ast.AST | None) -> bool:
        """A header key that is, or may be, the origin."""
        if node is None:
            return True
        value = self.evaluator.resolve(node)
        if not isinstance(value.value, (str, bytes)):
            return True  # unknown: may be "Origin"
        text = value.value.decode("latin-1") if isinstance(value.value, bytes) else value.value
        return "origin" in text.lower()

    def _rooted(self, func: ast.AST) -> bool:
        """A method of the request or of something read from it (`request.path.startswith`)."""
        while isinstance(func, (ast.Attribute, ast.Subscript, ast.Call)):
            func = func.func if isinstance(func, ast.Call) else func.value
        return isinstance(func, ast.Name) and (func.id in self.carriers or func.id in self.kwargs)

    def reads(self, expr: ast.AST) -> bool:
        """Whether the value of `expr` may depend on the origin."""
        for node in ast.walk(expr):
            if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
                text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
                if "origin" in text.lower():
                    return True
            elif isinstance(node, ast.Name):
                if node.id in self.names or "origin" in node.id.lower():
                    return True
            elif isinstance(node, ast.Attribute):
                if "origin" in node.attr.lower():
                    return True
            elif isinstance(node, ast.Subscript):
                if self.carrier(node.value) and self._key(node.slice):
                    return True
            elif isinstance(node, ast.Compare):
                # `key in request.headers` with a key that may be "Origin"
                operands = [node.left, *node.comparators]
                for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
                    if isinstance(op, (ast.In, ast.NotIn)) and self.carrier(right):
                        if self._key(left):
                            return True
            elif isinstance(node, ast.comprehension):
                if self.carrier(node.iter):
                    return True  # iterates over the headers
            elif isinstance(node, ast.Call):
                if self._call(node):
                    return True
        return False

    def _call(self, call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Name) and func.id in self.reading:
            return True
        if isinstance(func, ast.Attribute) and self.carrier(func.value):
            if func.attr in _READS:
                return self._key(call.args[0] if call.args else None)
            if func.attr in _ENUMERATES:
                return True
        if self._rooted(func):
            return False  # `request.path.startswith("/api/")`, `request.user.has_perm(...)`
        # the request handed to code not seen here (`allowed(request)`): it may check the origin
        values = [*call.args, *(kw.value for kw in call.keywords)]
        return any(self.carrier(v.value if isinstance(v, ast.Starred) else v) for v in values)


def _broad_return(module: Module, function: Function) -> ast.AST | None:
    """The first `return` (a lambda's body) that can be truthy without looking at the origin."""
    if function.args.kwarg is None:
        return None  # called with `signal=`, `sender=`, `request=`: without **kwargs it raises
    origin = _Origin(module, function)
    if isinstance(function, ast.Lambda):
        return None if _falsy(function.body) or origin.reads(function.body) else function.body
    # (where, depends on the origin) for every condition tested in the function
    conditions: list[tuple[tuple[int, int], bool]] = []
    for node in origin.nodes:
        if isinstance(node, (ast.For, ast.AsyncFor)):
            # a loop over the headers may stop at the origin
            depends = origin.carrier(node.iter) or origin.reads(node.iter)
        elif isinstance(node, ast.Match):
            depends = origin.reads(node.subject)
        elif isinstance(node, (ast.If, ast.While, ast.Assert, ast.IfExp)):
            depends = origin.reads(node.test)
        else:
            continue
        conditions.append(((node.lineno, node.col_offset), depends))
    for node in origin.nodes:
        if not isinstance(node, ast.Return) or node.value is None or _falsy(node.value):
            continue
        if origin.reads(node.value):
            continue
        at = (node.lineno, node.col_offset)
        if any(where < at and depends for where, depends in conditions):
            continue
        return node
    return None


def _falsy(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and not node.value


# ------------------------------------------------------------------------------ credentials


def _credentials(module: Module) -> Location | None:
    """Where a settings module of this project turns `CORS_ALLOW_CREDENTIALS` on in production:
    the module named by `DJANGO_SETTINGS_MODULE` in manage.py/wsgi.py/asgi.py, else `settings.py`
    and `settings/*.py` beside the receiver's module, in its parent packages or in their
    sub-directories, up to the scan root."""
    # the django-cors-headers adapter reads settings as the library does (split settings,
    # development modules, DEBUG-dependent values)
    from corsproof.static.adapters._django_settings import settings_chain
    from corsproof.static.adapters.django_cors_headers import _SettingsModule

    project = module.project
    for path in _settings_candidates(module):
        settings = project.load(path) if path != module.path else module
        if settings is None:
            continue
        reader = _SettingsModule(settings, Evaluator(settings), settings_chain(settings), [])
        flag = reader.flag("CORS_ALLOW_CREDENTIALS")
        if flag is not None:
            return flag.loc
    return None


def _settings_candidates(module: Module) -> Iterator[Path]:
    project = module.project
    root = project.root
    seen: set[Path] = set()

    def fresh(path: Path | None) -> bool:
        if path is None or not path.is_file():
            return False
        resolved = path.resolve()
        if resolved in seen:
            return False
        seen.add(resolved)
        return True

    if fresh(module.path):
        yield module.path
    directories: list[Path] = []
    directory = module.path.parent
    while True:
        directories.append(directory)
        if directory == root or root not in directory.parents or directory.parent == directory:
            break
        directory = directory.parent
    for directory in directories:
        for entry in ("manage.py", "wsgi.py", "asgi.py"):
            launcher = directory / entry
            try:
                text = launcher.read_bytes()[:65536] if launcher.is_file() else b""
            except OSError:
                continue
            for match in _SETTINGS_NAME.finditer(text):
                dotted = match.group(1).decode()
                path = project.find_module(dotted, launcher, 0)
                if fresh(path):
                    yield path  # type: ignore[misc]
    for directory in directories:
        for base in (directory, *_subdirectories(directory)):
            for path in (base / "settings.py", base / "settings" / "__init__.py"):
                if fresh(path):
                    yield path
            package = base / "settings"
            if package.is_dir():
                for path in sorted(package.glob("*.py")):
                    if fresh(path):
                        yield path


def _subdirectories(directory: Path) -> list[Path]:
    try:
        return sorted(
            p for p in directory.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
        )
    except OSError:
        return []
