"""Where datasets live (a local folder or a GCS bucket) and how a partition is published atomically."""

from apollo_assets.lake.datasets import CommitInfo, PartitionedDataset, PartitionNotFoundError
from apollo_assets.lake.filesystem import Location, open_location

__all__ = ["CommitInfo", "Location", "PartitionNotFoundError", "PartitionedDataset", "open_location"]
