"""Where datasets live (a local folder or a GCS bucket) and how a partition is staged, published atomically (a
compare-and-swap of its pointer) and cleaned up after a grace period."""

from apollo_assets.lake.datasets import CommitInfo, PartitionedDataset, PartitionNotFoundError, PublishConflictError
from apollo_assets.storage import Location, open_location

__all__ = [
    "CommitInfo",
    "Location",
    "PartitionNotFoundError",
    "PartitionedDataset",
    "PublishConflictError",
    "open_location",
]
