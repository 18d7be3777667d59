"""From header sets to `CorsPolicy` objects: the sets of a function (of a class, for middleware
and handler classes) grouped, the values `Access-Control-Allow-Origin` takes (echo, `*`, a constant)
under their guards, credentials for the origins their own condition lets in, the other headers of
the function, sets a later one overwrites, CORS settings the code cannot see, and CORS202 when an
echo takes several values without `Vary: Origin`."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from corsproof.findings import Location
from corsproof.origins import ARBITRARY, catalogue, seed_origins, split_origin
from corsproof.policy import CorsPolicy, Fallback, OriginCheck, OriginVaries
from corsproof.static.adapters._base import note_unresolved
from corsproof.static.adapters.handwritten._bindings import Names
from corsproof.static.adapters.handwritten._guards import Guards
from corsproof.static.adapters.handwritten._predicates import (
    FALSE,
    TRUE,
    Node,
    exists,
    free_atoms,
    is_echo,
    origin_checks,
    simplify,
    subst,
)
from corsproof.static.adapters.handwritten._records import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    Branch,
    CommonHeaders,
    Function,
    Guarded,
    HeaderSet,
)
from corsproof.static.adapters.handwritten._sinks import Sinks
from corsproof.static.adapters.handwritten._syntax import blocks, contains_exit, decode
from corsproof.static.adapters.handwritten._values import Values
from corsproof.static.semantic import unknown

VERB = re.compile(r"^(?:on_)?(?:get|post|put|patch|delete|head|options)(?:_\w+)?$")


class Grouping:
    """The policies of the header sets of one module (`policies`)."""

    def __init__(self, names: Names, values: Values, guards: Guards, sinks: Sinks) -> None:
        self.names = names
        self.values = values
        self.guards = guards
        self.sinks = sinks
        self.module = names.module
        self.resolver = names.resolver
        self._regions: dict[int, ast.AST] = {}

    def policies(self) -> Iterator[CorsPolicy]:
        groups: dict[int, tuple[Function | None, list[HeaderSet]]] = {}
        for item in self.sinks.sets:
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
        method_a, method_b = self.names.method(a), self.names.method(b)
        if method_a is None or method_b is None or method_a[0] is not method_b[0]:
            return False
        if (
            method_a[1] is not method_b[1]
            and VERB.match(method_a[1].name)
            and VERB.match(method_b[1].name)
        ):
            return False  # `get` and `options` of one handler: different responses
        return True

    def _region(self, function: Function | None) -> ast.AST | None:
        """The top-level function, or the class, a function belongs to."""
        if function is None:
            return None
        key = id(function)
        if key not in self._regions:
            self._regions[key] = self._find_region(function)
        return self._regions[key]

    def _find_region(self, function: Function) -> ast.AST:
        method = self.names.method(function)
        if method is not None:
            return method[0]
        top: ast.AST = function
        for parent in self.module.ancestors(function):
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
                top = parent
        return top

    def _group(self, function: Function | None, items: list[HeaderSet]) -> Iterator[CorsPolicy]:
        module = self.module
        # credentials: set in this function or one serving the same responses
        unconditional: Location | None = None
        conditional: list[tuple[Location, Node]] = []
        region = self._region(function)
        for item in self.sinks.sets:
            if item.name != ACAC or self._region(item.function) is not region:
                continue
            if not self._related(function, item.function):
                continue
            if (self._string(item.value) or "").strip() != "true":
                continue
            guarded = self.guards.guarded(item.guards, ())
            predicate = (
                exists(guarded.predicate)
                if guarded is not None and guarded.unresolved is None
                else None
            )
            if predicate is None or predicate == FALSE:
                continue
            if predicate == TRUE:
                unconditional = unconditional or module.loc(item.at)
            else:
                conditional.append((module.loc(item.at), predicate))
        common = CommonHeaders()
        for item in items:
            if item.name != ACAO and not self.guards.attacker_can_trigger(item):
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
        vary = any(self._region(f) is self._region(function) for f in self.sinks.vary)

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
                guarded = self.guards.guarded((*item.guards, *branch.guard_nodes), branch.conds)
                if guarded is None:
                    continue
                if guarded.unresolved is not None:
                    yield self._unresolved(loc, *guarded.unresolved, "origin check")
                    continue
                setting = self._setting_note(guarded, branch)
                if setting is not None:
                    yield self._unresolved(loc, item.at, setting, "Access-Control-Allow-Origin")
                for predicate, fallback in self.guards.modes(guarded, branch.notes, loc):
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

    def _setting_note(self, guarded: Guarded, branch: Branch) -> str | None:
        """When a CORS setting the code cannot see (`config.get("ckan.cors.origin_allow_all")`)
        lets in origins the code otherwise does not: what it lets in. Not for flags the caller
        sets (a library's middleware: its configuration is judged where it is used)."""
        atoms = free_atoms(guarded.predicate)
        settings = [text for _, text, flag in atoms.values() if flag == "setting"]
        if not settings or branch.kind == "const":
            return None
        debug = [key for key, (is_debug, _, _) in atoms.items() if is_debug]
        production = subst(guarded.predicate, dict.fromkeys(debug, False))
        loose = exists(production, flags_too=True)
        if loose is None or loose == FALSE or loose == exists(production):
            return None
        flags = ", ".join(f"`{text}`" for text in dict.fromkeys(settings))
        describe = guarded.describe or "the origin check"
        if loose != TRUE and not any(
            c.accepts(ARBITRARY) for c in origin_checks(loose, describe, None)
        ):
            granted = f"the origins {describe} lets in"
        elif branch.kind == "star":
            granted = "every origin (Access-Control-Allow-Origin: *)"
        else:
            granted = "every origin, echoed"
        return (
            f"a CORS setting the code cannot see ({flags}) decides it; under some value, {granted}"
        )

    def _shadowed(self, item: HeaderSet, items: list[HeaderSet]) -> bool:
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
                    for b in blocks(self.module.parents.get(later_statement, later_statement))
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
            if start >= end or any(contains_exit(s) for s in block[start + 1 : end]):
                continue
            if mine is not statement and contains_exit(mine):
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
                policy.checks = origin_checks(check_predicate, describe, loc)
            return policy

        yield make(predicate, unconditional)
        if unconditional is None and conditional:
            # credentials only for the origins that pass the credentials' own condition
            joined = simplify(("and", predicate, ("or", *[p for _, p in conditional])))
            if joined != FALSE:
                yield make(joined, conditional[0][0])

    def _accepted(self, predicate: Node, describe: str) -> set[str] | None:
        """The origins an echo sends back, among those the check was written for and the attacker
        catalogue; None when every origin is."""
        if predicate == TRUE:
            return None
        checks = origin_checks(predicate, describe, None)
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

    def _branches(
        self,
        node: ast.expr | None,
        guard_nodes: tuple[ast.AST, ...] = (),
        conds: tuple[tuple[ast.expr, bool], ...] = (),
        depth: int = 0,
    ) -> list[Branch]:
        if node is None or depth > 8:
            return []
        if isinstance(node, ast.IfExp):
            return [
                *self._branches(node.body, guard_nodes, (*conds, (node.test, True)), depth + 1),
                *self._branches(node.orelse, guard_nodes, (*conds, (node.test, False)), depth + 1),
            ]
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            out: list[Branch] = []
            for index, value in enumerate(node.values):
                earlier = tuple((v, False) for v in node.values[:index])
                out.extend(self._branches(value, guard_nodes, (*conds, *earlier), depth + 1))
            return out
        if isinstance(node, ast.Name):
            binding = self.names.binding(node)
            if binding is not None:
                expr, kind = binding
                if kind == "origin-param":
                    return [Branch("echo", guard_nodes=guard_nodes, conds=conds)]
                if kind == "local":
                    statement = self.module.statement(expr)
                    return self._branches(expr, (*guard_nodes, statement), conds, depth + 1)
                if kind in ("default", "param"):
                    return []
        if is_echo(self.values.expr(node, {})):
            return [Branch("echo", guard_nodes=guard_nodes, conds=conds)]
        value = self.resolver.resolve(node)
        text = decode(value.value)
        if not isinstance(text, str):
            return []
        notes = tuple(
            (kind, name) for kind, name in (("env", value.env), ("debug", value.debug)) if name
        )
        text = text.strip()
        if text == "*":
            return [Branch("star", "*", guard_nodes, conds, notes)]
        if text == "null" or (
            split_origin(text) is not None and "," not in text and " " not in text
        ):
            return [Branch("const", text, guard_nodes, conds, notes)]
        return []

    def _request_echo(self, node: ast.expr | None, header: str) -> bool:
        """`node` sends back what the request asked for (`Access-Control-Request-Headers`)."""
        if isinstance(node, ast.Name):
            binding = self.names.binding(node)
            node = binding[0] if binding is not None and binding[1] == "local" else None
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return any(self._request_echo(v, header) for v in node.values)
        return node is not None and self.names.read_key(node) == header

    def _string(self, node: ast.expr | None) -> str | None:
        value = decode(self.resolver.resolve(node).value) if node is not None else None
        return value if isinstance(value, str) else None
