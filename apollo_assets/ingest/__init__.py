"""The single ingest path shared by the `apollo ingest` CLI, the snapshot assets and `benchmarks/ingest.py`.

summary = ingest_collection(source, backup_id, dataset, masking=Masking(policy, key), options=IngestOptions(workers=2))

The names below are imported on first use: the definitions import this package for its snapshot assets
(`ingest/assets.py`), and the path itself brings the compiled readers, numba and pandas, which only a step needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apollo_assets.ingest.collection import ingest_collection
    from apollo_assets.ingest.pipeline import IngestOptions, ingest_parts
    from apollo_assets.ingest.quarantine import BesideDataset, InPartition
    from apollo_assets.ingest.sources import open_collections, open_databases
    from apollo_assets.ingest.summary import IngestSummary
    from apollo_assets.ingest.work import Masking

_MODULES = {
    "ingest_collection": "collection",
    "IngestOptions": "pipeline",
    "ingest_parts": "pipeline",
    "BesideDataset": "quarantine",
    "InPartition": "quarantine",
    "open_collections": "sources",
    "open_databases": "sources",
    "IngestSummary": "summary",
    "Masking": "work",
}
__all__ = [
    "BesideDataset",
    "InPartition",
    "IngestOptions",
    "IngestSummary",
    "Masking",
    "ingest_collection",
    "ingest_parts",
    "open_collections",
    "open_databases",
]


def __getattr__(name: str) -> object:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
