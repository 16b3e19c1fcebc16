"""One masked lake dataset per collection, each guarded by a blocking PII leak check.

Check, then publish: the masked partition is staged, its staged files are scanned, and only a clean partition is
published. The check's result (findings, rows scanned…) is the scan of the staged files; when it fails, the step
fails too (no retry: the data would not change), nothing is published and the previous version stays in place.
"""

import dagster as dg

from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.collections import COLLECTIONS
from apollo_assets.freshness import LAKE_FRESHNESS
from apollo_assets.lake.asset_metadata import dataset_metadata
from apollo_assets.lake.resource import LakeResource
from apollo_assets.masking.leaks.checks import backup_fingerprints, leak_result
from apollo_assets.masking.leaks.scan import LeakFoundError
from apollo_assets.masking.publish import publish_masked
from apollo_assets.masking.resource import MaskingKeyResource
from apollo_assets.pools import INGEST, pool_tags

LAKE_GROUP = "lake"
LEAK_CHECK = "no_pii_leak"


def build_lake_asset(collection: str) -> dg.AssetsDefinition:
    key = dg.AssetKey(["lake", collection])

    @dg.asset(
        key=key,
        deps=[dg.AssetKey(["mongo", collection])],
        partitions_def=backup_partitions,
        group_name=LAKE_GROUP,
        kinds={"parquet", "pii-masked"},
        description=(
            f"`{collection}` with personal data masked by `masking/policies/{collection}.yaml` (fail-closed: a field "
            "the policy does not name is pseudonymized or dropped). The only form of the data the warehouse reads."
        ),
        freshness_policy=LAKE_FRESHNESS,
        retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
        check_specs=[
            dg.AssetCheckSpec(
                LEAK_CHECK,
                asset=key,
                blocking=True,
                description="No email, phone, card or IBAN pattern and no source PII value in the masked data.",
            )
        ],
        pool=INGEST,
        op_tags=pool_tags(INGEST),
        tags={"layer": "lake"},
    )
    def masked(context: dg.AssetExecutionContext, lake: LakeResource, masking_key: MaskingKeyResource):
        backup_id = context.partition_key
        dataset = lake.masked(collection)
        key_material = masking_key.load()
        if key_material.created:  # the path only: the key itself never reaches a log
            context.log.warning(f"Created a new local masking key ({key_material.source}); set APOLLO_MASKING_KEY")
        fingerprints = backup_fingerprints(lake, [backup_id], key_material, [collection])
        try:
            summary = publish_masked(
                collection, backup_id, lake.snapshot(collection), dataset, key_material, fingerprints
            )
        except LeakFoundError as leak:
            yield leak_result(leak.report, check_name=LEAK_CHECK)
            raise dg.Failure(description=str(leak), allow_retries=False) from None
        if summary.unlisted_fields:
            context.log.warning(
                f"{collection}: fields not named by the policy, masked fail-closed: {summary.unlisted_fields}"
            )
        yield dg.MaterializeResult(
            metadata={
                **dataset_metadata(summary.schema, summary.commit, dataset.partition_path(backup_id)),
                # Field names and actions only, so that the UI shows what a new field met (`apollo policy suggest`
                # drafts its rule); never a value.
                "unlisted_fields": dg.MetadataValue.json(summary.unlisted_fields),
                "unlisted_field_count": len(summary.unlisted_fields),
                "masking_actions": dg.MetadataValue.json(summary.actions),
                "policy": "default (fail-closed)" if summary.policy_is_default else f"policies/{collection}.yaml",
                "masking_key_id": key_material.key_id,  # one-way: tells which key masked this, reveals nothing
            }
        )
        yield leak_result(summary.leaks, check_name=LEAK_CHECK)

    return masked


lake_assets = [build_lake_asset(c) for c in COLLECTIONS]
