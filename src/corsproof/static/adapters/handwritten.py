"""Hand-written CORS headers, in any framework: code that sets `Access-Control-*` itself.

What is recognised (header names are case-insensitive, `str` or `bytes`, aiohttp `hdrs.*` and constants
named `ACCESS_CONTROL_ALLOW_ORIGIN` & co. imported from elsewhere):
- subscript assignment on anything: `response.headers["Access-Control-Allow-Origin"] = v`,
  `resp["Access-Control-Allow-Origin"] = v` (Django), `headers[...] = v`;
- calls `.set/.setdefault/.add/.append/.__setitem__/.set_header/.add_header/.send_header/.setHeader(name, v)`
  and `.append((name, v))` (WSGI header lists);
- werkzeug response properties (Flask, Quart): `response.access_control_allow_origin = v`,
  `access_control_allow_credentials = True` (only `True` sends `true`), `access_control_allow_methods`/
  `_headers`/`expose_headers` (an iterable, joined; a string is joined character by character),
  on anything not named like settings (`app.config.access_control_allow_origin` is not a header);
- dicts and lists of pairs that reach a response: `headers=`/`headerlist=` (WebOb, Pyramid) keyword
  arguments, positional arguments of `*Response*`/`*Header*` callables and `start_response`, the
  extra items of a returned tuple (`return body, 200, {...}`, also through a local name, and
  `make_response((body, 200, {...}))`), `.update(...)`/`.extend(...)`, `resp.headers = {...}`,
  `resp.headerlist = [...]`, raw ASGI `message["headers"] = [...]` and message dicts
  (`send({"type": "http.response.start", "headers": [...]})`), lists passed through `sorted()`,
  `for k, v in CORS_HEADERS.items(): resp.headers[k] = v`; names are followed to their binding
  (function locals, walrus, closures, module constants, `self.` attributes bound once in the class).
Not response headers: the headers of HTTP clients (`requests.get(..., headers=...)`, `client.get`,
`session.headers[...]`, a made-up `requests.Response()`), and responses faked in tests by HTTP mocking
libraries (`responses`, `respx`, `httpretty`, `requests_mock`, `aioresponses`, `pytest_httpserver`,
`pytest_httpx`) or `unittest.mock`: calls on them, what is passed to them or as `return_value=`/
`side_effect=`, objects bound from them, callbacks handed to them by name; what a test expects (inside
an `assert` or `self.assertEqual(...)` & co., or compared with `==`/`in` in a test function). An
assignment that a later `headers[name] = …`/`.set(name, …)` on the same object always overwrites is
not reported.

How the value of `Access-Control-Allow-Origin` is judged:
- a literal `*` lets every origin in, never with credentials (browsers refuse credentials with `*`);
- the request's own `Origin` (`request.headers["Origin"]`, `.get("origin")`, `request.META["HTTP_ORIGIN"]`,
  `environ["HTTP_ORIGIN"]`, `req.get_header("Origin")`, werkzeug `request.origin`, a FastAPI
  `origin: str = Header()` parameter, the value of `for k, v in scope["headers"]: if k == b"origin"`,
  through locals, `.decode()`/`.encode()`, `or`/conditional expressions) is an echo: the `if`s
  around the assignment and the early exits before it (`if origin not in ALLOWED: return resp`) in the same
  function — and in the functions it is nested in — are translated into a predicate on the origin
  (`evaluate_predicate` in policy.py) that the origin oracle evaluates the way the code does: `==`, `in`
  (membership, or substring on a string), `CONSTANT_DICT.get(origin)`, `startswith`/`endswith`,
  `re.match/search/fullmatch` and compiled patterns (also a loop variable over a constant list of
  them: `any(p.match(origin) for p in PATTERNS)`), `fnmatch`, `urlparse(origin).hostname/netloc/scheme/
  port`, `.lower()`, `any(...)`/`all(...)` over a constant list, `for allowed in CONSTANT:` loops, flags
  set in them (`ok = False` … `if fnmatch(origin, p): ok = True`), `{origin, "*"} & ALLOWED`,
  `isinstance(origin, str)` and one level of helper functions in the same module.
  Whether a condition involves the origin is data flow, never names: the Origin (or the `Referer`/
  `Sec-Fetch-Site` the browser sets from the same page) reaching it through the semantic model's
  bindings (locals, loop variables, `self.` attributes, conditions a binding is made under, the
  arguments of this module's calls to a function for its parameters, helpers of this module or of
  another project module that read it), or the whole request handed to a function. A condition the
  origin flows into that cannot be translated is listed as unresolved ("origin check"), no finding.
  Conditions it does not flow into (an object that exists, a valid form, a signed-in user, a method,
  a path, a token, a feature flag) restrict *when* the header is sent, not *who* gets it: they may go
  either way, and the header is set for an origin if some outcome of them lets it through. Flags that
  configure CORS itself (named so, or read under such a key: `allow_all_origins`, `cors_enabled`,
  `config.get("ckan.cors.origin_allow_all")`) are the deployment's choice: only what holds whatever they
  say is claimed; what one of them lets in besides is listed as unresolved when it is read from settings
  the code cannot see, and left to the caller's configuration (judged where the middleware is used)
  when it comes from parameters (a library's own middleware).
- a constant origin is an exact entry (`null` included); a value from `os.environ.get(NAME, "*")` is a
  permissive default, a branch taken only under `DEBUG` a debug fallback (CORS301), for the value as for
  the constants of a check.

The rest of the function (or of the class for middleware/handler classes, where hooks such as Tornado's
`set_default_headers` serve every response; two HTTP-verb handlers of one class serve different
responses) supplies the other facts: `Access-Control-Allow-Credentials` counts only when its value is
exactly `true` (the Fetch standard compares bytes: `True`, which `= True` sends, is refused), and only for
the origins its own condition lets through; `*` in `Allow-Methods`/`Allow-Headers` and echoing
`Access-Control-Request-Method/-Headers` grant everything (CORS201); `Access-Control-Expose-Headers`
(CORS203); `Access-Control-Allow-Private-Network: true` (CORS107). When an echo makes the allowed origin
take two or more values and nothing in the function (class) sets `Vary: Origin` (`headers["Vary"] =
"Origin"`, `patch_vary_headers`, `vary.add`, `add_vary_header`, `@vary_on_headers`), the header assignment
gets CORS202 (not when every origin is echoed: that is CORS101/102).

One policy per `Access-Control-Allow-Origin` assignment (and branch of its value), located at the
assignment; one more for the other headers of a function when it sets any.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from corsproof.findings import Location
from corsproof.origins import ARBITRARY, catalogue, seed_origins, split_origin
from corsproof.policy import CorsPolicy, Fallback, OriginCheck, OriginVaries, evaluate_predicate
from corsproof.static._module import Module
from corsproof.static.adapters._base import Adapter, note_unresolved, register_adapter
from corsproof.static.semantic import (
    UNKNOWN,
    Evaluator,
    Regex,
    Value,
    is_debug_expr,
    unknown,
)

Node = tuple[Any, ...]
Function = ast.FunctionDef | ast.AsyncFunctionDef
ORIGIN: Node = ("origin",)
TRUE: Node = ("true",)
FALSE: Node = ("not", TRUE)

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
ACAM = "access-control-allow-methods"
ACAH = "access-control-allow-headers"
ACEH = "access-control-expose-headers"
ACAPN = "access-control-allow-private-network"
VARY = "vary"

# methods that set one header: `.set(name, value)` …
SET_METHODS = {
    "set", "setdefault", "add", "append", "__setitem__", "set_header", "add_header", "send_header",
    "setHeader", "setheader", "putheader", "header",
}  # fmt: skip
# of those, the ones that replace an earlier value (the others add a second header line)
REPLACING_METHODS = {"set", "__setitem__", "set_header", "setHeader"}
# methods that read one request header: `.get("Origin")` …
READ_METHODS = {
    "get", "get_header", "getheader", "getHeader", "get_first", "getfirst", "getone", "get_one", "header",
}  # fmt: skip
# callables whose dict / list-of-pairs argument is a header collection
HEADER_FACTORIES = {
    "dict", "Headers", "MutableHeaders", "CIMultiDict", "MultiDict", "HTTPHeaders", "HeaderDict",
    "OrderedDict", "list", "tuple", "EnvironHeaders", "sorted",
}  # fmt: skip
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
# werkzeug request properties that read a header
REQUEST_PROPERTIES = {
    "access_control_request_headers": "access-control-request-headers",
    "access_control_request_method": "access-control-request-method",
}
CONSTANT_NAME = re.compile(r"^ACCESS_CONTROL_(?:ALLOW|EXPOSE|REQUEST|MAX)_[A-Z_]+$")
RE_FUNCS = {"re.match": "match", "re.search": "search", "re.fullmatch": "fullmatch"}
VERB = re.compile(r"^(?:on_)?(?:get|post|put|patch|delete|head|options)(?:_\w+)?$")
ORIGIN_KEYS = {"origin", "http_origin"}
HEADERISH = ("header", "req", "environ", "meta", "scope", "hdrs", "ctx")
# request headers a browser sets from the page that sends the request: a check on one of them is a
# check on who asks, like one on the Origin
BROWSER_KEYS = frozenset({"origin", "referer", "sec-fetch-site"})
# the request as frameworks hand it over (a handler's parameter, Flask's `request`, Tornado's and
# class views' `self.request`, ASGI `scope`, WSGI `environ`) and its header collections: handed whole
# to a function, the function may read the Origin
REQUEST_NAMES = frozenset(
    {"request", "req", "environ", "scope", "headers", "request_headers", "http_request", "meta"}
)
REQUEST_PARTS = frozenset({"headers", "meta", "environ", "scope", "raw_headers", "request"})
# callees that produce the response from the request (passing the request to them checks nothing)
RESPONDERS = re.compile(
    r"call_next|get_response|handler|app$|view|func|wrapped|next|render|response", re.I
)
# a flag that configures CORS itself (`allow_all_origins`, `config.get("ckan.cors.origin_allow_all")`,
# `CORS_ALLOW_ALL`): what it lets in is the deployment's choice, not the code's
CORS_FLAG = re.compile(
    r"cors|origin|allow_?all|credential|private_?network|wildcard|access_?control"
    r"|allow_?(?:methods|headers)|expose_?headers",
    re.I,
)
MAX_FREE = 5
MAX_LOOP = 64
# HTTP mocking libraries and unittest.mock: the responses they fake are not the application's
MOCK_MODULES = (
    "responses", "respx", "httpretty", "requests_mock", "aioresponses", "pytest_httpserver",
    "pytest_httpx", "unittest.mock", "mock", "pytest_mock",
)  # fmt: skip
# pytest fixtures of those libraries (`httpserver`), besides every name that says `mock`
MOCK_FIXTURES = {"httpserver", "httpserver_ipv4", "make_httpserver"}
MOCK_NAME = re.compile(r"mock", re.I)
# attributes and methods that only mocks have: `m.return_value`, `httpserver.expect_request(...)`
MOCK_ATTRS = {"return_value", "side_effect"}
MOCK_METHODS = {
    "expect_request", "expect_oneshot_request", "expect_ordered_request", "register_uri",
}  # fmt: skip


@dataclass
class _Set:
    """One header set on a response."""

    name: str  # lower-case header name
    value: ast.expr | None
    at: ast.AST  # reported location
    guards: tuple[ast.AST, ...]  # nodes whose enclosing conditions decide whether it is set
    function: Function | None
    target: str = ""  # the header collection, as written (`response.headers`)
    replaces: bool = False  # overwrites earlier sets of the same header on `target`


@dataclass
class _Guard:
    test: ast.expr
    positive: bool
    kind: str  # "if" | "exit" | "value"
    loop: ast.For | ast.AsyncFor | None = None


@dataclass
class _Branch:
    """One value `Access-Control-Allow-Origin` can take."""

    kind: str  # "echo" | "star" | "const"
    value: str = ""
    guard_nodes: tuple[ast.AST, ...] = ()
    conds: tuple[tuple[ast.expr, bool], ...] = ()
    notes: tuple[tuple[str, str], ...] = ()  # ("env", name) / ("debug", condition)


@dataclass
class _Guarded:
    predicate: Node  # may contain ("free", key, debug, text, flag) atoms
    describe: str
    notes: list[tuple[str, str]] = field(default_factory=list)
    # an origin check the analysis cannot evaluate: (the check, why): listed, never a finding
    unresolved: tuple[ast.AST, str] | None = None


@dataclass
class _Common:
    """The other CORS headers of one function."""

    any_method: Location | None = None
    any_header: Location | None = None
    expose: tuple[str, ...] = ()
    expose_loc: Location | None = None
    private_network: Location | None = None

    def __bool__(self) -> bool:
        return any((self.any_method, self.any_header, self.expose_loc, self.private_network))


# ------------------------------------------------------------------------------ predicate helpers


def _has_origin(node: Any) -> bool:
    if not isinstance(node, tuple) or not node:
        return False
    if node[0] == "origin":
        return True
    if node[0] in ("const", "free"):
        return False
    return any(_has_origin(n) for n in node[1:])


def _free_atoms(
    node: Any, found: dict[str, tuple[bool, str, str]] | None = None
) -> dict[str, tuple[bool, str, str]]:
    """The origin-independent atoms of a predicate: key -> (debug, text, flag), `flag` being
    "caller" / "setting" for a CORS configuration flag (set by the caller / read from settings)."""
    found = {} if found is None else found
    if isinstance(node, tuple) and node:
        if node[0] == "free":
            found.setdefault(node[1], (node[2], node[3], node[4]))
        elif node[0] in ("and", "or", "not"):
            for child in node[1:]:
                _free_atoms(child, found)
    return found


def _subst(node: Node, values: dict[str, bool]) -> Node:
    op = node[0]
    if op == "free":
        if node[1] in values:
            return TRUE if values[node[1]] else FALSE
        return node
    if op in ("and", "or", "not"):
        return (op, *[_subst(child, values) for child in node[1:]])
    return node


def _simplify(node: Node) -> Node:
    op = node[0]
    if op == "true":
        return TRUE
    if op == "not":
        inner = _simplify(node[1])
        if inner == TRUE:
            return FALSE
        if inner == FALSE:
            return TRUE
        if inner[0] == "not":
            return inner[1]
        return ("not", inner)
    if op in ("and", "or"):
        parts: list[Node] = []
        for child in node[1:]:
            part = _simplify(child)
            if part == (FALSE if op == "and" else TRUE):
                return part
            if part == (TRUE if op == "and" else FALSE) or part in parts:
                continue
            parts.append(part)
        if not parts:
            return TRUE if op == "and" else FALSE
        return parts[0] if len(parts) == 1 else (op, *parts)
    if op == "free" or _has_origin(node):
        return node
    try:  # no origin in it: a constant condition
        return TRUE if evaluate_predicate(node, "") else FALSE
    except (TypeError, ValueError, AttributeError, re.error, RecursionError):
        return node


def _exists(node: Node, flags_too: bool = False) -> Node | None:
    """`node` with its free atoms eliminated: true for an origin if some outcome of the conditions
    that do not involve it (a method, a path, a user) lets it in — whatever CORS configuration flags
    say (they are the deployment's choice), or, with `flags_too`, for some value of those as well."""
    atoms = _free_atoms(node)
    if not atoms:
        return _simplify(node)
    if len(atoms) > MAX_FREE:
        return None
    flags = [key for key, (_, _, flag) in atoms.items() if flag and not flags_too]
    others = [key for key in atoms if key not in flags]

    def some(values: dict[str, bool]) -> Node:
        return _simplify(
            (
                "or",
                *[
                    _simplify(_subst(node, {**values, **dict(zip(others, combo, strict=True))}))
                    for combo in product((True, False), repeat=len(others))
                ],
            )
        )

    if not flags:
        return some({})
    return _simplify(
        (
            "and",
            *[
                some(dict(zip(flags, combo, strict=True)))
                for combo in product((True, False), repeat=len(flags))
            ],
        )
    )


def _truthy(value: Node) -> Node:
    return ("and", ("ne", value, ("const", None)), ("ne", value, ("const", "")))


def _is_echo(node: Node | None) -> bool:
    if node == ORIGIN:
        return True
    return (
        node is not None
        and node[0] == "apply"
        and node[1] in ("lower", "strip")
        and _is_echo(node[2])
    )


def _exact_entries(node: Node) -> list[str] | None:
    """The origins of a pure exact-membership predicate (`origin in {...}`, `origin == "..."`)."""
    op = node[0]
    if op == "or":
        out: list[str] = []
        for child in node[1:]:
            entries = _exact_entries(child)
            if entries is None:
                return None
            out.extend(e for e in entries if e not in out)
        return out
    if op == "in" and node[1] == ORIGIN and node[2][0] == "const":
        hay = node[2][1]
        if isinstance(hay, tuple) and all(isinstance(v, str) for v in hay):
            return list(dict.fromkeys(hay))
    if op == "eq":
        for a, b in ((node[1], node[2]), (node[2], node[1])):
            if a == ORIGIN and b[0] == "const" and isinstance(b[1], str):
                return [b[1]]
    return None


def _py_const(value: Any, depth: int = 0) -> Any:
    """A resolved value as a predicate constant (hashable), or UNKNOWN."""
    if value is UNKNOWN or isinstance(value, Regex) or depth > 2:
        return UNKNOWN
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        value = list(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_py_const(v, depth + 1) for v in value]
        if any(v is UNKNOWN for v in items):
            return UNKNOWN
        return tuple(items)
    return UNKNOWN


def _negated_text(module: Module, test: ast.expr) -> str:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return module.text(test.operand)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        flipped = {
            ast.NotIn: "in",
            ast.In: "not in",
            ast.NotEq: "==",
            ast.Eq: "!=",
            ast.IsNot: "is",
            ast.Is: "is not",
        }
        op = flipped.get(type(test.ops[0]))
        if op:
            return f"{module.text(test.left)} {op} {module.text(test.comparators[0])}"
    return f"not ({module.text(test)})"


def _exits(block: list[ast.stmt]) -> bool:
    if not block:
        return False
    last = block[-1]
    if isinstance(last, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return True
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        func = last.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in ("abort", "exit")
    if isinstance(last, ast.If):
        return _exits(last.body) and _exits(last.orelse)
    if isinstance(last, (ast.With, ast.AsyncWith)):
        return _exits(last.body)
    return False


def _contains_exit(stmt: ast.stmt) -> bool:
    """`stmt` may leave the block it is in (`break`/`continue` of a loop inside it do not)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False
    stack: list[tuple[ast.AST, bool]] = [(stmt, False)]
    while stack:
        node, in_loop = stack.pop()
        if isinstance(node, (ast.Return, ast.Raise)):
            return True
        if isinstance(node, (ast.Continue, ast.Break)) and not in_loop:
            return True
        if isinstance(node, ast.Call) and getattr(
            node.func, "id", getattr(node.func, "attr", "")
        ) in ("abort", "exit"):
            return True
        loop = in_loop or isinstance(node, (ast.For, ast.AsyncFor, ast.While))
        for child in ast.iter_child_nodes(node):
            if not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
            ):
                stack.append((child, loop))
    return False


def _blocks(node: ast.AST) -> list[list[ast.stmt]]:
    out = [
        getattr(node, name)
        for name in ("body", "orelse", "finalbody")
        if isinstance(getattr(node, name, None), list)
    ]
    out.extend(handler.body for handler in getattr(node, "handlers", []))
    return out


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _target_names(elt)]
    return []


def _bind(target: ast.expr, value: Any) -> dict[str, Node | None] | None:
    if isinstance(target, ast.Name):
        if isinstance(value, Regex):  # `for p in PATTERNS:` over compiled patterns
            return {target.id: ("pattern", value.pattern, value.flags)}
        return {target.id: ("const", value)}
    if (
        isinstance(target, (ast.Tuple, ast.List))
        and isinstance(value, tuple)
        and len(value) == len(target.elts)
    ):
        env: dict[str, Node | None] = {}
        for elt, item in zip(target.elts, value, strict=True):
            inner = _bind(elt, item)
            if inner is None:
                return None
            env.update(inner)
        return env
    return None


def _decode(value: Any) -> Any:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _one_line(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unwrap_key(node: ast.expr) -> ast.expr:
    """`key` of `key.lower()`, `key.decode()`, `key.decode("latin1").lower()`…"""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("lower", "decode", "strip", "casefold")
    ):
        node = node.func.value
    return node


def _is_static(function: Function) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)


def _is_test_file(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


# ------------------------------------------------------------------------------ the analysis


class _Analysis:
    def __init__(self, module: Module, resolver: Evaluator) -> None:
        self.module = module
        self.resolver = resolver
        self.sets: list[_Set] = []
        # functions (None: module level) with evidence of `Vary: Origin`
        self.vary: set[ast.AST | None] = set()
        self._notes: list[tuple[str, str]] = []  # env/debug facts met while translating
        self._inlining = 0
        # memos, keyed by node identity (the tree outlives the analysis)
        self._bindings: dict[int, tuple[ast.expr, str] | None] = {}
        self._attr_bindings: dict[int, ast.expr | None] = {}
        self._regions: dict[int, ast.AST] = {}
        self._mocks: dict[int, bool] = {}
        self._callbacks: set[int] | None = None  # functions handed to a mock (`callback=cb`)
        # origin checks met while translating a guard that the analysis cannot evaluate
        self._pending: list[tuple[ast.AST, str]] = []
        self._flows_memo: dict[int, bool] = {}  # per binding: the origin flows into its value
        self._param_memo: dict[tuple[int, str], bool] = {}
        self._attr_memo: dict[tuple[int, str], list[ast.expr]] = {}
        self._sites: dict[str, list[tuple[ast.Call, ast.Call]]] | None = None
        self._flag_depth = 0
        self._foreign_depth = 0  # > 0: the analysis of another module's helper

    # -- collection ---------------------------------------------------------------------------
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
                return parent.name.startswith("test") or _is_test_file(self.module.path.name)
        return compared and _is_test_file(self.module.path.name)

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
            resolved = _decode(resolved)
            if (
                not isinstance(resolved, str)
                or "origin" in resolved.lower()
                or resolved.strip() == "*"
            ):
                self.vary.add(function)
            return
        self.sets.append(_Set(name, value, at, guards, function, target, replaces))

    def _assign(self, target: ast.expr, value: ast.expr, stmt: ast.stmt) -> None:
        if isinstance(target, ast.Subscript):
            if self._client_side(target.value):
                return
            if self._key(target.slice) == "headers":  # raw ASGI: message["headers"] = [...]
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
        if self._mocked(stmt):
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
            if not self._mocked(at):
                self._add(name, value, at, (at,), function, target, replaces=True)
            return
        # for k, v in CORS_HEADERS.items(): response.headers[k] = v
        if not (isinstance(key, ast.Name) and isinstance(value, ast.Name)):
            return
        for parent in self.module.ancestors(at):
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                return
            if isinstance(parent, (ast.For, ast.AsyncFor)) and _target_names(parent.target) == [
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
                if pairs and self._mocked(at):
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
                    if not self._mocked(node):
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
                    if not self._mocked(node):
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
            binding = self._binding(expr)
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
            binding = self._binding(root)
            if binding is not None and binding[1] in ("local", "module"):
                bound = binding[0]
                qual = self.module.qualname(bound.func) if isinstance(bound, ast.Call) else ""
                # not `requests.get(...)`: a proxy may forward what it received
                return qual.startswith(CLIENT_MODULES) and qual.endswith(".Response")
        return False

    # -- mocks --------------------------------------------------------------------------------
    def _mocked(self, node: ast.AST) -> bool:
        """`node` (a call, an assignment, a `return`) fakes a response in a test: the arguments of
        `responses.add(...)`, `respx.get(...).mock(return_value=...)`, `Mock(headers=...)`,
        `m.return_value.headers = ...`, and the body of a callback handed to a mock."""
        statement = self.module.statement(node)
        for item in [node, *self.module.ancestors(node)]:
            if isinstance(item, ast.Call) and self._mock_expr(item.func):
                return True
            if isinstance(item, ast.keyword) and item.arg in MOCK_ATTRS:
                return True
            if item is statement:
                break
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, (ast.Attribute, ast.Subscript)) and self._mock_expr(target):
                    return True
        callbacks = self._mock_callbacks()
        return any(
            id(f) in callbacks
            for f in self.module.ancestors(node)
            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
        )

    def _mock_expr(self, node: ast.expr, depth: int = 0) -> bool:
        """`node` is (an attribute of, a call on) an object of a mocking library."""
        if depth > 8:
            return False
        key = id(node)
        if key not in self._mocks:
            self._mocks[key] = False  # a binding cycle is not a mock
            self._mocks[key] = self._find_mock(node, depth)
        return self._mocks[key]

    def _find_mock(self, node: ast.expr, depth: int) -> bool:
        if isinstance(node, ast.Call):
            return self._mock_expr(node.func, depth + 1)
        if isinstance(node, ast.Subscript):
            return self._mock_expr(node.value, depth + 1)
        if isinstance(node, ast.Attribute):
            if node.attr in MOCK_ATTRS or node.attr in MOCK_METHODS:
                return True
            return self._mock_expr(node.value, depth + 1)
        if not isinstance(node, ast.Name):
            return False
        name = node.id
        if MOCK_NAME.search(name) or name in MOCK_FIXTURES:  # `mocker`, `requests_mock`, `mock_get`
            return True
        found = self.resolver.lookup(name, node)
        if found is not None:  # `m = requests_mock.Mocker()`
            return found[1] is self.module and self._mock_expr(found[0], depth + 1)
        qual = self.module.qualname(node)  # an import: `import responses`, `from mock import Mock`
        if any(qual == m or qual.startswith(f"{m}.") for m in MOCK_MODULES):
            return True
        for scope in self.module.ancestors(node):
            if isinstance(scope, (ast.With, ast.AsyncWith)):  # `with aioresponses() as m:`
                for item in scope.items:
                    var = item.optional_vars
                    if isinstance(var, ast.Name) and var.id == name:
                        return self._mock_expr(item.context_expr, depth + 1)
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = scope.args
                params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
                if any(a.arg == name for a in params):
                    # `@requests_mock.Mocker()` / `@patch(...)` pass the mock as a parameter
                    return any(self._mock_expr(d, depth + 1) for d in scope.decorator_list)
        return False

    def _mock_callbacks(self) -> set[int]:
        """The functions handed to a mock by name (`responses.add_callback(..., callback=cb)`,
        `m.side_effect = fake`): what they return or set is a faked response."""
        if self._callbacks is not None:
            return self._callbacks
        self._callbacks = set()
        defined: dict[str, list[Function]] = {}
        for node in self.module.nodes(ast.FunctionDef, ast.AsyncFunctionDef):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defined.setdefault(node.name, []).append(node)
        for node in self.module.nodes(ast.Call, ast.Assign):
            handed: list[ast.expr] = []
            if isinstance(node, ast.Call):
                handed = [*node.args, *[k.value for k in node.keywords]]
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr in MOCK_ATTRS for t in node.targets
            ):
                handed = [node.value]
            names = [a.id for a in handed if isinstance(a, ast.Name) and a.id in defined]
            if not names or (isinstance(node, ast.Call) and not self._mock_expr(node.func)):
                continue
            scope = self.module.function_of(node)
            for name in names:
                self._callbacks.update(
                    id(f) for f in defined[name] if self.module.function_of(f) is scope
                )
        return self._callbacks

    def _client_call(self, node: ast.Call) -> bool:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in CLIENT_METHODS:
            return True
        return self.module.qualname(func).startswith(CLIENT_MODULES)

    def _sink(self, expr: ast.expr, at: ast.AST) -> None:
        pairs = self._pairs(expr)
        if not pairs or self._mocked(at):
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
            binding = self._binding(expr)
            if binding is not None and binding[1] in ("local", "module"):
                out.extend(self._pairs(binding[0], depth + 1))
        elif isinstance(expr, ast.Attribute):
            out.extend(self._pairs(self._attr_binding(expr), depth + 1))
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
        name = self._key(key)
        if name and (name.startswith("access-control-") or name == VARY):
            return name
        return None

    def _key(self, node: ast.expr) -> str | None:
        """A header name / mapping key as a lower-case string."""
        if isinstance(node, (ast.Name, ast.Attribute)):
            qual = self.module.qualname(node)
            if qual.startswith(("aiohttp.hdrs.", "hdrs.")):
                return qual.rsplit(".", 1)[-1].lower().replace("_", "-")
        if isinstance(node, ast.Constant):
            value = node.value
        else:
            value = self.resolver.resolve(node).value
        value = _decode(value)
        if isinstance(value, str):
            return value.strip().lower()
        if value is UNKNOWN and isinstance(node, (ast.Name, ast.Attribute)):
            # `from corsheaders.middleware import ACCESS_CONTROL_ALLOW_ORIGIN`: named for what it is
            name = node.id if isinstance(node, ast.Name) else node.attr
            if CONSTANT_NAME.match(name):
                return name.lower().replace("_", "-")
        return None

    # -- names --------------------------------------------------------------------------------
    def _binding(self, node: ast.Name) -> tuple[ast.expr, str] | None:
        """What `node` is bound to: ("local" | "module" | "default" | "param" | "origin-param")."""
        key = id(node)
        if key not in self._bindings:
            self._bindings[key] = self._find_binding(node)
        return self._bindings[key]

    def _find_binding(self, node: ast.Name) -> tuple[ast.expr, str] | None:
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
            return found[0], "module"
        binding = visible.bindings[-1] if visible.bindings else None
        if binding is None:
            return None  # a local used before it is bound
        if binding.kind == "parameter":
            function = scope.node
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return self._param(function, node.id)
            return None
        if binding.kind == "loop" and self._header_loop_origin(node, binding.node):
            return node, "origin-param"
        if binding.kind not in ("assign", "walrus", "augassign"):
            return None
        found = self.resolver.lookup(node.id, node)
        if found is None or found[1] is not self.module:
            return None
        return found[0], "local"

    def _param(self, function: Function, name: str) -> tuple[ast.expr, str] | None:
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
                        key = self._key(alias) if alias is not None else name.replace("_", "-")
                        if key == "origin":
                            return sub, "origin-param"
            if default is None or (isinstance(default, ast.Constant) and default.value is None):
                # `check=None`: optional, the caller passes the value (None is not "the" value)
                return ast.Constant(None), "param"
            return default, "default"
        return None

    def _attr_binding(self, node: ast.Attribute) -> ast.expr | None:
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
        cache: dict[ast.ClassDef, dict[str, list[ast.expr]]] = self.__dict__.setdefault(
            "_class_cache", {}
        )
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

    # -- reading the request ------------------------------------------------------------------
    def _headerish(self, base: ast.expr) -> bool:
        texts = [self.module.text(base).lower()]
        if isinstance(base, ast.Name):
            binding = self._binding(base)
            if binding is not None and binding[1] in ("local", "module"):
                texts.append(self.module.text(binding[0]).lower())
        return any(word in text for text in texts for word in HEADERISH)

    def _read_key(self, node: ast.expr) -> str | None:
        """The request header `node` reads (`request.headers["Origin"]` -> "origin"), or None."""
        if isinstance(node, ast.Attribute) and node.attr in REQUEST_PROPERTIES:
            # werkzeug: `request.access_control_request_headers`
            if "req" in self.module.text(node.value).lower():
                return REQUEST_PROPERTIES[node.attr]
            return None
        if isinstance(node, ast.Subscript):
            key, base, method = self._key(node.slice), node.value, None
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in READ_METHODS
            and node.args
        ):
            key, base, method = self._key(node.args[0]), node.func.value, node.func.attr
        else:
            return None
        if not key:
            return None
        if key.startswith("http_"):  # WSGI environ / Django META
            return key[5:].replace("_", "-")
        if method not in (None, "get") or self._headerish(base):
            return key
        return None

    def _request_object(self, node: ast.AST, depth: int = 0) -> bool:
        """`node` is the request, or one of its header collections (`request`, `self.request`,
        `request.headers`, `scope["headers"]`, `Headers(scope=scope)`, `environ.items()`)."""
        if depth > 6:
            return False
        if isinstance(node, ast.BoolOp):  # `scope.get("headers") or []`
            return any(self._request_object(v, depth + 1) for v in node.values)
        if isinstance(node, ast.Name):
            binding = self._binding(node)
            if binding is not None and binding[1] == "local":
                return self._request_object(binding[0], depth + 1)
            return node.id.lower() in REQUEST_NAMES
        if isinstance(node, ast.Attribute):
            if node.attr.lower() in ("request", "scope", "environ"):
                return True
            return node.attr.lower() in REQUEST_PARTS and self._request_object(
                node.value, depth + 1
            )
        if isinstance(node, ast.Subscript):
            return self._key(node.slice) in ("headers", "raw_headers") and self._request_object(
                node.value, depth + 1
            )
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("items", "get", "raw", "copy"):
                if func.attr == "get" and (
                    not node.args or self._key(node.args[0]) not in ("headers", "raw_headers")
                ):
                    return False
                return self._request_object(func.value, depth + 1)
            short = self.module.qualname(func).rsplit(".", 1)[-1]
            if short in HEADER_FACTORIES or short in ("Headers", "Request"):
                arguments = [*node.args, *[k.value for k in node.keywords]]
                return any(self._request_object(a, depth + 1) for a in arguments)
        return False

    def _header_loop(self, target: ast.AST) -> tuple[ast.AST, ast.expr] | None:
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
        if loop.target is not parent or not self._request_object(loop.iter):
            return None
        return loop, parent.elts[0]

    def _header_loop_origin(self, use: ast.Name, target: ast.AST) -> bool:
        """`value` in `for key, value in scope["headers"]: if key == b"origin": o = value`."""
        found = self._header_loop(target)
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
            unwrapped = _unwrap_key(a)
            if isinstance(unwrapped, ast.Name) and unwrapped.id == key:
                wanted = _decode(self.resolver.resolve(b).value)
                if isinstance(wanted, (list, tuple, set, frozenset)):
                    return any(str(_decode(w)).lower() in ORIGIN_KEYS for w in wanted)
                return isinstance(wanted, str) and wanted.lower() in ORIGIN_KEYS
        return False

    def _header_key(self, node: ast.expr) -> bool:
        """`node` is the header name in a loop over the request's headers (`for k, v in …`)."""
        node = _unwrap_key(node)
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
        return self._header_loop(parent.elts[1]) is not None

    def _is_origin_read(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Attribute) and node.attr == "origin":  # werkzeug `request.origin`
            return "req" in self.module.text(node.value).lower()
        return self._read_key(node) == "origin"

    # -- value expressions --------------------------------------------------------------------
    def _expr(self, node: ast.expr, env: dict[str, Node | None], depth: int = 0) -> Node | None:
        """`node` as a predicate value: built from the origin and constants, or None."""
        if depth > 14:
            return None
        if isinstance(node, ast.Name):
            if node.id in env:
                bound = env[node.id]
                return None if bound is not None and bound[0] in ("pattern", "opaque") else bound
            binding = self._binding(node)
            if binding is not None:
                expr, kind = binding
                if kind == "origin-param":
                    return ORIGIN
                if kind == "param":
                    return None
                if kind == "local" or kind == "default":
                    return self._expr(expr, env if kind == "local" else {}, depth + 1)
            return self._const(node)
        if isinstance(node, ast.NamedExpr):
            return self._expr(node.value, env, depth + 1)
        if self._is_origin_read(node):
            return ORIGIN
        if isinstance(node, ast.Attribute):
            if node.attr in ("hostname", "netloc", "scheme", "port"):
                parsed = self._parsed(node.value, env, depth + 1)
                if parsed is not None:
                    return ("apply", node.attr, parsed)
            bound = self._attr_binding(node)
            if bound is not None:
                return self._expr(bound, {}, depth + 1)
            return self._const(node)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and not node.keywords:
                if func.attr in ("lower", "strip", "casefold") and not node.args:
                    inner = self._expr(func.value, env, depth + 1)
                    if inner is not None and _has_origin(inner):
                        return ("apply", "lower" if func.attr == "casefold" else func.attr, inner)
                    return self._const(node) if inner is not None else None
                if func.attr in ("decode", "encode"):
                    inner = self._expr(func.value, env, depth + 1)
                    if inner is not None and _has_origin(inner):
                        return inner
            if isinstance(func, ast.Name) and func.id == "str" and len(node.args) == 1:
                inner = self._expr(node.args[0], env, depth + 1)
                if inner is not None and _has_origin(inner):
                    return inner
            inlined = self._inline(node, env, depth)
            if inlined is not None:
                helper_env, result = inlined
                if isinstance(result, ast.expr):
                    self._inlining += 1
                    try:
                        return self._expr(result, helper_env, depth + 1)
                    finally:
                        self._inlining -= 1
            return self._const(node)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
            # `urlparse(origin).hostname or ""`: the same for every test but `== ""`
            first = self._expr(node.values[0], env, depth + 1)
            fallback = self._expr(node.values[1], env, depth + 1)
            if (
                first is not None
                and _has_origin(first)
                and fallback in (("const", ""), ("const", None))
            ):
                return first
            return None
        if isinstance(
            node, (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.BinOp, ast.JoinedStr)
        ):
            return self._const(node)
        return None

    def _const(self, node: ast.expr) -> Node | None:
        value = self.resolver.resolve(node)
        converted = _py_const(value.value)
        if converted is UNKNOWN:
            return None
        self._note(value)
        return ("const", converted)

    def _note(self, value: Value) -> None:
        if value.env is not None:
            self._notes.append(("env", value.env))
        if value.debug is not None:
            self._notes.append(("debug", value.debug))

    def _parsed(self, node: ast.expr, env: dict[str, Node | None], depth: int) -> Node | None:
        """The origin-derived argument of `urlparse(x)` / `urlsplit(x)` (also through a local name)."""
        if depth > 14:
            return None
        if isinstance(node, ast.Name) and node.id not in env:
            binding = self._binding(node)
            if binding is not None and binding[1] == "local":
                return self._parsed(binding[0], env, depth + 1)
            return None
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
            if self.module.qualname(node.func).endswith(("urlparse", "urlsplit")):
                inner = self._expr(node.args[0], env, depth + 1)
                if inner is not None and _has_origin(inner):
                    return inner
        return None

    def _regex(self, node: ast.expr, env: dict[str, Node | None]) -> tuple[str, int] | None:
        """A pattern: a string or compiled pattern, or a loop variable bound to one."""
        if isinstance(node, ast.Name) and node.id in env:
            bound = env[node.id]
            if bound is not None and bound[0] == "pattern":
                return bound[1], bound[2]
            if bound is not None and bound[0] == "const" and isinstance(bound[1], str):
                return bound[1], 0
            return None
        value = self.resolver.resolve(node)
        if isinstance(value.value, Regex):
            self._note(value)
            return value.value.pattern, value.value.flags
        if isinstance(value.value, str):
            self._note(value)
            return value.value, 0
        return None

    def _compiled(self, node: ast.expr, env: dict[str, Node | None]) -> tuple[str, int] | None:
        """A compiled pattern (`re.compile(...)`, or a loop variable over a list of them)."""
        if isinstance(node, ast.Name) and node.id in env:
            bound = env[node.id]
            return (bound[1], bound[2]) if bound is not None and bound[0] == "pattern" else None
        value = self.resolver.resolve(node)
        if isinstance(value.value, Regex):
            self._note(value)
            return value.value.pattern, value.value.flags
        return None

    def _inline(
        self, call: ast.Call, env: dict[str, Node | None], depth: int
    ) -> tuple[dict[str, Node | None], Any] | None:
        """One level of a helper in this module: (parameter env, return expression or ("if", test, positive))."""
        if self._inlining or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        helper = self._helper(call)
        if helper is None or isinstance(helper, ast.AsyncFunctionDef):
            return None
        skip_self = isinstance(call.func, ast.Attribute) and not _is_static(helper)
        params = [a.arg for a in [*helper.args.posonlyargs, *helper.args.args]][
            1 if skip_self else 0 :
        ]
        if len(call.args) > len(params):
            return None
        helper_env: dict[str, Node | None] = {}
        for param, arg in zip(params, call.args, strict=False):
            helper_env[param] = self._argument(arg, env, depth)
        for kw in call.keywords:
            if kw.arg is None:
                return None
            helper_env[kw.arg] = self._argument(kw.value, env, depth)
        body = list(helper.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        while body and isinstance(body[0], (ast.Assign, ast.AnnAssign)):
            body = body[1:]
        if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
            return helper_env, body[0].value
        if (
            len(body) == 2
            and isinstance(body[0], ast.If)
            and not body[0].orelse
            and len(body[0].body) == 1
            and isinstance(body[0].body[0], ast.Return)
            and isinstance(body[1], ast.Return)
        ):
            first, last = body[0].body[0].value, body[1].value
            if (
                isinstance(first, ast.Constant)
                and isinstance(last, ast.Constant)
                and bool(first.value) != bool(last.value)
            ):
                return helper_env, ("if", body[0].test, bool(first.value))
        return None

    def _argument(self, arg: ast.expr, env: dict[str, Node | None], depth: int) -> Node | None:
        """A helper's argument: its value, or ("opaque",) when the origin flows into it in a way
        the analysis cannot follow (so that a check on it inside the helper is not taken as one
        that cannot involve the origin)."""
        value = self._expr(arg, env, depth + 1)
        if value is None and self._flows(arg, env):
            return ("opaque",)
        return value

    # -- conditions ---------------------------------------------------------------------------
    def _cond(self, node: ast.expr, env: dict[str, Node | None], depth: int = 0) -> Node | None:
        """A condition as a predicate (with "free" atoms for origin-independent parts), or None."""
        if depth > 14:
            return None
        if isinstance(node, ast.BoolOp):
            parts = [self._cond(v, env, depth + 1) for v in node.values]
            if any(p is None for p in parts):
                return None
            return ("and" if isinstance(node.op, ast.And) else "or", *parts)  # type: ignore[misc]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self._cond(node.operand, env, depth + 1)
            return None if inner is None else ("not", inner)
        if isinstance(node, ast.Compare):
            nodes: list[Node] = []
            left = node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                compared = self._compare(left, op, right, env, depth)
                if compared is None:
                    return self._atom(node, env)
                nodes.append(compared)
                left = right
            return nodes[0] if len(nodes) == 1 else ("and", *nodes)
        if isinstance(node, ast.Constant):
            return TRUE if node.value else FALSE
        if isinstance(node, ast.Call):
            called = self._call_cond(node, env, depth)
            if called is not None:
                return called
        if isinstance(node, (ast.Name, ast.Attribute)) and is_debug_expr(self.module, node):
            return self._atom(node, env)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd):
            common = self._intersection(node, env, depth)
            if common is not None:
                return common
        if isinstance(node, ast.Name) and node.id not in env:
            flag = self._flag_variable(node)
            if flag is not None:
                return flag
            if self._flag_flips(node) is not None:
                return self._atom(node, env)  # its last value is not its value
            binding = self._binding(node)
            if (
                binding is not None
                and binding[1] == "local"
                and isinstance(binding[0], (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Call))
            ):
                bound = self._cond(binding[0], env, depth + 1)
                if bound is not None:
                    return bound
        value = self._expr(node, env, depth + 1)
        if value is not None and _has_origin(value):
            return _truthy(value)
        if value is not None and value[0] == "const":
            return TRUE if value[1] else FALSE
        return self._atom(node, env)

    def _atom(self, node: ast.expr, env: dict[str, Node | None]) -> Node | None:
        """A condition the analysis does not translate. When the origin flows into it, it is an
        origin check the analysis cannot evaluate (None, noted in `_pending`); otherwise it decides
        *when* a header is sent (a method, a path, a user, a feature flag), not *who* gets it: a
        free atom, marked when it is a flag that configures CORS itself."""
        if self._flows(node, env):
            self._pending.append((node, f"`{_one_line(self.module.text(node))}`"))
            return None
        debug = is_debug_expr(self.module, node)
        flag = "" if debug else self._cors_flag(node, env)
        return ("free", ast.dump(node), bool(debug), debug or self.module.text(node), flag)

    def _intersection(
        self, node: ast.BinOp, env: dict[str, Node | None], depth: int
    ) -> Node | None:
        """`set(["*", origin]) & ALLOWED` (true when non-empty): one of the items is in ALLOWED."""
        for literal, other in ((node.left, node.right), (node.right, node.left)):
            items: list[ast.expr] | None = None
            if isinstance(literal, ast.Set):
                items = list(literal.elts)
            elif (
                isinstance(literal, ast.Call)
                and isinstance(literal.func, ast.Name)
                and literal.func.id in ("set", "frozenset")
                and len(literal.args) == 1
                and not literal.keywords
                and isinstance(literal.args[0], (ast.List, ast.Tuple, ast.Set))
            ):
                items = list(literal.args[0].elts)
            if items is None or any(isinstance(i, ast.Starred) for i in items):
                continue
            hay = self._expr(other, env, depth + 1)
            if hay is None or hay[0] != "const":
                return None
            parts = [self._expr(i, env, depth + 1) for i in items]
            if any(part is None for part in parts):
                return None
            return ("or", *[("in", part, hay) for part in parts])  # type: ignore[misc]
        return None

    def _flag_flips(self, node: ast.Name) -> tuple[bool, list[ast.AST]] | None:
        """A local flag set to a constant and flipped further on (`ok = False` … `for a in
        ALLOWED: if fnmatch(origin, a): ok = True`): (its first value, the flipping statements)."""
        visible = self.module.semantic.visible(node.id, node)
        bindings = visible.bindings
        if (
            len(bindings) < 2
            or visible.stars
            or visible.scope is None
            or not visible.scope.is_function
        ):
            return None
        constants: list[bool] = []
        for binding in bindings:
            value = binding.value
            if (
                binding.kind != "assign"
                or binding.index
                or not isinstance(value, ast.Constant)
                or not isinstance(value.value, bool)
            ):
                return None
            constants.append(value.value)
        first, *flips = constants
        if bindings[0].conditional or any(flip == first for flip in flips):
            return None
        statements = [self.module.statement(b.node) for b in bindings[1:]]
        use_chain = self.module.ancestors(node)
        for statement in statements:
            outer = self.module.ancestors(statement)
            if any(
                isinstance(a, (ast.For, ast.AsyncFor, ast.While)) and a in outer for a in use_chain
            ):
                return None  # set and read in the same loop: an earlier round's value
        return first, statements

    def _flag_variable(self, node: ast.Name) -> Node | None:
        """The flag is true when one of its flips ran (or false, when it starts true)."""
        found = self._flag_flips(node) if self._flag_depth <= 1 else None
        if found is None:
            return None
        first, statements = found
        parts: list[Node] = []
        self._flag_depth += 1
        try:
            for statement in statements:
                guards = self._guards_of(statement)
                translated = self._translate(guards) if guards is not None else None
                if translated is None:
                    return None
                parts.append(translated[0])
        finally:
            self._flag_depth -= 1
        ran: Node = ("or", *parts)
        return ("not", ran) if first else ran

    def _compare(
        self, a: ast.expr, op: ast.cmpop, b: ast.expr, env: dict[str, Node | None], depth: int
    ) -> Node | None:
        if (
            isinstance(op, (ast.In, ast.NotIn))
            and self._key(a) in ORIGIN_KEYS
            and self._headerish(b)
        ):
            return TRUE if isinstance(op, ast.In) else FALSE  # `"Origin" in request.headers`
        if isinstance(op, (ast.Eq, ast.NotEq)):
            # `if key == b"origin":` in a loop over the request's headers: the Origin is there
            for x, y in ((a, b), (b, a)):
                if self._header_key(x):
                    wanted = _decode(self.resolver.resolve(y).value)
                    if isinstance(wanted, str) and wanted.lower() in ORIGIN_KEYS:
                        return TRUE if isinstance(op, ast.Eq) else FALSE
        left, right = self._expr(a, env, depth + 1), self._expr(b, env, depth + 1)
        if left is None or right is None:
            return None
        if isinstance(op, (ast.Eq, ast.Is)):
            return ("eq", left, right)
        if isinstance(op, (ast.NotEq, ast.IsNot)):
            return ("ne", left, right)
        if isinstance(op, ast.In):
            return ("in", left, right)
        if isinstance(op, ast.NotIn):
            return ("not", ("in", left, right))
        return None

    def _call_cond(self, node: ast.Call, env: dict[str, Node | None], depth: int) -> Node | None:
        func = node.func
        qual = self.module.qualname(func)
        args = node.args
        if isinstance(func, ast.Name) and func.id == "bool" and len(args) == 1:
            return self._cond(args[0], env, depth + 1)
        if isinstance(func, ast.Name) and func.id == "isinstance" and len(args) == 2:
            # `isinstance(origin, str)`: a header read is a string when the header is there
            subject = self._expr(args[0], env, depth + 1)
            kinds = args[1].elts if isinstance(args[1], ast.Tuple) else [args[1]]
            if (
                subject is not None
                and _has_origin(subject)
                and any(isinstance(k, ast.Name) and k.id in ("str", "bytes") for k in kinds)
            ):
                return ("ne", subject, ("const", None))
        if isinstance(func, ast.Attribute) and func.attr == "get" and len(args) == 1:
            # `TRUSTED.get(origin)` on a constant dict whose values are all true: membership
            mapping = self.resolver.resolve(func.value)
            subject = self._expr(args[0], env, depth + 1)
            if (
                isinstance(mapping.value, dict)
                and all(v is not UNKNOWN and v for v in mapping.value.values())
                and subject is not None
                and _has_origin(subject)
            ):
                keys = _py_const(list(mapping.value))
                if keys is not UNKNOWN:
                    self._note(mapping)
                    return ("in", subject, ("const", keys))
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("startswith", "endswith")
            and len(args) == 1
            and not node.keywords
        ):
            subject, arg = (
                self._expr(func.value, env, depth + 1),
                self._expr(args[0], env, depth + 1),
            )
            if (
                subject is not None
                and _has_origin(subject)
                and arg is not None
                and arg[0] == "const"
            ):
                if isinstance(arg[1], str) or (
                    isinstance(arg[1], tuple) and all(isinstance(v, str) for v in arg[1])
                ):
                    return ("method", func.attr, subject, arg)
            return None
        if qual in RE_FUNCS and len(args) >= 2:
            regex = self._regex(args[0], env)
            subject = self._expr(args[1], env, depth + 1)
            flags = self._flags(
                args[2]
                if len(args) > 2
                else next((k.value for k in node.keywords if k.arg == "flags"), None)
            )
            if (
                regex is not None
                and subject is not None
                and _has_origin(subject)
                and flags is not None
            ):
                return ("regex", RE_FUNCS[qual], regex[0], regex[1] | flags, subject)
            return None
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("match", "search", "fullmatch")
            and len(args) == 1
        ):
            compiled = self._compiled(func.value, env)
            if compiled is not None:
                subject = self._expr(args[0], env, depth + 1)
                if subject is not None and _has_origin(subject):
                    return ("regex", func.attr, compiled[0], compiled[1], subject)
            return None
        if qual in ("fnmatch.fnmatch", "fnmatch.fnmatchcase") and len(args) == 2:
            subject, pattern = (
                self._expr(args[0], env, depth + 1),
                self._expr(args[1], env, depth + 1),
            )
            if (
                subject is not None
                and _has_origin(subject)
                and pattern is not None
                and isinstance(pattern[1], str)
            ):
                return ("regex", "match", fnmatch.translate(pattern[1]), 0, subject)
            return None
        if isinstance(func, ast.Name) and func.id in ("any", "all") and len(args) == 1:
            return self._quantified(func.id, args[0], env, depth)
        inlined = self._inline(node, env, depth)
        if inlined is not None:
            helper_env, result = inlined
            self._inlining += 1
            try:
                if isinstance(result, tuple):
                    inner = self._cond(result[1], helper_env, depth + 1)
                    return inner if inner is None or result[2] else ("not", inner)
                return self._cond(result, helper_env, depth + 1)
            finally:
                self._inlining -= 1
        return None

    def _quantified(
        self, how: str, arg: ast.expr, env: dict[str, Node | None], depth: int
    ) -> Node | None:
        """`any(origin.endswith(d) for d in DOMAINS)` over a constant iterable."""
        if (
            not isinstance(arg, (ast.GeneratorExp, ast.ListComp, ast.SetComp))
            or len(arg.generators) != 1
        ):
            return None
        generator = arg.generators[0]
        values = self._loop_items(generator.iter)
        if generator.is_async or values is None or len(values) > MAX_LOOP:
            return None
        parts: list[Node] = []
        for value in values:
            bound = _bind(generator.target, value)
            if bound is None:
                return None
            inner_env = {**env, **bound}
            filters = [self._cond(c, inner_env, depth + 1) for c in generator.ifs]
            test = self._cond(arg.elt, inner_env, depth + 1)
            if test is None or any(f is None for f in filters):
                return None
            selected: Node = ("and", *filters) if filters else TRUE  # type: ignore[arg-type]
            # any(): a selected element passes; all(): every selected element passes
            parts.append(
                ("and", selected, test) if how == "any" else ("or", ("not", selected), test)
            )
        if how == "any":
            return ("or", *parts) if parts else FALSE
        return ("and", *parts) if parts else TRUE

    def _const_items(self, node: ast.expr) -> tuple[Any, ...] | None:
        value = self.resolver.resolve(node)
        converted = _py_const(value.value)
        if not isinstance(converted, tuple):
            return None
        self._note(value)
        return converted

    def _loop_items(self, node: ast.expr) -> tuple[Any, ...] | None:
        """The items a loop / comprehension iterates over: constants, or compiled patterns
        (`PATTERNS = [re.compile(...) for h in HOSTS]`), which bind to ("pattern", …) markers."""
        value = self.resolver.resolve(node)
        if isinstance(value.value, (list, tuple)) and any(
            isinstance(v, Regex) for v in value.value
        ):
            items = [v if isinstance(v, Regex) else _py_const(v) for v in value.value]
            if any(v is UNKNOWN for v in items):
                return None
            self._note(value)
            return tuple(items)
        return self._const_items(node)

    def _flags(self, node: ast.expr | None) -> int | None:
        if node is None:
            return 0
        value = self.resolver.resolve(node).value
        return value if isinstance(value, int) else None

    # -- data flow: does the request's Origin reach an expression? -------------------------------
    def _flows(self, node: ast.AST, env: dict[str, Node | None], depth: int = 0) -> bool:
        """The request's Origin (or a value derived from it, or another header the browser sets
        from the requesting page: `Referer`, `Sec-Fetch-Site`) flows into `node`, through the
        semantic model's bindings (locals, loop variables, `self.` attributes, parameters from the
        calls in this module, conditions a binding is made under, helpers of this module or of
        another project module), or the whole request is handed to a function that may read it."""
        if depth > 12:
            return True  # too far to follow: assume it does (no claim either way)
        stack: list[ast.AST] = [node]
        while stack:
            sub = stack.pop()
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(sub, ast.Name):
                if isinstance(sub.ctx, ast.Load) and self._name_flows(sub, env, depth):
                    return True
                continue
            if isinstance(sub, ast.Attribute):
                if self._is_origin_read(sub):
                    return True
                bound = self._attr_values(sub)
                if any(self._flows(b, {}, depth + 1) for b in bound):
                    return True
            elif isinstance(sub, ast.Subscript):
                if self._read_key(sub) in BROWSER_KEYS:
                    return True
            elif isinstance(sub, ast.Call):
                if self._read_key(sub) in BROWSER_KEYS:
                    return True
                if self._call_flows(sub, depth):
                    return True
            stack.extend(ast.iter_child_nodes(sub))
        return False

    def _name_flows(self, node: ast.Name, env: dict[str, Node | None], depth: int) -> bool:
        if node.id in env and env[node.id] is not None:
            bound = env[node.id]
            assert bound is not None
            return bound[0] == "opaque" or _has_origin(bound)
        for binding in self.module.semantic.visible(node.id, node).bindings:
            key = id(binding)
            if key not in self._flows_memo:
                self._flows_memo[key] = False  # a cycle through bindings adds nothing
                self._flows_memo[key] = self._binding_flows(binding, depth)
            if self._flows_memo[key]:
                return True
        return False

    def _binding_flows(self, binding: Any, depth: int) -> bool:
        if binding.kind == "parameter":
            function = binding.scope.node
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found = self._param(function, binding.name)
                if found is not None and found[1] == "origin-param":
                    return True
                return self._param_flows(function, binding.name, depth)
            return False
        if self._control_flows(binding.node, depth):
            return True  # `ok = False` … `if origin in X: ok = True`: set depending on the origin
        if binding.kind == "loop":
            if self._header_loop(binding.node) is not None:
                return True  # a header's value (the key variable holds names, not values)
            parent = self.module.parents.get(binding.node)
            if isinstance(parent, (ast.Tuple, ast.List)) and self._header_loop(parent.elts[-1]):
                return False
            return binding.value is not None and self._flows(binding.value, {}, depth + 1)
        if binding.kind in ("assign", "walrus", "augassign", "with", "unpack"):
            return binding.value is not None and self._flows(binding.value, {}, depth + 1)
        return False

    def _control_flows(self, node: ast.AST, depth: int) -> bool:
        """Whether `node` runs depends on the origin: a condition, loop or `match` around it, or
        an early exit before it, in its own function."""
        child = node
        for parent in self.module.ancestors(node):
            if isinstance(
                parent,
                (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Module),
            ):
                return False
            if isinstance(parent, (ast.If, ast.While, ast.IfExp)) and child is not parent.test:
                if self._flows(parent.test, {}, depth + 1):
                    return True
            elif isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)):
                if child is not parent.iter and self._flows(parent.iter, {}, depth + 1):
                    return True
            elif isinstance(parent, ast.Match) and child is not parent.subject:
                if self._flows(parent.subject, {}, depth + 1):
                    return True
            for block in _blocks(parent):
                index = next((i for i, s in enumerate(block) if s is child), None)
                if index is None:
                    continue
                for stmt in block[:index]:
                    if (
                        isinstance(stmt, ast.If)
                        and (_exits(stmt.body) or _exits(stmt.orelse))
                        and self._flows(stmt.test, {}, depth + 1)
                    ):
                        return True
            child = parent
        return False

    def _param_flows(self, function: Function, name: str, depth: int) -> bool:
        """The origin flows into a parameter at one of the calls of the function in this module
        (`self._preflight(origin=origin, allowed=origin in self.origins)`)."""
        key = (id(function), name)
        if key in self._param_memo:
            return self._param_memo[key]
        self._param_memo[key] = False
        args = function.args
        positional = [a.arg for a in [*args.posonlyargs, *args.args]]
        found = False
        for call, skip in self._call_sites(function):
            params = positional[skip:]
            arg = next((k.value for k in call.keywords if k.arg == name), None)
            if arg is None and name in params:
                index = params.index(name)
                plain = [a for a in call.args if not isinstance(a, ast.Starred)]
                if len(plain) == len(call.args) and index < len(plain):
                    arg = plain[index]
            if arg is None and (
                any(isinstance(a, ast.Starred) for a in call.args)
                or any(k.arg is None for k in call.keywords)
            ):
                arg = call  # `f(*args, **kwargs)`: whatever is passed along
            if arg is not None and self._flows(arg, {}, depth + 1):
                found = True
                break
        self._param_memo[key] = found
        return found

    def _call_sites(self, function: Function) -> list[tuple[ast.Call, int]]:
        """The calls of `function` in this module (directly, `self.f(...)`, and
        `functools.partial(f, ...)`), each with the number of leading parameters the call does not
        pass (`self`)."""
        if self._sites is None:
            self._sites = {}
            for call in self.module.nodes(ast.Call):
                assert isinstance(call, ast.Call)
                target, site = call.func, call
                if self.module.qualname(call.func).rsplit(".", 1)[-1] == "partial" and call.args:
                    target = call.args[0]
                    site = ast.Call(func=target, args=call.args[1:], keywords=call.keywords)
                if isinstance(target, ast.Name):
                    self._sites.setdefault(target.id, []).append((site, call))
                elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    if target.value.id in ("self", "cls"):
                        self._sites.setdefault(f".{target.attr}", []).append((site, call))
        method = self._method(function)
        out: list[tuple[ast.Call, int]] = []
        if method is not None and method[1] is function:
            cls = method[0]
            for site, call in self._sites.get(f".{function.name}", []):
                if any(a is cls for a in self.module.ancestors(call)):
                    out.append((site, 0 if _is_static(function) else 1))
            return out
        for site, call in self._sites.get(function.name, []):
            assert isinstance(site.func, ast.Name)
            visible = self.module.semantic.visible(site.func.id, call)
            if any(b.node is function for b in visible.bindings):
                out.append((site, 0))
        return out

    def _attr_values(self, node: ast.Attribute) -> list[ast.expr]:
        """Every value `self.x` is given in its class (`self.x = …`, `x = …` in the body)."""
        if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            return []
        cls = next((a for a in self.module.ancestors(node) if isinstance(a, ast.ClassDef)), None)
        if cls is None:
            return []
        key = (id(cls), node.attr)
        if key not in self._attr_memo:
            self._attr_memo[key] = self._find_attr_values(cls, node.attr)
        return self._attr_memo[key]

    @staticmethod
    def _find_attr_values(cls: ast.ClassDef, attr: str) -> list[ast.expr]:
        found: list[ast.expr] = []
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == attr for t in stmt.targets
            ):
                found.append(stmt.value)
        for sub in ast.walk(cls):
            if isinstance(sub, (ast.Assign, ast.AnnAssign)) and sub.value is not None:
                targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                if any(
                    isinstance(t, ast.Attribute)
                    and t.attr == attr
                    and isinstance(t.value, ast.Name)
                    and t.value.id in ("self", "cls")
                    for t in targets
                ):
                    found.append(sub.value)
        return found

    def _call_flows(self, call: ast.Call, depth: int) -> bool:
        """A call the origin may flow into beyond its arguments: the whole request handed to a
        function that is not the one producing the response, or a helper of this module (a
        function, a method of the class) that reads the origin itself (Flask's global `request`)."""
        func = call.func
        callee = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if callee in ("isinstance", "issubclass", "len", "hasattr", "type", "id"):
            return False
        if callee == "getattr":
            return False  # an attribute of the request other than its headers: not the origin
        if not RESPONDERS.search(callee):
            for arg in [*call.args, *[k.value for k in call.keywords]]:
                if self._request_object(arg):
                    return True
        if depth > 2:
            return False
        helper = self._helper(call)
        if helper is None:
            return self._foreign_flows(call)
        key = id(helper)
        if key not in self._flows_memo:
            self._flows_memo[key] = False
            self._flows_memo[key] = any(self._flows(stmt, {}, depth + 4) for stmt in helper.body)
        return self._flows_memo[key]

    def _foreign_flows(self, call: ast.Call) -> bool:
        """A function of another project module (`from .security import origin_ok`,
        `security.origin_ok()`) that reads the origin itself (Flask's global `request`)."""
        if self._foreign_depth:
            return False
        func = call.func
        function: ast.AST | None = None
        owner: Module | None = None
        if isinstance(func, ast.Name):
            found = self.resolver.binding(func.id, call)
            if found is not None and found[0].kind == "function" and found[1] is not self.module:
                function, owner = found[0].node, found[1]
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            other = self.resolver.module_named(func.value.id, call)
            if other is not None and other is not self.module:
                owner = other
                function = next(
                    (
                        s
                        for s in other.tree.body
                        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and s.name == func.attr
                    ),
                    None,
                )
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or owner is None:
            return False
        key = id(function)
        if key not in self._flows_memo:
            self._flows_memo[key] = False
            analysis = _Analysis(owner, Evaluator(owner))
            analysis._foreign_depth = 1
            self._flows_memo[key] = any(analysis._flows(stmt, {}, 4) for stmt in function.body)
        return self._flows_memo[key]

    def _helper(self, call: ast.Call) -> Function | None:
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

    # -- configuration flags ------------------------------------------------------------------
    def _cors_flag(self, node: ast.expr, env: dict[str, Node | None]) -> str:
        """Whether `node` is a flag configuring CORS itself (named so, or read under such a key):
        "caller" when the caller sets it (parameters, `self.` attributes bound from them: a
        library's middleware, configured where it is used), "setting" when it is read from settings
        the code cannot see, "" for any other condition."""
        if not any(CORS_FLAG.search(word) for word in self._flag_words(node, 0)):
            return ""
        return "caller" if self._from_caller(node, env, 0) else "setting"

    def _flag_words(self, node: ast.AST, depth: int) -> Iterator[str]:
        if depth > 4:
            return
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                yield sub.id
                binding = self._binding(sub) if isinstance(sub.ctx, ast.Load) else None
                if binding is not None and binding[1] == "local":
                    yield from self._flag_words(binding[0], depth + 1)
            elif isinstance(sub, ast.Attribute):
                yield sub.attr
                bound = self._attr_binding(sub)
                if bound is not None:
                    yield from self._flag_words(bound, depth + 1)
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                text = sub.value.strip().lower()
                # a settings key (`"ckan.cors.origin_allow_all"`), not a header name
                if (
                    text
                    and re.fullmatch(r"[\w.\-]+", text)
                    and not (text.startswith("access-control-") or text in ORIGIN_KEYS)
                ):
                    yield text

    def _from_caller(self, node: ast.AST, env: dict[str, Node | None], depth: int) -> bool:
        """Every value in `node` comes from the caller: parameters (and their defaults),
        constants, locals and `self.` attributes bound from those."""
        if depth > 4:
            return False
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                return False  # `config.get(...)`: a setting read
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                if sub.id in env or sub.id in ("self", "cls"):
                    continue
                binding = self._binding(sub)
                if binding is None or binding[1] == "module":
                    return False
                if binding[1] == "local" and not self._from_caller(binding[0], {}, depth + 1):
                    return False
            elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
                if sub.value.id in ("self", "cls"):
                    bound = self._attr_binding(sub)
                    if bound is not None:
                        if not self._from_caller(bound, {}, depth + 1):
                            return False
                    elif not self._member_from_caller(sub, depth):
                        return False
        return True

    def _member_from_caller(self, node: ast.Attribute, depth: int) -> bool:
        """`self.x` where `x` is a field of the class (`x: bool = False`, a dataclass's or a
        settings object's: set by whoever builds it) or a property returning such values."""
        cls = next((a for a in self.module.ancestors(node) if isinstance(a, ast.ClassDef)), None)
        if cls is None:
            return False
        for stmt in cls.body:
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id == node.attr
            ):
                return True
            if (
                isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
                and stmt.name == node.attr
                and any(
                    (d.id if isinstance(d, ast.Name) else getattr(d, "attr", ""))
                    in ("property", "cached_property")
                    for d in stmt.decorator_list
                )
            ):
                returns = [r.value for r in ast.walk(stmt) if isinstance(r, ast.Return)]
                return bool(returns) and all(
                    r is not None and self._from_caller(r, {}, depth + 1) for r in returns
                )
        return False

    # -- guards -------------------------------------------------------------------------------
    def _guards_of(self, node: ast.AST) -> list[_Guard] | None:
        """The conditions under which `node` runs: enclosing ifs and early exits before it, up through
        enclosing functions (not classes)."""
        out: list[_Guard] = []
        child: ast.AST = node
        for parent in self.module.ancestors(node):
            if isinstance(parent, (ast.ClassDef, ast.Module)):
                break
            if isinstance(parent, (ast.If, ast.While)) and child is not parent.test:
                if any(child is s for s in parent.body):
                    out.append(_Guard(parent.test, True, "if"))
                elif isinstance(parent, ast.If) and any(child is s for s in parent.orelse):
                    out.append(_Guard(parent.test, False, "if"))
            elif isinstance(parent, ast.IfExp) and child is not parent.test:
                out.append(_Guard(parent.test, child is parent.body, "if"))
            elif isinstance(parent, (ast.For, ast.AsyncFor)) and any(
                child is s for s in parent.body
            ):
                for guard in out:
                    if guard.loop is None:
                        guard.loop = parent
            elif isinstance(parent, ast.match_case):
                match = self.module.parents.get(parent)
                if isinstance(match, ast.Match) and self._flows(match.subject, {}):
                    text = _one_line(self.module.text(match.subject))
                    self._pending.append((match.subject, f"`match {text}`"))
                    return None
            for block in _blocks(parent):
                index = next((i for i, s in enumerate(block) if s is child), None)
                if index is None:
                    continue
                for stmt in block[:index]:
                    guard = self._exit_guard(stmt)
                    if guard is None:
                        return None
                    if isinstance(guard, _Guard):
                        out.append(guard)
                        if any(child is s for s in getattr(parent, "body", [])) and isinstance(
                            parent, (ast.For, ast.AsyncFor)
                        ):
                            guard.loop = parent
            child = parent
        return out

    def _exit_guard(self, stmt: ast.stmt) -> _Guard | bool | None:
        """What an earlier statement in the same block says about reaching the next ones."""
        if isinstance(stmt, ast.If):
            body_exits, else_exits = _exits(stmt.body), bool(stmt.orelse) and _exits(stmt.orelse)
            if body_exits and not else_exits:
                return _Guard(stmt.test, False, "exit")
            if else_exits and not body_exits:
                return _Guard(stmt.test, True, "exit")
            if body_exits and else_exits:
                return None  # what follows is unreachable
        elif isinstance(stmt, ast.Assert):
            return _Guard(stmt.test, True, "exit")
        if self._parses_only(stmt):
            return True  # `try: url = urlsplit(origin) except ValueError: return`
        if _contains_exit(stmt) and self._flows(stmt, {}):
            # `try: check(origin) except ValueError: return`: an exit that depends on the origin
            if isinstance(stmt, ast.Try) and stmt.body:
                text = f"`{_one_line(self.module.text(stmt.body[0]))}` (its `except` leaves)"
            else:
                text = f"`{_one_line(self.module.text(stmt))}` (may leave before the header)"
            self._pending.append((stmt, text))
            return None
        return True

    def _parses_only(self, stmt: ast.stmt) -> bool:
        """A `try` that only parses values (`url = urlsplit(origin)`): a well-formed origin, as an
        attacker's page sends, never takes its `except` exit."""
        if not isinstance(stmt, ast.Try) or stmt.orelse or stmt.finalbody:
            return False
        return all(
            isinstance(s, ast.Assign)
            and isinstance(s.value, ast.Call)
            and self.module.qualname(s.value.func).rsplit(".", 1)[-1] in ("urlsplit", "urlparse")
            for s in stmt.body
        )

    def _attacker_can_trigger(self, item: _Set) -> bool:
        """Whether this header is sent in production whatever CORS is configured to: the conditions
        around it decide *when* (a method, a path, an object that exists), never under a flag that
        configures CORS itself (`if self.allow_private_network:`, `if conf.CORS_ALLOW_PRIVATE_NETWORK:`,
        the deployment's choice) or a debug condition."""
        guarded = self._guarded(item.guards, ())
        if guarded is None or guarded.unresolved or _exists(guarded.predicate) in (None, FALSE):
            return False
        return all(
            not debug and not flag for debug, _, flag in _free_atoms(guarded.predicate).values()
        )

    def _guarded(
        self, nodes: Sequence[ast.AST], conds: Sequence[tuple[ast.expr, bool]]
    ) -> _Guarded | None:
        """The conditions under which `nodes` run (and `conds` hold), as one predicate; None when
        they cannot hold together or cannot be followed; `unresolved` when one of them is an
        origin check the analysis cannot evaluate."""
        self._notes = []
        self._pending = []
        guards: list[_Guard] = []
        seen: set[tuple[int, bool]] = set()
        for node in nodes:
            found = self._guards_of(node)
            if found is None:
                return self._unresolved_guard()
            for guard in found:
                key = (id(guard.test), guard.positive)
                if key not in seen:
                    seen.add(key)
                    guards.append(guard)
        guards.extend(_Guard(test, positive, "value") for test, positive in conds)
        translated = self._translate(guards)
        if translated is None:
            return self._unresolved_guard()
        predicate, texts = translated
        return _Guarded(predicate, ", ".join(dict.fromkeys(texts)), list(self._notes))

    def _unresolved_guard(self) -> _Guarded | None:
        if not self._pending:
            return None
        node, text = self._pending[0]
        reason = f"a check the analysis cannot evaluate: {text}"
        return _Guarded(FALSE, "", list(self._notes), unresolved=(node, reason))

    def _translate(self, guards: list[_Guard]) -> tuple[Node, list[str]] | None:
        parts: list[Node] = []
        texts: list[str] = []
        loops: dict[int, tuple[ast.For | ast.AsyncFor, list[_Guard]]] = {}
        for guard in guards:
            if guard.loop is not None:
                loops.setdefault(id(guard.loop), (guard.loop, []))[1].append(guard)
                continue
            cond = self._cond(guard.test, {})
            if cond is None:
                return None
            parts.append(cond if guard.positive else ("not", cond))
            if _has_origin(cond):
                texts.append(self._describe(guard))
        for loop, loop_guards in loops.values():
            values = self._loop_items(loop.iter)
            envs: list[dict[str, Node | None]]
            if values is None or len(values) > MAX_LOOP:
                envs = [dict.fromkeys(_target_names(loop.target))]
            else:
                envs = []
                for value in values:
                    bound = _bind(loop.target, value)
                    if bound is None:
                        return None
                    envs.append(bound)
            alternatives: list[Node] = []
            for env in envs:
                conj: list[Node] = []
                for guard in loop_guards:
                    cond = self._cond(guard.test, env)
                    if cond is None:
                        return None
                    conj.append(cond if guard.positive else ("not", cond))
                alternatives.append(("and", *conj))
            parts.append(("or", *alternatives) if alternatives else FALSE)
            texts.extend(
                f"{self._describe(g)} (for {self.module.text(loop.target)} in {self.module.text(loop.iter)})"
                for g in loop_guards
            )
        return (("and", *parts) if parts else TRUE), texts

    def _describe(self, guard: _Guard) -> str:
        """The guard as written: `if origin.endswith("example.com")`, `if x not in Y: return`."""
        if guard.kind == "exit":
            text = f"`if {self.module.text(guard.test)}: return`"
        elif guard.positive:
            text = f"`if {self.module.text(guard.test)}`"
        else:
            text = f"`if {_negated_text(self.module, guard.test)}`"
        subject = guard.test.operand if isinstance(guard.test, ast.UnaryOp) else guard.test
        if isinstance(subject, ast.Name):  # `if ok:` says little: show what `ok` is
            binding = self._binding(subject)
            flips = self._flag_flips(subject)
            if flips is not None:
                where = []
                for statement in flips[1]:
                    chain = [
                        a
                        for a in self.module.ancestors(statement)
                        if isinstance(a, (ast.If, ast.For, ast.AsyncFor))
                        and a not in self.module.ancestors(subject)
                    ]
                    where.extend(
                        f"if {self.module.text(a.test)}"
                        if isinstance(a, ast.If)
                        else f"for {self.module.text(a.target)} in {self.module.text(a.iter)}"
                        for a in reversed(chain)
                    )
                text += f" (`{subject.id} = {not flips[0]}` under `{': '.join(where)}`)"
            elif binding is not None and binding[1] == "local":
                text += f" (`{subject.id} = {self.module.text(binding[0])}`)"
        return text

    def _modes(
        self, guarded: _Guarded, notes: Iterable[tuple[str, str]], loc: Location
    ) -> list[tuple[Node, Fallback | None]]:
        """The predicate in production and, when it differs, in debug mode (with its fallback)."""
        predicate = guarded.predicate
        atoms = _free_atoms(predicate)
        debug = {key: text for key, (is_debug, text, _) in atoms.items() if is_debug}
        all_notes = [*notes, *guarded.notes]
        env_name = next((name for kind, name in all_notes if kind == "env"), None)
        debug_note = next((name for kind, name in all_notes if kind == "debug"), None)
        base: Fallback | None = None
        if env_name is not None:
            base = Fallback("env-default", env_name, loc)
        elif debug_note is not None:
            base = Fallback("debug", debug_note, loc)
        out: list[tuple[Node, Fallback | None]] = []
        production = _exists(_subst(predicate, dict.fromkeys(debug, False)))
        if production is not None and production != FALSE:
            out.append((production, base))
        if debug:
            in_debug = _exists(_subst(predicate, dict.fromkeys(debug, True)))
            if in_debug is not None and in_debug != FALSE and in_debug != production:
                out.append((in_debug, base or Fallback("debug", next(iter(debug.values())), loc)))
        return out

    # -- values of Access-Control-Allow-Origin ------------------------------------------------
    def _branches(
        self,
        node: ast.expr | None,
        guard_nodes: tuple[ast.AST, ...] = (),
        conds: tuple[tuple[ast.expr, bool], ...] = (),
        depth: int = 0,
    ) -> list[_Branch]:
        if node is None or depth > 8:
            return []
        if isinstance(node, ast.IfExp):
            return [
                *self._branches(node.body, guard_nodes, (*conds, (node.test, True)), depth + 1),
                *self._branches(node.orelse, guard_nodes, (*conds, (node.test, False)), depth + 1),
            ]
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            out: list[_Branch] = []
            for index, value in enumerate(node.values):
                earlier = tuple((v, False) for v in node.values[:index])
                out.extend(self._branches(value, guard_nodes, (*conds, *earlier), depth + 1))
            return out
        if isinstance(node, ast.Name):
            binding = self._binding(node)
            if binding is not None:
                expr, kind = binding
                if kind == "origin-param":
                    return [_Branch("echo", guard_nodes=guard_nodes, conds=conds)]
                if kind == "local":
                    statement = self.module.statement(expr)
                    return self._branches(expr, (*guard_nodes, statement), conds, depth + 1)
                if kind in ("default", "param"):
                    return []
        if _is_echo(self._expr(node, {})):
            return [_Branch("echo", guard_nodes=guard_nodes, conds=conds)]
        value = self.resolver.resolve(node)
        text = _decode(value.value)
        if not isinstance(text, str):
            return []
        notes = tuple(
            (kind, name) for kind, name in (("env", value.env), ("debug", value.debug)) if name
        )
        text = text.strip()
        if text == "*":
            return [_Branch("star", "*", guard_nodes, conds, notes)]
        if text == "null" or (
            split_origin(text) is not None and "," not in text and " " not in text
        ):
            return [_Branch("const", text, guard_nodes, conds, notes)]
        return []

    def _request_echo(self, node: ast.expr | None, header: str) -> bool:
        """`node` sends back what the request asked for (`Access-Control-Request-Headers`)."""
        if isinstance(node, ast.Name):
            binding = self._binding(node)
            node = binding[0] if binding is not None and binding[1] == "local" else None
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return any(self._request_echo(v, header) for v in node.values)
        return node is not None and self._read_key(node) == header

    def _string(self, node: ast.expr | None) -> str | None:
        value = _decode(self.resolver.resolve(node).value) if node is not None else None
        return value if isinstance(value, str) else None

    # -- policies -----------------------------------------------------------------------------
    def policies(self) -> Iterator[CorsPolicy]:
        groups: dict[int, tuple[Function | None, list[_Set]]] = {}
        for item in self.sets:
            groups.setdefault(id(item.function), (item.function, []))[1].append(item)
        for function, items in groups.values():
            yield from self._group(function, items)

    def _related(self, a: Function | None, b: Function | None) -> bool:
        """Headers set in `a` and in `b` end up on the same responses."""
        if a is b:
            return True
        if a is None or b is None:
            return False
        if a in self.module.ancestors(b) or b in self.module.ancestors(a):
            return True
        method_a, method_b = self._method(a), self._method(b)
        if method_a is None or method_b is None or method_a[0] is not method_b[0]:
            return False
        if (
            method_a[1] is not method_b[1]
            and VERB.match(method_a[1].name)
            and VERB.match(method_b[1].name)
        ):
            return False  # `get` and `options` of one handler: different responses
        return True

    def _method(self, function: Function) -> tuple[ast.ClassDef, Function] | None:
        chain = [function, *self.module.ancestors(function)]
        for inner, outer in zip(chain, chain[1:], strict=False):
            if isinstance(outer, ast.ClassDef) and isinstance(
                inner, (ast.FunctionDef, ast.AsyncFunctionDef)
            ):
                return outer, inner
        return None

    def _region(self, function: Function | None) -> ast.AST | None:
        """The top-level function, or the class, a function belongs to."""
        if function is None:
            return None
        key = id(function)
        if key not in self._regions:
            self._regions[key] = self._find_region(function)
        return self._regions[key]

    def _find_region(self, function: Function) -> ast.AST:
        method = self._method(function)
        if method is not None:
            return method[0]
        top: ast.AST = function
        for parent in self.module.ancestors(function):
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
                top = parent
        return top

    def _group(self, function: Function | None, items: list[_Set]) -> Iterator[CorsPolicy]:
        module = self.module
        # credentials: set in this function or one serving the same responses
        unconditional: Location | None = None
        conditional: list[tuple[Location, Node]] = []
        region = self._region(function)
        for item in self.sets:
            if item.name != ACAC or self._region(item.function) is not region:
                continue
            if not self._related(function, item.function):
                continue
            if (self._string(item.value) or "").strip() != "true":
                continue
            guarded = self._guarded(item.guards, ())
            predicate = (
                _exists(guarded.predicate)
                if guarded is not None and guarded.unresolved is None
                else None
            )
            if predicate is None or predicate == FALSE:
                continue
            if predicate == TRUE:
                unconditional = unconditional or module.loc(item.at)
            else:
                conditional.append((module.loc(item.at), predicate))
        common = _Common()
        for item in items:
            if item.name != ACAO and not self._attacker_can_trigger(item):
                continue
            loc = module.loc(item.at)
            text = self._string(item.value)
            listed = [part.strip() for part in text.split(",")] if text is not None else []
            if item.name == ACAM and (
                "*" in listed or self._request_echo(item.value, "access-control-request-method")
            ):
                common.any_method = common.any_method or loc
            elif item.name == ACAH and (
                "*" in listed or self._request_echo(item.value, "access-control-request-headers")
            ):
                common.any_header = common.any_header or loc
            elif item.name == ACEH and text is not None and common.expose_loc is None:
                common.expose, common.expose_loc = tuple(p for p in listed if p), loc
            elif item.name == ACAPN and text is not None and text.strip() == "true":
                common.private_network = common.private_network or loc
        vary = any(self._region(f) is self._region(function) for f in self.vary)

        def base(
            loc: Location, fallback: Fallback | None, credentials: Location | None = unconditional
        ) -> CorsPolicy:
            return CorsPolicy(
                framework="handwritten",
                loc=loc,
                credentials=credentials,
                any_method=common.any_method,
                any_header=common.any_header,
                expose_headers=common.expose,
                expose_loc=common.expose_loc,
                private_network=common.private_network,
                fallback=fallback,
            )

        if common:
            anchor = (
                common.any_method
                or common.any_header
                or common.expose_loc
                or common.private_network
            )
            assert anchor is not None
            yield base(anchor, None)
        # the values Access-Control-Allow-Origin takes, for CORS202
        values: set[str] = set()
        varies_at: CorsPolicy | None = None
        unbounded = False
        for item in items:
            if item.name != ACAO or self._shadowed(item, items):
                continue
            loc = module.loc(item.at)
            for branch in self._branches(item.value):
                guarded = self._guarded((*item.guards, *branch.guard_nodes), branch.conds)
                if guarded is None:
                    continue
                if guarded.unresolved is not None:
                    yield self._unresolved(loc, *guarded.unresolved, "origin check")
                    continue
                setting = self._setting_note(guarded, branch)
                if setting is not None:
                    yield self._unresolved(loc, item.at, setting, "Access-Control-Allow-Origin")
                for predicate, fallback in self._modes(guarded, branch.notes, loc):
                    describe = guarded.describe or "the origin check"
                    if branch.kind == "star":
                        policy = base(loc, fallback)
                        policy.echo_with_credentials = False
                        if predicate == TRUE:
                            policy.any_origin = loc
                        else:
                            policy.checks = [
                                OriginCheck(
                                    "predicate", predicate=predicate, describe=describe, loc=loc
                                )
                            ]
                        values.add("*")
                        yield policy
                    elif branch.kind == "const":
                        policy = base(loc, fallback)
                        policy.checks = [
                            OriginCheck(
                                "exact",
                                branch.value,
                                describe=f"Access-Control-Allow-Origin: {branch.value}",
                                loc=loc,
                            )
                        ]
                        values.add(branch.value)
                        yield policy
                    else:
                        yield from self._echo(
                            base, loc, predicate, describe, fallback, unconditional, conditional
                        )
                        if vary or (fallback is not None and fallback.kind == "debug"):
                            continue
                        accepted = self._accepted(predicate, describe)
                        if accepted is None:
                            unbounded = True
                        else:
                            values.update(accepted)
                            if varies_at is None:
                                varies_at = base(loc, None)
        if varies_at is not None and not unbounded and not vary and len(values) >= 2:
            varies_at.origin_varies = OriginVaries(varies_at.loc, vary_origin=False)
            yield varies_at

    def _unresolved(self, loc: Location, node: ast.AST, reason: str, what: str) -> CorsPolicy:
        """A policy that only lists what the analysis could not determine (never a finding)."""
        policy = CorsPolicy(framework="handwritten", loc=loc)
        note_unresolved(policy, self.module, node, unknown(reason), what)
        return policy

    def _setting_note(self, guarded: _Guarded, branch: _Branch) -> str | None:
        """When a CORS setting the code cannot see (`config.get("ckan.cors.origin_allow_all")`)
        lets in origins the code otherwise does not: what it lets in. Not for flags the caller
        sets (a library's middleware: its configuration is judged where it is used)."""
        atoms = _free_atoms(guarded.predicate)
        settings = [text for _, text, flag in atoms.values() if flag == "setting"]
        if not settings or branch.kind == "const":
            return None
        debug = [key for key, (is_debug, _, _) in atoms.items() if is_debug]
        production = _subst(guarded.predicate, dict.fromkeys(debug, False))
        loose = _exists(production, flags_too=True)
        if loose is None or loose == FALSE or loose == _exists(production):
            return None
        flags = ", ".join(f"`{text}`" for text in dict.fromkeys(settings))
        describe = guarded.describe or "the origin check"
        if loose != TRUE and not any(c.accepts(ARBITRARY) for c in _checks(loose, describe, None)):
            granted = f"the origins {describe} lets in"
        elif branch.kind == "star":
            granted = "every origin (Access-Control-Allow-Origin: *)"
        else:
            granted = "every origin, echoed"
        return (
            f"a CORS setting the code cannot see ({flags}) decides it; under some value, {granted}"
        )

    def _shadowed(self, item: _Set, items: list[_Set]) -> bool:
        """A later set of the same header on the same object always follows and overwrites it."""
        if not item.target:
            return False
        statement = self.module.statement(item.at)
        chain = [statement, *self.module.ancestors(statement)]
        for later in items:
            if later is item or later.name != item.name or not later.replaces:
                continue
            if later.target != item.target:
                continue
            later_statement = self.module.statement(later.at)
            block = next(
                (
                    b
                    for b in _blocks(self.module.parents.get(later_statement, later_statement))
                    if any(s is later_statement for s in b)
                ),
                None,
            )
            if block is None:
                continue
            mine = next((a for a in chain if any(a is s for s in block)), None)
            if mine is None:
                continue
            start = next(i for i, s in enumerate(block) if s is mine)
            end = next(i for i, s in enumerate(block) if s is later_statement)
            if start >= end or any(_contains_exit(s) for s in block[start + 1 : end]):
                continue
            if mine is not statement and _contains_exit(mine):
                continue
            return True
        return False

    def _echo(
        self,
        base: Any,
        loc: Location,
        predicate: Node,
        describe: str,
        fallback: Fallback | None,
        unconditional: Location | None,
        conditional: list[tuple[Location, Node]],
    ) -> Iterator[CorsPolicy]:
        def make(check_predicate: Node, credentials: Location | None) -> CorsPolicy:
            policy = base(loc, fallback, credentials)
            if check_predicate == TRUE:
                policy.any_origin = loc
                policy.any_echo = True
            else:
                policy.checks = _checks(check_predicate, describe, loc)
            return policy

        yield make(predicate, unconditional)
        if unconditional is None and conditional:
            # credentials only for the origins that pass the credentials' own condition
            joined = _simplify(("and", predicate, ("or", *[p for _, p in conditional])))
            if joined != FALSE:
                yield make(joined, conditional[0][0])

    def _accepted(self, predicate: Node, describe: str) -> set[str] | None:
        """The origins an echo sends back, among those the check was written for and the attacker
        catalogue; None when every origin is."""
        if predicate == TRUE:
            return None
        checks = _checks(predicate, describe, None)
        if any(c.accepts(ARBITRARY) for c in checks):
            return None
        found: set[str] = set()
        for check in checks:
            seeds = seed_origins(check)
            candidates = [*seeds, *[a.origin for a in catalogue(seeds)]]
            if check.how == "exact":
                candidates.append(check.value)
            found.update(c for c in candidates if check.accepts(c))
        return found


