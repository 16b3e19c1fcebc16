"""The action a leaf field gets, from its Arrow type and its rule (or the lack of one: fail-closed)."""

from __future__ import annotations

import pyarrow as pa

from apollo_assets.masking.arrow.types import STRING_KINDS, leaf_kind
from apollo_assets.masking.policy.model import FieldRule

# The kinds of leaf each action applies to; on any other, the action falls back to fail-closed handling.
_APPLIES = {
    "keep": {"string", "binary", "null", "scalar", "temporal", "other"},
    "hash": {"string", "binary", "null", "scalar", "temporal"},
    "email": {"string", "null"},
    "phone": {"string", "null"},
    "generalize": {"temporal", "null"},
    "redact": {"string", "binary", "null", "scalar", "temporal", "other"},
}


def fail_closed(type_: pa.DataType, default: str = "hash") -> str:
    """What an unlisted field gets: text (and all-null) is pseudonymized, anything else dropped."""
    return "hash" if default == "hash" and leaf_kind(type_) in STRING_KINDS else "drop"


def decide(type_: pa.DataType, rule: FieldRule) -> tuple[str, str | None]:
    """(action, note): the rule's action where it applies, else fail-closed, with the reason."""
    kind = leaf_kind(type_)
    if rule.action == "drop":
        return "drop", None
    if kind not in _APPLIES[rule.action]:
        fallback = fail_closed(type_)
        return fallback, f"{rule.action} does not apply to {type_}: {fallback} (fail-closed)"
    if rule.action == "hash" and kind in ("scalar", "temporal"):
        return "hash", f"{type_} hashed as text: the field becomes a string"
    if rule.action == "redact" and kind not in ("string", "binary"):
        return "redact", f"{type_} cannot hold the redaction text: nulled"
    return rule.action, None
