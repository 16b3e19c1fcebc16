"""The live cluster as a Dagster resource: its URI comes from `APOLLO_MONGO_URI` through `dg.EnvVar`.

MongoClusterResource(uri=dg.EnvVar("APOLLO_MONGO_URI")); without the variable, `cluster_resource()` gives one with no
URI, which the snapshot assets refuse to read (`source: live`) with a message naming the variable.
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from apollo_assets.collections import DATABASE
from apollo_assets.mongo.live import ENV_VAR, LiveCollectionSource, LiveOptions


class MongoClusterResource(dg.ConfigurableResource):
    uri: str = ""
    database: str = DATABASE
    read_preference: str = "secondaryPreferred"
    batch_size: int = 1000
    ranges: int = 0  # 0: by the collection's size (`live.auto_ranges`)

    def collection(self, name: str) -> LiveCollectionSource:
        options = LiveOptions(read_preference=self.read_preference, batch_size=self.batch_size, ranges=self.ranges)
        return LiveCollectionSource(self.uri, self.database, name, options)


def cluster_resource(environ: Mapping[str, str]) -> MongoClusterResource:
    """The live cluster of this environment; the URI stays a `dg.EnvVar` (never copied into config or logs)."""
    return MongoClusterResource(uri=dg.EnvVar(ENV_VAR)) if environ.get(ENV_VAR, "").strip() else MongoClusterResource()
