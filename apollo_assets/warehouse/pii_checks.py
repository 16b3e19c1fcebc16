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
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.collections import COLLECTIONS
from apollo_assets.lake.resource import LakeResource
from apollo_assets.masking.leaks.checks import backup_fingerprints, leak_result
from apollo_assets.masking.leaks.fingerprints import MIN_CHARS, PiiFingerprints
from apollo_assets.masking.leaks.scan import LeakReport, LeakScanner
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
        scanner = LeakScanner(WAREHOUSE_POLICY, fingerprints)  # the fingerprints' lookup, built once per check
        for check_key in sorted(context.selected_asset_check_keys, key=lambda k: k.asset_key.to_user_string()):
            report = scan_slices(warehouse, models[check_key.asset_key], backup_ids, fingerprints, scanner)
            yield leak_result(report, check_name=CHECK_NAME, asset_key=check_key.asset_key)

    return warehouse_no_pii_leak


def quoted(column: str) -> str:
    """A column name as a SQL identifier (names come from the warehouse's own models, quoted all the same)."""
    return '"' + column.replace('"', '""') + '"'


def text_columns(warehouse: Warehouse, relation: str) -> list[str]:
    """The model's columns that can hold text (other columns cannot hold the patterns)."""
    empty = warehouse.frame(f"select * from {relation} where 1 = 0")
    return [str(c) for c in empty.select_dtypes(include=["object", "string"]).columns]


def grouped_values_sql(relation: str, columns: list[str], backups: int) -> str:
    """One query for a model: each text column's distinct values in the run's slices with the rows holding each
    (`c` the column's position), and the slices' row count (`c` = -1).

    Values under MIN_CHARS characters are left out: no pattern matches so short a text, and no source value that
    short is fingerprinted, so they can hold no finding.
    """
    where = f"backup_id in ({', '.join('?' for _ in range(backups))})"
    parts = [f"select -1 as c, cast(null as varchar) as value, count(*) as n from {relation} where {where}"]
    for position, column in enumerate(columns):
        value = f"cast({quoted(column)} as varchar)"
        parts.append(
            f"select {position} as c, {value} as value, count(*) as n from {relation} "
            f"where {where} and length({value}) >= {MIN_CHARS} group by {value}"
        )
    return "\nunion all\n".join(parts)


def column_values(
    warehouse: Warehouse, relation: str, columns: list[str], backup_ids: list[str]
) -> tuple[int, dict[str, tuple[pa.Array, pa.Array]]]:
    """The slices' row count, and per text column its distinct values and how many rows hold each."""
    frame = warehouse.frame(grouped_values_sql(relation, columns, len(backup_ids)), backup_ids * (len(columns) + 1))
    position = frame["c"].to_numpy()
    order = np.argsort(position, kind="stable")  # one pass, then a slice per column
    starts = np.searchsorted(position[order], np.arange(-1, len(columns) + 1))
    value = pa.array(frame["value"].to_numpy()[order], pa.string())
    count = pa.array(frame["n"].to_numpy()[order], pa.int64())
    rows = int(pc.sum(count.slice(starts[0], starts[1] - starts[0])).as_py() or 0)
    values = {}
    for i, column in enumerate(columns, start=1):
        start, stop = int(starts[i]), int(starts[i + 1])
        values[column] = (value.slice(start, stop - start), count.slice(start, stop - start))
    return rows, values


def scan_slices(
    warehouse: Warehouse,
    model: str,
    backup_ids: list[str],
    fingerprints: PiiFingerprints,
    scanner: LeakScanner | None = None,
) -> LeakReport:
    """What `scan_for_leaks` reports of a model's slices, one distinct value at a time: each text column's values
    are grouped in the warehouse (one query per model), scanned once each, and a finding counts the rows that hold
    the value. ``scanner``: `LeakScanner(WAREHOUSE_POLICY, fingerprints)`, when the caller scans several models."""
    if not backup_ids:
        return LeakReport(0, (), {}, len(fingerprints))
    scanner = scanner or LeakScanner(WAREHOUSE_POLICY, fingerprints)
    relation = warehouse.relation(model)
    columns = text_columns(warehouse, relation)
    rows, values = column_values(warehouse, relation, columns, backup_ids)
    findings = {}
    for column, (distinct, counts) in values.items():
        found = scanner.findings(column, distinct, counts)
        if found:
            findings[column] = found
    return LeakReport(rows, tuple(columns), findings, len(scanner.lookup))
