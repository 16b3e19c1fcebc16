"""One snapshot asset per collection: the collection as it is in the backup (or, for a cluster that is not dumped,
as it is on the live cluster), converted faithfully to Parquet.

The readers are imported by the step that runs, not here: the definitions import this module, and the readers bring
the compiled kernels (numba), pandas and pymongo, which a process that only loads the graph does not need."""

from typing import TYPE_CHECKING, Literal

import dagster as dg
from pydantic import Field

from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.backups.resource import BackupBucketResource
from apollo_assets.collections import COLLECTIONS
from apollo_assets.freshness import SNAPSHOT_FRESHNESS
from apollo_assets.lake.asset_metadata import dataset_metadata
from apollo_assets.lake.resource import LakeResource
from apollo_assets.mongo.live import ENV_VAR as URI_VARIABLE
from apollo_assets.mongo.live_resource import MongoClusterResource
from apollo_assets.pools import INGEST, pool_tags

if TYPE_CHECKING:
    from apollo_assets.ingest.summary import IngestSummary

SNAPSHOT_GROUP = "mongo_snapshots"


def not_retried() -> tuple[type[Exception], ...]:
    """Bad input does not get better by retrying: fail the step once, with the message naming
    file/offset/collection."""
    from apollo_assets.ingest.snapshots import MissingCollectionError
    from apollo_assets.mongo.errors import BackupFormatError, QuarantineThresholdExceeded

    return (QuarantineThresholdExceeded, BackupFormatError, MissingCollectionError)


class SnapshotConfig(dg.Config):
    source: Literal["backup", "live"] = Field(
        default="backup",
        description="`backup`: the partition's mongodump in the bucket; `live`: the cluster at APOLLO_MONGO_URI, "
        "read in parallel `_id` ranges, for clusters that are not dumped (the partition names the export).",
    )
    workers: int = Field(default=0, ge=0, description="Conversion processes; 0 = by collection size, at most 1/CPU.")
    max_quarantine_share: float = Field(
        default=0.01, ge=0, le=1, description="Fail when more than this share of documents cannot be converted."
    )


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
        pool=INGEST,
        op_tags=pool_tags(INGEST),
        tags={"layer": "snapshot"},
    )
    def snapshot(
        context: dg.AssetExecutionContext,
        config: SnapshotConfig,
        backup_bucket: BackupBucketResource,
        lake: LakeResource,
        mongo_cluster: MongoClusterResource,
    ) -> dg.MaterializeResult:
        from apollo_assets.ingest.snapshots import publish_live_snapshot, publish_snapshot

        backup_id, dataset = context.partition_key, lake.snapshot(collection)
        options = {"workers": config.workers, "max_quarantine_share": config.max_quarantine_share}
        if config.source == "live" and not mongo_cluster.uri:
            raise dg.Failure(
                f"{collection}: a live snapshot needs {URI_VARIABLE} (the cluster's URI)", allow_retries=False
            )
        try:
            if config.source == "live":
                summary = publish_live_snapshot(mongo_cluster.collection(collection), backup_id, dataset, **options)
            else:
                with backup_bucket.bucket().local_copy(backup_id) as backup_dir:
                    summary = publish_snapshot(backup_dir, collection, backup_id, dataset, **options)
        except not_retried() as error:
            raise step_failure(collection, backup_id, error) from error
        if summary.drift:
            context.log.warning(f"{collection}: fields whose BSON type varies: {sorted(summary.drift)}")
        return dg.MaterializeResult(metadata=snapshot_metadata(summary, dataset.partition_path(backup_id), config))

    return snapshot


def step_failure(collection: str, backup_id: str, error: Exception) -> Exception:
    """What the step raises for `error`: itself when reading again may succeed (the cluster or the network: the
    retry policy applies), else a failure that is not retried, naming collection and backup."""
    if getattr(error, "retryable", False):
        return error
    return dg.Failure(f"{collection} of {backup_id}: {error}", allow_retries=False)


def snapshot_metadata(summary: "IngestSummary", path: str, config: SnapshotConfig) -> dict[str, object]:
    seconds = max(summary.seconds, 1e-9)
    return {
        **dataset_metadata(summary.schema, summary.commit, path),
        "source": config.source,
        "documents": summary.documents,
        "quarantined": summary.quarantined,
        "type_drift": dg.MetadataValue.json(summary.drift),
        "seconds": round(summary.seconds, 3),
        "documents_per_second": round(summary.documents / seconds),
        "workers": summary.workers,
        "passes": summary.passes,
        **snapshot_provenance(summary.provenance),
    }


def snapshot_provenance(provenance: dict[str, object]) -> dict[str, object]:
    """How the reader got the documents, when it did more than read them: a time-series collection unpacked from
    its buckets (`unpacked_from_buckets`: the buckets collection, `buckets`), the oplog of a `mongodump --oplog`
    dump replayed (`oplog_entries_applied`)."""
    out: dict[str, object] = {}
    if "unpacked_from" in provenance:
        out["unpacked_from_buckets"] = provenance["unpacked_from"]
        out["buckets"] = provenance.get("buckets", 0)
    for key in ("oplog_entries_applied", "metadata_file"):
        if key in provenance:
            out[key] = provenance[key]
    return out


snapshot_assets = [build_snapshot_asset(c) for c in COLLECTIONS]
