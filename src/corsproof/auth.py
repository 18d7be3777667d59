"""Authentication context: what the application's code says about how it authenticates.

Found by byte patterns on every Python file: API-key header reads, `Authorization` / bearer
schemes, client-certificate (mTLS) checks. The facts are attached to every policy of the same
application and raise severities as the rule catalogue says.

Most files match no pattern: for them a cheap bytes test decides (no decoding, no parse). A file
that does match is tokenized, and a match counts only where it lies in code: not in a comment, not
in a docstring or a string that stands alone as a statement, not inside the prose of a string
(`log.info("checked request.headers['X-API-Key']")`), and a header or variable name written as a
whole string (`"SSL_CLIENT_CERT"`) not when it is only an element of a list/tuple/set/dict display
(`WORDS = ["SSL_CLIENT_CERT"]`, an outgoing `headers={"X-Client-Cert": pem}`): such literals are
word lists, redaction lists or request headers this code *sends*; they do not show that it reads a
certificate. A string that is a dotted path (`"rest_framework.authentication.TokenAuthentication"`
in `DEFAULT_AUTHENTICATION_CLASSES`) names code and counts wherever it is.
"""

from __future__ import annotations

import bisect
import io
import keyword
import re
import tokenize
from collections.abc import Iterator

from corsproof._text import unix_newlines

_READ = rb"""(?:headers|META|environ|request\.headers|get_header|getHeader)\s*(?:\.get\(|\[|\()\s*(?:b?['"])"""
PATTERNS: dict[str, re.Pattern[bytes]] = {
    "api-key": re.compile(
        _READ
        + rb"""(?i:(?:x[-_])?api[-_]?key|x[-_]api[-_]token|http_x_api_key|x[-_]auth[-_]key)['"]"""
        rb"""|APIKeyHeader\s*\(|\bx_api_key\s*:[^=\n]*=\s*(?:fastapi\.)?Header\b"""
        rb"""|alias\s*=\s*['"](?i:x-api-key)['"]""",
    ),
    "authorization-header": re.compile(
        _READ + rb"""(?i:authorization|http_authorization)['"]"""
        rb"""|\b(?:HTTPBearer|OAuth2PasswordBearer|OAuth2AuthorizationCodeBearer|HTTPBasic|"""
        rb"""TokenAuthentication|JWTAuthentication|JSONWebTokenAuthentication)\b"""
        rb"""|request\.authorization\b|\bauthorization\s*:[^=\n]*=\s*(?:fastapi\.)?Header\b""",
    ),
    # the client certificate as the TLS terminator hands it on (CGI/WSGI variables, proxy headers
    # in their header and in their Django META spelling, the ASGI TLS extension), read from the
    # socket, or required by a TLS context (`ssl.CERT_REQUIRED` also verifies a *server* in client
    # code; the string "CERT_REQUIRED" is urllib3's client-side spelling and does not count)
    "mtls": re.compile(
        rb"""['"](?i:(?:http_)?(?:x[-_])?ssl[-_]client[-_][a-z0-9_-]+"""
        rb"""|(?:http_)?x[-_](?:forwarded[-_])?client[-_]cert[a-z0-9_-]*"""
        rb"""|(?:http_)?x[-_]arr[-_]clientcert|client_cert_chain)['"]"""
        rb"""|getpeercert\s*\(|\bget_peer_certificate\s*\(|get_extra_info\s*\(\s*['"]peercert['"]"""
        rb"""|(?<!['"])\bCERT_REQUIRED\b(?!['"])|(?:\bssl_|\b)cert_reqs\s*=\s*2\b""",
    ),
}
PREFILTER = re.compile(
    rb"(?i:api[-_]?key|api[-_]token|auth[-_]key|authorization|bearer|ssl[-_]client|"
    rb"client[-_]?cert|peer_?cert|cert_required|cert_reqs|HTTPBasic|TokenAuthentication|"
    rb"JWTAuthentication)"
)


