"""The fast path's two entry points, one per pass, on one chunk of documents."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from apollo_assets.mongo.chunks import Chunk
from apollo_assets.mongo.fast.buffer import Buffer
from apollo_assets.mongo.fast.columns import struct_children
from apollo_assets.mongo.fast.stats import observe_documents
from apollo_assets.mongo.fast.walk import Elements, walk
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.schema import BACKUP_ID, Plan


def _documents(chunk: Chunk) -> tuple[Buffer, Elements, int]:
    starts = chunk.block.starts[chunk.lo : chunk.hi + 1] - chunk.block.starts[chunk.lo]
    buf = Buffer(chunk.data)
    return buf, walk(buf, starts[:-1], starts[1:]), len(chunk)


def fast_observe(chunk: Chunk) -> FieldStats:
    """The chunk's pass-one stats, on their own (the caller merges them: nothing is half-counted on a refusal)."""
    buf, elements, _ = _documents(chunk)
    stats = FieldStats(is_root=True)
    observe_documents(buf, stats, elements)
    return stats


def fused_convert(chunk: Chunk, plan: Plan, schema: pa.Schema, backup_id: str) -> tuple[pa.RecordBatch, FieldStats]:
    """Pass one and pass two of a chunk in one walk: its batch under `plan`, and its stats on their own.

    Raises Unsupported when the chunk holds anything `plan` does not take as it is (the plan is then not final).
    """
    buf, elements, n = _documents(chunk)
    stats = FieldStats(is_root=True)
    arrays = struct_children(buf, plan, elements, np.arange(n, dtype=np.int64), n, stats)
    arrays.append(pa.array([backup_id] * n, pa.string()))
    assert schema.names[-1] == BACKUP_ID
    return pa.RecordBatch.from_arrays(arrays, schema=schema), stats


def fast_convert(chunk: Chunk, plan: Plan, schema: pa.Schema, backup_id: str) -> pa.RecordBatch:
    buf, elements, n = _documents(chunk)
    arrays = struct_children(buf, plan, elements, np.arange(n, dtype=np.int64), n) if plan.children else []
    arrays.append(pa.array([backup_id] * n, pa.string()))
    assert schema.names[-1] == BACKUP_ID
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
