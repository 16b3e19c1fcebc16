"""Worker processes of one collection: a forkserver pool (the step's own process is worker 0)."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass
from multiprocessing.context import BaseContext

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
    """A pool of `workers` processes, which start now while the caller plans.

    In a process with no other thread (the CLI, a script), they are forked at once from this one, with what it
    has loaded (the compiled kernels are loaded first). Forking a threaded process (a Dagster step) is unsafe:
    there they fork from a forkserver that imports the pipeline once (~2 s, paid in a thread)."""
    if workers < 1:
        return None
    if threading.active_count() == 1:
        import apollo_assets.mongo.fast.preload  # noqa: F401  (the kernels, loaded before the fork)

        pool = stack.enter_context(_executor(workers, mp.get_context("fork"), counters))
        pool.submit(os.getpid)  # with fork, every process of the pool starts in this first submit, in this thread
        return pool
    context = mp.get_context("forkserver")
    context.set_forkserver_preload([__name__, "apollo_assets.mongo.fast.preload"])
    pool = stack.enter_context(_executor(workers, context, counters))
    # A submit blocks until its process has forked, after the server's imports (~2 s): pay that in a thread.
    starting = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="ingest-pool-start"))
    for _ in range(workers):
        starting.submit(pool.submit, os.getpid)
    return pool


def _executor(workers: int, context: BaseContext, counters: object) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=context, initializer=progress.install, initargs=(counters,))


def side_by_side(groups: list[Group], pool: Executor | None, local: Callable, remote: Callable) -> list:
    """`remote(group)` for groups 1.. in the pool while `local(groups[0])` runs here; results in group order.

    The remote groups are submitted from a thread, so the local one starts at once even when the pool's
    processes are still starting."""
    if pool is None:
        return [local(groups[0])]
    with ThreadPoolExecutor(1, thread_name_prefix="ingest-submit") as submitter:
        submitted = submitter.submit(lambda: [pool.submit(*remote(g)) for g in groups[1:]])
        try:
            first = local(groups[0])
            return [first, *(f.result() for f in submitted.result())]
        finally:
            futures: list[Future] = submitted.result() if submitted.exception() is None else []
            for future in futures:  # let running workers finish before what they write to is cleaned up
                future.cancel()
            wait(futures)
