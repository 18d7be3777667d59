"""Where CORS headers are set: subscript assignments, `.set(name, value)` & co., werkzeug response
properties, dicts and lists of pairs that reach a response (`headers=`, `start_response`, a view's
returned tuple, raw ASGI messages, `.update(...)`), followed through names; not the headers of HTTP
clients, of faked responses or of what a test expects. Each becomes a `HeaderSet`; evidence of
`Vary: Origin` is kept per function."""

from __future__ import annotations

import ast
import re

from corsproof.static.adapters.handwritten._bindings import HEADER_FACTORIES, Names
from corsproof.static.adapters.handwritten._mocks import Mocks
from corsproof.static.adapters.handwritten._records import ACAC, ACAO, VARY, Function, HeaderSet
from corsproof.static.adapters.handwritten._syntax import decode, is_test_file, target_names
from corsproof.static.semantic import UNKNOWN

# methods that set one header: `.set(name, value)` …
SET_METHODS = {
    "set", "setdefault", "add", "append", "__setitem__", "set_header", "add_header", "send_header",
    "setHeader", "setheader", "putheader", "header",
}  # fmt: skip
# of those, the ones that replace an earlier value (the others add a second header line)
REPLACING_METHODS = {"set", "__setitem__", "set_header", "setHeader"}
# calls that send requests: their `headers=` are request headers
CLIENT_METHODS = {
    "get", "post", "put", "patch", "delete", "head", "options", "request", "fetch", "open", "send",
    "stream", "urlopen", "Request", "generic", "websocket_connect", "ws_connect",
}  # fmt: skip
CLIENT_MODULES = (
    "requests.",
    "httpx.",
    "urllib.",
    "urllib3.",
    "aiohttp.ClientSession",
    "http.client.",
)
# werkzeug response properties (Flask, Quart) that set a header
RESPONSE_PROPERTIES = {
    "access_control_allow_origin": "access-control-allow-origin",
    "access_control_allow_credentials": "access-control-allow-credentials",
    "access_control_allow_methods": "access-control-allow-methods",
    "access_control_allow_headers": "access-control-allow-headers",
    "access_control_expose_headers": "access-control-expose-headers",
}
# objects whose `access_control_*` attributes are settings, not a response's headers
CONFIG_LIKE = re.compile(r"conf|setting|option|cfg", re.I)


