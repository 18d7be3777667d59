"""Every origin allowed by a library's configuration -> the explicit list of trusted origins
(unsafe: it narrows who is trusted to what the user names).

Where and how each library takes its origins (read in the installed libraries' source):

- flask-cors, sanic-cors: `origins=` of `CORS(...)`, `cross_origin(...)`, `init_app(...)`, the
  `"origins"` key of a `resources={path: {...}}` mapping, the `CORS_ORIGINS` config key; a string,
  a pattern or any iterable of them (default `"*"`). sanic-cors `CORS(app, config)` without keyword
  options reads `config["CORS_OPTIONS"]`: an added keyword would drop those options.
- quart-cors: `allow_origin=` of `cors(...)`, `route_cors(...)`, `websocket_cors(...)`, the
  `QUART_CORS_ALLOW_ORIGIN` config key; a string, a pattern or an iterable (default `{"*"}`).
- Starlette/FastAPI `CORSMiddleware`: `allow_origins=` (second positional after the app or the
  middleware class), a sequence (default `()`).
- Litestar `CORSConfig`: `allow_origins=` (first positional), a list (default `["*"]`).
- Falcon `CORSMiddleware`: `allow_origins=` (first positional), `"*"` or an iterable; `"*"` inside
  an iterable raises. `App(cors_enable=True)` adds `CORSMiddleware()` after `middleware`.
- aiohttp-cors: mappings keyed by origin (`defaults=`, `cors.add(route, {...})`); `"*"` is the
  options of every origin not named.
- cherrypy-cors: `origins=` of `expose(...)` (third positional) and `preflight(...)` (fifth),
  `cors.expose.origins` in the configuration; `expose_public(expose_headers=None)` always sends `*`
  and takes no origins: `expose(...)` with origins replaces it.
- django-cors-headers: `CORS_ALLOW_ALL_ORIGINS` (`CORS_ORIGIN_ALLOW_ALL`) beats the lists
  `CORS_ALLOWED_ORIGINS` (`CORS_ORIGIN_WHITELIST`) and `CORS_ALLOWED_ORIGIN_REGEXES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst

from corsproof.findings import Finding
from corsproof.fix._model import SAFE, UNSAFE, Edit, Fix
from corsproof.fix._registry import FixContext, fixer, literal_string, quote
from corsproof.fix._source import SourceFile
from corsproof.fix.fixers._items import (
    append_item,
    insert_after_item,
    one_element,
    remove_items,
)


@dataclass(frozen=True)
class Origins:
    """Where one library takes its origins."""

    keyword: str  # the keyword argument of its calls
    names: frozenset[str]  # that keyword, and the mapping keys / config keys that mean the same
    positions: Mapping[str, int] = field(default_factory=dict)  # callee -> positional index
    calls: frozenset[str] = frozenset()  # callees whose origins default to every origin
    resources: bool = False  # per-path option mappings (`resources={path: {...}}`)


LIBRARIES: dict[str, Origins] = {
    "flask-cors": Origins(
        "origins",
        frozenset({"origins", "CORS_ORIGINS"}),
        calls=frozenset({"CORS", "cross_origin", "init_app"}),
        resources=True,
    ),
    "sanic-cors": Origins(
        "origins",
        frozenset({"origins", "CORS_ORIGINS"}),
        calls=frozenset({"CORS", "cross_origin"}),
        resources=True,
    ),
    "quart-cors": Origins(
        "allow_origin",
        frozenset({"allow_origin", "QUART_CORS_ALLOW_ORIGIN"}),
        calls=frozenset({"cors", "route_cors", "websocket_cors"}),
    ),
    "starlette": Origins(
        "allow_origins",
        frozenset({"allow_origins"}),
        {"CORSMiddleware": 1, "add_middleware": 1, "Middleware": 1},
    ),
    "litestar": Origins(
        "allow_origins",
        frozenset({"allow_origins"}),
        {"CORSConfig": 0},
        frozenset({"CORSConfig"}),
    ),
    "falcon": Origins(
        "allow_origins",
        frozenset({"allow_origins"}),
        {"CORSMiddleware": 0},
        frozenset({"CORSMiddleware"}),
    ),
    "cherrypy-cors": Origins(
        "origins",
        frozenset({"origins", "cors.expose.origins", "cors.preflight.origins"}),
        {"expose": 2, "preflight": 4},
        frozenset({"expose", "preflight", "expose_public"}),
    ),
}
DJANGO_ALLOW_ALL = ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")
DJANGO_LISTS = ("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST")
DJANGO_REGEXES = ("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST")
COMPREHENSION_NAME = "trusted_origin"  # aiohttp-cors: `**{trusted_origin: options for ...}`


# ----------------------------------------------------------------------------- the fixers


@fixer("CORS101", "CORS102", libraries=tuple(LIBRARIES), applicability=UNSAFE)
def every_origin_value(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """The value given as the origins (`"*"`, `".*"`, `["*"]`, `re.compile(".*")`, a string with
    a `*`) -> the list of trusted origins; a `"*"` or catch-all pattern inside a list -> the
    trusted origins in its place, the other entries kept."""
    spec = LIBRARIES.get(finding.framework)
    node = source.expression_at(finding.location)
    if spec is None or node is None:
        return None
    if replaceable(node) and in_origins_slot(source, node, spec):
        code, extra = context.origins_code(source)
        return Fix(
            UNSAFE,
            f"allow only {context.origins_said} instead of every origin",
            (source.replace(node, code), *extra),
        )
    parent = source.parents.get(node)
    if not (isinstance(parent, cst.Element) and parent.value is node):
        return None
    container = source.parents.get(parent)
    if not (
        isinstance(container, cst.List | cst.Tuple | cst.Set)
        and in_origins_slot(source, container, spec)
    ):
        return None
    if context.allow_origins:
        present = {literal_string(e.value) for e in container.elements}
        new = [o for o in context.allow_origins if o not in present]
        if new:
            edits = [source.replace(node, ", ".join(quote(o) for o in new))]
        else:
            index = next(i for i, e in enumerate(container.elements) if e is parent)
            removed = remove_items(source, container, container.elements, {index})
            if removed is None:
                return None
            edits = removed
    else:
        code, extra = context.origins_code(source)
        edits = [source.replace(node, "*" + code), *extra]
    return Fix(
        UNSAFE,
        f"allow {context.origins_said} (and the origins listed beside it) instead of every origin",
        tuple(edits),
    )


@fixer("CORS101", "CORS102", libraries=tuple(LIBRARIES), applicability=UNSAFE)
def default_origins(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """A CORS call that names no origins (the library's default: every origin) -> the trusted
    origins as its keyword argument; cherrypy-cors `expose_public()` (always `*`) ->
    `expose(origins=[...])`."""
    spec = LIBRARIES.get(finding.framework)
    node = source.expression_at(finding.location)
    if spec is None or not isinstance(node, cst.Call) or callee(node) not in spec.calls:
        return None
    if in_origins_slot(source, node, spec):
        return None  # a value (`re.compile(...)`), not the library's call
    args = node.args
    if any(a.star for a in args) or any(a.keyword and a.keyword.value in spec.names for a in args):
        return None  # given (or maybe given, unpacked), but not as a value this fixer replaces
    positional = [a for a in args if a.keyword is None]
    index = spec.positions.get(callee(node))
    if index is not None and len(positional) > index:
        return None
    if finding.framework == "sanic-cors" and len(positional) >= 2 and len(positional) == len(args):
        return None  # `CORS(app, config)`: a keyword would drop config["CORS_OPTIONS"]
    edits: list[Edit] = []
    if callee(node) == "expose_public":
        if not isinstance(node.func, cst.Attribute) or len(positional) > 1:
            return None
        edits.append(source.replace(node.func.attr, "expose"))
        if positional:
            line, column, _, _ = source.span(positional[0].value)
            edits.append(Edit(source.path, line, column, line, column, "expose_headers="))
    code, extra = context.origins_code(source)
    edits.append(append_item(source, node, args, f"{spec.keyword}={code}"))
    said = f"allow only {context.origins_said} ({spec.keyword}=…)"
    if callee(node) == "expose_public":
        said = f"expose(origins=…) instead of expose_public(): allow only {context.origins_said}"
    return Fix(UNSAFE, said, (*edits, *extra))


@fixer("CORS101", "CORS102", libraries=("flask-cors", "sanic-cors"), applicability=UNSAFE)
def resource_without_origins(
    finding: Finding, source: SourceFile, context: FixContext
) -> Fix | None:
    """A `resources={path: {...}}` entry without `"origins"` (every origin) -> `"origins"` listing
    the trusted origins."""
    node = source.expression_at(finding.location)
    parent = source.parents.get(node) if node is not None else None
    if not (
        isinstance(node, cst.Dict)
        and isinstance(parent, cst.DictElement)
        and parent.value is node
        and isinstance(source.parents.get(parent), cst.Dict)
        and all(isinstance(e, cst.DictElement) for e in node.elements)
        and "origins" not in {literal_string(e.key) for e in node.elements}
    ):
        return None
    code, extra = context.origins_code(source)
    return Fix(
        UNSAFE,
        f'allow only {context.origins_said} ("origins" of this resource)',
        (append_item(source, node, node.elements, f'"origins": {code}'), *extra),
    )


@fixer("CORS101", "CORS102", libraries=("aiohttp-cors",), applicability=UNSAFE)
def aiohttp_star_key(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """`{"*": options}` (the options of every origin) -> the same options keyed by each trusted
    origin."""
    node = source.expression_at(finding.location)
    if node is None or literal_string(node) != "*":
        return None
    element = source.parents.get(node)
    mapping = source.parents.get(element) if element is not None else None
    if not (
        isinstance(element, cst.DictElement)
        and element.key is node
        and isinstance(mapping, cst.Dict)
    ):
        return None
    said = f"the options of every origin given to {context.origins_said} only"
    extra: list[Edit] = []
    if context.allow_origins:
        keys = {literal_string(e.key) for e in mapping.elements if isinstance(e, cst.DictElement)}
        if not _is_defaults(source, mapping):
            # a route's mapping: an origin the module's defaults name keeps its defaults, as the
            # route's "*" never applied to it
            keys |= _defaults_keys(source)
        new = [o for o in context.allow_origins if o not in keys]
        if not new:
            said = f'drop "*": {context.origins_said} keep the options named for them'
            if len(mapping.elements) == 1:
                return Fix(UNSAFE, said, (source.replace(mapping, "{}"),))
            index = next(i for i, e in enumerate(mapping.elements) if e is element)
            removed = remove_items(source, mapping, mapping.elements, {index})
            return Fix(UNSAFE, said, tuple(removed)) if removed else None
        if len(new) == 1:
            return Fix(UNSAFE, said, (source.replace(node, quote(new[0])),))
        code = "[" + ", ".join(quote(o) for o in new) + "]"
    else:
        code, extra = context.origins_code(source)
    name = COMPREHENSION_NAME
    start_line, _, last_line, _ = source.span(mapping)
    if len(mapping.elements) == 1 and start_line == last_line:
        value = source.code(element.value)
        text = f"{{{name}: {value} for {name} in {code}}}"
        return Fix(UNSAFE, said, (source.replace(mapping, text), *extra))
    line, column, _, _ = source.span(node)
    value_line, value_column, end_line, end_column = source.span(element.value)
    edits = (
        Edit(source.path, line, column, value_line, value_column, f"**{{{name}: "),
        Edit(source.path, end_line, end_column, end_line, end_column, f" for {name} in {code}}}"),
    )
    return Fix(UNSAFE, said, (*edits, *extra))


@fixer("CORS101", "CORS102", libraries=("falcon",), applicability=UNSAFE)
def falcon_cors_enable(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """`falcon.App(cors_enable=True)` (a `CORSMiddleware()`: every origin) ->
    `falcon.App(middleware=[falcon.CORSMiddleware(allow_origins=[...])])`."""
    node = source.expression_at(finding.location)
    arg = source.parents.get(node) if node is not None else None
    call = source.parents.get(arg) if arg is not None else None
    if not (
        isinstance(node, cst.Name)
        and node.value == "True"
        and isinstance(arg, cst.Arg)
        and arg.keyword is not None
        and arg.keyword.value == "cors_enable"
        and isinstance(call, cst.Call)
    ):
        return None
    middleware_class = _falcon_cors_middleware(source, call)
    if middleware_class is None or any(a.star for a in call.args):
        return None
    code, extra = context.origins_code(source)
    new = f"{middleware_class}(allow_origins={code})"
    given = [a for a in call.args if a.keyword is not None and a.keyword.value == "middleware"]
    if not given:
        line, column, _, _ = source.span(arg)
        _, _, end_line, end_column = source.span(arg)
        edits = [Edit(source.path, line, column, end_line, end_column, f"middleware=[{new}]")]
    else:
        value = given[0].value
        if not isinstance(value, cst.List) or any(
            isinstance(e, cst.StarredElement) for e in value.elements
        ):
            return None
        index = next(i for i, a in enumerate(call.args) if a is arg)
        removed = remove_items(source, call, call.args, {index})
        if removed is None:
            return None
        # cors_enable adds its middleware after the others: the new one goes last
        edits = [append_item(source, value, value.elements, new), *removed]
    return Fix(
        UNSAFE,
        f"a CORSMiddleware that allows only {context.origins_said} instead of cors_enable=True",
        (*edits, *extra),
    )


@fixer("CORS101", "CORS102", libraries=("cherrypy-cors",), applicability=UNSAFE)
def cherrypy_config(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """`"cors.expose.on": True` in a configuration (no origins: every origin) -> with
    `"cors.expose.origins"` listing the trusted origins; `"cors.expose_public.on"` (always `*`)
    -> `"cors.expose.on"` with those origins."""
    node = source.expression_at(finding.location)
    element = source.parents.get(node) if node is not None else None
    mapping = source.parents.get(element) if element is not None else None
    if not (
        isinstance(node, cst.Name)
        and isinstance(element, cst.DictElement)
        and element.value is node
        and isinstance(mapping, cst.Dict)
    ):
        return None
    keys = {
        literal_string(e.key): e.key for e in mapping.elements if isinstance(e, cst.DictElement)
    }
    key = literal_string(element.key) or ""
    if "cors.expose.origins" in keys or not key.startswith(("cors.expose.", "cors.expose_public.")):
        return None
    edits = []
    if any(k and k.startswith("cors.expose_public.") for k in keys):
        if any(k and k.startswith("cors.expose.") for k in keys):
            return None
        for name, key_node in keys.items():
            if (
                name
                and name.startswith("cors.expose_public.")
                and isinstance(key_node, cst.SimpleString)
            ):
                renamed = name.replace("cors.expose_public.", "cors.expose.", 1)
                text = f"{key_node.prefix}{key_node.quote}{renamed}{key_node.quote}"
                edits.append(source.replace(key_node, text))
    code, extra = context.origins_code(source)
    edits.append(insert_after_item(source, element, f'"cors.expose.origins": {code}'))
    return Fix(
        UNSAFE,
        f"cors.expose with cors.expose.origins: allow only {context.origins_said}",
        (*edits, *extra),
    )


@fixer("CORS101", "CORS102", libraries=("django-cors-headers",), applicability=UNSAFE)
def django_allow_all(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """`CORS_ALLOW_ALL_ORIGINS = True` -> `False`, and `CORS_ALLOWED_ORIGINS` listing the trusted
    origins (unless the module sets an allow-list already: that list then applies)."""
    node = source.expression_at(finding.location)
    if not (isinstance(node, cst.Name) and node.value == "True"):
        return None
    assign = source.parents.get(node)
    if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1 and assign.value is node):
        return None
    name = source.code(assign.targets[0].target)
    if name not in DJANGO_ALLOW_ALL:
        return None
    edits = [source.replace(node, "False")]
    existing = _assigned(source, DJANGO_LISTS)
    if existing:
        return Fix(UNSAFE, f"{name} = False: the allow-list {existing} applies", tuple(edits))
    statement = source.parents.get(assign)
    if not isinstance(statement, cst.SimpleStatementLine):
        return None
    code, extra = context.origins_code(source)
    line, column, end_line, _ = source.span(statement)
    indent = source.lines[line - 1][: column - 1]
    if indent.strip():
        return None
    edits.append(source.insert_after_line(end_line, f"{indent}CORS_ALLOWED_ORIGINS = {code}"))
    return Fix(
        UNSAFE,
        f"{name} = False, and CORS_ALLOWED_ORIGINS lists {context.origins_said}",
        (*edits, *extra),
    )


@fixer("CORS101", "CORS102", libraries=("django-cors-headers",), applicability=SAFE)
def django_regex_string(finding: Finding, source: SourceFile, context: FixContext) -> Fix | None:
    """`CORS_ALLOWED_ORIGIN_REGEXES = r"^https://..."` (a string: each character is a pattern,
    and `^` or `.` matches every origin) -> a list of that one pattern."""
    node = string_as_setting(finding, source, DJANGO_REGEXES)
    if node is None:
        return None
    return Fix(
        SAFE,
        "a list of that one pattern (a string is read one character at a time)",
        (one_element(source, node),),
    )


# ----------------------------------------------------------------------------- helpers


def string_as_setting(
    finding: Finding, source: SourceFile, names: tuple[str, ...]
) -> cst.BaseExpression | None:
    """The string literal at the finding when it is the whole value of one of the Django
    settings `names` (where the library expects a sequence)."""
    node = source.expression_at(finding.location)
    assign = source.parents.get(node) if node is not None else None
    if (
        isinstance(node, cst.SimpleString | cst.ConcatenatedString)
        and isinstance(assign, cst.Assign)
        and assign.value is node
        and all(source.code(t.target) in names for t in assign.targets)
    ):
        return node
    return None


def callee(call: cst.Call) -> str:
    """The called name: `CORS` of `flask_cors.CORS(...)`."""
    if isinstance(call.func, cst.Attribute):
        return call.func.attr.value
    if isinstance(call.func, cst.Name):
        return call.func.value
    return ""


def target_name(target: cst.BaseExpression) -> str | None:
    """`NAME`, `x.NAME` or `x["NAME"]` -> NAME."""
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if (
        isinstance(target, cst.Subscript)
        and len(target.slice) == 1
        and isinstance(target.slice[0].slice, cst.Index)
    ):
        return literal_string(target.slice[0].slice.value)
    return None


def replaceable(node: cst.BaseExpression) -> bool:
    """A value a list may take the place of: a literal, a name, `re.compile(...)`."""
    if isinstance(node, cst.Name):
        return node.value not in ("True", "False", "None")
    if isinstance(node, cst.Call):
        return callee(node) == "compile"
    return isinstance(
        node,
        cst.SimpleString | cst.ConcatenatedString | cst.List | cst.Tuple | cst.Set | cst.Attribute,
    )


def in_origins_slot(source: SourceFile, node: cst.CSTNode, spec: Origins) -> bool:
    """`node` is the whole value a library takes as its origins: a keyword argument, the right
    positional argument, a mapping value or an assigned config key / setting."""
    parent = source.parents.get(node)
    if isinstance(parent, cst.Arg) and parent.value is node and not parent.star:
        if parent.keyword is not None:
            return parent.keyword.value in spec.names
        call = source.parents.get(parent)
        if not isinstance(call, cst.Call):
            return False
        index = next(i for i, a in enumerate(call.args) if a is parent)
        if any(a.keyword is not None or a.star for a in call.args[:index]):
            return False
        return spec.positions.get(callee(call)) == index
    if isinstance(parent, cst.DictElement) and parent.value is node:
        return literal_string(parent.key) in spec.names
    if isinstance(parent, cst.Assign) and parent.value is node:
        return all(target_name(t.target) in spec.names for t in parent.targets)
    if isinstance(parent, cst.AnnAssign) and parent.value is node:
        return target_name(parent.target) in spec.names
    return False


def _is_defaults(source: SourceFile, mapping: cst.Dict) -> bool:
    """aiohttp-cors: the mapping is given as `defaults=` (of `setup` or `CorsConfig`)."""
    arg = source.parents.get(mapping)
    return (
        isinstance(arg, cst.Arg)
        and arg.keyword is not None
        and arg.keyword.value == "defaults"
        and arg.value is mapping
    )


def _defaults_keys(source: SourceFile) -> set[str | None]:
    """aiohttp-cors: the origins the module's literal `defaults=` mappings name."""
    return {
        literal_string(e.key)
        for node in source.positions
        if isinstance(node, cst.Dict) and _is_defaults(source, node)
        for e in node.elements
        if isinstance(e, cst.DictElement)
    }


def _assigned(source: SourceFile, names: tuple[str, ...]) -> str | None:
    """The first of `names` the module assigns at its top level."""
    for statement in source.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets = (
                    [t.target for t in small.targets]
                    if isinstance(small, cst.Assign)
                    else [small.target]
                    if isinstance(small, cst.AnnAssign)
                    else []
                )
                for target in targets:
                    if source.code(target) in names:
                        return source.code(target)
    return None


def _falcon_cors_middleware(source: SourceFile, call: cst.Call) -> str | None:
    """How this module can name falcon's CORSMiddleware: `falcon.CORSMiddleware` when `falcon` is
    imported, else the name `from falcon import CORSMiddleware` binds; None when neither."""
    modules: set[str] = set()
    imported: str | None = None
    for node in source.positions:
        if isinstance(node, cst.Import):
            for alias in node.names:
                name = source.code(alias.name)
                if alias.asname is None and (name == "falcon" or name.startswith("falcon.")):
                    modules.add("falcon")
                elif name == "falcon" and isinstance(alias.asname, cst.AsName):
                    modules.add(source.code(alias.asname.name))
        elif (
            isinstance(node, cst.ImportFrom)
            and node.module is not None
            and source.code(node.module) in ("falcon", "falcon.middleware")
            and isinstance(node.names, Sequence)
        ):
            for alias in node.names:
                if source.code(alias.name) == "CORSMiddleware":
                    imported = (
                        source.code(alias.asname.name)
                        if isinstance(alias.asname, cst.AsName)
                        else "CORSMiddleware"
                    )
    root = call.func
    while isinstance(root, cst.Attribute):
        root = root.value
    if isinstance(root, cst.Name) and root.value in modules and root is not call.func:
        return f"{root.value}.CORSMiddleware"
    if imported is not None:
        return imported
    if modules:
        return f"{sorted(modules)[0]}.CORSMiddleware"
    return None
