"""Pass two, vectorised: Arrow columns cut out of the BSON bytes, following the plan of pass one.

`slots[i]` is the element holding row i's value (-1: the field is missing). Plans whose values need Python
(drift, decimals, binaries, Extended JSON) get them decoded by pymongo and built by `convert.build_column`,
so those columns are, by construction, the decoding path's own.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from apollo_assets.mongo.convert import Column, build_column
from apollo_assets.mongo.fast.buffer import Buffer, Unsupported, gather
from apollo_assets.mongo.fast.classes import (
    CLASS_OF,
    NULLS,
    STRINGS,
    datetime_in_range,
    simple_mask,
    string_array,
)
from apollo_assets.mongo.fast.keys import key_ids
from apollo_assets.mongo.fast.pyvalues import python_values
from apollo_assets.mongo.fast.stats import check_keys
from apollo_assets.mongo.fast.walk import Elements, walk
from apollo_assets.mongo.field_stats import DYNAMIC_KEY_LIMIT, FieldStats, looks_like_id
from apollo_assets.mongo.schema import Plan

_HEX_PAIRS = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), dtype=np.uint16)
# The element types each vectorised kind takes (null/undefined are nulls in every kind).
ACCEPTS: dict[str, tuple[int, ...]] = {
    "string": STRINGS,
    "objectid": (7,),
    "int64": (16, 18),
    "float64": (1, 16, 18),
    "bool": (8,),
    "timestamp": (9,),
    "null": (),
    "struct": (3,),
    "list": (4,),
}


ACCEPTED = {kind: np.isin(np.arange(256), codes) for kind, codes in ACCEPTS.items()}
IS_NULL = np.isin(np.arange(256), NULLS)


def _bitmap(valid: np.ndarray) -> pa.Buffer | None:
    return None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))


def _numbers(buf: Buffer, t: np.ndarray, starts: np.ndarray, valid: np.ndarray, dtype: str) -> np.ndarray:
    out = np.zeros(len(valid), dtype=dtype)
    for code, view in ((1, buf.f64), (16, buf.i32), (18, buf.i64)):
        rows = valid & (t == code)
        if rows.any():
            out[rows] = view[starts[rows]]
    return out


def _objectids(buf: Buffer, starts: np.ndarray, valid: np.ndarray) -> pa.Array:
    raw, _ = gather(buf, starts[valid], np.full(int(valid.sum()), 12, dtype=np.int64))
    offsets = np.zeros(len(valid) + 1, dtype=np.int32)
    np.cumsum(valid * 24, out=offsets[1:])
    data = pa.py_buffer(_HEX_PAIRS[raw])
    return pa.Array.from_buffers(pa.string(), len(valid), [_bitmap(valid), pa.py_buffer(offsets), data])


def build(buf: Buffer, plan: Plan, elements: Elements, slots: np.ndarray, stats: FieldStats | None = None) -> Column:
    """The column of `slots` under `plan`; with `stats`, also what pass one would count for these values.

    Counting refuses (Unsupported) any value the plan does not take exactly as it is: the plan is then not this
    collection's, and the caller counts the chunk alone (`stats.observe_documents`).
    """
    n = len(slots)
    present = slots >= 0
    t = np.full(n, 10, dtype=np.int64)
    t[present] = elements.type[slots[present]]
    valid = ~IS_NULL[t]
    accepted = ACCEPTS.get(plan.kind)
    if accepted is None or plan.has_sibling or not simple_mask(buf, elements, slots[valid]).all():
        if stats is not None and accepted is not None and not plan.has_sibling:
            raise Unsupported(f"a value that needs Python under a {plan.kind!r} plan")
        return _python_column(buf, plan, elements, slots, valid, present, stats)
    if not ACCEPTED[plan.kind][t[valid]].all():
        raise Unsupported(f"a value of BSON type {sorted(set(t[valid].tolist()))} under a {plan.kind!r} plan")
    if stats is not None:
        for code, count in enumerate(np.bincount(t[present], minlength=256).tolist()):
            if count:
                stats.types[CLASS_OF[code]] += count
    starts = np.zeros(n, dtype=np.int64)
    starts[valid] = elements.value_start[slots[valid]]
    return _vector(buf, plan, elements, slots, t, starts, valid, stats), None


def _python_column(buf, plan, elements, slots, valid, present, stats: FieldStats | None) -> Column:
    values: list = [None] * len(slots)
    rows = np.flatnonzero(present if stats is not None else valid)
    decoded = python_values(buf, elements, slots[rows])
    for row, value in zip(rows.tolist(), decoded, strict=True):
        values[row] = value
    if stats is not None:
        stats.observe(decoded)
    return build_column(plan, values)


def _vector(buf: Buffer, plan: Plan, elements: Elements, slots, t, starts, valid, stats) -> pa.Array:
    kind, n = plan.kind, len(slots)
    if kind == "string":
        return string_array(buf, starts[valid], valid)
    if kind == "objectid":
        return _objectids(buf, starts, valid)
    if kind in ("int64", "float64"):
        values = _numbers(buf, t, starts, valid, "<i8" if kind == "int64" else "<f8")
        if stats is not None:
            _int_range(buf, stats, t, starts, valid)
        return pa.Array.from_buffers(plan.arrow_type, n, [_bitmap(valid), pa.py_buffer(values)])
    if kind == "bool":
        return pa.array(buf.u8[starts] == 1, mask=~valid)
    if kind == "timestamp":
        if not datetime_in_range(buf, starts[valid]).all():
            raise Unsupported("a datetime outside years 1-9999 under a timestamp plan")
        millis = np.where(valid, buf.i64[starts], 0)
        return pa.Array.from_buffers(plan.arrow_type, n, [_bitmap(valid), pa.py_buffer(millis)])
    if kind == "null":
        return pa.nulls(n, plan.arrow_type)
    rows = np.flatnonzero(valid)
    if kind == "struct":
        inner = walk(buf, starts[rows], elements.value_end[slots[rows]])
        return build_struct(buf, plan, inner, rows, n, valid, stats)
    items = walk(buf, starts[rows], elements.value_end[slots[rows]], keys=False).in_document_order()
    if stats is not None and len(rows):
        stats.element = stats.element or FieldStats()
    return _list(buf, plan, items, rows, n, valid, stats.element if stats is not None else None)


def _int_range(buf: Buffer, stats: FieldStats, t, starts, valid) -> None:
    ints = np.concatenate([buf.i32[starts[valid & (t == 16)]], buf.i64[starts[valid & (t == 18)]]])
    if len(ints):
        stats.int_min, stats.int_max = min(stats.int_min, int(ints.min())), max(stats.int_max, int(ints.max()))


def build_struct(
    buf: Buffer, plan: Plan, inner: Elements, rows: np.ndarray, n: int, valid: np.ndarray, stats: FieldStats | None
) -> pa.Array:
    arrays = struct_children(buf, plan, inner, rows, n, stats)
    mask = None if valid.all() else pa.array(~valid)
    return pa.StructArray.from_arrays(arrays, fields=list(plan.arrow_type), mask=mask)


def struct_children(
    buf: Buffer, plan: Plan, inner: Elements, rows: np.ndarray, n: int, stats: FieldStats | None = None
) -> list[pa.Array]:
    """Child arrays (siblings included) of documents whose elements are `inner`; document j is row `rows[j]`."""
    codes, names = key_ids(buf, inner)
    check_keys(inner, codes, names)
    ids = {name: k for k, name in enumerate(names)}
    children = count_keys(stats, names, plan) if stats is not None else {}
    arrays = []
    for name, child in plan.children.items():
        slots = np.full(n, -1, dtype=np.int64)
        if name in ids:
            chosen = np.flatnonzero(codes == ids[name])
            slots[rows[inner.parent[chosen]]] = chosen
        values, sibling = build(buf, child, inner, slots, children.get(name))
        arrays.append(values)
        if sibling is not None:
            arrays.append(sibling)
    return arrays


def count_keys(stats: FieldStats, names: list[str], plan: Plan) -> dict[str, FieldStats]:
    """The children to count into, as `FieldStats.observe_documents` makes them (none once keys are dynamic)."""
    if any(name not in plan.children for name in names):
        raise Unsupported("a field the plan does not have")
    if not stats.dynamic:
        for name in names:
            if name not in stats.children:
                if not stats.is_root and (len(stats.children) >= DYNAMIC_KEY_LIMIT or looks_like_id(name)):
                    stats.dynamic, stats.children = True, {}
                    break
                stats.children[name] = FieldStats()
    return stats.children


def _list(
    buf: Buffer, plan: Plan, inner: Elements, rows: np.ndarray, n: int, valid: np.ndarray, stats: FieldStats | None
) -> pa.Array:
    assert plan.element is not None
    lengths = np.zeros(n, dtype=np.int64)
    lengths[rows] = np.bincount(inner.parent, minlength=len(rows))
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    items, item_types = build(buf, plan.element, inner, np.arange(len(inner), dtype=np.int64), stats)
    assert item_types is None  # lists with a `__bson_type` sibling take the decoding path (`has_sibling`)
    mask = None if valid.all() else pa.array(~valid)
    return pa.ListArray.from_arrays(offsets, items, type=plan.arrow_type, mask=mask)
