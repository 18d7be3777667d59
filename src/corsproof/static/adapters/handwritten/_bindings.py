"""What names, attributes and parameters hold, and what reads the request: a name's binding
(`Bound`), a `self.` attribute bound once in its class, a FastAPI `Header()` parameter for the
Origin, a header name or mapping key as a string, the request header an expression reads
(`request.headers["Origin"]`, `environ["HTTP_ORIGIN"]`, werkzeug `request.origin`), the request
object and its header collections, loops over the request's headers, and this module's helper a
call runs."""

from __future__ import annotations

import ast
import re

from corsproof.static._module import Module
from corsproof.static.adapters.handwritten._records import Bound, Function, Method
from corsproof.static.adapters.handwritten._syntax import decode, unwrap_key
from corsproof.static.semantic import UNKNOWN, Evaluator

# methods that read one request header: `.get("Origin")` …
READ_METHODS = {
    "get", "get_header", "getheader", "getHeader", "get_first", "getfirst", "getone", "get_one", "header",
}  # fmt: skip
# callables whose dict / list-of-pairs argument is a header collection
HEADER_FACTORIES = {
    "dict", "Headers", "MutableHeaders", "CIMultiDict", "MultiDict", "HTTPHeaders", "HeaderDict",
    "OrderedDict", "list", "tuple", "EnvironHeaders", "sorted",
}  # fmt: skip
# werkzeug request properties that read a header
REQUEST_PROPERTIES = {
    "access_control_request_headers": "access-control-request-headers",
    "access_control_request_method": "access-control-request-method",
}
CONSTANT_NAME = re.compile(r"^ACCESS_CONTROL_(?:ALLOW|EXPOSE|REQUEST|MAX)_[A-Z_]+$")
ORIGIN_KEYS = {"origin", "http_origin"}
HEADERISH = ("header", "req", "environ", "meta", "scope", "hdrs", "ctx")
# the request as frameworks hand it over (a handler's parameter, Flask's `request`, Tornado's and
# class views' `self.request`, ASGI `scope`, WSGI `environ`) and its header collections: handed whole
# to a function, the function may read the Origin
REQUEST_NAMES = frozenset(
    {"request", "req", "environ", "scope", "headers", "request_headers", "http_request", "meta"}
)
REQUEST_PARTS = frozenset({"headers", "meta", "environ", "scope", "raw_headers", "request"})


