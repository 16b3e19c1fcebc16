"""The fast path's two entry points, one per pass, on one chunk of documents."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from apollo_assets.mongo.chunks import Chunk
from apollo_assets.mongo.fast.buffer import Buffer
from apollo_assets.mongo.fast.plan_walk import plan_columns
from apollo_assets.mongo.fast.stats import observe_documents
from apollo_assets.mongo.fast.walk import walk
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.schema import BACKUP_ID, Plan


def _framed(chunk: Chunk) -> tuple[Buffer, np.ndarray]:
    """The chunk's bytes, and its documents' boundaries in them."""
    return Buffer(chunk.data), chunk.block.starts[chunk.lo : chunk.hi + 1] - chunk.block.starts[chunk.lo]


def fast_observe(chunk: Chunk) -> FieldStats:
    """The chunk's pass-one stats, on their own (the caller merges them: nothing is half-counted on a refusal)."""
    buf, starts = _framed(chunk)
    stats = FieldStats(is_root=True)
    observe_documents(buf, stats, walk(buf, starts[:-1], starts[1:]))
    return stats


def fused_convert(chunk: Chunk, plan: Plan, schema: pa.Schema, backup_id: str) -> tuple[pa.RecordBatch, FieldStats]:
    """Pass one and pass two of a chunk in one walk: its batch under `plan`, and its stats on their own.

    Raises Unsupported when the chunk holds anything `plan` does not take as it is (the plan is then not final).
    """
    buf, starts = _framed(chunk)
    stats = FieldStats(is_root=True)
    arrays = plan_columns(buf, plan, starts[:-1], starts[1:], stats)
    n = len(chunk)
    arrays.append(pa.array([backup_id] * n, pa.string()))
    assert schema.names[-1] == BACKUP_ID
    return pa.RecordBatch.from_arrays(arrays, schema=schema), stats


def fast_convert(chunk: Chunk, plan: Plan, schema: pa.Schema, backup_id: str) -> pa.RecordBatch:
    buf, starts = _framed(chunk)
    arrays = plan_columns(buf, plan, starts[:-1], starts[1:], None) if plan.children else []
    n = len(chunk)
    arrays.append(pa.array([backup_id] * n, pa.string()))
    assert schema.names[-1] == BACKUP_ID
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
