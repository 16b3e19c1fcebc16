"""Snapshot dataset → masked lake dataset: masked into a staged version, scanned for leaks, published only if clean.

The scan reads the staged files back (what the lake would expose), batch by batch. A finding abandons the staged
version, so the partition's previous version (if any) stays the one readers and the warehouse see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

from apollo_assets.lake.datasets import CommitInfo, PartitionedDataset
from apollo_assets.masking.leaks.scan import LeakFoundError, LeakReport, merge_reports, scan_for_leaks
from apollo_assets.masking.policy.model import MaskingPolicy
from apollo_assets.masking.tokens.key import MaskingKey


@dataclass(frozen=True)
class MaskedSummary:
    collection: str
    backup_id: str
    schema: pa.Schema
    commit: CommitInfo
    unlisted_fields: dict[str, str]
    actions: dict[str, str]
    policy_is_default: bool
    leaks: LeakReport


def publish_masked(
    collection: str,
    backup_id: str,
    snapshot: PartitionedDataset,
    lake: PartitionedDataset,
    key: MaskingKey,
    fingerprints: set[str] | None = None,
) -> MaskedSummary:
    """Mask, stage, scan the staged files (PII patterns, and `fingerprints` of the source's personal values), then
    publish; raises LeakFoundError, having published nothing, when the scan finds anything."""
    from apollo_assets.masking import Masker, load_policy

    policy = load_policy(collection)
    masker = Masker(policy, key, snapshot.schema(backup_id))
    with lake.staging(backup_id, masker.output_schema) as staged:
        for batch in snapshot.iter_batches(backup_id):
            staged.write(masker.mask(batch))
        report = scan_batches(staged.batches(), policy, fingerprints, key)
        if not report.ok:
            raise LeakFoundError(f"lake/{collection} {backup_id}", report)
        commit = staged.publish()
    return MaskedSummary(
        collection=collection,
        backup_id=backup_id,
        schema=masker.output_schema,
        commit=commit,
        unlisted_fields=dict(masker.report.unlisted_fields),
        actions=dict(masker.report.actions),
        policy_is_default=policy.is_default,
        leaks=report,
    )


def scan_batches(
    batches: Iterable[pa.RecordBatch], policy: MaskingPolicy, fingerprints: set[str] | None, key: MaskingKey
) -> LeakReport:
    """`scan_for_leaks` over a dataset, one batch at a time (the counts add up)."""
    return merge_reports(scan_for_leaks(b, policy, source_pii_hashes=fingerprints, key=key) for b in batches)
