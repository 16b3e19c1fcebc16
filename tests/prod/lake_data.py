"""Masked lake partitions written through the platform's own `PartitionedDataset`, from hand-made documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from warehouse.lake_builder import COLLECTIONS, to_arrow  # tests/warehouse: documents -> the lake's Arrow tables

from apollo_assets.lake import PartitionedDataset, open_location


def write_lake(url: str, backup_id: str, documents: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, int]:
    """Commit one partition of every collection under `url` (a folder or gs://…); returns rows per collection."""
    location = open_location(url)
    rows = {}
    for collection in COLLECTIONS:
        table = to_arrow(collection, documents.get(collection, []), backup_id)
        PartitionedDataset(location, collection).write(backup_id, table.schema, table.to_batches())
        rows[collection] = table.num_rows
    return rows