# PREFILTER as plain words searched in the lower-cased bytes: the same test (`(?i)` on a bytes
# pattern and `bytes.lower()` are both ASCII-only) at about 15x the speed, since a case-insensitive
# alternation defeats the regex engine's literal search. Keep both in step, and every pattern
# above must contain one of these words in any text it matches.
PREFILTER_WORDS = (
    b"apikey", b"api-key", b"api_key", b"api-token", b"api_token", b"auth-key", b"auth_key",
    b"authorization", b"bearer", b"ssl_client", b"ssl-client", b"client-cert", b"client_cert",
    b"clientcert", b"peercert", b"peer_cert", b"cert_required", b"cert_reqs", b"httpbasic",
    b"tokenauthentication", b"jwtauthentication",
)  # fmt: skip


# every word of PREFILTER_WORDS contains one of these: most files miss all six, and are done
# after six scans instead of one per word
_ANCHORS = (b"api", b"auth", b"bearer", b"ssl", b"cert", b"httpbasic")
# the anchors a text each pattern matches contains one of (lower-cased): a pattern whose anchors
# are all missing is not run
_PATTERN_ANCHORS = {
    "api-key": (b"api", b"auth"),
    "authorization-header": (b"auth", b"bearer", b"httpbasic"),
    "mtls": (b"ssl", b"cert"),
}
# the words to look for once an anchor is there (only those containing it)
_WORDS_OF = {anchor: tuple(w for w in PREFILTER_WORDS if anchor in w) for anchor in _ANCHORS}


def auth_facts(data: bytes, lowered: bytes | None = None) -> frozenset[str]:
    """The authentication facts a Python source file shows in its code (`lowered`: the file's
    bytes lower-cased, when the caller has them already)."""
    if lowered is None:
        lowered = data.lower()
    present = [anchor for anchor in _ANCHORS if anchor in lowered]
    if not present:
        return frozenset()
    if not any(word in lowered for anchor in present for word in _WORDS_OF[anchor]):
        return frozenset()
    # the patterns on the raw bytes first: most files with a word match no pattern and are never
    # tokenized (so a read with a comment inside it, `get(  # why⏎ "X-API-Key")`, is not found)
    candidates = [
        (name, pattern)
        for name, pattern in PATTERNS.items()
        if any(anchor in present for anchor in _PATTERN_ANCHORS[name]) and pattern.search(data)
    ]
    if not candidates:
        return frozenset()
    code = _code_view(data)
    if code is None:
        # Not decodable or not tokenizable (Python 2 source, a chunk cut out of a file too large
        # to parse, …): claim nothing. A missing fact only keeps a severity at its default, it
        # never hides a finding; a wrong one raises severities on every policy of the application.
        return frozenset()
    found = set()
    for name, pattern in candidates:
        matches = [m for m in pattern.finditer(code.text) if code.counts(m)]
        if name == "mtls":
            # `ssl.CERT_REQUIRED` alone is a client verifying a server (a database, an API):
            # it is mutual TLS only beside a server-side context in the same file
            matches = [m for m in matches if not m.group().endswith(b"CERT_REQUIRED")] or (
                matches if any(code.counts(m) for m in _SERVER_SIDE_TLS.finditer(code.text)) else []
            )
        if matches:
            found.add(name)
    return frozenset(found)


# a server-side TLS context: where CERT_REQUIRED asks clients for their certificate
_SERVER_SIDE_TLS = re.compile(
    rb"Purpose\.CLIENT_AUTH|PROTOCOL_TLS_SERVER|\bserver_side\s*=\s*True|\bssl_cert_reqs\s*="
    rb"|\bcert_reqs\s*=|\bwrap_socket\s*\([^)]*server_side"
)


