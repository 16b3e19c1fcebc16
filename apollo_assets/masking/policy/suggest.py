"""A draft masking policy for a collection, from its data: a starting point for review, never final."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pyarrow as pa

from apollo_assets.masking.arrow.walk import drift_type_paths, leaves
from apollo_assets.masking.policy.classify import classify
from apollo_assets.masking.policy.model import ALWAYS_KEPT
from apollo_assets.masking.policy.paths import is_valid_path

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_$\-\[\].]+")


def suggest_policy(
    data: pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch],
    collection: str = "collection",
    sample: int = 10_000,
) -> str:
    """YAML text of a policy that names every field of ``data`` (first ``sample`` rows), with the reason."""
    table = _head(data, sample)
    by_path: dict[str, list[pa.Array]] = {}
    for path, values in leaves(table):
        by_path.setdefault(path, []).append(values)
    lines = [
        f"# Draft masking policy for `{collection}`, suggested from {table.num_rows} sampled rows.",
        "# REVIEW EVERY LINE: names and sampled values are heuristics. Unnamed fields stay fail-closed.",
        f"collection: {collection}",
        "default: hash",
        "fields:",
    ]
    type_columns = drift_type_paths(table.schema)
    for path, arrays in by_path.items():
        if path == ALWAYS_KEPT or path in type_columns:
            continue  # always kept / follows its drifting field
        if not is_valid_path(path):  # a field name with path characters: no rule can name it
            lines.append(f"  # {path}: its name holds path characters, no rule names it: fail-closed")
            continue
        action, reason = classify(path, pa.chunked_array(arrays).combine_chunks())
        key = path if _PLAIN_KEY.fullmatch(path) else json.dumps(path)
        lines.append(f"  {key}: {action}  # {reason}")
    return "\n".join(lines) + "\n"


def _head(data: pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch], rows: int) -> pa.Table:
    if isinstance(data, pa.Table):
        return data.slice(0, rows)
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data.slice(0, rows)])
    taken: list[pa.RecordBatch] = []
    for batch in data:
        taken.append(batch.slice(0, rows - sum(b.num_rows for b in taken)))
        if sum(b.num_rows for b in taken) >= rows:
            break
    if not taken:
        raise ValueError("no record batch to suggest a policy from")
    return pa.Table.from_batches(taken)
