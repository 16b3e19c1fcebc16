"""Pass two along the plan: one compiled walk of a chunk (`plan_kernel`) finds every value of every plan node, and
each column is then built from its node's slice, the structs and lists around them from their children.

Scalars and every value a vectorised builder does not take (drift, decimals, Extended JSON, ...) are built by
`columns.build`, as before; what changes is that structs and lists are no longer walked level by level, and keys
are matched against the plan's own instead of being numbered first. Anything the plan does not name (a new key,
a key twice in a document) raises `Unsupported`, as does a struct or list node holding another type.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from apollo_assets.mongo.convert import Column
from apollo_assets.mongo.fast import plan_kernel
from apollo_assets.mongo.fast.buffer import Buffer, Unsupported
from apollo_assets.mongo.fast.classes import count_types
from apollo_assets.mongo.fast.columns import ACCEPTED, IS_NULL, build, count_keys
from apollo_assets.mongo.fast.leaves import KINDS, leaf_column
from apollo_assets.mongo.fast.walk import ERRORS, Elements
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.schema import Plan

MESSAGES = {
    **ERRORS,
    plan_kernel.UNKNOWN_KEY: "a key the plan does not have",
    plan_kernel.REPEATED_KEY: "a document repeats a key",
}


@dataclass
class Program:
    """A plan as the kernel's tables; node 0 is the root, a struct node's children are contiguous."""

    plans: list[Plan]
    names: list[str]  # each node's key ("" for the root and list items)
    tables: tuple[np.ndarray, ...]


def _walked_kind(plan: Plan) -> int:
    if plan.kind == "struct":
        return plan_kernel.STRUCT
    if plan.kind == "list" and not plan.has_sibling:
        return plan_kernel.LIST
    return plan_kernel.LEAF


def compile_plan(root: Plan) -> Program:
    plans, names, kinds, depths = [root], [""], [plan_kernel.STRUCT], [0]
    child_lo, child_hi, children, item_of = [0], [0], [], [0]
    queue = [0]
    while queue:  # breadth first: a struct's children get consecutive ids
        v = queue.pop(0)
        plan, kind = plans[v], kinds[v]
        below = [*plan.children.items()] if kind == plan_kernel.STRUCT else []
        if kind == plan_kernel.LIST:
            below = [("", plan.element)]
        child_lo[v] = len(children)
        for name, child in below:
            c = len(plans)
            plans.append(child), names.append(name), kinds.append(_walked_kind(child)), depths.append(depths[v] + 1)
            child_lo.append(0), child_hi.append(0), item_of.append(0), children.append(c)
            if kind == plan_kernel.LIST:
                item_of[v] = c
            if kinds[c] != plan_kernel.LEAF:
                queue.append(c)
        child_hi[v] = len(children)
    encoded = [name.encode() for name in names]
    key_end = np.cumsum([len(key) for key in encoded], dtype=np.int64)
    key_start = key_end - np.array([len(key) for key in encoded], dtype=np.int64)
    keys = np.frombuffer(b"".join(encoded) + b"\0", dtype=np.uint8)
    ints = (kinds, child_lo, child_hi, children)
    tables = (*(np.array(x, dtype=np.int64) for x in ints), key_start, key_end, keys, np.array(item_of), max(depths))
    return Program(plans, names, tables)


def plan_columns(buf: Buffer, plan: Plan, starts: np.ndarray, ends: np.ndarray, stats: FieldStats | None) -> list:
    """The root's child arrays (siblings included) for documents `buf[starts[i]:ends[i]]`; with `stats`, what pass
    one would count for them."""
    program = compile_plan(plan)
    grouped, bounds, items, first, error, detail = plan_kernel.walk_plan(buf.u8, buf.size, starts, ends, program.tables)
    if error:
        raise Unsupported(MESSAGES[error].format(detail))
    return _Walked(buf, program, grouped, bounds, items, first).children(0, len(starts), stats)


@dataclass
class _Walked:
    buf: Buffer
    program: Program
    grouped: np.ndarray  # rows: row, element start, value start, value end, first item; grouped by node
    bounds: np.ndarray
    items: np.ndarray  # rows of each list's item node
    first: np.ndarray  # where each node was first met

    def _slice(self, v: int) -> np.ndarray:
        return self.grouped[:, self.bounds[v] : self.bounds[v + 1]]

    def children(self, v: int, n: int, stats: FieldStats | None) -> list[pa.Array]:
        tables = self.program.tables
        ids = tables[3][tables[1][v] : tables[2][v]]
        seen = sorted((c for c in ids.tolist() if self.first[c] >= 0), key=self.first.__getitem__)
        names = [self.program.names[c] for c in seen]
        if any(name.startswith("$") for name in names):
            raise Unsupported("a `$` key (DBRef or operator-like field)")
        below = count_keys(stats, names, self.program.plans[v]) if stats is not None else {}
        arrays = []
        for c in ids.tolist():
            values, sibling = self.column(c, n, below.get(self.program.names[c]))
            arrays.append(values)
            if sibling is not None:
                arrays.append(sibling)
        return arrays

    def column(self, v: int, n: int, stats: FieldStats | None) -> Column:
        plan, kind = self.program.plans[v], self.program.tables[0][v]
        row, element, value, end, item = self._slice(v)
        t = self.buf.u8[element].astype(np.int64)
        if kind == plan_kernel.LEAF:
            if plan.kind in KINDS:
                array = leaf_column(self.buf, plan, n, row, t, value, stats)
                if array is not None:
                    return array, None
            slots = np.full(n, -1, dtype=np.int64)
            slots[row] = np.arange(len(row), dtype=np.int64)
            return build(self.buf, plan, Elements(row, t, element + 1, value - 1, value, end), slots, stats)
        types = np.full(n, 10, dtype=np.int64)
        types[row] = t
        valid = ~IS_NULL[types]
        if not ACCEPTED[plan.kind][types[valid]].all():
            raise Unsupported(f"a value of BSON type {sorted(set(types[valid].tolist()))} under a {plan.kind!r} plan")
        if stats is not None:
            count_types(stats, t)
        mask = None if valid.all() else pa.array(~valid)
        if kind == plan_kernel.STRUCT:
            arrays = self.children(v, n, stats)
            return pa.StructArray.from_arrays(arrays, fields=list(plan.arrow_type), mask=mask), None
        return self._list(v, plan, n, row, item, valid, mask, stats), None

    def _list(self, v, plan: Plan, n: int, row, item, valid, mask, stats: FieldStats | None) -> pa.Array:
        c = int(self.program.tables[3][self.program.tables[1][v]])
        total = int(self.items[c])
        begins = item[valid[row]]
        lengths = np.zeros(n, dtype=np.int64)
        lengths[row[valid[row]]] = np.diff(np.append(begins, total))
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(lengths, out=offsets[1:])
        if stats is not None and len(begins):
            stats.element = stats.element or FieldStats()
        values, sibling = self.column(c, total, stats.element if stats is not None else None)
        assert sibling is None  # lists whose items drift are leaves (`has_sibling`)
        return pa.ListArray.from_arrays(offsets, values, type=plan.arrow_type, mask=mask)
