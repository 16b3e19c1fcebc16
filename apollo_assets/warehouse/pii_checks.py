"""Blocking PII checks on every dbt model of the warehouse, for the backups of the run.

The warehouse is built from the masked lake only, so it must hold no email, phone, card or IBAN and no value
of a source's personal fields. One multi-check scans each model's slices (`backup_id` in the run's partitions):
every text column through the lake's detectors, and against keyed fingerprints of the backups' snapshot PII.
Its checks are blocking: Dagster makes the models' downstream steps (the ML models) wait for them, and a
failed one fails the check step, so those steps do not run.

The checks are not partitioned (`AssetCheckSpec(partitions_def=...)` is a preview API in Dagster 1.13, which warns
on every load): the op reads the run's backups from the run itself (`partition_keys`), and each result is
recorded against the model's latest materialization, as the lake's leak checks are.
"""

from collections.abc import Iterator

import dagster as dg
import pyarrow as pa

from apollo_assets.collections import COLLECTIONS
from apollo_assets.lake.resource import LakeResource
from apollo_assets.masking.leaks.checks import backup_fingerprints, leak_result
from apollo_assets.masking.leaks.scan import scan_for_leaks
from apollo_assets.masking.policy.model import MaskingPolicy
from apollo_assets.masking.resource import MaskingKeyResource
from apollo_assets.pools import WAREHOUSE
from apollo_assets.warehouse.interface import Warehouse

CHECK_NAME = "no_pii_leak"
# No warehouse column is allowed any PII pattern: a rule with `allow` would be needed, and none exists.
WAREHOUSE_POLICY = MaskingPolicy(collection="warehouse", source="apollo_assets/warehouse/pii_checks.py")


def model_names(warehouse_assets: dg.AssetsDefinition) -> dict[dg.AssetKey, str]:
    """The dbt models among the assets (seeds are static reference data, without backup slices)."""
    models = {}
    for spec in warehouse_assets.specs:
        unique_id = str(spec.metadata.get("dagster_dbt/unique_id", ""))
        if unique_id.startswith("model."):
            models[spec.key] = unique_id.rsplit(".", 1)[-1]
    return models


def build_warehouse_pii_checks(warehouse_assets: dg.AssetsDefinition) -> dg.AssetChecksDefinition:
    models = model_names(warehouse_assets)
    specs = [
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=key,
            blocking=True,
            description="No email, phone, card or IBAN pattern and no value of a source's PII in the run's backups.",
        )
        for key in models
    ]

    @dg.multi_asset_check(specs=specs, name="warehouse_no_pii_leak", can_subset=True, pool=WAREHOUSE)
    def warehouse_no_pii_leak(
        context: dg.AssetCheckExecutionContext,
        warehouse: dg.ResourceParam[Warehouse],  # DuckDB locally, Snowflake in production
        lake: LakeResource,
        masking_key: MaskingKeyResource,
    ) -> Iterator[dg.AssetCheckResult]:
        backup_ids = sorted(context.op_execution_context.partition_keys)
        fingerprints = backup_fingerprints(lake, backup_ids, masking_key.load(), COLLECTIONS)
        for check_key in sorted(context.selected_asset_check_keys, key=lambda k: k.asset_key.to_user_string()):
            table = backup_slices(warehouse, models[check_key.asset_key], backup_ids)
            report = scan_for_leaks(table, WAREHOUSE_POLICY, source_pii_hashes=fingerprints)
            yield leak_result(report, check_name=CHECK_NAME, asset_key=check_key.asset_key)

    return warehouse_no_pii_leak


def backup_slices(warehouse: Warehouse, model: str, backup_ids: list[str]) -> pa.Table:
    """The text columns of a model's rows of these backups (other columns cannot hold the patterns)."""
    if not backup_ids:
        return pa.table({})
    relation = warehouse.relation(model)
    placeholders = ", ".join("?" for _ in backup_ids)
    frame = warehouse.frame(f"select * from {relation} where backup_id in ({placeholders})", backup_ids)
    return pa.Table.from_pandas(frame.select_dtypes(include=["object", "string"]), preserve_index=False)
