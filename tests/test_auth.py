"""Authentication context (`corsproof.auth.auth_facts`): facts come from code only, never from
comments, docstrings or strings that only mention a name; and what a fact does to a finding."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from corsproof import auth, scan_paths
from corsproof.auth import auth_facts


def facts(source: str, encoding: str = "utf-8") -> set[str]:
    return set(auth_facts(textwrap.dedent(source).encode(encoding)))


# ---------------------------------------------------------------- mTLS: read from code

MTLS_IN_CODE = {
    "django-meta": 'def view(request):\n    return request.META["SSL_CLIENT_CERT"]\n',
    "meta-get-http": 'cert = request.META.get("HTTP_X_SSL_CLIENT_CERT")\n',
    "environ-get": 'ok = request.environ.get("SSL_CLIENT_VERIFY") == "SUCCESS"\n',
    "subject-dn": 'subject = request.environ["SSL_CLIENT_S_DN"]\n',
    "membership": 'if "SSL_CLIENT_CERT" in request.META:\n    pass\n',
    "x-ssl-client-cert": 'pem = request.headers.get("X-SSL-Client-Cert")\n',
    "x-forwarded-client-cert": 'xfcc = request.headers["X-Forwarded-Client-Cert"]\n',
    "x-client-cert": 'pem = request.headers.get("x-client-cert")\n',
    "header-constant": 'CERT_HEADER = "X-Client-Cert"\npem = request.headers.get(CERT_HEADER)\n',
    "verify-mode": (
        "import ssl\n"
        "context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)\n"
        "context.verify_mode = ssl.CERT_REQUIRED\n"
    ),
    "cert-reqs-keyword": "sock = ssl.wrap_socket(raw, cert_reqs=ssl.CERT_REQUIRED)\n",
    "uvicorn-ssl-cert-reqs": 'uvicorn.run("app:app", ssl_cert_reqs=ssl.CERT_REQUIRED)\n',
    "gunicorn-cert-reqs": "cert_reqs = 2\n",
    "getpeercert": "cert = connection.getpeercert()\n",
    "peercert-extra-info": 'cert = request.transport.get_extra_info("peercert")\n',
    "asgi-tls-extension": 'chain = scope["extensions"]["tls"]["client_cert_chain"]\n',
}


@pytest.mark.parametrize("source", MTLS_IN_CODE.values(), ids=list(MTLS_IN_CODE))
def test_mtls_from_code(source: str) -> None:
    assert facts(source) == {"mtls"}


MTLS_NOT_IN_CODE = {
    # the reported bug: a commented-out line of another component's configuration
    "comment": (
        "from flask_cors import CORS\n"
        "CORS(app)\n"
        '# broker_use_ssl = {"cert_reqs": ssl.CERT_REQUIRED}\n'
    ),
    "trailing-comment": "x = 1  # TODO: check request.META['SSL_CLIENT_CERT']\n",
    "docstring": '''
        def view(request):
            """Reads request.META["SSL_CLIENT_CERT"] once ssl.CERT_REQUIRED is on."""
            return 1
    ''',
    "module-docstring": '"""getpeercert() and X-Client-Cert, explained."""\nx = 1\n',
    "bare-string-statement": 'x = 1\n"SSL_CLIENT_CERT"\n',
    # a list of words is no read of the certificate: redaction lists, forwarded-header lists,
    # test vectors. Silence about authentication only keeps a severity at its default, so a name
    # counts only where code uses it (read, compared, passed, assigned), not as a list element
    "word-list": 'WORDS = ["SSL_CLIENT_CERT"]\n',
    "tuple-of-names": 'SCRUB = ("X-Client-Cert", "X-SSL-Client-Cert")\n',
    "outgoing-header": 'requests.get(url, headers={"X-Client-Cert": pem})\n',
    "prose-in-a-string": 'log.warning("no client certificate: SSL_CLIENT_CERT is empty")\n',
    "name-inside-a-message": 'HELP = "set ssl.CERT_REQUIRED to verify clients"\n',
    "cert-reqs-none": "uvicorn.run(app, ssl_cert_reqs=ssl.CERT_NONE)\n",
    "cert-reqs-forwarded": "config.ssl_cert_reqs = ssl_cert_reqs\n",
    "client-cert-file": 'session.cert = settings["client_cert"]\n',
    "urllib3-client-verification": 'http = urllib3.PoolManager(cert_reqs="CERT_REQUIRED")\n',
}


@pytest.mark.parametrize("source", MTLS_NOT_IN_CODE.values(), ids=list(MTLS_NOT_IN_CODE))
def test_no_mtls_from_comments_docstrings_or_unrelated_strings(source: str) -> None:
    assert facts(source) == set()


# ---------------------------------------------------------------- API keys and Authorization


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('key = request.headers.get("X-API-Key")\n', {"api-key"}),
        ('key = request.headers.get("x-api-token")\n', {"api-key"}),
        ('key = request.META["HTTP_X_API_KEY"]\n', {"api-key"}),
        ('key = request.headers.get(\n    "X-Auth-Key"\n)  # the partner key\n', {"api-key"}),
        ('scheme = APIKeyHeader(name="X-API-Key")\n', {"api-key"}),
        ('auth = request.headers.get("Authorization", "")\n', {"authorization-header"}),
        ("security = HTTPBearer()\n", {"authorization-header"}),
        (
            "from rest_framework_simplejwt.authentication import JWTAuthentication\n",
            {"authorization-header"},
        ),
        (
            'REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": '
            '["rest_framework.authentication.TokenAuthentication"]}\n',
            {"authorization-header"},
        ),
    ],
)
def test_api_key_and_authorization_from_code(source: str, expected: set[str]) -> None:
    assert facts(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        'log.info("no api-key header")\n',
        "log.info(\"missing request.headers['X-API-Key']\")\n",
        "# key = request.headers.get('X-API-Key')\n",
        '"""Send request.headers["Authorization"] as a Bearer token (HTTPBearer)."""\n',
        'raise PermissionError("use TokenAuthentication")\n',
        'WORDS = ["HTTPBearer"]\n',
    ],
    ids=["log-message", "read-in-a-message", "comment", "docstring", "prose", "word-list"],
)
def test_no_api_key_or_authorization_from_text(source: str) -> None:
    assert facts(source) == set()


def test_several_facts_in_one_file() -> None:
    source = """
        # ssl.CERT_REQUIRED is set by the proxy
        def view(request):
            key = request.headers.get("X-API-Key")
            auth = request.headers.get("Authorization")
            return key, auth
    """
    assert facts(source) == {"api-key", "authorization-header"}


def test_a_pep_263_encoding_is_decoded_as_python_would() -> None:
    source = '# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\ncert = request.META["SSL_CLIENT_CERT"]\n'
    assert facts(source, "latin-1") == {"mtls"}
    assert facts("# -*- coding: latin-1 -*-\n# caf\xe9 SSL_CLIENT_CERT\n", "latin-1") == set()


@pytest.mark.parametrize(
    "data",
    [
        b'\xff\xfe cert = request.META["SSL_CLIENT_CERT"]\n',  # not valid UTF-8
        b'x = """unterminated\ncert = request.META["SSL_CLIENT_CERT"]\n',  # no tokens
        b'# -*- coding: no-such-codec -*-\ncert = request.META["SSL_CLIENT_CERT"]\n',
    ],
    ids=["undecodable", "untokenizable", "unknown-codec"],
)
def test_a_file_that_cannot_be_read_as_python_claims_nothing(data: bytes) -> None:
    # the choice documented in auth_facts: a missing fact keeps a severity at its default
    assert auth_facts(data) == frozenset()


