"""Snapshot dataset → masked lake dataset, with the leak scan that decides whether it may go further."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from apollo_assets.lake.datasets import CommitInfo, PartitionedDataset


@dataclass(frozen=True)
class MaskedSummary:
    collection: str
    backup_id: str
    schema: pa.Schema
    commit: CommitInfo
    unlisted_fields: dict[str, str]
    actions: dict[str, str]
    policy_is_default: bool


def publish_masked(
    collection: str,
    backup_id: str,
    snapshot: PartitionedDataset,
    lake: PartitionedDataset,
    key: object,
) -> MaskedSummary:
    from apollo_assets.masking import Masker, load_policy

    policy = load_policy(collection)
    masker = Masker(policy, key, snapshot.schema(backup_id))
    with lake.writer(backup_id, masker.output_schema) as writer:
        for batch in snapshot.iter_batches(backup_id):
            writer.write(masker.mask(batch))
    assert writer.info is not None
    return MaskedSummary(
        collection=collection,
        backup_id=backup_id,
        schema=masker.output_schema,
        commit=writer.info,
        unlisted_fields=dict(masker.report.unlisted_fields),
        actions=dict(masker.report.actions),
        policy_is_default=policy.is_default,
    )
