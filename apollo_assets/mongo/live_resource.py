"""The live cluster as a Dagster resource: its URI comes from `APOLLO_MONGO_URI` through `dg.EnvVar`.

MongoClusterResource(uri=dg.EnvVar("APOLLO_MONGO_URI"))
"""

from __future__ import annotations

import dagster as dg

from apollo_assets.collections import DATABASE
from apollo_assets.mongo.live import LiveCollectionSource, LiveOptions


class MongoClusterResource(dg.ConfigurableResource):
    uri: str
    database: str = DATABASE
    read_preference: str = "secondaryPreferred"
    batch_size: int = 1000
    ranges: int = 8

    def collection(self, name: str) -> LiveCollectionSource:
        options = LiveOptions(read_preference=self.read_preference, batch_size=self.batch_size, ranges=self.ranges)
        return LiveCollectionSource(self.uri, self.database, name, options)
