"""Responses faked in tests: calls on HTTP mocking libraries (`responses`, `respx`, `httpretty`,
`requests_mock`, `aioresponses`, `pytest_httpserver`, `pytest_httpx`) and `unittest.mock`, what is
passed to them or set as `return_value`/`side_effect`, objects bound from them, and the callbacks
handed to them by name: the headers they carry are not the application's."""

from __future__ import annotations

import ast
import re

from corsproof.static._module import Module
from corsproof.static.adapters.handwritten._records import Function
from corsproof.static.semantic import Evaluator

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


class Mocks:
    """Which nodes of one module fake a response (`mocked`)."""

    def __init__(self, module: Module, resolver: Evaluator) -> None:
        self.module = module
        self.resolver = resolver
        self._mocks: dict[int, bool] = {}
        self._callbacks: set[int] | None = None  # functions handed to a mock (`callback=cb`)

    def mocked(self, node: ast.AST) -> bool:
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
