"""One snapshot asset per collection: the collection as it is in the backup, converted faithfully to Parquet."""

import dagster as dg

from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.backups.resource import BackupBucketResource
from apollo_assets.collections import COLLECTIONS
from apollo_assets.freshness import SNAPSHOT_FRESHNESS
from apollo_assets.lake.resource import LakeResource
from apollo_assets.metadata import dataset_metadata
from apollo_assets.mongo.publish import publish_snapshot

SNAPSHOT_GROUP = "mongo_snapshots"


def build_snapshot_asset(collection: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["mongo", collection],
        partitions_def=backup_partitions,
        group_name=SNAPSHOT_GROUP,
        kinds={"mongodb", "parquet"},
        description=(
            f"The `{collection}` collection as it is in the backup, converted faithfully to Parquet in the restricted "
            "snapshot zone (raw values: read only by the masking step). Undecodable documents are quarantined."
        ),
        freshness_policy=SNAPSHOT_FRESHNESS,
        retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
        pool="ingest",
        tags={"layer": "snapshot"},
    )
    def snapshot(
        context: dg.AssetExecutionContext, backup_bucket: BackupBucketResource, lake: LakeResource
    ) -> dg.MaterializeResult:
        backup_id = context.partition_key
        dataset = lake.snapshot(collection)
        with backup_bucket.bucket().local_copy(backup_id) as backup_dir:
            summary = publish_snapshot(backup_dir, collection, backup_id, dataset)
        if summary.drift:
            context.log.warning(f"{collection}: fields whose BSON type varies: {sorted(summary.drift)}")
        return dg.MaterializeResult(
            metadata={
                **dataset_metadata(summary.schema, summary.commit, dataset.partition_path(backup_id)),
                "documents": summary.documents,
                "quarantined": summary.quarantined,
                "type_drift": dg.MetadataValue.json(summary.drift),
            }
        )

    return snapshot


snapshot_assets = [build_snapshot_asset(c) for c in COLLECTIONS]
