"""The predicate algebra: what a condition on the request's Origin becomes, and what is done with it.

A predicate node (`Node`) is a plain tuple, the form `evaluate_predicate` in policy.py evaluates:
- `("origin",)`: the request's Origin; `("const", value)`: a constant (str, int, bool, None or a
  tuple of those);
- `("true",)`; `("and", *nodes)`, `("or", *nodes)`, `("not", node)`;
- `("eq"|"ne"|"in", left, right)`: comparisons of values;
- `("apply", "lower"|"strip"|"hostname"|"netloc"|"scheme"|"port", value)`: a value derived from one;
- `("method", "startswith"|"endswith", subject, ("const", str | tuple))`;
- `("regex", "match"|"search"|"fullmatch", pattern, flags, subject)`;
- `("free", key, debug, text, flag)`: a condition that does not involve the origin (a method, a
  path, a user, a flag), eliminated by `exists` before a predicate becomes an `OriginCheck`;
- while translating only (never in a finished predicate): `("pattern", pattern, flags)` for a
  loop variable over compiled patterns and `("opaque",)` for a value the origin flows into in a way
  the analysis cannot follow.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Any, NamedTuple

from corsproof.findings import Location
from corsproof.policy import OriginCheck, evaluate_predicate

Node = tuple[Any, ...]
ORIGIN: Node = ("origin",)
TRUE: Node = ("true",)
FALSE: Node = ("not", TRUE)
MAX_FREE = 5


class FreeAtom(NamedTuple):
    """What a `("free", …)` atom says: whether it is a debug condition, its text, and `flag`:
    "caller" / "setting" for a CORS configuration flag (set by the caller / read from settings)."""

    debug: bool
    text: str
    flag: str


def has_origin(node: Any) -> bool:
    """The origin appears in the node (outside constants and free atoms)."""
    if not isinstance(node, tuple) or not node:
        return False
    if node[0] == "origin":
        return True
    if node[0] in ("const", "free"):
        return False
    return any(has_origin(n) for n in node[1:])


def free_atoms(node: Any, found: dict[str, FreeAtom] | None = None) -> dict[str, FreeAtom]:
    """The origin-independent atoms of a predicate: key -> (debug, text, flag), `flag` being
    "caller" / "setting" for a CORS configuration flag (set by the caller / read from settings)."""
    found = {} if found is None else found
    if isinstance(node, tuple) and node:
        if node[0] == "free":
            found.setdefault(node[1], FreeAtom(node[2], node[3], node[4]))
        elif node[0] in ("and", "or", "not"):
            for child in node[1:]:
                free_atoms(child, found)
    return found


def subst(node: Node, values: dict[str, bool]) -> Node:
    """`node` with the free atoms named in `values` replaced by true / false."""
    op = node[0]
    if op == "free":
        if node[1] in values:
            return TRUE if values[node[1]] else FALSE
        return node
    if op in ("and", "or", "not"):
        return (op, *[subst(child, values) for child in node[1:]])
    return node


def simplify(node: Node) -> Node:
    """`node` with constants folded: `and`/`or`/`not` of true and false, and origin-free tests."""
    op = node[0]
    if op == "true":
        return TRUE
    if op == "not":
        inner = simplify(node[1])
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
            part = simplify(child)
            if part == (FALSE if op == "and" else TRUE):
                return part
            if part == (TRUE if op == "and" else FALSE) or part in parts:
                continue
            parts.append(part)
        if not parts:
            return TRUE if op == "and" else FALSE
        return parts[0] if len(parts) == 1 else (op, *parts)
    if op == "free" or has_origin(node):
        return node
    try:  # no origin in it: a constant condition
        return TRUE if evaluate_predicate(node, "") else FALSE
    except (TypeError, ValueError, AttributeError, re.error, RecursionError):
        return node


def exists(node: Node, flags_too: bool = False) -> Node | None:
    """`node` with its free atoms eliminated: true for an origin if some outcome of the conditions
    that do not involve it (a method, a path, a user) lets it in — whatever CORS configuration flags
    say (they are the deployment's choice), or, with `flags_too`, for some value of those as well."""
    atoms = free_atoms(node)
    if not atoms:
        return simplify(node)
    if len(atoms) > MAX_FREE:
        return None
    flags = [key for key, (_, _, flag) in atoms.items() if flag and not flags_too]
    others = [key for key in atoms if key not in flags]

    def some(values: dict[str, bool]) -> Node:
        return simplify(
            (
                "or",
                *[
                    simplify(subst(node, {**values, **dict(zip(others, combo, strict=True))}))
                    for combo in product((True, False), repeat=len(others))
                ],
            )
        )

    if not flags:
        return some({})
    return simplify(
        (
            "and",
            *[
                some(dict(zip(flags, combo, strict=True)))
                for combo in product((True, False), repeat=len(flags))
            ],
        )
    )


def truthy(value: Node) -> Node:
    """A value taken as a condition: neither None nor empty."""
    return ("and", ("ne", value, ("const", None)), ("ne", value, ("const", "")))


def is_echo(node: Node | None) -> bool:
    """The value is the origin itself (also lower-cased or stripped)."""
    if node == ORIGIN:
        return True
    return (
        node is not None
        and node[0] == "apply"
        and node[1] in ("lower", "strip")
        and is_echo(node[2])
    )


def exact_entries(node: Node) -> list[str] | None:
    """The origins of a pure exact-membership predicate (`origin in {...}`, `origin == "..."`)."""
    op = node[0]
    if op == "or":
        out: list[str] = []
        for child in node[1:]:
            entries = exact_entries(child)
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


def origin_checks(predicate: Node, describe: str, loc: Location | None) -> list[OriginCheck]:
    """A predicate as the checks of a policy: one exact entry per origin of a pure membership
    test, else the predicate itself."""
    exact = exact_entries(predicate)
    if exact is not None:
        return [
            OriginCheck("exact", entry, describe=f"{describe} (exact {entry!r})", loc=loc)
            for entry in exact
        ]
    return [OriginCheck("predicate", predicate=predicate, describe=describe, loc=loc)]