def test_files_the_patterns_do_not_match_are_never_tokenized(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(data: bytes) -> None:
        raise AssertionError("tokenized")

    monkeypatch.setattr(auth, "_code_view", fail)
    assert auth_facts(b"x = 1\n" * 1000) == frozenset()  # no prefilter word
    assert auth_facts(b'log.info("no api-key header")\n') == frozenset()  # word, no pattern


def test_every_pattern_needs_a_prefilter_word() -> None:
    for source in [*MTLS_IN_CODE.values()]:
        lowered = source.encode().lower()
        assert any(word in lowered for word in auth.PREFILTER_WORDS), source


# ---------------------------------------------------------------- end to end

FLASK_APP = """\
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app)
# broker_use_ssl = {"cert_reqs": ssl.CERT_REQUIRED}
"""


def scan(directory: Path) -> list[tuple[str, str, list[str]]]:
    result = scan_paths([str(directory)], workers=1)
    assert not result.errors, result.errors
    return [(f.rule_id, f.severity, f.context) for f in result.findings]


def test_a_comment_does_not_raise_the_severity(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(FLASK_APP)
    assert scan(tmp_path) == [("CORS101", "medium", [])]


@pytest.mark.parametrize(
    "read",
    ['request.META["SSL_CLIENT_CERT"]', 'request.environ.get("SSL_CLIENT_VERIFY")'],
)
def test_a_client_certificate_read_in_a_view_raises_the_severity(tmp_path: Path, read: str) -> None:
    # CORS101 is medium, high when the application authenticates with an API key, an
    # Authorization header or a client certificate (RULES.md); the fact is the finding's context
    (tmp_path / "app.py").write_text(FLASK_APP)
    (tmp_path / "views.py").write_text(
        "from flask import request\n\n"
        "from app import app\n\n\n"
        '@app.get("/me")\n'
        "def me():\n"
        f"    return {{'cert': {read}}}\n"
    )
    assert scan(tmp_path) == [("CORS101", "high", ["mtls"])]


def test_cert_required_on_a_client_context_is_not_mutual_tls() -> None:
    # prefect's database listener: a client verifying the server it connects to
    client = (
        b"import ssl\nctx = ssl.create_default_context()\nctx.verify_mode = ssl.CERT_REQUIRED\n"
    )
    assert auth_facts(client) == frozenset()
    server = (
        b"import ssl\nctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)\n"
        b"ctx.verify_mode = ssl.CERT_REQUIRED\n"
    )
    assert auth_facts(server) == frozenset({"mtls"})
    uvicorn = b"import ssl, uvicorn\nuvicorn.run(app, ssl_cert_reqs=ssl.CERT_REQUIRED)\n"
    assert auth_facts(uvicorn) == frozenset({"mtls"})