# ------------------------------------------------------------------------------ the code view
#
# One pass over the tokens records, as character offsets, where each comment and each string
# literal is, and for each string the little it takes to judge it later: what comes right before
# and after its implicit concatenation, and the bracket it sits in. Patterns then run on the
# whole text (one byte per character, so offsets agree) and only the strings a match falls in are
# judged. No per-string objects: a file of many strings costs about what tokenizing it costs.

_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_STRING_PREFIX = re.compile(r"[A-Za-z]*")
_FSTRING_START = frozenset(
    t for t in (getattr(tokenize, "FSTRING_START", None), getattr(tokenize, "TSTRING_START", None))
    if t is not None
)  # fmt: skip
_FSTRING_END = frozenset(
    t for t in (getattr(tokenize, "FSTRING_END", None), getattr(tokenize, "TSTRING_END", None))
    if t is not None
)  # fmt: skip
_STRING, _NL, _COMMENT, _OP, _NAME = (
    tokenize.STRING, tokenize.NL, tokenize.COMMENT, tokenize.OP, tokenize.NAME,
)  # fmt: skip
_LINE_START = frozenset({tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING})
_LINE_END = frozenset({tokenize.NEWLINE, tokenize.ENDMARKER})
# what is around a string: before it (0 other, 1 the start of a statement, 2 an element's opener)
# and after it (0 other, 1 the end of a statement, 2 an element's closer)
_OPENERS = frozenset({"(", "[", "{", ",", ":"})
_CLOSERS = frozenset({",", ":", ")", "]", "}"})
# the bracket a string sits in: [kind, has a top-level comma]; kind 0 a call or subscript (code),
# 1 a list, 2 a dict/set, 3 parentheses (a tuple when they hold a comma, else a grouping)
_CODE, _LIST, _BRACE, _PAREN = 0, 1, 2, 3
_OPEN = frozenset({"(", "[", "{"})
_CLOSE = frozenset({")", "]", "}"})


class _CodeView:
    def __init__(self, text: str, lexed: _Lexed) -> None:
        self.text = text.encode("ascii", "replace")  # one byte per character
        self.source = text
        self.lexed = lexed

    def counts(self, match: re.Match[bytes]) -> bool:
        """Whether a pattern match lies in code."""
        start, end = match.span()
        lexed = self.lexed
        # overlapping a comment (the last comment that starts before the match ends)
        k = bisect.bisect_left(lexed.comment_starts, end) - 1
        if k >= 0 and lexed.comment_ends[k] > start:
            return False
        k = bisect.bisect_right(lexed.string_starts, start) - 1
        if k < 0 or lexed.string_ends[k] <= start:
            return True  # starts in code: `headers.get("X-API-Key")`, `ssl.CERT_REQUIRED`
        if end > lexed.string_ends[k]:
            return True  # from a string out into code
        before, after, frame = lexed.befores[k], lexed.afters[k], lexed.frames[k]
        if before == 1 and after == 1:
            return False  # a docstring, or another string standing alone as a statement
        piece = self.source[lexed.string_starts[k] : lexed.string_ends[k]]
        prefix = len(_STRING_PREFIX.match(piece).group())  # type: ignore[union-attr]
        quote = piece[prefix : prefix + 3]
        width = 3 if len(quote) == 3 and quote[0] * 3 == quote else 1
        content = piece[prefix + width : len(piece) - width]
        if _DOTTED.fullmatch(content):
            return True  # "rest_framework.authentication.TokenAuthentication"
        content_start = lexed.string_starts[k] + prefix + width
        if start > content_start or end < content_start + len(content):
            return False  # inside the prose of a string
        # a name written as the whole string: in code, unless only an element of a display
        element = (
            before == 2
            and after == 2
            and (frame[0] in (_LIST, _BRACE) or (frame[0] == _PAREN and frame[1]))
        )
        return not element


