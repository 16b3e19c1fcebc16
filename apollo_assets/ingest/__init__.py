"""The single ingest path shared by the `apollo ingest` CLI, the snapshot assets and `benchmarks/ingest.py`.

summary = ingest_collection(source, backup_id, dataset, masking=Masking(policy, key), options=IngestOptions(workers=2))
"""

from apollo_assets.ingest.collection import ingest_collection
from apollo_assets.ingest.pipeline import IngestOptions, ingest_parts
from apollo_assets.ingest.quarantine import BesideDataset, InPartition, QuarantineThresholdError
from apollo_assets.ingest.sources import open_collections, open_databases
from apollo_assets.ingest.summary import IngestSummary
from apollo_assets.ingest.work import Masking

__all__ = [
    "BesideDataset",
    "InPartition",
    "IngestOptions",
    "IngestSummary",
    "Masking",
    "QuarantineThresholdError",
    "ingest_collection",
    "ingest_parts",
    "open_collections",
    "open_databases",
]
