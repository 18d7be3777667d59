"""The fixers, one module per kind of rewrite; importing a module registers its fixers."""

from corsproof.fix.fixers import (  # noqa: F401  (registration)
    allow_list,
    env_default,
    handwritten,
    null_origin,
    regex,
    sequence,
    vary,
)
