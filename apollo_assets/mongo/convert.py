"""Second pass: decoded documents -> Arrow arrays, one column at a time, following the plan of the first pass.

Columns are built from Python lists with one `pa.array` call each; structs and lists whose whole subtree
pyarrow understands natively go through a single call, the rest are assembled from their children.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np
import pyarrow as pa

from apollo_assets.mongo.codec import to_ejson, type_name
from apollo_assets.mongo.schema import BACKUP_ID, Plan

Column = tuple[pa.Array, pa.Array | None]  # values, and the `__bson_type` sibling when the field drifts


def _map(fn: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    return [None if v is None else fn(v) for v in values]


_OBJECTID_BYTES = attrgetter("binary")
_HEX_PAIRS = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), dtype=np.uint16)


def validity_bitmap(valid: np.ndarray) -> pa.Buffer | None:
    """An Arrow validity bitmap of the boolean mask `valid` (None when every value is valid)."""
    return None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))


def objectid_hex(values: Sequence[Any]) -> pa.Array:
    """24-hex strings of ObjectIds, the hex done by numpy on all of them at once."""
    present = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    ids = values if present.all() else [v for v in values if v is not None]
    hexed = _HEX_PAIRS[np.frombuffer(b"".join(map(_OBJECTID_BYTES, ids)), dtype=np.uint8)]
    offsets = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum(present * 24, out=offsets[1:])
    buffers = [validity_bitmap(present), pa.py_buffer(offsets), pa.py_buffer(hexed)]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


_SCALARS: dict[str, Callable[[Sequence[Any]], list[Any]]] = {
    "uuid": lambda vs: _map(str, vs),
    "decimal": lambda vs: _map(lambda v: v.to_decimal(), vs),
    "decimal_text": lambda vs: _map(str, vs),
    "ejson": lambda vs: _map(to_ejson, vs),
}


def _mask(values: Sequence[Any]) -> pa.Array | None:
    nulls = [v is None for v in values]
    return pa.array(nulls, pa.bool_()) if any(nulls) else None


def build_column(plan: Plan, values: Sequence[Any]) -> Column:
    """Arrow array of `values` (None = null or missing) per `plan`."""
    if plan.native:
        return pa.array(values, type=plan.arrow_type), None
    kind = plan.kind
    if kind == "objectid":
        return objectid_hex(values), None
    if kind in _SCALARS:
        return pa.array(_SCALARS[kind](values), type=plan.arrow_type), None
    if kind == "drift":
        return pa.array(_map(to_ejson, values), pa.string()), pa.array(_map(type_name, values), pa.string())
    if kind == "struct":
        return build_struct(plan, values, _mask(values)), None
    if kind == "list":
        return build_list(plan, values)
    raise AssertionError(f"no converter for {kind!r}")


def _columns(keys: list[str], documents: Sequence[Any]) -> list[Sequence[Any]]:
    """The values of each key across `documents` (None where a document is None or lacks the key)."""
    if len(keys) == 1:
        (key,) = keys
        return [[None if d is None else d.get(key) for d in documents]]
    try:
        # All keys present in every document is the common case, and itemgetter does it in C.
        rows = list(map(itemgetter(*keys), documents))
    except (KeyError, TypeError):
        none_row = (None,) * len(keys)
        rows = [none_row if d is None else tuple(map(d.get, keys)) for d in documents]
    return list(zip(*rows, strict=True)) if rows else [[] for _ in keys]


def struct_children(plan: Plan, documents: Sequence[Any]) -> list[pa.Array]:
    """The child arrays of a struct (siblings included), in the order of `plan.arrow_type`'s fields."""
    arrays = []
    keys = list(plan.children)
    for child, column in zip(plan.children.values(), _columns(keys, documents), strict=True):
        values, sibling = build_column(child, column)
        arrays.append(values)
        if sibling is not None:
            arrays.append(sibling)
    return arrays


def build_struct(plan: Plan, documents: Sequence[Any], mask: pa.Array | None) -> pa.Array:
    return pa.StructArray.from_arrays(struct_children(plan, documents), fields=list(plan.arrow_type), mask=mask)


def build_list(plan: Plan, values: Sequence[Any]) -> Column:
    assert plan.element is not None
    offsets = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum([0 if v is None else len(v) for v in values], out=offsets[1:])
    items, item_types = build_column(plan.element, [e for v in values if v is not None for e in v])
    mask = _mask(values)
    out = pa.ListArray.from_arrays(offsets, items, type=plan.arrow_type, mask=mask)
    if item_types is None:
        return out, None
    return out, pa.ListArray.from_arrays(offsets, item_types, type=plan.sibling_type, mask=mask)


def build_batch(root: Plan, schema: pa.Schema, documents: list[dict[str, Any]], backup_id: str) -> pa.RecordBatch:
    arrays = struct_children(root, documents) if root.children else []
    arrays.append(pa.array([backup_id] * len(documents), pa.string()))
    assert schema.names[-1] == BACKUP_ID
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
