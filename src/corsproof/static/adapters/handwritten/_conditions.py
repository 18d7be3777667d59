"""Conditions as predicates: `if` tests, comparisons, calls (`startswith`, `re.match`, `fnmatch`,
`CONSTANT.get(origin)`, `isinstance`, `any`/`all` over constants, inlined helpers), set
intersections, local flags flipped in loops, and conditions the analysis does not translate: "free"
atoms when the origin does not flow into them (marked when they are flags that configure CORS
itself), unresolved origin checks when it does."""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from corsproof.static.adapters.handwritten._bindings import ORIGIN_KEYS, Names
from corsproof.static.adapters.handwritten._flows import OriginFlow
from corsproof.static.adapters.handwritten._predicates import FALSE, TRUE, Node, has_origin, truthy
from corsproof.static.adapters.handwritten._records import Flips, HelperTest, Scratch, Unresolved
from corsproof.static.adapters.handwritten._syntax import decode, one_line
from corsproof.static.adapters.handwritten._values import MAX_LOOP, Values, bind, py_const
from corsproof.static.semantic import UNKNOWN, is_debug_expr

if TYPE_CHECKING:
    from corsproof.static.adapters.handwritten._guards import Guards

RE_FUNCS = {"re.match": "match", "re.search": "search", "re.fullmatch": "fullmatch"}
# a flag that configures CORS itself (`allow_all_origins`, `config.get("ckan.cors.origin_allow_all")`,
# `CORS_ALLOW_ALL`): what it lets in is the deployment's choice, not the code's
CORS_FLAG = re.compile(
    r"cors|origin|allow_?all|credential|private_?network|wildcard|access_?control"
    r"|allow_?(?:methods|headers)|expose_?headers",
    re.I,
)


