"""Walking the leaves of Arrow data: every scalar array under structs and lists, with its field path."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from apollo_assets.masking.arrow.bson_fields import is_json_text, type_columns
from apollo_assets.masking.arrow.types import is_list_like, leaf_kind
from apollo_assets.masking.policy.paths import child_path


def leaves(data: pa.Table | pa.RecordBatch) -> Iterator[tuple[str, pa.Array]]:
    """(path, array) for every leaf, chunk by chunk; dictionary arrays come decoded.

    Values under a null struct or list slot are included: they are in the file, so a scan must see them.
    """
    for name, column in zip(data.schema.names, data.columns, strict=True):
        for chunk in column.chunks if isinstance(column, pa.ChunkedArray) else [column]:
            yield from _leaves(chunk, child_path("", name), "")


def string_leaves(data: pa.Table | pa.RecordBatch) -> Iterator[tuple[str, pa.Array]]:
    """The text leaves, as plain `string` arrays."""
    for path, values in leaves(data):
        if leaf_kind(values.type) == "string":
            yield path, values if pa.types.is_string(values.type) else values.cast(pa.string())


def _leaves(values: pa.Array, path: str, brackets: str) -> Iterator[tuple[str, pa.Array]]:
    type_ = values.type
    if pa.types.is_struct(type_):
        for i, f in enumerate(type_):
            yield from _leaves(values.field(i), child_path(path, f.name, brackets), "")
    elif is_list_like(type_):
        start, end = values.offsets[0].as_py(), values.offsets[-1].as_py()
        yield from _leaves(values.values.slice(start, end - start), path, brackets + "[]")
    elif pa.types.is_dictionary(type_):
        yield path, values.dictionary.take(values.indices)
    else:
        yield path, values


def json_roots(schema: pa.Schema) -> dict[str, str]:
    """{leaf path (as `leaves` names it): its path with array steps (`tags[]`)} of the Extended JSON text leaves,
    by the snapshot's field metadata."""
    found: dict[str, str] = {}
    for f in schema:
        _json_roots(f, child_path("", f.name), "", found)
    return found


def _json_roots(f: pa.Field, path: str, brackets: str, found: dict[str, str]) -> None:
    if pa.types.is_struct(f.type):
        for child in f.type:
            _json_roots(child, child_path(path, child.name, brackets), "", found)
    elif is_list_like(f.type):
        _json_roots(f.type.value_field, path, brackets + "[]", found)
    elif is_json_text(f):
        found[path] = path + brackets


def drift_type_paths(schema: pa.Schema) -> set[str]:
    """Paths of the drift type columns the snapshot writer added (by field metadata, beside their drifting field)."""
    found: set[str] = set()
    _type_paths(list(schema), "", "", found)
    return found


def _type_paths(fields: list[pa.Field], parent: str, brackets: str, found: set[str]) -> None:
    companions = type_columns(fields)
    for i, f in enumerate(fields):
        path = child_path(parent, f.name, brackets)
        if i in companions:
            found.add(path)
            continue
        type_, inner = f.type, ""
        while is_list_like(type_):
            type_, inner = type_.value_type, inner + "[]"
        if pa.types.is_struct(type_):
            _type_paths(list(type_), path, inner, found)
