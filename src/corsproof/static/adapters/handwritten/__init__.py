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

This package holds the adapter; the analysis is in its modules: `_sinks` and `_mocks` (where headers
are set, and what is not a response), `_bindings` and `_flows` (what names hold, where the Origin
flows), `_values`, `_conditions` and `_guards` (values, conditions and the guards of a header as
predicates, `_predicates` being their algebra), `_grouping` (header sets into policies), `_records`
(what they hand each other), `_syntax` (small AST helpers) and `_analysis` (the parts put together).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from corsproof.policy import CorsPolicy
from corsproof.static._module import Module
from corsproof.static.adapters._base import Adapter, register_adapter
from corsproof.static.adapters.handwritten._analysis import Analysis
from corsproof.static.semantic import Evaluator

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
        analysis = Analysis(module, resolver)
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
