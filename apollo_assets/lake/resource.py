from datetime import timedelta

import dagster as dg

from apollo_assets.lake.datasets import DEFAULT_GRACE, PartitionedDataset
from apollo_assets.storage import open_location


class LakeResource(dg.ConfigurableResource):
    """The restricted snapshot zone (raw, like the backups) and the masked lake that everyone else reads.

    `grace_minutes`: how long a superseded partition version stays for the readers that may still hold it."""

    snapshot_url: str
    lake_url: str
    grace_minutes: float = DEFAULT_GRACE.total_seconds() / 60

    def snapshot(self, collection: str) -> PartitionedDataset:
        return PartitionedDataset(open_location(self.snapshot_url), collection, self._grace)

    def masked(self, collection: str) -> PartitionedDataset:
        return PartitionedDataset(open_location(self.lake_url), collection, self._grace)

    @property
    def _grace(self) -> timedelta:
        return timedelta(minutes=self.grace_minutes)