class _Lexed:
    __slots__ = (
        "comment_starts",
        "comment_ends",
        "string_starts",
        "string_ends",
        "befores",
        "afters",
        "frames",
    )

    def __init__(self) -> None:
        self.comment_starts: list[int] = []
        self.comment_ends: list[int] = []
        self.string_starts: list[int] = []
        self.string_ends: list[int] = []
        self.befores: list[int] = []
        self.afters: list[int] = []
        self.frames: list[list] = []


def _code_view(data: bytes) -> _CodeView | None:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeError, LookupError):
        return None
    # one kind of line end, so that the tokenizer's rows are the lines counted here
    text = unix_newlines(text)
    line_starts = [0]
    reader = io.StringIO(text).readline

    def readline() -> str:
        line = reader()
        line_starts.append(line_starts[-1] + len(line))
        return line

    try:
        lexed = _lex(tokenize.generate_tokens(readline), line_starts)
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError):
        return None
    return _CodeView(text, lexed)


def _lex(tokens: Iterator[tokenize.TokenInfo], line_starts: list[int]) -> _Lexed:
    """Comments and strings, as character offsets (an f-string with its inside as one string)."""
    out = _Lexed()
    comment_starts, comment_ends = out.comment_starts, out.comment_ends
    string_starts, string_ends = out.string_starts, out.string_ends
    befores, afters, frames = out.befores, out.afters, out.frames
    stack: list[list] = []
    frame: list = [_CODE, False]  # outside any bracket
    before = 1  # the start of the file is the start of a statement
    previous: tokenize.TokenInfo | None = None  # the last significant token
    in_group = False  # the last significant token was a string
    group_before = 1
    fstring_depth = 0
    fstring_start = 0
    for token in tokens:
        kind = token[0]
        if fstring_depth:
            if kind in _FSTRING_START:
                fstring_depth += 1
            elif kind in _FSTRING_END:
                fstring_depth -= 1
                if not fstring_depth:
                    if not in_group:
                        group_before, in_group = before, True
                    row, col = token[3]
                    string_starts.append(fstring_start)
                    string_ends.append(line_starts[row - 1] + col)
                    befores.append(group_before)
                    frames.append(frame)
                    previous = token
            continue
        if kind == _STRING:
            if not in_group:
                group_before, in_group = before, True
            row, col = token[2]
            string_starts.append(line_starts[row - 1] + col)
            row, col = token[3]
            string_ends.append(line_starts[row - 1] + col)
            befores.append(group_before)
            frames.append(frame)
            previous = token
            continue
        if kind == _NL:
            continue
        if kind == _COMMENT:
            row, col = token[2]
            comment_starts.append(line_starts[row - 1] + col)
            comment_ends.append(comment_starts[-1] + len(token[1]))
            continue
        if kind in _FSTRING_START:
            row, col = token[2]
            fstring_depth, fstring_start = 1, line_starts[row - 1] + col
            continue
        string = token[1]
        if in_group:  # what follows the strings of one implicit concatenation
            in_group = False
            if kind in _LINE_END or string == ";":
                after = 1
            elif kind == _OP and string in _CLOSERS:
                after = 2
            else:
                after = 0
            afters.extend([after] * (len(string_starts) - len(afters)))
        if kind == _OP:
            if string in _OPEN:
                if string == "{":
                    opened = _BRACE
                elif previous is not None and (
                    (previous[0] == _NAME and not keyword.iskeyword(previous[1]))
                    or previous[0] == _STRING
                    or previous[0] in _FSTRING_END
                    or previous[1] in _CLOSE
                ):
                    opened = _CODE  # a call or a subscript
                else:
                    opened = _LIST if string == "[" else _PAREN
                stack.append(frame)
                frame = [opened, False]
            elif string in _CLOSE:
                frame = stack.pop() if stack else [_CODE, False]
            elif string == ",":
                frame[1] = True
            before = 2 if string in _OPENERS else 1 if string == ";" else 0
        else:
            before = 1 if kind in _LINE_START else 0
        previous = token
    afters.extend([0] * (len(string_starts) - len(afters)))
    return out
