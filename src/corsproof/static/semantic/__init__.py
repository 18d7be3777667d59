"""The semantic model: one scope-aware layer for names and values, used by every adapter.

- `_model`: the `SemanticModel` of a module: the one walk every module gets (`_tree`: the node
  index; parents when asked), and the scopes and bindings of a module whose names are resolved
  (`_scopes`: the records; `_binder`: the pass that builds them), with what a use may see;
- `_imports`: what a name refers to across the project (relative, star, re-exports, aliases);
- `_evaluate`: the value an expression has, with its provenance (literal, environment default,
  settings-class default, branch alternatives, unresolved with the reason): `Evaluator`, made of
  `_names`, `_members`, `_calls`, `_environment` and `_operators`, on the `_values` it computes
  and the `_conditions` code runs under.
"""

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
from corsproof.static.semantic._model import SemanticModel
from corsproof.static.semantic._scopes import Binding, Scope, StarImport, Visible

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
