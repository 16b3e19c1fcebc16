"""Pass two, the general builder of a column (`plan_walk` tries the compiled `leaves` first), following the plan
of pass one.

`slots[i]` is the element holding row i's value (-1: the field is missing). Drifting plain scalars are read from
the bytes (`drift`), decimals too (`scalars`); plans whose values need Python (other drift, decimals out of
range, binaries, Extended JSON) get them decoded by pymongo and built by `convert.build_column`, so those columns
are, by construction, the decoding path's own.
"""

from __future__ import annotations

import numpy as np

from apollo_assets.mongo.convert import Column, build_column
from apollo_assets.mongo.fast.buffer import Buffer, Unsupported
from apollo_assets.mongo.fast.classes import (
    NULLS,
    STRINGS,
    count_types,
    simple_mask,
)
from apollo_assets.mongo.fast.drift import drift_columns, plain_drift
from apollo_assets.mongo.fast.pyvalues import python_values
from apollo_assets.mongo.fast.scalars import scalar_array
from apollo_assets.mongo.fast.walk import Elements
from apollo_assets.mongo.field_stats import DYNAMIC_KEY_LIMIT, FieldStats, key_is_data
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
    return scalar_array(buf, plan, starts, valid), None


def _python_column(buf, plan, elements, slots, valid, present, stats: FieldStats | None) -> Column:
    values: list = [None] * len(slots)
    rows = np.flatnonzero(present if stats is not None else valid)
    decoded = python_values(buf, elements, slots[rows])
    for row, value in zip(rows.tolist(), decoded, strict=True):
        values[row] = value
    if stats is not None:
        stats.observe(decoded)
    return build_column(plan, values)


def count_keys(stats: FieldStats, names: list[str], plan: Plan) -> dict[str, FieldStats]:
    """The children to count into, as `FieldStats.observe_documents` makes them (none once keys are dynamic)."""
    if any(name not in plan.children for name in names):
        raise Unsupported("a field the plan does not have")
    if not stats.dynamic:
        for name in names:
            if name not in stats.children:
                if not stats.is_root and (len(stats.children) >= DYNAMIC_KEY_LIMIT or key_is_data(name)):
                    stats.dynamic, stats.children = True, {}
                    break
                stats.children[name] = FieldStats()
    return stats.children
