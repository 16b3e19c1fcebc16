"""The blocking leak checks' evidence: PII patterns and source PII values must not be in masked data.

The masked lake's own check is computed while publishing (`publish.py`: the staged files are scanned, and only a
clean partition is published); this module gives its result and the fingerprints both checks compare against.

The source values are sampled from the restricted snapshot zone and only their keyed fingerprints leave
this module; results carry counts per column and pattern, never a value.
"""

from collections.abc import Iterable, Iterator

import dagster as dg
import pyarrow as pa

from apollo_assets.lake.datasets import PartitionedDataset
from apollo_assets.lake.resource import LakeResource
from apollo_assets.masking.leaks.fingerprints import PiiFingerprints, collect_backup_fingerprints
from apollo_assets.masking.leaks.scan import LeakReport
from apollo_assets.masking.policy.files import load_policy
from apollo_assets.masking.tokens.key import MaskingKey

FINGERPRINT_SAMPLE = 10_000


def leak_result(report: LeakReport, *, check_name: str, asset_key: dg.AssetKey | None = None) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=check_name,
        passed=report.ok,
        severity=dg.AssetCheckSeverity.ERROR,
        # Counts per column and pattern only: a leak check must never copy the value it found.
        metadata={
            "findings": dg.MetadataValue.json(report.findings),
            "rows_scanned": report.rows,
            "text_columns_scanned": len(report.columns_scanned),
            "fingerprints_checked": report.fingerprints_checked,
        },
    )


def backup_fingerprints(
    lake: LakeResource, backup_ids: Iterable[str], key: MaskingKey, collections: Iterable[str]
) -> PiiFingerprints:
    """Fingerprints of the personal values of these collections' snapshots (a sample of each)."""
    sources = [
        (_head(snapshot, backup_id, FINGERPRINT_SAMPLE), load_policy(collection))
        for collection in collections
        for backup_id in backup_ids
        if backup_id in (snapshot := lake.snapshot(collection)).partitions()
    ]
    return collect_backup_fingerprints(sources, key, sample=FINGERPRINT_SAMPLE)


def _head(snapshot: PartitionedDataset, backup_id: str, rows: int) -> pa.Table:
    return pa.Table.from_batches(list(_take(snapshot.iter_batches(backup_id), rows)), schema=snapshot.schema(backup_id))


def _take(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        yield batch.slice(0, rows)
        rows -= min(rows, batch.num_rows)
        if not rows:
            return
