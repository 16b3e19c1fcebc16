"""The compiled walk of a chunk's documents along a plan: every element goes to the plan node its key path names.

The plan is given as tables (`plan_walk.Program`): per node its kind, its children (a range of `children`) and
its key's bytes. Documents and sub-documents of `STRUCT` nodes, and arrays of `LIST` nodes, are walked into;
every other value is recorded where it is and stepped over. A node's rows are its documents, or, below a list,
the items of that list (numbered in document order). The output is grouped by node, in document order within
a node, so that each column is a contiguous slice.
"""

from __future__ import annotations

import numpy as np

from apollo_assets.jit import jit
from apollo_assets.mongo.fast.kernels import (
    _EXTRA,
    _FIXED,
    _MIN_DECLARED,
    BAD_FRAME,
    element,
    framed,
    same_bytes,
    value_at,
)

LEAF, STRUCT, LIST = 0, 1, 2
UNKNOWN_KEY, REPEATED_KEY = 7, 8  # after `kernels`' error codes
# Rows of the output: node, row, element start (its type byte), value start, value end, and for a list its
# first item's row.
FIELDS = 6


@jit()
def _walk_plan(u8, size, starts, ends, kind, child_lo, child_hi, children, key_start, key_end, keys, item_of, depth):
    nodes = len(kind)
    # An element takes at least 2 bytes, but rarely under 16: a first guess at that size stays small enough to be
    # reused from the heap (a fresh mapping of the worst case costs a page fault per 4 KiB written), and doubles.
    out = np.empty((size // 16 + 16, FIELDS), dtype=np.int32)
    items = np.zeros(nodes, dtype=np.int64)  # rows so far of each list's item node
    last_row = np.full(nodes, -1, dtype=np.int64)
    first = np.full(nodes, -1, dtype=np.int64)  # where each node was first met: keys in first-seen order
    frame_node = np.empty(depth + 1, dtype=np.int64)
    frame_pos, frame_stop = np.empty(depth + 1, dtype=np.int64), np.empty(depth + 1, dtype=np.int64)
    frame_row, frame_next = np.empty(depth + 1, dtype=np.int64), np.empty(depth + 1, dtype=np.int64)
    count = 0
    for d in range(len(starts)):
        if not framed(u8, starts[d], ends[d]):
            return out, count, items, first, BAD_FRAME, d
        top = 0
        frame_node[0], frame_pos[0], frame_stop[0], frame_row[0] = 0, starts[d] + 4, ends[d] - 1, d
        frame_next[0] = child_lo[0]
        while top >= 0:
            pos, stop, v = frame_pos[top], frame_stop[top], frame_node[top]
            if pos >= stop:
                top -= 1
                continue
            found, i = -1, frame_next[top]
            if kind[v] == STRUCT and i < child_hi[v]:
                # Documents mostly repeat one order of keys: the key after the one matched last is compared
                # while its bytes are read; only when it is not that one is the key read on its own and searched.
                ks, ke = key_start[children[i]], key_end[children[i]]
                k = pos + 1 + ke - ks
                if k < size and u8[k] == 0 and same_bytes(u8, pos + 1, k, keys, ks, ke):
                    found = i
            if found >= 0:
                t, k, vs, ve, error, detail = value_at(u8, size, pos, k, stop, _FIXED, _EXTRA, _MIN_DECLARED)
            else:
                t, k, vs, ve, error, detail = element(u8, size, pos, stop, _FIXED, _EXTRA, _MIN_DECLARED)
            if error:
                return out, count, items, first, error, detail
            frame_pos[top] = ve
            if kind[v] == LIST:
                c = item_of[v]
                row = items[c]
                items[c] += 1
            else:
                lo, hi = child_lo[v], child_hi[v]
                for _ in range(hi - lo if found < 0 else 0):  # from the next key on, wrapping around
                    if i >= hi:
                        i = lo
                    if same_bytes(u8, pos + 1, k, keys, key_start[children[i]], key_end[children[i]]):
                        found = i
                        break
                    i += 1
                if found < 0:
                    return out, count, items, first, UNKNOWN_KEY, pos
                frame_next[top] = found + 1
                c, row = children[found], frame_row[top]
                if last_row[c] == row:
                    return out, count, items, first, REPEATED_KEY, pos
                last_row[c] = row
            if first[c] < 0:
                first[c] = count
            if count == len(out):
                grown = np.empty((2 * len(out), FIELDS), dtype=np.int32)
                grown[:count] = out
                out = grown
            out[count, 0], out[count, 1], out[count, 2], out[count, 3], out[count, 4] = c, row, pos, vs, ve
            out[count, 5] = items[item_of[c]] if kind[c] == LIST else -1
            count += 1
            if (kind[c] == STRUCT and t == 3) or (kind[c] == LIST and t == 4):
                if not framed(u8, vs, ve):
                    return out, count, items, first, BAD_FRAME, pos
                top += 1
                frame_node[top], frame_pos[top], frame_stop[top], frame_row[top] = c, vs + 4, ve - 1, row
                frame_next[top] = child_lo[c]
    return out, count, items, first, 0, 0


@jit()
def _group(out, count, nodes):
    """`out[:count]` grouped by node (stable), and each node's bounds in it."""
    bounds = np.zeros(nodes + 1, dtype=np.int64)
    for i in range(count):
        bounds[out[i, 0] + 1] += 1
    for v in range(nodes):
        bounds[v + 1] += bounds[v]
    at = bounds[:-1].copy()
    grouped = np.empty((FIELDS - 1, count), dtype=np.int64)
    for i in range(count):
        v = out[i, 0]
        for f in range(FIELDS - 1):
            grouped[f, at[v]] = out[i, f + 1]
        at[v] += 1
    return grouped, bounds


def walk_plan(u8: np.ndarray, size: int, starts: np.ndarray, ends: np.ndarray, tables: tuple) -> tuple:
    """(rows: row, element start, value start, value end, first item; grouped by node), each node's bounds in
    them, each item node's row count, each node's first-seen rank, error code (0: none), detail."""
    starts, ends = starts.astype(np.int64, copy=False), ends.astype(np.int64, copy=False)
    out, count, items, first, error, detail = _walk_plan(u8, size, starts, ends, *tables)
    if error:
        return None, None, items, first, error, detail
    grouped, bounds = _group(out, count, len(tables[0]))
    return grouped, bounds, items, first, 0, 0
