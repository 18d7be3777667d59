"""The rule catalogue: one module per rule, registered by `@register`.

Adding a rule: a new module here plus its import line below.
"""

from corsproof.rules import (  # noqa: F401  (registration)
    cors101_any_origin,
    cors102_any_origin_with_credentials,
    cors103_null_origin,
    cors104_weak_origin_check,
    cors105_insecure_origin,
    cors106_any_subdomain,
    cors107_private_network,
    cors201_permissive_preflight,
    cors202_missing_vary_origin,
    cors203_exposed_sensitive_headers,
    cors301_permissive_fallback,
    cors302_vulnerable_cors_library,
    cors303_ineffective_cors_middleware,
)
from corsproof.rules._base import (
    AUTH_CONTEXT,
    DependencyFacts,
    Issue,
    PolicyFacts,
    Rule,
    all_rules,
    get_rule,
)

__all__ = [
    "AUTH_CONTEXT",
    "DependencyFacts",
    "Issue",
    "PolicyFacts",
    "Rule",
    "all_rules",
    "get_rule",
]
