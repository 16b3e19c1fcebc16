"""The blocking leak check of a masked dataset: PII patterns and source PII values must not be in it."""

from __future__ import annotations

import dagster as dg
import pyarrow as pa

from apollo_assets.lake.resource import LakeResource

FINGERPRINT_SAMPLE = 10_000


def leak_check_result(
    collection: str, backup_id: str, lake: LakeResource, key: object, *, check_name: str
) -> dg.AssetCheckResult:
    from apollo_assets.masking import collect_pii_fingerprints, load_policy, scan_for_leaks

    policy = load_policy(collection)
    snapshot = lake.snapshot(collection)
    sample = _head(snapshot.iter_batches(backup_id), FINGERPRINT_SAMPLE, snapshot.schema(backup_id))
    fingerprints = collect_pii_fingerprints(sample, policy, key, sample=FINGERPRINT_SAMPLE)
    report = scan_for_leaks(lake.masked(collection).read(backup_id), policy, source_pii_hashes=fingerprints)
    return dg.AssetCheckResult(
        check_name=check_name,
        passed=report.ok,
        severity=dg.AssetCheckSeverity.ERROR,
        # Counts per column and pattern only: a leak check must never copy the value it found.
        metadata={"findings": dg.MetadataValue.json(report.findings), "fingerprints_checked": len(fingerprints)},
    )


def _head(batches, rows: int, schema: pa.Schema) -> pa.Table:  # noqa: ANN001
    taken, count = [], 0
    for batch in batches:
        taken.append(batch.slice(0, rows - count))
        count += taken[-1].num_rows
        if count >= rows:
            break
    return pa.Table.from_batches(taken, schema=schema)
