"""Blocking PII checks on every dbt model of the warehouse, for the backups of the run.

The warehouse is built from the masked lake only, so it must hold no email, phone, card or IBAN and no value
of a source's personal fields. One multi-check scans each model's slices (`backup_id` in the run's partitions):
every text column through the lake's detectors, and against keyed fingerprints of the backups' snapshot PII.
Its checks are blocking: Dagster makes the models' downstream steps (the ML models) wait for them, and a
failed one fails the check step, so those steps do not run.
"""

from collections.abc import Iterable, Iterator

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.collections import COLLECTIONS
from apollo_assets.lake.resource import LakeResource
from apollo_assets.masking.checks import backup_fingerprints, leak_result
from apollo_assets.masking.detectors import detect
from apollo_assets.masking.fingerprints import MIN_CHARS, PiiFingerprints
from apollo_assets.masking.fingerprints import fingerprints as hashed
from apollo_assets.masking.leaks import SOURCE_VALUE, LeakReport, scan_for_leaks
from apollo_assets.masking.policy import MaskingPolicy
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
            partitions_def=backup_partitions,
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
            report = scan_slices(warehouse, models[check_key.asset_key], backup_ids, fingerprints)
            yield leak_result(report, check_name=CHECK_NAME, asset_key=check_key.asset_key)

    return warehouse_no_pii_leak


def quoted(column: str) -> str:
    """A column name as a SQL identifier (names come from the warehouse's own models, quoted all the same)."""
    return '"' + column.replace('"', '""') + '"'


def text_columns(warehouse: Warehouse, relation: str) -> list[str]:
    """The model's columns that can hold text (other columns cannot hold the patterns)."""
    empty = warehouse.frame(f"select * from {relation} where 1 = 0")
    return [str(c) for c in empty.select_dtypes(include=["object", "string"]).columns]


def column_values(warehouse: Warehouse, relation: str, column: str, backup_ids: list[str]) -> tuple[pa.Array, pa.Array]:
    """The distinct values of a column in these backups' slices, and how many rows hold each.

    Values under MIN_CHARS characters are left out in SQL: no pattern matches so short a text, and no source
    value that short is fingerprinted, so they can hold no finding.
    """
    placeholders = ", ".join("?" for _ in backup_ids)
    value = f"cast({quoted(column)} as varchar)"
    frame = warehouse.frame(
        f"select {value} as value, count(*) as n from {relation} "
        f"where backup_id in ({placeholders}) and length({value}) >= {MIN_CHARS} group by 1",
        backup_ids,
    )
    return pa.array(frame["value"], pa.string()), pa.array(frame["n"], pa.int64())


def scan_slices(warehouse: Warehouse, model: str, backup_ids: list[str], fingerprints: PiiFingerprints) -> LeakReport:
    """`scan_for_leaks` of a model's slices, one distinct value at a time: each text column's values are
    grouped in the warehouse, scanned once each, and a finding counts every row that holds the value."""
    relation = warehouse.relation(model)
    columns = text_columns(warehouse, relation) if backup_ids else []
    findings: dict[str, dict[str, int]] = {}
    for column in columns:
        values, rows = column_values(warehouse, relation, column, backup_ids)
        found = scan_for_leaks(pa.table({column: values}), WAREHOUSE_POLICY, source_pii_hashes=fingerprints)
        if found.findings:  # rare: count the rows behind each value found, per kind
            findings[column] = _rows_found(values, rows, found.findings[column], fingerprints)
    rows_scanned = sum(r[0] for r in warehouse.query(_count_sql(relation, backup_ids), backup_ids)) if columns else 0
    return LeakReport(rows_scanned, tuple(columns), findings, len(fingerprints))


def _rows_found(
    values: pa.Array, rows: pa.Array, kinds: Iterable[str], fingerprints: PiiFingerprints
) -> dict[str, int]:
    """Rows behind the values found, per kind (the scan counted distinct values)."""
    counts = {}
    for kind in kinds:
        if kind == SOURCE_VALUE:
            lookup = pa.array(sorted(fingerprints), pa.string())
            found = pc.is_in(hashed(values, fingerprints.key), value_set=lookup)
        else:
            found = detect(values, kind)
        counts[kind] = pc.sum(rows.filter(pc.fill_null(found, False))).as_py() or 0
    return {kind: count for kind, count in counts.items() if count}


def _count_sql(relation: str, backup_ids: list[str]) -> str:
    placeholders = ", ".join("?" for _ in backup_ids)
    return f"select count(*) from {relation} where backup_id in ({placeholders})"