def _checks(predicate: Node, describe: str, loc: Location | None) -> list[OriginCheck]:
    exact = _exact_entries(predicate)
    if exact is not None:
        return [
            OriginCheck("exact", entry, describe=f"{describe} (exact {entry!r})", loc=loc)
            for entry in exact
        ]
    return [OriginCheck("predicate", predicate=predicate, describe=describe, loc=loc)]


# what names a header in code, in lower-cased bytes: a literal (any case) or a name such as
# ACCESS_CONTROL_ALLOW_ORIGIN (a literal first: the regex engine scans fast for it)
HEADER_WORDS = re.compile(rb"access(?:-control-|_control_)")


@register_adapter
class HandwrittenHeaders(Adapter):
    name = "handwritten"
    prefilter = re.compile(rb"(?i:access-control-)|access_control_")

    def analyse(self, module: Module, resolver: Evaluator) -> Iterator[CorsPolicy]:
        if not _may_name_headers(module, HEADER_WORDS):
            return
        analysis = _Analysis(module, resolver)
        analysis.collect()
        yield from analysis.policies()


def _may_name_headers(module: Module, words: re.Pattern[bytes]) -> bool:
    """Can the name of an access-control header reach this module's code at all? Every policy
    here starts from one (a `Vary` alone makes none), resolved from a string or bytes literal,
    or from a name (`hdrs.ACCESS_CONTROL_ALLOW_ORIGIN`): written in this module's code, or in a
    project module it imports, directly or not (a constant, a function returning one, a
    re-export). When none is, the analysis, which resolves names through the scopes of the whole
    module, would find nothing: a mention in a comment does not make one."""
    # the module itself and the project modules it imports, directly or not, read from their
    # bytes like any other: the same closure, kept per process
    return module.project.reaches(module.path, words)
