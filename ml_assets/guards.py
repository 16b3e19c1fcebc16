"""Identifiers and pseudonyms must never be model inputs: a model keyed on them memorises individuals instead of
learning patterns, and a served score would then leak who is who. Three independent tests, any one refuses:
the column's name, its declared dbt role (meta.ml_role), and what its values look like."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from apollo_assets.warehouse.dbt_manifest import model_node

if TYPE_CHECKING:
    import pandas as pd  # imported where a frame is checked: the definitions import this module, and need no pandas

IDENTIFIER_NAME = re.compile(
    r"(^|_)(id|ids|uuid|key|email|phone|name|first_name|last_name|domain|url|linkedin_url|twitter_url|pseudonym)$"
)
# What each kind of identifier looks like; a violation names the kind, never a value (it goes to the event log).
IDENTIFIER_SHAPES = {
    "ObjectIds (24 hex digits)": re.compile(r"^[0-9a-f]{24}$"),
    "md5 ids or HMAC pseudonyms (32 hex digits)": re.compile(r"^[0-9a-f]{32}$"),
    "SHA-256 digests (64 hex digits)": re.compile(r"^[0-9a-f]{64}$"),
    "masked e-mails (32 hex digits@domain)": re.compile(r"^[0-9a-f]{32}@"),
}
# A categorical token that is almost unique per row identifies the row rather than describing it.
MAX_DISTINCT_SHARE = 0.5
MIN_ROWS_FOR_CARDINALITY = 50
SAMPLE_ROWS = 5_000


def column_roles(manifest_path: str | Path, model: str) -> dict[str, str]:
    """{column: meta.ml_role} of a dbt model, as declared in its schema.yml."""
    columns = model_node(manifest_path, model).get("columns", {})
    return {name: _role(column) for name, column in columns.items() if _role(column)}


def _role(column: Mapping) -> str | None:
    meta = column.get("meta") or column.get("config", {}).get("meta") or {}
    return meta.get("ml_role")


def identifier_violations(
    frame: pd.DataFrame, features: Sequence[str], roles: Mapping[str, str] | None = None
) -> list[str]:
    """Why each offending feature is refused; empty when every feature is a legitimate signal."""
    found = []
    for feature in features:
        if IDENTIFIER_NAME.search(feature):
            found.append(f"{feature}: its name says it is an identifier")
        if roles and feature in roles and roles[feature] != "feature":
            found.append(f"{feature}: declared in dbt with ml_role {roles[feature]!r}, not 'feature'")
        if feature in frame.columns:
            found.extend(f"{feature}: {reason}" for reason in _value_problems(frame[feature]))
    return found


def _value_problems(column: pd.Series) -> list[str]:
    import pandas as pd

    values = column.dropna().head(SAMPLE_ROWS)
    if values.empty or not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        return []
    # '|'-joined lists (keywords, technologies) are judged token by token.
    tokens = values.astype(str).str.split("|").explode().str.strip()
    tokens = tokens[tokens != ""]
    problems = []
    lowered = tokens.str.lower()
    for shape, pattern in IDENTIFIER_SHAPES.items():
        found = int(lowered.str.match(pattern).sum())
        if found:
            problems.append(f"{found} values look like {shape}")
    if len(values) >= MIN_ROWS_FOR_CARDINALITY and tokens.nunique() > MAX_DISTINCT_SHARE * len(values):
        problems.append(f"{tokens.nunique()} distinct values in {len(values)} rows: nearly one per row")
    return problems
