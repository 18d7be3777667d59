"""The guards of a header set: the enclosing `if`s and the early exits before it (up through the
functions it is nested in), translated into one predicate on the origin (`Guarded`), with the
loops they sit in unrolled over constant items, and split into the production and the debug mode."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence

from corsproof.findings import Location
from corsproof.policy import Fallback
from corsproof.static.adapters.handwritten._bindings import Names
from corsproof.static.adapters.handwritten._conditions import Conditions
from corsproof.static.adapters.handwritten._flows import OriginFlow
from corsproof.static.adapters.handwritten._predicates import (
    FALSE,
    TRUE,
    Node,
    exists,
    free_atoms,
    has_origin,
    subst,
)
from corsproof.static.adapters.handwritten._records import (
    Guard,
    Guarded,
    HeaderSet,
    Mode,
    Scratch,
    Translated,
    Unresolved,
)
from corsproof.static.adapters.handwritten._syntax import (
    contains_exit,
    exits,
    negated_text,
    one_line,
    statements_before,
    target_names,
)
from corsproof.static.adapters.handwritten._values import MAX_LOOP, Values, bind


class Guards:
    """The conditions under which the nodes of one module run, as predicates (`guarded`)."""

    def __init__(self, names: Names, flow: OriginFlow, values: Values, scratch: Scratch) -> None:
        self.names = names
        self.flow = flow
        self.values = values
        self.scratch = scratch
        self.conditions = Conditions(names, flow, values, scratch, self)
        self.module = names.module
        self.resolver = names.resolver

    def guards_of(self, node: ast.AST) -> list[Guard] | None:
        """The conditions under which `node` runs: enclosing ifs and early exits before it, up through
        enclosing functions (not classes)."""
        out: list[Guard] = []
        child: ast.AST = node
        for parent in self.module.ancestors(node):
            if isinstance(parent, (ast.ClassDef, ast.Module)):
                break
            if isinstance(parent, (ast.If, ast.While)) and child is not parent.test:
                if any(child is s for s in parent.body):
                    out.append(Guard(parent.test, True, "if"))
                elif isinstance(parent, ast.If) and any(child is s for s in parent.orelse):
                    out.append(Guard(parent.test, False, "if"))
            elif isinstance(parent, ast.IfExp) and child is not parent.test:
                out.append(Guard(parent.test, child is parent.body, "if"))
            elif isinstance(parent, (ast.For, ast.AsyncFor)) and any(
                child is s for s in parent.body
            ):
                for guard in out:
                    if guard.loop is None:
                        guard.loop = parent
            elif isinstance(parent, ast.match_case):
                match = self.module.parents.get(parent)
                if isinstance(match, ast.Match) and self.flow.reaches(match.subject, {}):
                    text = one_line(self.module.text(match.subject))
                    self.scratch.pending.append(Unresolved(match.subject, f"`match {text}`"))
                    return None
            for stmt in statements_before(parent, child):
                guard = self._exit_guard(stmt)
                if guard is None:
                    return None
                if isinstance(guard, Guard):
                    out.append(guard)
                    if any(child is s for s in getattr(parent, "body", [])) and isinstance(
                        parent, (ast.For, ast.AsyncFor)
                    ):
                        guard.loop = parent
            child = parent
        return out

    def _exit_guard(self, stmt: ast.stmt) -> Guard | bool | None:
        """What an earlier statement in the same block says about reaching the next ones."""
        if isinstance(stmt, ast.If):
            body_exits, else_exits = exits(stmt.body), bool(stmt.orelse) and exits(stmt.orelse)
            if body_exits and not else_exits:
                return Guard(stmt.test, False, "exit")
            if else_exits and not body_exits:
                return Guard(stmt.test, True, "exit")
            if body_exits and else_exits:
                return None  # what follows is unreachable
        elif isinstance(stmt, ast.Assert):
            return Guard(stmt.test, True, "exit")
        if self._parses_only(stmt):
            return True  # `try: url = urlsplit(origin) except ValueError: return`
        if contains_exit(stmt) and self.flow.reaches(stmt, {}):
            # `try: check(origin) except ValueError: return`: an exit that depends on the origin
            if isinstance(stmt, ast.Try) and stmt.body:
                text = f"`{one_line(self.module.text(stmt.body[0]))}` (its `except` leaves)"
            else:
                text = f"`{one_line(self.module.text(stmt))}` (may leave before the header)"
            self.scratch.pending.append(Unresolved(stmt, text))
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

    def attacker_can_trigger(self, item: HeaderSet) -> bool:
        """Whether this header is sent in production whatever CORS is configured to: the conditions
        around it decide *when* (a method, a path, an object that exists), never under a flag that
        configures CORS itself (`if self.allow_private_network:`, `if conf.CORS_ALLOW_PRIVATE_NETWORK:`,
        the deployment's choice) or a debug condition."""
        guarded = self.guarded(item.guards, ())
        if guarded is None or guarded.unresolved or exists(guarded.predicate) in (None, FALSE):
            return False
        return all(
            not debug and not flag for debug, _, flag in free_atoms(guarded.predicate).values()
        )

    def guarded(
        self, nodes: Sequence[ast.AST], conds: Sequence[tuple[ast.expr, bool]]
    ) -> Guarded | None:
        """The conditions under which `nodes` run (and `conds` hold), as one predicate; None when
        they cannot hold together or cannot be followed; `unresolved` when one of them is an
        origin check the analysis cannot evaluate."""
        self.scratch.notes = []
        self.scratch.pending = []
        guards: list[Guard] = []
        seen: set[tuple[int, bool]] = set()
        for node in nodes:
            found = self.guards_of(node)
            if found is None:
                return self._unresolved_guard()
            for guard in found:
                key = (id(guard.test), guard.positive)
                if key not in seen:
                    seen.add(key)
                    guards.append(guard)
        guards.extend(Guard(test, positive, "value") for test, positive in conds)
        translated = self.translate(guards)
        if translated is None:
            return self._unresolved_guard()
        predicate, texts = translated
        return Guarded(predicate, ", ".join(dict.fromkeys(texts)), list(self.scratch.notes))

    def _unresolved_guard(self) -> Guarded | None:
        if not self.scratch.pending:
            return None
        node, text = self.scratch.pending[0]
        reason = f"a check the analysis cannot evaluate: {text}"
        return Guarded(FALSE, "", list(self.scratch.notes), unresolved=Unresolved(node, reason))

    def translate(self, guards: list[Guard]) -> Translated | None:
        parts: list[Node] = []
        texts: list[str] = []
        loops: dict[int, tuple[ast.For | ast.AsyncFor, list[Guard]]] = {}
        for guard in guards:
            if guard.loop is not None:
                loops.setdefault(id(guard.loop), (guard.loop, []))[1].append(guard)
                continue
            cond = self.conditions.cond(guard.test, {})
            if cond is None:
                return None
            parts.append(cond if guard.positive else ("not", cond))
            if has_origin(cond):
                texts.append(self._describe(guard))
        for loop, loop_guards in loops.values():
            values = self.values.loop_items(loop.iter)
            envs: list[dict[str, Node | None]]
            if values is None or len(values) > MAX_LOOP:
                envs = [dict.fromkeys(target_names(loop.target))]
            else:
                envs = []
                for value in values:
                    bound = bind(loop.target, value)
                    if bound is None:
                        return None
                    envs.append(bound)
            alternatives: list[Node] = []
            for env in envs:
                conj: list[Node] = []
                for guard in loop_guards:
                    cond = self.conditions.cond(guard.test, env)
                    if cond is None:
                        return None
                    conj.append(cond if guard.positive else ("not", cond))
                alternatives.append(("and", *conj))
            parts.append(("or", *alternatives) if alternatives else FALSE)
            texts.extend(
                f"{self._describe(g)} (for {self.module.text(loop.target)} in {self.module.text(loop.iter)})"
                for g in loop_guards
            )
        return Translated(("and", *parts) if parts else TRUE, texts)

    def _describe(self, guard: Guard) -> str:
        """The guard as written: `if origin.endswith("example.com")`, `if x not in Y: return`."""
        if guard.kind == "exit":
            text = f"`if {self.module.text(guard.test)}: return`"
        elif guard.positive:
            text = f"`if {self.module.text(guard.test)}`"
        else:
            text = f"`if {negated_text(self.module, guard.test)}`"
        subject = guard.test.operand if isinstance(guard.test, ast.UnaryOp) else guard.test
        if isinstance(subject, ast.Name):  # `if ok:` says little: show what `ok` is
            binding = self.names.binding(subject)
            flips = self.conditions.flag_flips(subject)
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

    def modes(
        self, guarded: Guarded, notes: Iterable[tuple[str, str]], loc: Location
    ) -> list[Mode]:
        """The predicate in production and, when it differs, in debug mode (with its fallback)."""
        predicate = guarded.predicate
        atoms = free_atoms(predicate)
        debug = {key: text for key, (is_debug, text, _) in atoms.items() if is_debug}
        all_notes = [*notes, *guarded.notes]
        env_name = next((name for kind, name in all_notes if kind == "env"), None)
        debug_note = next((name for kind, name in all_notes if kind == "debug"), None)
        base: Fallback | None = None
        if env_name is not None:
            base = Fallback("env-default", env_name, loc)
        elif debug_note is not None:
            base = Fallback("debug", debug_note, loc)
        out: list[Mode] = []
        production = exists(subst(predicate, dict.fromkeys(debug, False)))
        if production is not None and production != FALSE:
            out.append(Mode(production, base))
        if debug:
            in_debug = exists(subst(predicate, dict.fromkeys(debug, True)))
            if in_debug is not None and in_debug != FALSE and in_debug != production:
                out.append(
                    Mode(in_debug, base or Fallback("debug", next(iter(debug.values())), loc))
                )
        return out
