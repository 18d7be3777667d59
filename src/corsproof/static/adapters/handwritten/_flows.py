"""Data flow of the request's Origin: whether it (or a value derived from it, or another header the
browser sets from the requesting page) reaches an expression through locals, loop variables,
`self.` attributes, parameters at this module's call sites, conditions a binding is made under,
helpers of this module or of another project module, or the whole request handed to a function."""

from __future__ import annotations

import ast
import re
from typing import Any

from corsproof.static._module import Module
from corsproof.static.adapters.handwritten._bindings import Names
from corsproof.static.adapters.handwritten._predicates import Node, has_origin
from corsproof.static.adapters.handwritten._records import Function
from corsproof.static.adapters.handwritten._syntax import exits, is_static, statements_before
from corsproof.static.semantic import Evaluator

# request headers a browser sets from the page that sends the request: a check on one of them is a
# check on who asks, like one on the Origin
BROWSER_KEYS = frozenset({"origin", "referer", "sec-fetch-site"})
# callees that produce the response from the request (passing the request to them checks nothing)
RESPONDERS = re.compile(
    r"call_next|get_response|handler|app$|view|func|wrapped|next|render|response", re.I
)


class OriginFlow:
    """Whether the request's Origin flows into an expression of one module (`reaches`)."""

    def __init__(self, names: Names, foreign: bool = False) -> None:
        self.names = names
        self.module = names.module
        self.resolver = names.resolver
        self._foreign = foreign  # the analysis of another module's helper: goes no further
        self._flows_memo: dict[int, bool] = {}  # per binding: the origin flows into its value
        self._param_memo: dict[tuple[int, str], bool] = {}
        self._attr_memo: dict[tuple[int, str], list[ast.expr]] = {}
        self._sites: dict[str, list[tuple[ast.Call, ast.Call]]] | None = None

    def reaches(self, node: ast.AST, env: dict[str, Node | None], depth: int = 0) -> bool:
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
                if self.names.is_origin_read(sub):
                    return True
                bound = self._attr_values(sub)
                if any(self.reaches(b, {}, depth + 1) for b in bound):
                    return True
            elif isinstance(sub, ast.Subscript):
                if self.names.read_key(sub) in BROWSER_KEYS:
                    return True
            elif isinstance(sub, ast.Call):
                if self.names.read_key(sub) in BROWSER_KEYS:
                    return True
                if self._call_flows(sub, depth):
                    return True
            stack.extend(ast.iter_child_nodes(sub))
        return False

    def _name_flows(self, node: ast.Name, env: dict[str, Node | None], depth: int) -> bool:
        if node.id in env and env[node.id] is not None:
            bound = env[node.id]
            assert bound is not None
            return bound[0] == "opaque" or has_origin(bound)
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
                found = self.names.param(function, binding.name)
                if found is not None and found[1] == "origin-param":
                    return True
                return self._param_flows(function, binding.name, depth)
            return False
        if self._control_flows(binding.node, depth):
            return True  # `ok = False` … `if origin in X: ok = True`: set depending on the origin
        if binding.kind == "loop":
            if self.names.header_loop(binding.node) is not None:
                return True  # a header's value (the key variable holds names, not values)
            parent = self.module.parents.get(binding.node)
            if isinstance(parent, (ast.Tuple, ast.List)) and self.names.header_loop(
                parent.elts[-1]
            ):
                return False
            return binding.value is not None and self.reaches(binding.value, {}, depth + 1)
        if binding.kind in ("assign", "walrus", "augassign", "with", "unpack"):
            return binding.value is not None and self.reaches(binding.value, {}, depth + 1)
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
                if self.reaches(parent.test, {}, depth + 1):
                    return True
            elif isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)):
                if child is not parent.iter and self.reaches(parent.iter, {}, depth + 1):
                    return True
            elif isinstance(parent, ast.Match) and child is not parent.subject:
                if self.reaches(parent.subject, {}, depth + 1):
                    return True
            for stmt in statements_before(parent, child):
                if (
                    isinstance(stmt, ast.If)
                    and (exits(stmt.body) or exits(stmt.orelse))
                    and self.reaches(stmt.test, {}, depth + 1)
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
            if arg is not None and self.reaches(arg, {}, depth + 1):
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
        method = self.names.method(function)
        out: list[tuple[ast.Call, int]] = []
        if method is not None and method[1] is function:
            cls = method[0]
            for site, call in self._sites.get(f".{function.name}", []):
                if any(a is cls for a in self.module.ancestors(call)):
                    out.append((site, 0 if is_static(function) else 1))
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
                if self.names.request_object(arg):
                    return True
        if depth > 2:
            return False
        helper = self.names.helper(call)
        if helper is None:
            return self._foreign_flows(call)
        key = id(helper)
        if key not in self._flows_memo:
            self._flows_memo[key] = False
            self._flows_memo[key] = any(self.reaches(stmt, {}, depth + 4) for stmt in helper.body)
        return self._flows_memo[key]

    def _foreign_flows(self, call: ast.Call) -> bool:
        """A function of another project module (`from .security import origin_ok`,
        `security.origin_ok()`) that reads the origin itself (Flask's global `request`)."""
        if self._foreign:
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
            flow = OriginFlow(Names(owner, Evaluator(owner)), foreign=True)
            self._flows_memo[key] = any(flow.reaches(stmt, {}, 4) for stmt in function.body)
        return self._flows_memo[key]
