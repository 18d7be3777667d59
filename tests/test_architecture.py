"""The architecture's rules (docs/architecture.md), checked on corsproof's own source.

- no module above 600 lines;
- no import cycle between corsproof's modules (imports at module level);
- no module-level state that fills while a run goes: no function mutates or rebinds a module's
  name, no `functools.cache` on a module-level function, except the few listed below with why;
- rule ids are written in the rules (and in the fixers, which say which rule they fix), nowhere
  else in code: the oracle speaks of weaknesses, the prober of policy parts;
- a rule or an adapter is one module plus its registration line.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import corsproof

SRC = Path(corsproof.__file__).parent
MAX_LINES = 600

# module-level state that is allowed, and why
ALLOWED_STATE = {
    # registries: filled once, by the decorators of the modules imported at start-up
    ("corsproof.rules._base", "_REGISTRY"): "rule registry",
    ("corsproof.static.adapters._base", "_ADAPTERS"): "adapter registry",
    ("corsproof.fix._registry", "_FIXERS"): "fixer registry",
    # a pool worker process's project cache: the pool is made per run and so is this
    ("corsproof.static.engine", "_worker_context"): "per-run worker state",
    ("corsproof.fix._registry", "_APPLICABILITY"): "fixer registry",
}
ALLOWED_CACHES = {
    # package data (corsproof/data/advisories.json), the same for every run
    ("corsproof.deps._advisories", "advisory_table"),
    ("corsproof.deps._advisories", "_prefilter"),
}
MUTATORS = {
    "append",
    "extend",
    "insert",
    "add",
    "update",
    "setdefault",
    "pop",
    "popitem",
    "clear",
    "remove",
    "discard",
    "move_to_end",
    "appendleft",
}
RULE_ID = re.compile(r"CORS\d{3}")


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


MODULES = dict(_modules())


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def test_no_module_is_longer_than_600_lines() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def _module_imports(name: str, tree: ast.Module) -> set[str]:
    """The corsproof modules `name` imports when it is imported (not in functions, not under
    `if TYPE_CHECKING:`)."""
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if "TYPE_CHECKING" not in test:
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    module = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names)

    visit(tree.body)
    return {module for module in found if module in MODULES and module != name}


def test_no_import_cycle() -> None:
    graph = {name: _module_imports(name, _tree(path)) for name, path in MODULES.items()}
    # Tarjan's strongly connected components: a component of two or more is a cycle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in graph:
        if name not in index:
            connect(name)
    assert not cycles, f"import cycles: {cycles}"


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _local_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = function.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _state_problems(name: str, tree: ast.Module) -> Iterator[str]:
    module_names = _top_level_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if node in tree.body:
            for decorator in node.decorator_list:
                text = ast.unparse(decorator)
                if re.search(r"\b(lru_cache|cache)\b", text) and (
                    (name, node.name) not in ALLOWED_CACHES
                ):
                    yield f"{name}.{node.name}: @{text} keeps results between runs"
        local = _local_names(node)
        for inner in ast.walk(node):
            if isinstance(inner, ast.Global):
                for global_name in inner.names:
                    if (name, global_name) not in ALLOWED_STATE:
                        yield f"{name}.{node.name}: rebinds the module's {global_name}"
                continue
            subject: ast.expr | None = None
            if isinstance(inner, (ast.Assign, ast.AugAssign, ast.Delete)):
                for target in (
                    inner.targets if isinstance(inner, (ast.Assign, ast.Delete)) else [inner.target]
                ):
                    if isinstance(target, (ast.Subscript, ast.Attribute)):
                        subject = target.value
            elif isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
                if inner.func.attr in MUTATORS:
                    subject = inner.func.value
            if (
                isinstance(subject, ast.Name)
                and subject.id in module_names
                and subject.id not in local
                and (name, subject.id) not in ALLOWED_STATE
            ):
                yield f"{name}.{node.name}: changes the module's {subject.id}"


def test_no_module_level_state_fills_at_run_time() -> None:
    problems = [
        problem for name, path in MODULES.items() for problem in _state_problems(name, _tree(path))
    ]
    assert not problems, "\n".join(problems)


def _docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_rule_ids_are_written_only_by_the_rules_and_their_fixers() -> None:
    owners = ("corsproof.rules.cors", "corsproof.fix.fixers.")
    written = []
    for name, path in MODULES.items():
        if name.startswith(owners):
            continue
        tree = _tree(path)
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and RULE_ID.fullmatch(node.value)
            ):
                written.append(f"{name}:{node.lineno}: {node.value}")
    assert not written, "rule ids written outside their rule: " + ", ".join(written)


def _registered(package: Path) -> set[str]:
    init = _tree(package / "__init__.py")
    return {
        alias.name
        for node in ast.walk(init)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_every_rule_module_is_registered_by_one_import_line() -> None:
    rules = {path.stem for path in (SRC / "rules").glob("cors*.py")}
    assert rules and rules <= _registered(SRC / "rules")
    from corsproof.rules import all_rules

    assert len(all_rules()) == len(rules)  # one rule per module


def test_every_adapter_module_is_registered() -> None:
    from corsproof.static.adapters import all_adapters

    adapters = all_adapters()
    modules = {adapter.__module__ for adapter in adapters}
    assert len(modules) == len(adapters)  # one adapter per module
    registered = _registered(SRC / "static" / "adapters")
    assert all(
        module.rsplit(".", 1)[-1] in registered or module.endswith(tuple(registered))
        for module in modules
    )


def test_what_rules_declare_names_real_things() -> None:
    from dataclasses import fields

    from corsproof.policy import CorsPolicy
    from corsproof.rules import DependencyFacts, PolicyFacts, all_rules

    parts = {field.name for field in fields(CorsPolicy)}
    ids = {rule.id for rule in all_rules()}
    for rule in all_rules():
        assert set(rule.proven_by) <= parts, rule.id  # probe looks these up by name
        assert {target for target, _ in rule.supersedes} <= ids - {rule.id}, rule.id
        assert rule.judges in (PolicyFacts, DependencyFacts), rule.id
