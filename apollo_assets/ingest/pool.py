"""Worker processes of one collection: a forkserver pool (the step's own process is worker 0)."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass
from multiprocessing import forkserver

import pyarrow as pa

from apollo_assets.ingest import progress
from apollo_assets.ingest.output import PartFiles, StagedFolder
from apollo_assets.ingest.work import Group, GroupOutput, Masking, onepass_group, run_group
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.onepass import OnePass
from apollo_assets.mongo.passes import ScanResult
from apollo_assets.mongo.schema import Plan

PRELOAD = [__name__, "apollo_assets.mongo.fast.preload"]  # the pipeline, and its compiled kernels loaded


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


def start_forkserver() -> None:
    """Start the server that workers fork from, now: its imports (~2 s) then overlap with cutting and planning.

    forkserver: a Dagster step has threads (and numpy's BLAS and Arrow start their own), so forking the step
    itself is unsafe. Workers fork from a server that has imported the pipeline once, instead of each importing
    pyarrow, pymongo and numba again. The server lives as long as this process: later pools reuse it."""
    mp.get_context("forkserver").set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()


def make_pool(stack: ExitStack, workers: int, counters: object) -> Executor | None:
    """A pool of `workers` processes, which start now, in the background, while the caller plans."""
    if workers < 1:
        return None
    start_forkserver()
    pool = stack.enter_context(
        ProcessPoolExecutor(
            workers, mp_context=mp.get_context("forkserver"), initializer=progress.install, initargs=(counters,)
        )
    )
    # A submit blocks until its process has forked, after the server's imports: pay that in a thread.
    starting = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="ingest-pool-start"))
    for _ in range(workers):
        starting.submit(pool.submit, os.getpid)
    return pool


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
