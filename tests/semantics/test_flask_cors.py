"""What flask-cors (6.0.5, on Flask 3.1) actually does: every fact the `flask_cors` adapter relies
on, re-observed with real Flask apps through `app.test_client()`. One test per fact.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Blueprint, Flask
from flask_cors import CORS, cross_origin
from werkzeug.test import TestResponse

EVIL = "https://evil.example"
BYPASS = "https://a.example.com.attacker.net"
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
PNA = "Access-Control-Allow-Private-Network"
PATHS = ("/", "/api/data", "/apiary", "/public/data", "/other")


def make_app(**options: Any) -> Flask:
    """A Flask app with a few routes and `CORS(app, **options)`."""
    app = bare_app()
    CORS(app, **options)
    return app


def bare_app() -> Flask:
    app = Flask(__name__)
    for number, path in enumerate(PATHS):
        app.add_url_rule(path, f"view{number}", lambda: "secret")
    return app


def decorated_app(decorate: Callable[[Callable[[], str]], Callable[..., Any]]) -> Flask:
    """An app whose `/view` is `@app.route("/view")` over `decorate(view)`."""
    app = Flask(__name__)

    def view() -> str:
        return "secret"

    app.route("/view")(decorate(view))
    return app


def get(app: Flask, origin: str | None = EVIL, path: str = "/", **headers: str) -> TestResponse:
    sent = {"Origin": origin} if origin is not None else {}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return app.test_client().get(path, headers=sent)


def preflight(app: Flask, method: str = "PUT", path: str = "/", **headers: str) -> TestResponse:
    sent = {"Origin": EVIL, "Access-Control-Request-Method": method}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return app.test_client().options(path, headers=sent)


# ------------------------------------------------------------------------------ any origin


def test_no_origins_echoes_every_origin_with_vary_origin() -> None:
    response = get(make_app())
    assert response.headers.get(ACAO) == EVIL
    assert response.headers.get("Vary") == "Origin"
    assert ACAC not in response.headers


def test_star_origins_echoes_the_request_origin() -> None:
    response = get(make_app(origins="*"))
    assert response.headers.get(ACAO) == EVIL
    assert response.headers.get("Vary") == "Origin"


def test_star_origins_echoes_the_null_origin() -> None:
    assert get(make_app(origins="*"), origin="null").headers.get(ACAO) == "null"


def test_star_in_an_origin_list_allows_every_origin() -> None:
    app = make_app(origins=["https://app.example.com", "*"])
    assert get(app).headers.get(ACAO) == EVIL


def test_dot_star_string_is_the_wildcard() -> None:
    assert get(make_app(origins=".*", send_wildcard=True)).headers.get(ACAO) == "*"


def test_star_with_credentials_echoes_with_allow_credentials() -> None:
    response = get(make_app(origins="*", supports_credentials=True))
    assert response.headers.get(ACAO) == EVIL
    assert response.headers.get(ACAC) == "true"
    assert response.headers.get("Vary") == "Origin"


def test_credentials_option_is_read_as_truthiness() -> None:
    response = get(make_app(origins="*", supports_credentials="false"))
    assert response.headers.get(ACAC) == "true"


def test_send_wildcard_sends_a_literal_star_without_vary() -> None:
    response = get(make_app(origins="*", send_wildcard=True))
    assert response.headers.get(ACAO) == "*"
    assert "Vary" not in response.headers


def test_send_wildcard_with_credentials_refuses_to_start() -> None:
    with pytest.raises(ValueError, match="supports_credentials"):
        make_app(origins="*", send_wildcard=True, supports_credentials=True)


def test_send_wildcard_with_credentials_by_default_origins_refuses_to_start() -> None:
    with pytest.raises(ValueError, match="supports_credentials"):
        make_app(send_wildcard=True, supports_credentials=True)


def test_cross_origin_send_wildcard_with_credentials_fails_every_request() -> None:
    app = decorated_app(cross_origin(origins="*", send_wildcard=True, supports_credentials=True))
    response = get(app, path="/view")
    assert response.status_code == 500
    assert ACAO not in response.headers


def test_compiled_catch_all_regex_is_echoed_even_with_send_wildcard() -> None:
    app = make_app(origins=re.compile(".*"), send_wildcard=True, supports_credentials=True)
    response = get(app)
    assert response.headers.get(ACAO) == EVIL
    assert response.headers.get(ACAC) == "true"


def test_origins_none_allows_nothing() -> None:
    assert ACAO not in get(make_app(origins=None)).headers


# ------------------------------------------------------------------------------ origin matching


def test_regex_origin_is_applied_with_re_match_not_anchored_at_the_end() -> None:
    app = make_app(origins=r"https://.*\.example\.com")
    assert get(app, origin=BYPASS).headers.get(ACAO) == BYPASS


REGEX_CHARACTERS = {
    # character: (origin string containing it, an origin only its regex reading accepts)
    "*": ("https://ap*.example.com", "https://a.example.com"),
    "?": ("https://apps?.example.com", "https://app.example.com"),
    "\\": (r"https://app\.example\.com", "https://app.example.com"),
    "$": ("https://app.example.com$", "https://app.example.com"),
    "^": ("^https://app.example.com", "https://app.example.com"),
    "[": ("https://[a]pp.example.com", "https://app.example.com"),
    "]": ("https://app.example.com]", "https://appxexample.com]"),
    "(": ("https://(app).example.com", "https://app.example.com"),
    ")": ("https://(app).example.com", "https://app.example.com"),
}


@pytest.mark.parametrize("char", sorted(REGEX_CHARACTERS))
def test_origin_string_with_a_regex_character_is_a_regex(char: str) -> None:
    pattern, accepted = REGEX_CHARACTERS[char]
    assert char in pattern
    assert get(make_app(origins=pattern), origin=accepted).headers.get(ACAO) == accepted


def test_origin_string_without_regex_characters_is_exact() -> None:
    app = make_app(origins="https://app.example.com")
    assert ACAO not in get(app, origin="https://appxexample.com").headers
    assert get(app, origin="https://app.example.com").headers.get(ACAO) == "https://app.example.com"


def test_comma_separated_origin_string_is_one_exact_origin() -> None:
    app = make_app(origins="https://a.example.com, https://b.example.com")
    assert ACAO not in get(app, origin="https://a.example.com").headers


def test_broken_star_subdomain_pattern_rejects_subdomains_and_accepts_attackers() -> None:
    app = make_app(origins="https://*.example.com")
    assert ACAO not in get(app, origin="https://a.example.com").headers
    for attacker in ("https://xexample.com", "https://example.com.evil.net"):
        assert get(app, origin=attacker).headers.get(ACAO) == attacker


def test_regex_origins_are_case_insensitive() -> None:
    app = make_app(origins=r"https://app\.example\.com$")
    assert get(app, origin="HTTPS://APP.EXAMPLE.COM").headers.get(ACAO) == "HTTPS://APP.EXAMPLE.COM"


def test_compiled_regex_keeps_its_own_flags_and_re_match() -> None:
    app = make_app(origins=re.compile(r"https://app\.example\.com"))
    assert ACAO not in get(app, origin="HTTPS://APP.EXAMPLE.COM").headers
    bypass = "https://app.example.com.evil.net"
    assert get(app, origin=bypass).headers.get(ACAO) == bypass


def test_exact_origins_compare_case_insensitively() -> None:
    app = make_app(origins=["https://a.example.com"])
    assert get(app, origin="HTTPS://A.EXAMPLE.COM").headers.get(ACAO) == "HTTPS://A.EXAMPLE.COM"


def test_exact_origin_list_rejects_other_origins() -> None:
    response = get(make_app(origins=["https://a.example.com"]))
    assert ACAO not in response.headers
    assert ACAC not in response.headers


def test_null_entry_accepts_the_null_origin() -> None:
    app = make_app(origins=["https://a.example.com", "null"])
    assert get(app, origin="null").headers.get(ACAO) == "null"


def test_invalid_origin_regex_raises_at_setup() -> None:
    with pytest.raises(ValueError, match="Invalid regular expression"):
        make_app(origins=["https://a.example.com", "https://(broken"])


# ------------------------------------------------------------------------------ Vary


def test_single_exact_origin_gets_no_vary() -> None:
    response = get(make_app(origins=["https://a.example.com"]), origin="https://a.example.com")
    assert response.headers.get(ACAO) == "https://a.example.com"
    assert "Vary" not in response.headers


def test_two_exact_origins_get_vary_origin() -> None:
    app = make_app(origins=["https://a.example.com", "https://b.example.com"])
    assert get(app, origin="https://a.example.com").headers.get("Vary") == "Origin"


def test_vary_header_false_drops_vary_when_the_origin_is_echoed() -> None:
    app = make_app(origins=["https://a.example.com", "https://b.example.com"], vary_header=False)
    response = get(app, origin="https://a.example.com")
    assert response.headers.get(ACAO) == "https://a.example.com"
    assert "Vary" not in response.headers
    assert "Vary" not in get(make_app(vary_header=False)).headers


# ------------------------------------------------------------------------------ options and API forms


def test_misspelled_options_are_ignored() -> None:
    response = get(make_app(origin="https://a.example.com", support_credentials=True))
    assert response.headers.get(ACAO) == EVIL
    assert ACAC not in response.headers


def test_cross_origin_called_allows_every_origin() -> None:
    response = get(decorated_app(cross_origin()), path="/view")
    assert response.headers.get(ACAO) == EVIL
    assert response.headers.get("Vary") == "Origin"


def test_positional_arguments_of_cross_origin_are_ignored() -> None:
    app = decorated_app(cross_origin("https://a.example.com"))
    assert get(app, path="/view").headers.get(ACAO) == EVIL


def test_bare_cross_origin_breaks_the_view() -> None:
    response = get(decorated_app(cross_origin), path="/view")
    assert response.status_code == 500
    assert ACAO not in response.headers


def test_cross_origin_above_the_route_decorator_has_no_effect() -> None:
    app = Flask(__name__)

    @cross_origin(origins="*")
    @app.route("/view")
    def view() -> str:
        return "secret"

    response = get(app, path="/view")
    assert response.status_code == 200
    assert ACAO not in response.headers


def test_cross_origin_reads_the_app_config_on_every_request() -> None:
    app = decorated_app(cross_origin(origins="*"))
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True  # written after the decorator ran
    response = get(app, path="/view")
    assert response.headers.get(ACAO) == EVIL
    assert response.headers.get(ACAC) == "true"


def test_app_config_credentials_apply_to_a_regex_origin() -> None:
    app = bare_app()
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    CORS(app, origins=[r"https://.*\.example\.com"])
    response = get(app, origin=BYPASS)
    assert response.headers.get(ACAO) == BYPASS
    assert response.headers.get(ACAC) == "true"


def test_app_config_origins_apply_when_the_call_has_none() -> None:
    app = bare_app()
    app.config.update(CORS_ORIGINS=["https://a.example.com"])
    CORS(app)
    assert ACAO not in get(app).headers


def test_app_config_written_after_cors_is_ignored() -> None:
    app = bare_app()
    CORS(app)
    app.config["CORS_ORIGINS"] = ["https://a.example.com"]
    assert get(app).headers.get(ACAO) == EVIL


def test_call_keyword_arguments_beat_the_app_config() -> None:
    app = bare_app()
    app.config["CORS_ORIGINS"] = "*"
    CORS(app, origins=["https://a.example.com"])
    assert ACAO not in get(app).headers


def test_app_config_none_values_are_skipped() -> None:
    app = bare_app()
    app.config["CORS_ORIGINS"] = None
    CORS(app)
    assert get(app).headers.get(ACAO) == EVIL


def test_app_config_from_object_reads_class_attributes() -> None:
    class Config:
        CORS_ORIGINS = "*"
        CORS_SUPPORTS_CREDENTIALS = True

    app = bare_app()
    app.config.from_object(Config)
    CORS(app)
    assert get(app).headers.get(ACAC) == "true"


def test_app_config_private_network_key_is_read() -> None:
    app = bare_app()
    app.config["CORS_ALLOW_PRIVATE_NETWORK"] = True
    CORS(app)
    response = preflight(app, Access_Control_Request_Private_Network="true")
    assert response.headers.get(PNA) == "true"


def test_blueprint_ignores_the_app_config() -> None:
    app = Flask(__name__)
    blueprint = Blueprint("bp", __name__)
    blueprint.add_url_rule("/bp", "bp_view", lambda: "secret")
    app.config["CORS_ORIGINS"] = ["https://a.example.com"]
    CORS(blueprint)
    app.register_blueprint(blueprint)
    assert get(app, path="/bp").headers.get(ACAO) == EVIL


def test_init_app_merges_constructor_and_init_app_options() -> None:
    app = bare_app()
    cors = CORS(origins="*")
    cors.init_app(app, supports_credentials=True)
    response = get(app)
    assert response.headers.get(ACAO) == EVIL
    assert response.headers.get(ACAC) == "true"


def test_init_app_options_override_constructor_options() -> None:
    app = bare_app()
    cors = CORS(origins=["https://a.example.com"])
    cors.init_app(app, origins="*")
    assert get(app).headers.get(ACAO) == EVIL


# ------------------------------------------------------------------------------ resources


def test_resource_path_prefix_also_covers_apiary() -> None:
    app = make_app(resources=r"/api/*")
    assert get(app, path="/apiary").headers.get(ACAO) == EVIL
    assert ACAO not in get(app, path="/other").headers


def test_resource_list_scopes_the_call_options() -> None:
    app = make_app(resources=[r"/api/*"], supports_credentials=True)
    assert get(app, path="/api/data").headers.get(ACAC) == "true"
    assert ACAO not in get(app, path="/other").headers


def test_resource_options_override_the_call_options() -> None:
    app = make_app(
        origins=["https://a.example.com"],
        supports_credentials=True,
        resources={r"/api/*": {"origins": "*"}, r"/public/*": {}},
    )
    response = get(app, path="/api/data")
    assert response.headers.get(ACAO) == EVIL
    assert response.headers.get(ACAC) == "true"
    assert ACAO not in get(app, path="/public/data").headers
    assert ACAO not in get(app, path="/other").headers


def test_misspelled_resource_option_is_ignored() -> None:
    app = make_app(resources={r"/api/*": {"origin": "https://a.example.com"}})
    assert get(app, path="/api/data").headers.get(ACAO) == EVIL


def test_app_config_resources_carry_their_options() -> None:
    app = bare_app()
    app.config["CORS_RESOURCES"] = {r"/api/*": {"origins": "*", "supports_credentials": True}}
    CORS(app, origins=["https://a.example.com"])
    response = get(app, path="/api/data")
    assert response.headers.get(ACAO) == EVIL
    assert response.headers.get(ACAC) == "true"


def test_invalid_resource_pattern_raises_at_setup() -> None:
    with pytest.raises(ValueError, match="Invalid regular expression"):
        make_app(resources={r"/api/(*": {}})


# ------------------------------------------------------------------------------ preflight, headers


def test_private_network_is_refused_by_default() -> None:
    response = preflight(make_app(), Access_Control_Request_Private_Network="true")
    assert response.headers.get(ACAO) == EVIL
    assert response.headers.get(PNA) == "false"


def test_allow_private_network_true_grants_private_network_access() -> None:
    app = make_app(allow_private_network=True)
    response = preflight(app, Access_Control_Request_Private_Network="true")
    assert response.headers.get(PNA) == "true"


def test_default_allow_headers_grants_every_requested_header() -> None:
    response = preflight(make_app(), Access_Control_Request_Headers="X-Made-Up")
    assert response.headers.get("Access-Control-Allow-Headers") == "X-Made-Up"


def test_explicit_star_allow_headers_grants_every_requested_header() -> None:
    app = make_app(origins=["https://a.example.com"], allow_headers="*")
    response = app.test_client().options(
        "/",
        headers={
            "Origin": "https://a.example.com",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "X-Made-Up",
        },
    )
    assert response.headers.get("Access-Control-Allow-Headers") == "X-Made-Up"


def test_listed_allow_headers_refuse_other_headers() -> None:
    app = make_app(allow_headers=["Content-Type"])
    response = preflight(app, Access_Control_Request_Headers="X-Made-Up")
    assert "Access-Control-Allow-Headers" not in response.headers


def test_methods_star_grants_no_method() -> None:
    for methods in ("*", ["*"]):
        response = preflight(make_app(methods=methods), method="PUT")
        assert response.headers.get(ACAO) == EVIL
        assert "Access-Control-Allow-Methods" not in response.headers


def test_expose_headers_are_sent_as_written() -> None:
    response = get(make_app(expose_headers="Authorization, X-Request-Id"))
    assert response.headers.get("Access-Control-Expose-Headers") == "Authorization, X-Request-Id"
    response = get(make_app(expose_headers=["X-Request-Id", "Authorization"]))
    assert response.headers.get("Access-Control-Expose-Headers") == "Authorization, X-Request-Id"
