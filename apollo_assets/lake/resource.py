import dagster as dg

from apollo_assets.lake.datasets import PartitionedDataset
from apollo_assets.lake.filesystem import open_location


class LakeResource(dg.ConfigurableResource):
    """The restricted snapshot zone (raw, like the backups) and the masked lake that everyone else reads."""

    snapshot_url: str
    lake_url: str

    def snapshot(self, collection: str) -> PartitionedDataset:
        return PartitionedDataset(open_location(self.snapshot_url), collection)

    def masked(self, collection: str) -> PartitionedDataset:
        return PartitionedDataset(open_location(self.lake_url), collection)
