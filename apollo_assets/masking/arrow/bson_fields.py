"""What the snapshot writer's field metadata says about a column (docs/contracts.md §3): never guessed from names.

Every field of a snapshot carries `bson` metadata, its encoding: `string`, `drift` (Extended JSON text of a field
whose types disagree), `ejson` (Extended JSON text of a map, a DBRef, mixed binaries...), `bson_type` (the type
names column that the writer adds beside a drifting field), ... A column counts as the drift type column only when
its own metadata says so and it sits beside the drifting field it belongs to; a source field that merely has the
name, or a table without metadata (built by hand), gets no such trust: it is an ordinary field.
"""

from __future__ import annotations

import pyarrow as pa

from apollo_assets.masking.arrow.types import is_list_like, leaf_kind

METADATA_KEY = b"bson"
DRIFT_SUFFIX = "__bson_type"
JSON_ENCODINGS = ("drift", "ejson")


def encoding(field: pa.Field) -> str | None:
    value = (field.metadata or {}).get(METADATA_KEY)
    return value.decode("utf-8", "replace") if value is not None else None


def is_json_text(field: pa.Field) -> bool:
    """A text column whose values are Extended JSON (of any shape: scalars, documents, arrays)."""
    return encoding(field) in JSON_ENCODINGS and leaf_kind(field.type) == "string"


def _drifts(field: pa.Field) -> bool:
    """The field is a drift column, or a list (of lists...) of drifting items: the writer adds a type column."""
    if encoding(field) == "drift":
        return True
    return is_list_like(field.type) and _drifts(field.type.value_field)


def _type_names(field: pa.Field) -> bool:
    """A type column as the writer makes it: `bson_type` text, or lists of it (for lists of drifting items)."""
    if encoding(field) != "bson_type":
        return False
    if is_list_like(field.type):
        return _type_names(field.type.value_field)
    return leaf_kind(field.type) == "string"


def type_columns(fields: list[pa.Field]) -> dict[int, int]:
    """{index of a drift type column: index of its drifting field} among the fields of one struct (or schema)."""
    where = {f.name: i for i, f in enumerate(fields)}
    found = {}
    for i, f in enumerate(fields):
        base = where.get(f.name.removesuffix(DRIFT_SUFFIX)) if f.name.endswith(DRIFT_SUFFIX) else None
        if base is not None and _type_names(f) and _drifts(fields[base]):
            found[i] = base
    return found
