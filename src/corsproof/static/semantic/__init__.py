"""The semantic model: one scope-aware layer for names and values, used by every adapter.

- `_binder`: the one walk every module gets (parents and the node index), and the scopes and
  bindings of a module whose names are resolved (built then, in one more pass);
- `_imports`: what a name refers to across the project (relative, star, re-exports, aliases);
- `_evaluate`: the value an expression has, with its provenance (literal, environment default,
  settings-class default, branch alternatives, unresolved with the reason).
"""

from corsproof.static.semantic._binder import Binding, Scope, SemanticModel, StarImport, Visible
from corsproof.static.semantic._evaluate import (
    UNKNOWN,
    ClassRef,
    Evaluator,
    Instance,
    ModuleRef,
    Provenance,
    Regex,
    Value,
    branch_condition,
    env_condition,
    is_debug_expr,
    unknown,
)
from corsproof.static.semantic._imports import DottedNames, qualname

__all__ = [
    "UNKNOWN",
    "Binding",
    "ClassRef",
    "DottedNames",
    "Evaluator",
    "Instance",
    "ModuleRef",
    "Provenance",
    "Regex",
    "Scope",
    "SemanticModel",
    "StarImport",
    "Value",
    "Visible",
    "branch_condition",
    "env_condition",
    "is_debug_expr",
    "qualname",
    "unknown",
]
