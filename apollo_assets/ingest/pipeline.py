"""The one ingest path of the CLI, the assets and the benchmark: a collection -> one published dataset.

The collection is cut into parts (`sources.py`), the parts into groups that shrink towards the end, which the
processes claim in turn (`pool.py`). A pilot (the first chunk of one part per worker, spread over the collection)
gives a plan; every group is then read once, counted and converted under that plan at the same time
(`mongo.onepass`), side by side, into one staged partition version. When the plan made from all the counts
is the pilot's, that version is published: one read. Otherwise it is abandoned and a second pass converts every
group under the final plan (the classic two passes). Either way the result is what one sequential two-pass
read gives, in the same files whichever process converted which group. The parent process is one of the workers;
the others run in a process pool.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass

import pyarrow as pa

from apollo_assets.errors import ApolloError
from apollo_assets.ingest import progress
from apollo_assets.ingest.output import StagedFolder, adopt
from apollo_assets.ingest.parts import Part, PartsSource, guided_groups
from apollo_assets.ingest.pool import (
    Job,
    claimed_everywhere,
    convert_in_worker,
    make_pool,
    onepass_in_worker,
    shared_counters,
)
from apollo_assets.ingest.quarantine import InPartition, QuarantineSink
from apollo_assets.ingest.summary import IngestSummary
from apollo_assets.ingest.work import Group, GroupOutput, Masking
from apollo_assets.lake.datasets import PartitionedDataset, PartitionWriter
from apollo_assets.masking import Masker
from apollo_assets.masking.leaks.scan import LeakFoundError, merge_reports
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.onepass import pilot_stats, plan_of
from apollo_assets.mongo.passes import ScanResult
from apollo_assets.mongo.report import check_quarantine_share
from apollo_assets.mongo.schema import infer_plan
from apollo_assets.names import printable


@dataclass(frozen=True)
class IngestOptions:
    workers: int = 1  # processes converting one collection side by side (this one included); 0: by size
    max_quarantine_share: float = 0.01  # above it the ingest fails and nothing is published
    progress: bool | None = None  # a progress bar; None: when stderr is a terminal


class _Refit(ApolloError):
    """The pilot's plan is not the collection's: the staged version is abandoned, a second pass follows."""


def _masker(masking: Masking | None, schema: pa.Schema) -> Masker | None:
    return Masker(masking.policy, masking.key, schema) if masking else None


def ingest_parts(
    collection: str,
    parts: list[Part],
    backup_id: str,
    dataset: PartitionedDataset,
    *,
    masking: Masking | None = None,
    quarantine: QuarantineSink | None = None,
    options: IngestOptions | None = None,
) -> IngestSummary:
    options = options or IngestOptions()
    quarantine = quarantine or InPartition()
    started = time.perf_counter()
    workers = max(1, min(options.workers, len(parts)))
    groups = [Group(collection, i, g) for i, g in enumerate(guided_groups(parts, workers))]
    shared = shared_counters(len(groups))
    total = 2 * sum(p.size for p in parts)
    with ExitStack() as stack:
        pool = make_pool(stack, workers - 1, shared)
        label = printable(collection)  # a name may hold terminal control characters
        stack.enter_context(progress.running_bar(shared[0], total, label, options.progress))
        pilot = FieldStats(is_root=True)
        for i in range(workers):
            pilot.merge(pilot_stats(PartsSource(collection, [parts[i * len(parts) // workers]])))
        plan, schema = plan_of(pilot)
        masker = _masker(masking, schema)
        job = Job(plan, schema, backup_id, masking, masker.output_schema if masker else schema)

        def finish(writer: PartitionWriter, outputs: list[GroupOutput], scans: list[ScanResult]) -> list:
            for out in outputs:
                adopt(writer, out.files, out.rows)
            if masking is not None:  # check, then publish: a leak abandons the staged version
                leaks = merge_reports(out.leaks for out in outputs if out.leaks is not None)
                if not leaks.ok:
                    raise LeakFoundError(f"{collection} {backup_id}", leaks)
            bad = [q for out in outputs for q in out.quarantined]
            where = quarantine.store(writer, collection, backup_id, bad)
            check_quarantine_share(
                collection, backup_id, sum(s.documents for s in scans), bad, options.max_quarantine_share
            )
            return [bad, where]

        try:
            with dataset.writer(backup_id, job.output_schema) as writer:
                target = StagedFolder(dataset.location.url, writer.folder)
                results = claimed_everywhere(groups, pool, onepass_in_worker, pilot, job, target)
                outputs, scans = [r[0] for r in results], [r[1].scan for r in results]
                final = _merged(scans)
                if not all(r[1].fits for r in results) or not plan_of(final)[1].equals(schema, check_metadata=True):
                    raise _Refit
                bad, where = finish(writer, outputs, scans)
            passes = 1
        except _Refit:
            plan, schema = plan_of(final)
            masker = _masker(masking, schema)
            job = Job(plan, schema, backup_id, masking, masker.output_schema if masker else schema)
            with dataset.writer(backup_id, job.output_schema) as writer:
                target = StagedFolder(dataset.location.url, writer.folder)
                outputs = claimed_everywhere(groups, pool, convert_in_worker, scans, job, target)
                bad, where = finish(writer, outputs, scans)
            passes = 2
    assert writer.info is not None
    stages: dict[str, float] = {}
    for out in outputs:
        for stage, seconds in out.seconds.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    _, notes = infer_plan(final)
    return IngestSummary(
        collection=collection,
        backup_id=backup_id,
        documents=sum(s.documents for s in scans),
        rows=writer.info.rows,
        quarantined=len(bad),
        bytes=writer.info.bytes,
        seconds=time.perf_counter() - started,
        workers=workers,
        schema=job.output_schema,
        commit=writer.info,
        path=dataset.partition_path(backup_id),
        quarantine_path=where if bad else "",
        drift=dict(notes.drift),
        masked_unlisted=dict(masker.report.unlisted_fields) if masker else {},
        policy=_policy_label(masking),
        stage_seconds=stages,
        passes=passes,
    )


def _merged(scans: list[ScanResult]) -> FieldStats:
    stats = FieldStats(is_root=True)
    for scan in scans:
        stats.merge(scan.stats)
    return stats


def _policy_label(masking: Masking | None) -> str:
    if masking is None:
        return ""
    return "default (fail-closed)" if masking.policy.is_default else masking.policy.source