class Conditions:
    """The conditions of one module as predicates on the origin (`cond`)."""

    def __init__(
        self, names: Names, flow: OriginFlow, values: Values, scratch: Scratch, guards: Guards
    ) -> None:
        self.names = names
        self.flow = flow
        self.values = values
        self.scratch = scratch
        self.guards = guards  # the guards of a flag's flips (the guards' own conditions are these)
        self.module = names.module
        self.resolver = names.resolver
        self._flag_depth = 0

    def cond(self, node: ast.expr, env: dict[str, Node | None], depth: int = 0) -> Node | None:
        """A condition as a predicate (with "free" atoms for origin-independent parts), or None."""
        if depth > 14:
            return None
        if isinstance(node, ast.BoolOp):
            parts = [self.cond(v, env, depth + 1) for v in node.values]
            if any(p is None for p in parts):
                return None
            return ("and" if isinstance(node.op, ast.And) else "or", *parts)  # type: ignore[misc]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.cond(node.operand, env, depth + 1)
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
            if self.flag_flips(node) is not None:
                return self._atom(node, env)  # its last value is not its value
            binding = self.names.binding(node)
            if (
                binding is not None
                and binding[1] == "local"
                and isinstance(binding[0], (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Call))
            ):
                bound = self.cond(binding[0], env, depth + 1)
                if bound is not None:
                    return bound
        value = self.values.expr(node, env, depth + 1)
        if value is not None and has_origin(value):
            return truthy(value)
        if value is not None and value[0] == "const":
            return TRUE if value[1] else FALSE
        return self._atom(node, env)

    def _atom(self, node: ast.expr, env: dict[str, Node | None]) -> Node | None:
        """A condition the analysis does not translate. When the origin flows into it, it is an
        origin check the analysis cannot evaluate (None, noted in `scratch.pending`); otherwise it decides
        *when* a header is sent (a method, a path, a user, a feature flag), not *who* gets it: a
        free atom, marked when it is a flag that configures CORS itself."""
        if self.flow.reaches(node, env):
            self.scratch.pending.append(Unresolved(node, f"`{one_line(self.module.text(node))}`"))
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
            hay = self.values.expr(other, env, depth + 1)
            if hay is None or hay[0] != "const":
                return None
            parts = [self.values.expr(i, env, depth + 1) for i in items]
            if any(part is None for part in parts):
                return None
            return ("or", *[("in", part, hay) for part in parts])  # type: ignore[misc]
        return None

    def _compare(
        self, a: ast.expr, op: ast.cmpop, b: ast.expr, env: dict[str, Node | None], depth: int
    ) -> Node | None:
        if (
            isinstance(op, (ast.In, ast.NotIn))
            and self.names.key(a) in ORIGIN_KEYS
            and self.names.headerish(b)
        ):
            return TRUE if isinstance(op, ast.In) else FALSE  # `"Origin" in request.headers`
        if isinstance(op, (ast.Eq, ast.NotEq)):
            # `if key == b"origin":` in a loop over the request's headers: the Origin is there
            for x, y in ((a, b), (b, a)):
                if self.names.header_key(x):
                    wanted = decode(self.resolver.resolve(y).value)
                    if isinstance(wanted, str) and wanted.lower() in ORIGIN_KEYS:
                        return TRUE if isinstance(op, ast.Eq) else FALSE
        left, right = self.values.expr(a, env, depth + 1), self.values.expr(b, env, depth + 1)
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
            return self.cond(args[0], env, depth + 1)
        if isinstance(func, ast.Name) and func.id == "isinstance" and len(args) == 2:
            # `isinstance(origin, str)`: a header read is a string when the header is there
            subject = self.values.expr(args[0], env, depth + 1)
            kinds = args[1].elts if isinstance(args[1], ast.Tuple) else [args[1]]
            if (
                subject is not None
                and has_origin(subject)
                and any(isinstance(k, ast.Name) and k.id in ("str", "bytes") for k in kinds)
            ):
                return ("ne", subject, ("const", None))
        if isinstance(func, ast.Attribute) and func.attr == "get" and len(args) == 1:
            # `TRUSTED.get(origin)` on a constant dict whose values are all true: membership
            mapping = self.resolver.resolve(func.value)
            subject = self.values.expr(args[0], env, depth + 1)
            if (
                isinstance(mapping.value, dict)
                and all(v is not UNKNOWN and v for v in mapping.value.values())
                and subject is not None
                and has_origin(subject)
            ):
                keys = py_const(list(mapping.value))
                if keys is not UNKNOWN:
                    self.values.note(mapping)
                    return ("in", subject, ("const", keys))
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("startswith", "endswith")
            and len(args) == 1
            and not node.keywords
        ):
            subject, arg = (
                self.values.expr(func.value, env, depth + 1),
                self.values.expr(args[0], env, depth + 1),
            )
            if (
                subject is not None
                and has_origin(subject)
                and arg is not None
                and arg[0] == "const"
            ):
                if isinstance(arg[1], str) or (
                    isinstance(arg[1], tuple) and all(isinstance(v, str) for v in arg[1])
                ):
                    return ("method", func.attr, subject, arg)
            return None
        if qual in RE_FUNCS and len(args) >= 2:
            regex = self.values.regex(args[0], env)
            subject = self.values.expr(args[1], env, depth + 1)
            flags = self.values.regex_flags(
                args[2]
                if len(args) > 2
                else next((k.value for k in node.keywords if k.arg == "flags"), None)
            )
            if (
                regex is not None
                and subject is not None
                and has_origin(subject)
                and flags is not None
            ):
                return ("regex", RE_FUNCS[qual], regex[0], regex[1] | flags, subject)
            return None
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("match", "search", "fullmatch")
            and len(args) == 1
        ):
            compiled = self.values.compiled(func.value, env)
            if compiled is not None:
                subject = self.values.expr(args[0], env, depth + 1)
                if subject is not None and has_origin(subject):
                    return ("regex", func.attr, compiled[0], compiled[1], subject)
            return None
        if qual in ("fnmatch.fnmatch", "fnmatch.fnmatchcase") and len(args) == 2:
            subject, pattern = (
                self.values.expr(args[0], env, depth + 1),
                self.values.expr(args[1], env, depth + 1),
            )
            if (
                subject is not None
                and has_origin(subject)
                and pattern is not None
                and isinstance(pattern[1], str)
            ):
                return ("regex", "match", fnmatch.translate(pattern[1]), 0, subject)
            return None
        if isinstance(func, ast.Name) and func.id in ("any", "all") and len(args) == 1:
            return self._quantified(func.id, args[0], env, depth)
        inlined = self.values.inline(node, env, depth)
        if inlined is not None:
            helper_env, result = inlined
            self.values.inlining += 1
            try:
                if isinstance(result, HelperTest):
                    inner = self.cond(result.test, helper_env, depth + 1)
                    return inner if inner is None or result.positive else ("not", inner)
                return self.cond(result, helper_env, depth + 1)
            finally:
                self.values.inlining -= 1
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
        values = self.values.loop_items(generator.iter)
        if generator.is_async or values is None or len(values) > MAX_LOOP:
            return None
        parts: list[Node] = []
        for value in values:
            bound = bind(generator.target, value)
            if bound is None:
                return None
            inner_env = {**env, **bound}
            filters = [self.cond(c, inner_env, depth + 1) for c in generator.ifs]
            test = self.cond(arg.elt, inner_env, depth + 1)
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

    def flag_flips(self, node: ast.Name) -> Flips | None:
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
        return Flips(first, statements)

    def _flag_variable(self, node: ast.Name) -> Node | None:
        """The flag is true when one of its flips ran (or false, when it starts true)."""
        found = self.flag_flips(node) if self._flag_depth <= 1 else None
        if found is None:
            return None
        first, statements = found
        parts: list[Node] = []
        self._flag_depth += 1
        try:
            for statement in statements:
                guards = self.guards.guards_of(statement)
                translated = self.guards.translate(guards) if guards is not None else None
                if translated is None:
                    return None
                parts.append(translated.predicate)
        finally:
            self._flag_depth -= 1
        ran: Node = ("or", *parts)
        return ("not", ran) if first else ran

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
                binding = self.names.binding(sub) if isinstance(sub.ctx, ast.Load) else None
                if binding is not None and binding[1] == "local":
                    yield from self._flag_words(binding[0], depth + 1)
            elif isinstance(sub, ast.Attribute):
                yield sub.attr
                bound = self.names.attr_binding(sub)
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
                binding = self.names.binding(sub)
                if binding is None or binding[1] == "module":
                    return False
                if binding[1] == "local" and not self._from_caller(binding[0], {}, depth + 1):
                    return False
            elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
                if sub.value.id in ("self", "cls"):
                    bound = self.names.attr_binding(sub)
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
