"""Pass two, vectorised: Arrow columns cut out of the BSON bytes, following the plan of pass one.

`slots[i]` is the element holding row i's value (-1: the field is missing). Plans whose values need Python
(drift, decimals, binaries, Extended JSON) get them decoded by pymongo and built by `convert.build_column`,
so those columns are, by construction, the decoding path's own.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from apollo_assets.mongo.convert import Column, build_column
from apollo_assets.mongo.fast.buffer import Buffer, Unsupported
from apollo_assets.mongo.fast.classes import (
    NULLS,
    STRINGS,
    count_types,
    simple_mask,
)
from apollo_assets.mongo.fast.drift import drift_columns, plain_drift
from apollo_assets.mongo.fast.keys import key_ids
from apollo_assets.mongo.fast.pyvalues import python_values
from apollo_assets.mongo.fast.scalars import scalar_array
from apollo_assets.mongo.fast.stats import check_keys
from apollo_assets.mongo.fast.walk import Elements, walk
from apollo_assets.mongo.field_stats import DYNAMIC_KEY_LIMIT, FieldStats, looks_like_id
from apollo_assets.mongo.schema import Plan

# The element types each vectorised kind takes (null/undefined are nulls in every kind).
ACCEPTS: dict[str, tuple[int, ...]] = {
    "string": STRINGS,
    "objectid": (7,),
    "int64": (16, 18),
    "float64": (1, 16, 18),
    "bool": (8,),
    "timestamp": (9,),
    "decimal": (19,),
    "null": (),
    "struct": (3,),
    "list": (4,),
}


ACCEPTED = {kind: np.isin(np.arange(256), codes) for kind, codes in ACCEPTS.items()}
IS_NULL = np.isin(np.arange(256), NULLS)


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
    if plan.kind == "drift" and plain_drift(t, present):
        starts = np.zeros(n, dtype=np.int64)
        starts[present] = elements.value_start[slots[present]]
        return drift_columns(buf, t, starts, present, valid, stats)
    accepted = ACCEPTS.get(plan.kind)
    if accepted is None or plan.has_sibling or not simple_mask(buf, elements, slots[valid]).all():
        if stats is not None and accepted is not None and not plan.has_sibling:
            raise Unsupported(f"a value that needs Python under a {plan.kind!r} plan")
        return _python_column(buf, plan, elements, slots, valid, present, stats)
    if not ACCEPTED[plan.kind][t[valid]].all():
        raise Unsupported(f"a value of BSON type {sorted(set(t[valid].tolist()))} under a {plan.kind!r} plan")
    if stats is not None:
        count_types(stats, t[present])
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
    if plan.kind not in ("struct", "list"):
        return scalar_array(buf, plan, t, starts, valid, stats)
    n = len(slots)
    rows = np.flatnonzero(valid)
    if plan.kind == "struct":
        inner = walk(buf, starts[rows], elements.value_end[slots[rows]])
        return build_struct(buf, plan, inner, rows, n, valid, stats)
    items = walk(buf, starts[rows], elements.value_end[slots[rows]])
    if stats is not None and len(rows):
        stats.element = stats.element or FieldStats()
    return _list(buf, plan, items, rows, n, valid, stats.element if stats is not None else None)


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