class Sinks:
    """The CORS headers one module sets (`sets`), and the functions that set `Vary: Origin`."""

    def __init__(self, names: Names, mocks: Mocks) -> None:
        self.names = names
        self.mocks = mocks
        self.module = names.module
        self.resolver = names.resolver
        self.sets: list[HeaderSet] = []
        # functions (None: module level) with evidence of `Vary: Origin`
        self.vary: set[ast.AST | None] = set()

    def collect(self) -> None:
        for node in self.module.nodes(ast.Assign, ast.AnnAssign, ast.Call, ast.Return, ast.Dict):
            if isinstance(node, ast.Dict):
                self._asgi_message(node)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    self._assign(target, node.value, node)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                self._assign(node.target, node.value, node)
            elif isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, ast.Return) and node.value is not None:
                for elt in self._response_tuple(node.value):
                    self._sink(elt, node)

    def _asgi_message(self, node: ast.Dict) -> None:
        """A raw ASGI message: `{"type": "http.response.start", "status": 200, "headers": [...]}`."""
        entries = {
            key.value: value
            for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        }
        kind = entries.get("type")
        if (
            "headers" in entries
            and isinstance(kind, ast.Constant)
            and kind.value == "http.response.start"
        ):
            self._sink(entries["headers"], node)

    def _expected(self, node: ast.AST) -> bool:
        """`node` is part of what a test expects, not of a response the application sends: inside
        an `assert` (or `self.assertEqual(...)` & co.), or an operand of `==`/`in` in a test."""
        compared = False
        for parent in self.module.ancestors(node):
            if isinstance(parent, ast.Assert):
                return True
            if isinstance(parent, ast.Call):
                func = parent.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name.startswith("assert"):
                    return True
            elif isinstance(parent, ast.Compare) and any(
                isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) for op in parent.ops
            ):
                compared = True
            elif isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if not compared:
                    return False
                return parent.name.startswith("test") or is_test_file(self.module.path.name)
        return compared and is_test_file(self.module.path.name)

    def _add(
        self,
        name: str,
        value: ast.expr | None,
        at: ast.AST,
        guards: tuple[ast.AST, ...],
        function: Function | None,
        target: str = "",
        replaces: bool = False,
    ) -> None:
        if self._expected(at):
            return
        if name == VARY:
            resolved = self.resolver.resolve(value).value if value is not None else UNKNOWN
            resolved = decode(resolved)
            if (
                not isinstance(resolved, str)
                or "origin" in resolved.lower()
                or resolved.strip() == "*"
            ):
                self.vary.add(function)
            return
        self.sets.append(HeaderSet(name, value, at, guards, function, target, replaces))

    def _assign(self, target: ast.expr, value: ast.expr, stmt: ast.stmt) -> None:
        if isinstance(target, ast.Subscript):
            if self._client_side(target.value):
                return
            if self.names.key(target.slice) == "headers":  # raw ASGI: message["headers"] = [...]
                self._sink(value, stmt)
            else:
                self._set(target.slice, value, stmt, self.module.text(target.value))
        elif isinstance(target, ast.Attribute) and target.attr in ("headers", "headerlist"):
            self._sink(value, stmt)
        elif (
            isinstance(target, ast.Attribute)
            and target.attr in RESPONSE_PROPERTIES
            and not CONFIG_LIKE.search(self.module.text(target.value))
        ):
            self._property(target, value, stmt)

    def _property(self, target: ast.Attribute, value: ast.expr, stmt: ast.stmt) -> None:
        """`response.access_control_allow_origin = v`: the header werkzeug's property sends."""
        name = RESPONSE_PROPERTIES[target.attr]
        if self.mocks.mocked(stmt):
            return
        if name == ACAC:
            if self.resolver.resolve(value).value is not True:
                return  # anything but `True` removes the header
            value = ast.copy_location(ast.Constant("true"), value)
        elif name != ACAO:
            items = self.resolver.resolve(value).value
            if isinstance(items, (str, list, tuple)) and all(isinstance(i, str) for i in items):
                value = ast.copy_location(ast.Constant(", ".join(items)), value)
        function = self.module.function_of(stmt)
        self._add(name, value, stmt, (stmt,), function, self.module.text(target.value), True)

    def _set(self, key: ast.expr, value: ast.expr, at: ast.AST, target: str) -> None:
        function = self.module.function_of(at)
        name = self._header_name(key)
        if name:
            if not self.mocks.mocked(at):
                self._add(name, value, at, (at,), function, target, replaces=True)
            return
        # for k, v in CORS_HEADERS.items(): response.headers[k] = v
        if not (isinstance(key, ast.Name) and isinstance(value, ast.Name)):
            return
        for parent in self.module.ancestors(at):
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                return
            if isinstance(parent, (ast.For, ast.AsyncFor)) and target_names(parent.target) == [
                key.id,
                value.id,
            ]:
                source = parent.iter
                if (
                    isinstance(source, ast.Call)
                    and isinstance(source.func, ast.Attribute)
                    and source.func.attr == "items"
                ):
                    source = source.func.value
                pairs = self._pairs(source)
                if pairs and self.mocks.mocked(at):
                    return
                for name, item, key_node in pairs:
                    same = self.module.function_of(key_node) is function
                    self._add(name, item, key_node, ((key_node,) if same else ()) + (at,), function)
                return

    def _call(self, node: ast.Call) -> None:
        func = node.func
        attr = (
            func.attr
            if isinstance(func, ast.Attribute)
            else func.id
            if isinstance(func, ast.Name)
            else ""
        )
        function = self.module.function_of(node)
        if "vary" in self.module.text(func).lower():
            arguments = [*node.args, *[k.value for k in node.keywords]]
            if "origin" in self.module.text(node).lower() or any(
                not isinstance(a, ast.Constant)
                and not isinstance(a, (ast.List, ast.Tuple, ast.Set))
                for a in arguments[1:]
            ):
                self.vary.add(function)
        if isinstance(func, ast.Attribute) and self._client_side(func.value):
            return
        if isinstance(func, ast.Attribute) and attr in SET_METHODS:
            if len(node.args) >= 2:
                name = self._header_name(node.args[0])
                if name:
                    target = self.module.text(func.value)
                    replaces = attr in REPLACING_METHODS
                    if not self.mocks.mocked(node):
                        self._add(name, node.args[1], node, (node,), function, target, replaces)
                    return
            elif (
                len(node.args) == 1
                and attr in ("append", "add")
                and isinstance(node.args[0], (ast.Tuple, ast.List))
            ):
                pair = node.args[0].elts
                name = self._header_name(pair[0]) if len(pair) == 2 else None
                if name:
                    if not self.mocks.mocked(node):
                        self._add(name, pair[1], node, (node,), function)
                    return
        if isinstance(func, ast.Attribute) and attr in ("update", "extend"):
            for arg in node.args:
                self._sink(arg, node)
            return
        if self._client_call(node):
            return
        for kw in node.keywords:
            if kw.arg in ("headers", "headerlist"):
                self._sink(kw.value, node)
        lowered = attr.lower()
        if "response" in lowered or "header" in lowered or attr == "start_response":
            for arg in node.args:
                self._sink(arg, node)
            if "response" in lowered and len(node.args) == 1 and not node.keywords:
                # Flask/Quart `make_response((body, 200, {...}))`: one tuple, a view's return value
                for elt in self._response_tuple(node.args[0]):
                    self._sink(elt, node)

    def _response_tuple(self, expr: ast.expr) -> list[ast.expr]:
        """The items after the body of a view's `(body, status, headers)` / `(body, headers)`
        tuple (also through a local name): where the headers of the tuple form are."""
        if isinstance(expr, ast.Name):
            binding = self.names.binding(expr)
            expr = binding[0] if binding is not None and binding[1] == "local" else expr
        if isinstance(expr, ast.Tuple) and 2 <= len(expr.elts) <= 3:
            return list(expr.elts[1:])
        return []

    def _client_side(self, target: ast.expr) -> bool:
        """`session.headers`, `self.client.headers`: headers an HTTP client sends, not a response's;
        `r.headers` of `r = requests.Response()`: a client-side response made up (in a test)."""
        text = self.module.text(target).lower()
        if any(word in text for word in ("session", "client", "opener")):
            return True
        root = target
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if isinstance(root, ast.Name):
            binding = self.names.binding(root)
            if binding is not None and binding[1] in ("local", "module"):
                bound = binding[0]
                qual = self.module.qualname(bound.func) if isinstance(bound, ast.Call) else ""
                # not `requests.get(...)`: a proxy may forward what it received
                return qual.startswith(CLIENT_MODULES) and qual.endswith(".Response")
        return False

    def _client_call(self, node: ast.Call) -> bool:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in CLIENT_METHODS:
            return True
        return self.module.qualname(func).startswith(CLIENT_MODULES)

    def _sink(self, expr: ast.expr, at: ast.AST) -> None:
        pairs = self._pairs(expr)
        if not pairs or self.mocks.mocked(at):
            return
        function = self.module.function_of(at)
        for name, value, key_node in pairs:
            same = self.module.function_of(key_node) is function
            self._add(name, value, key_node, ((key_node,) if same else ()) + (at,), function)

    def _pairs(self, expr: ast.expr | None, depth: int = 0) -> list[tuple[str, ast.expr, ast.AST]]:
        """The (header, value, entry) items of a dict / list of pairs, following names."""
        if expr is None or depth > 6:
            return []
        out: list[tuple[str, ast.expr, ast.AST]] = []
        if isinstance(expr, ast.Dict):
            for key, value in zip(expr.keys, expr.values, strict=True):
                if key is None:
                    out.extend(self._pairs(value, depth + 1))
                else:
                    name = self._header_name(key)
                    if name:
                        out.append((name, value, key))
        elif isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            for elt in expr.elts:
                if isinstance(elt, (ast.Tuple, ast.List)) and len(elt.elts) == 2:
                    name = self._header_name(elt.elts[0])
                    if name:
                        out.append((name, elt.elts[1], elt))
                elif isinstance(elt, ast.Starred):
                    out.extend(self._pairs(elt.value, depth + 1))
        elif isinstance(expr, ast.Name):
            binding = self.names.binding(expr)
            if binding is not None and binding[1] in ("local", "module"):
                out.extend(self._pairs(binding[0], depth + 1))
        elif isinstance(expr, ast.Attribute):
            out.extend(self._pairs(self.names.attr_binding(expr), depth + 1))
        elif isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.BitOr)):
            out.extend(self._pairs(expr.left, depth + 1))
            out.extend(self._pairs(expr.right, depth + 1))
        elif isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Attribute) and func.attr == "copy" and not expr.args:
                out.extend(self._pairs(func.value, depth + 1))
            elif self.module.qualname(func).rsplit(".", 1)[-1] in HEADER_FACTORIES:
                for arg in expr.args[:1]:
                    out.extend(self._pairs(arg, depth + 1))
                for kw in expr.keywords:
                    if kw.arg is None or kw.arg == "headers":
                        out.extend(self._pairs(kw.value, depth + 1))
        return out

    def _header_name(self, key: ast.expr) -> str | None:
        name = self.names.key(key)
        if name and (name.startswith("access-control-") or name == VARY):
            return name
        return None
