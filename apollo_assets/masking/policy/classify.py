"""Guessing the masking action of a field from its name, type and sampled values (for `suggest_policy`).

Names decide first (they carry intent: `email`, `birthdate`), values second; whatever is left that is
text and neither an id nor a small set of categories is pseudonymized, as fail-closed would do anyway.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.masking.arrow.types import leaf_kind
from apollo_assets.masking.leaks.detectors import share_like

_ID = re.compile(r"^_?id$|_ids?$")
_BIRTH = re.compile(r"birth|^dob$")
_SENSITIVE = re.compile(r"ssn|passport|national_id|tax_id|iban|card_?number|password|secret")
_TEXT_BY_NAME: list[tuple[str, str, str]] = [  # (regex on the field's own name, action, reason)
    (r"e_?mail", "email", "email address by name"),
    (r"phone|mobile|fax|^tel", "phone", "phone number by name"),
    (r"^(first|last|middle|full|given|family|maiden|nick|user|display)_?name$|^surname$", "hash", "name"),
    (r"linkedin|twitter|facebook|github|instagram", "hash", "social profile"),
    (r"street|address|postal|zip|^ip(_address)?$", "hash", "address"),
    (r"body|note|comment|message|bio|summary|description", "drop", "free text"),
    (r"city|state|country|region|timezone|locale|language", "keep", "coarse location or setting"),
]
_BY_VALUES = [
    ("email", "email"),
    ("phone", "phone"),
    ("card", "drop"),
    ("iban", "drop"),
    ("url", "hash"),
    ("name", "hash"),
]
MAX_CATEGORIES = 50


def classify(path: str, values: pa.Array) -> tuple[str, str]:
    """(action as YAML, reason) for one leaf field."""
    name = path.rsplit(".", 1)[-1].replace("[]", "").lower()
    kind = leaf_kind(values.type)
    if _ID.search(name):
        return "keep", "identifier"
    if _SENSITIVE.search(name):
        return "drop", "sensitive identifier"
    if kind == "temporal":
        return ("{generalize: year}", "date of birth") if _BIRTH.search(name) else ("keep", "date or time")
    if kind == "scalar":
        return "keep", "number or flag"
    if kind == "null":
        return "hash", "no values sampled"
    if kind != "string":
        return "drop", f"{values.type} values"
    for pattern, action, reason in _TEXT_BY_NAME:
        if re.search(pattern, name):
            return action, reason
    return _classify_text(values)


def _classify_text(values: pa.Array) -> tuple[str, str]:
    for kind, action in _BY_VALUES:
        share = share_like(values, kind)
        if share >= 0.5 or (action == "drop" and share > 0):
            return action, f"{share:.0%} of sampled values look like {kind}s"
    present = len(values) - values.null_count
    distinct = len(pc.unique(values.drop_null()))
    if present and distinct <= MAX_CATEGORIES and distinct <= 0.2 * present:
        return "keep", f"{distinct} categories in {present} sampled values"
    return "hash", "free or high-cardinality text: pseudonymized (review)"
