"""Worker processes of one collection: a forkserver pool (the step's own process is worker 0)."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass

import pyarrow as pa

from apollo_assets.ingest import progress
from apollo_assets.ingest.output import PartFiles, StagedFolder
from apollo_assets.ingest.work import Group, GroupOutput, Masking, onepass_group, run_group
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.onepass import OnePass
from apollo_assets.mongo.passes import ScanResult
from apollo_assets.mongo.schema import Plan


@dataclass(frozen=True)
class Job:
    """What every worker needs to convert its group under one plan."""

    plan: Plan
    schema: pa.Schema
    backup_id: str
    masking: Masking | None
    output_schema: pa.Schema


def onepass_in_worker(group: Group, pilot: FieldStats, job: Job, target: StagedFolder) -> tuple[GroupOutput, OnePass]:
    files = PartFiles(target, group.index, job.output_schema)
    out, reader = onepass_group(group, pilot, job.plan, job.schema, job.backup_id, job.masking, files)
    out.files = files.close()
    return out, reader


def convert_in_worker(group: Group, scanned: ScanResult, job: Job, target: StagedFolder) -> GroupOutput:
    files = PartFiles(target, group.index, job.output_schema)
    out = run_group(group, scanned, job.plan, job.schema, job.backup_id, job.masking, files)
    out.files = files.close()
    return out


def make_pool(stack: ExitStack, workers: int, counters: object) -> Executor | None:
    if workers < 1:
        return None
    # forkserver: a Dagster step has threads, and forking a threaded process is unsafe. Workers fork from a server
    # that has imported the pipeline once, instead of each importing pyarrow, pymongo and pandas again.
    context = mp.get_context("forkserver")
    context.set_forkserver_preload([__name__, "apollo_assets.mongo.fast.preload"])
    return stack.enter_context(
        ProcessPoolExecutor(workers, mp_context=context, initializer=progress.install, initargs=(counters,))
    )


def side_by_side(groups: list[Group], pool: Executor | None, local: Callable, remote: Callable) -> list:
    """`remote(group)` for groups 1.. in the pool while `local(groups[0])` runs here; results in group order."""
    futures: list[Future] = [pool.submit(*remote(g)) for g in groups[1:]] if pool else []
    try:
        return [local(groups[0]), *(f.result() for f in futures)]
    finally:
        for future in futures:  # let running workers finish before what they write to is cleaned up
            future.cancel()
        wait(futures)
