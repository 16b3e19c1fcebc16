"""Pass two along the plan: one compiled walk of a chunk (`plan_kernel`) finds every value of every plan node, and
each column is then built from its node's slice, the structs and lists around them from their children.

The common scalars (strings, ObjectIds, numbers, booleans, datetimes) are built by compiled builders (`leaves`);
every other value (drift, decimals, Extended JSON, ...) by `columns.build`. Keys are matched against the plan's
own: anything the plan does not name (a new key, a key twice in a document) raises `Unsupported`, as does a
struct or list node holding another type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """A plan as the kernel's tables. Node 0 is the root; nodes are numbered breadth first, so that the children
    of a struct (or the item of a list) are the nodes `child_lo[v]` to `child_hi[v] - 1` of `children`."""

    plans: list[Plan] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # each node's key ("" for the root and list items)
    kind: list[int] = field(default_factory=list)
    child_lo: list[int] = field(default_factory=list)
    child_hi: list[int] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    item_of: list[int] = field(default_factory=list)  # a list's item node
    depth: list[int] = field(default_factory=list)

    def add(self, plan: Plan, name: str, kind: int, depth: int) -> int:
        self.plans.append(plan), self.names.append(name), self.kind.append(kind), self.depth.append(depth)
        self.child_lo.append(0), self.child_hi.append(0), self.item_of.append(0)
        return len(self.plans) - 1

    def below(self, v: int) -> list[int]:
        return self.children[self.child_lo[v] : self.child_hi[v]]

    def tables(self) -> tuple:
        """The arguments of `plan_kernel.walk_plan` after the documents."""
        encoded = [name.encode() for name in self.names]
        lengths = np.array([len(key) for key in encoded], dtype=np.int64)
        keys = np.frombuffer(b"".join(encoded) + b"\0", dtype=np.uint8)
        ints = [np.array(x, dtype=np.int64) for x in (self.kind, self.child_lo, self.child_hi, self.children)]
        key_end = np.cumsum(lengths)
        return (*ints, key_end - lengths, key_end, keys, np.array(self.item_of, dtype=np.int64), max(self.depth))


def _walked_kind(plan: Plan) -> int:
    if plan.kind == "struct":
        return plan_kernel.STRUCT
    if plan.kind == "list" and not plan.has_sibling:
        return plan_kernel.LIST
    return plan_kernel.LEAF


def compile_plan(root: Plan) -> Program:
    program = Program()
    queue = [program.add(root, "", plan_kernel.STRUCT, 0)]
    while queue:
        v = queue.pop(0)
        plan, kind = program.plans[v], program.kind[v]
        below = [("", plan.element)] if kind == plan_kernel.LIST else [*plan.children.items()]
        program.child_lo[v] = len(program.children)
        for name, child in below:
            c = program.add(child, name, _walked_kind(child), program.depth[v] + 1)
            program.children.append(c)
            if kind == plan_kernel.LIST:
                program.item_of[v] = c
            if program.kind[c] != plan_kernel.LEAF:
                queue.append(c)
        program.child_hi[v] = len(program.children)
    return program


def plan_columns(buf: Buffer, plan: Plan, starts: np.ndarray, ends: np.ndarray, stats: FieldStats | None) -> list:
    """The root's child arrays (siblings included) for documents `buf[starts[i]:ends[i]]`; with `stats`, what pass
    one would count for them."""
    program = compile_plan(plan)
    walked = plan_kernel.walk_plan(buf.u8, buf.size, starts, ends, program.tables())
    grouped, bounds, items, first, error, detail = walked
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
        ids = self.program.below(v)
        seen = sorted((c for c in ids if self.first[c] >= 0), key=self.first.__getitem__)
        names = [self.program.names[c] for c in seen]
        if any(name.startswith("$") for name in names):
            raise Unsupported("a `$` key (DBRef or operator-like field)")
        below = count_keys(stats, names, self.program.plans[v]) if stats is not None else {}
        arrays = []
        for c in ids:
            values, sibling = self.column(c, n, below.get(self.program.names[c]))
            arrays.append(values)
            if sibling is not None:
                arrays.append(sibling)
        return arrays

    def column(self, v: int, n: int, stats: FieldStats | None) -> Column:
        plan, kind = self.program.plans[v], self.program.kind[v]
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
        c = self.program.item_of[v]
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