class Names:
    """The bindings of one module's names, attributes and parameters, and its reads of the request."""

    def __init__(self, module: Module, resolver: Evaluator) -> None:
        self.module = module
        self.resolver = resolver
        # memos, keyed by node identity (the tree outlives the analysis)
        self._bindings: dict[int, Bound | None] = {}
        self._attr_bindings: dict[int, ast.expr | None] = {}
        self._class_cache: dict[ast.ClassDef, dict[str, list[ast.expr]]] = {}

    def binding(self, node: ast.Name) -> Bound | None:
        """What `node` is bound to: ("local" | "module" | "default" | "param" | "origin-param")."""
        key = id(node)
        if key not in self._bindings:
            self._bindings[key] = self._find_binding(node)
        return self._bindings[key]

    def _find_binding(self, node: ast.Name) -> Bound | None:
        """From the semantic model: the scope `node` resolves in (LEGB, class bodies skipped) and
        the binding it sees there."""
        visible = self.module.semantic.visible(node.id, node)
        scope = visible.scope
        if scope is None or scope.kind in ("class", "comprehension"):
            return None
        if scope.kind == "module":
            found = self.resolver.lookup(node.id, node)
            if found is None or found[1] is not self.module:
                return None
            return Bound(found[0], "module")
        binding = visible.bindings[-1] if visible.bindings else None
        if binding is None:
            return None  # a local used before it is bound
        if binding.kind == "parameter":
            function = scope.node
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return self.param(function, node.id)
            return None
        if binding.kind == "loop" and self._header_loop_origin(node, binding.node):
            return Bound(node, "origin-param")
        if binding.kind not in ("assign", "walrus", "augassign"):
            return None
        found = self.resolver.lookup(node.id, node)
        if found is None or found[1] is not self.module:
            return None
        return Bound(found[0], "local")

    def param(self, function: Function, name: str) -> Bound | None:
        """A parameter: ("origin-param") for a FastAPI Origin header, else its default, else unbound."""
        args = function.args
        positional = [*args.posonlyargs, *args.args]
        defaults: dict[str, ast.expr] = dict(
            zip(
                [a.arg for a in positional[len(positional) - len(args.defaults) :]],
                args.defaults,
                strict=True,
            )
        )
        defaults.update(
            {
                a.arg: d
                for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                if d is not None
            }
        )
        for arg in [*positional, *args.kwonlyargs]:
            if arg.arg != name:
                continue
            default = defaults.get(name)
            for source in (default, arg.annotation):
                for sub in ast.walk(source) if source is not None else ():
                    if (
                        isinstance(sub, ast.Call)
                        and self.module.qualname(sub.func).rsplit(".", 1)[-1] == "Header"
                    ):
                        alias = next((k.value for k in sub.keywords if k.arg == "alias"), None)
                        key = self.key(alias) if alias is not None else name.replace("_", "-")
                        if key == "origin":
                            return Bound(sub, "origin-param")
            if default is None or (isinstance(default, ast.Constant) and default.value is None):
                # `check=None`: optional, the caller passes the value (None is not "the" value)
                return Bound(ast.Constant(None), "param")
            return Bound(default, "default")
        return None

    def attr_binding(self, node: ast.Attribute) -> ast.expr | None:
        """`self.x` bound exactly once in the class (`self.x = …` in a method, or `x = …` in its body)."""
        if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            return None
        key = id(node)
        if key not in self._attr_bindings:
            self._attr_bindings[key] = self._find_attr_binding(node)
        return self._attr_bindings[key]

    def _find_attr_binding(self, node: ast.Attribute) -> ast.expr | None:
        cls = next((a for a in self.module.ancestors(node) if isinstance(a, ast.ClassDef)), None)
        if cls is None:
            return None
        found = self._class_attributes(cls).get(node.attr, [])
        return found[0] if len(found) == 1 else None

    def _class_attributes(self, cls: ast.ClassDef) -> dict[str, list[ast.expr]]:
        """The values a class gives its attributes: `name = v` in its body, `self.name = v` /
        `cls.name = v` anywhere in it (one walk per class, kept for the file)."""
        cache = self._class_cache
        known = cache.get(cls)
        if known is not None:
            return known
        values: dict[str, list[ast.expr]] = {}
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign):
                for t in stmt.targets:
                    if isinstance(t, ast.Name):
                        values.setdefault(t.id, []).append(stmt.value)
        for sub in ast.walk(cls):
            if isinstance(sub, ast.Assign):
                for target in sub.targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in ("self", "cls")
                    ):
                        values.setdefault(target.attr, []).append(sub.value)
        cache[cls] = values
        return values

    def key(self, node: ast.expr) -> str | None:
        """A header name / mapping key as a lower-case string."""
        if isinstance(node, (ast.Name, ast.Attribute)):
            qual = self.module.qualname(node)
            if qual.startswith(("aiohttp.hdrs.", "hdrs.")):
                return qual.rsplit(".", 1)[-1].lower().replace("_", "-")
        if isinstance(node, ast.Constant):
            value = node.value
        else:
            value = self.resolver.resolve(node).value
        value = decode(value)
        if isinstance(value, str):
            return value.strip().lower()
        if value is UNKNOWN and isinstance(node, (ast.Name, ast.Attribute)):
            # `from corsheaders.middleware import ACCESS_CONTROL_ALLOW_ORIGIN`: named for what it is
            name = node.id if isinstance(node, ast.Name) else node.attr
            if CONSTANT_NAME.match(name):
                return name.lower().replace("_", "-")
        return None

    def headerish(self, base: ast.expr) -> bool:
        texts = [self.module.text(base).lower()]
        if isinstance(base, ast.Name):
            binding = self.binding(base)
            if binding is not None and binding[1] in ("local", "module"):
                texts.append(self.module.text(binding[0]).lower())
        return any(word in text for text in texts for word in HEADERISH)

    def read_key(self, node: ast.expr) -> str | None:
        """The request header `node` reads (`request.headers["Origin"]` -> "origin"), or None."""
        if isinstance(node, ast.Attribute) and node.attr in REQUEST_PROPERTIES:
            # werkzeug: `request.access_control_request_headers`
            if "req" in self.module.text(node.value).lower():
                return REQUEST_PROPERTIES[node.attr]
            return None
        if isinstance(node, ast.Subscript):
            key, base, method = self.key(node.slice), node.value, None
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in READ_METHODS
            and node.args
        ):
            key, base, method = self.key(node.args[0]), node.func.value, node.func.attr
        else:
            return None
        if not key:
            return None
        if key.startswith("http_"):  # WSGI environ / Django META
            return key[5:].replace("_", "-")
        if method not in (None, "get") or self.headerish(base):
            return key
        return None

    def request_object(self, node: ast.AST, depth: int = 0) -> bool:
        """`node` is the request, or one of its header collections (`request`, `self.request`,
        `request.headers`, `scope["headers"]`, `Headers(scope=scope)`, `environ.items()`)."""
        if depth > 6:
            return False
        if isinstance(node, ast.BoolOp):  # `scope.get("headers") or []`
            return any(self.request_object(v, depth + 1) for v in node.values)
        if isinstance(node, ast.Name):
            binding = self.binding(node)
            if binding is not None and binding[1] == "local":
                return self.request_object(binding[0], depth + 1)
            return node.id.lower() in REQUEST_NAMES
        if isinstance(node, ast.Attribute):
            if node.attr.lower() in ("request", "scope", "environ"):
                return True
            return node.attr.lower() in REQUEST_PARTS and self.request_object(node.value, depth + 1)
        if isinstance(node, ast.Subscript):
            return self.key(node.slice) in ("headers", "raw_headers") and self.request_object(
                node.value, depth + 1
            )
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("items", "get", "raw", "copy"):
                if func.attr == "get" and (
                    not node.args or self.key(node.args[0]) not in ("headers", "raw_headers")
                ):
                    return False
                return self.request_object(func.value, depth + 1)
            short = self.module.qualname(func).rsplit(".", 1)[-1]
            if short in HEADER_FACTORIES or short in ("Headers", "Request"):
                arguments = [*node.args, *[k.value for k in node.keywords]]
                return any(self.request_object(a, depth + 1) for a in arguments)
        return False

    def header_loop(self, target: ast.AST) -> tuple[ast.AST, ast.expr] | None:
        """For a name bound by `for key, value in <request headers>` (or a comprehension over
        them): (the loop or comprehension, the key variable), when the name is the value."""
        parent = self.module.parents.get(target)
        if not isinstance(parent, (ast.Tuple, ast.List)) or len(parent.elts) != 2:
            return None
        if parent.elts[1] is not target:
            return None
        loop = self.module.parents.get(parent)
        if not isinstance(loop, (ast.For, ast.AsyncFor, ast.comprehension)):
            return None
        if loop.target is not parent or not self.request_object(loop.iter):
            return None
        return loop, parent.elts[0]

    def _header_loop_origin(self, use: ast.Name, target: ast.AST) -> bool:
        """`value` in `for key, value in scope["headers"]: if key == b"origin": o = value`."""
        found = self.header_loop(target)
        if found is None:
            return False
        loop, key = found
        if not isinstance(key, ast.Name):
            return False
        if isinstance(loop, ast.comprehension):  # `next(v for k, v in headers if k == b"origin")`
            return any(self._is_origin_key_test(test, key.id) for test in loop.ifs)
        child: ast.AST = use
        for parent in self.module.ancestors(use):
            if parent is loop:
                return False
            if (
                isinstance(parent, ast.If)
                and any(child is s for s in parent.body)
                and self._is_origin_key_test(parent.test, key.id)
            ):
                return True
            child = parent
        return False

    def _is_origin_key_test(self, test: ast.expr, key: str) -> bool:
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            return any(self._is_origin_key_test(v, key) for v in test.values)
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
            return False
        if not isinstance(test.ops[0], (ast.Eq, ast.In)):
            return False
        left, right = test.left, test.comparators[0]
        for a, b in ((left, right), (right, left)):
            unwrapped = unwrap_key(a)
            if isinstance(unwrapped, ast.Name) and unwrapped.id == key:
                wanted = decode(self.resolver.resolve(b).value)
                if isinstance(wanted, (list, tuple, set, frozenset)):
                    return any(str(decode(w)).lower() in ORIGIN_KEYS for w in wanted)
                return isinstance(wanted, str) and wanted.lower() in ORIGIN_KEYS
        return False

    def header_key(self, node: ast.expr) -> bool:
        """`node` is the header name in a loop over the request's headers (`for k, v in …`)."""
        node = unwrap_key(node)
        if not isinstance(node, ast.Name):
            return False
        visible = self.module.semantic.visible(node.id, node)
        if len(visible.bindings) != 1 or visible.bindings[0].kind != "loop":
            return False
        target = visible.bindings[0].node
        parent = self.module.parents.get(target)
        if not isinstance(parent, (ast.Tuple, ast.List)) or len(parent.elts) != 2:
            return False
        if parent.elts[0] is not target:
            return False
        return self.header_loop(parent.elts[1]) is not None

    def is_origin_read(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Attribute) and node.attr == "origin":  # werkzeug `request.origin`
            return "req" in self.module.text(node.value).lower()
        return self.read_key(node) == "origin"

    def helper(self, call: ast.Call) -> Function | None:
        """The function of this module a call runs: `helper(...)`, `self.helper(...)`."""
        func = call.func
        if isinstance(func, ast.Name):
            return next(
                (
                    s
                    for s in self.module.tree.body
                    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == func.id
                ),
                None,
            )
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
        ):
            cls = next(
                (a for a in self.module.ancestors(call) if isinstance(a, ast.ClassDef)), None
            )
            if cls is not None:
                return next(
                    (
                        s
                        for s in cls.body
                        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and s.name == func.attr
                    ),
                    None,
                )
        return None

    def method(self, function: Function) -> Method | None:
        chain = [function, *self.module.ancestors(function)]
        for inner, outer in zip(chain, chain[1:], strict=False):
            if isinstance(outer, ast.ClassDef) and isinstance(
                inner, (ast.FunctionDef, ast.AsyncFunctionDef)
            ):
                return Method(outer, inner)
        return None
