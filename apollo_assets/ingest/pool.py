"""Worker processes of one collection: a forkserver pool, plus the step's own process.

Every process, the step's own included, claims the next group from a shared counter until none is left, so a
worker that starts late (its process forks after the server's imports) simply takes fewer groups."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.sharedctypes import Synchronized, SynchronizedArray
from typing import Any

import pyarrow as pa

from apollo_assets.ingest import progress
from apollo_assets.ingest.allocator import keep_freed_memory
from apollo_assets.ingest.output import PartFiles, StagedFolder
from apollo_assets.ingest.work import Group, GroupOutput, Masking, onepass_group, run_group
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.onepass import OnePass
from apollo_assets.mongo.passes import ScanResult
from apollo_assets.mongo.schema import Plan

PRELOAD = [__name__, "apollo_assets.kernel_preload"]  # the pipeline, and its compiled kernels loaded

_next_group: Synchronized | None = None  # the next group to claim, shared by the parent and its workers


def install(counters: SynchronizedArray, next_group: Synchronized) -> None:
    """Pool initializer (the parent calls it too): where progress goes, where groups are claimed, and the
    allocator's thresholds (`allocator`)."""
    global _next_group
    keep_freed_memory()
    progress.install(counters)
    _next_group = next_group


def shared_counters(groups: int) -> tuple[SynchronizedArray, Synchronized]:
    """Progress slots (one per group) and the claim counter, made before the pool so its processes inherit them."""
    context = mp.get_context("forkserver")
    return context.RawArray("q", groups), context.Value("q", 0)


def _claim(count: int) -> int | None:
    assert _next_group is not None, "install() first"
    with _next_group.get_lock():
        index = _next_group.value
        if index >= count:
            return None
        _next_group.value = index + 1
    return index


def run_claimed(task: Callable, groups: list[Group], *args: Any) -> list[tuple[int, Any]]:
    """`task(group, *args)` for each group this process claims, until none is left; on an error the other
    processes claim nothing more."""
    done = []
    try:
        while (index := _claim(len(groups))) is not None:
            done.append((index, task(groups[index], *args)))
    except BaseException:
        assert _next_group is not None
        with _next_group.get_lock():
            _next_group.value = len(groups)
        raise
    return done


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


def convert_in_worker(group: Group, scans: list[ScanResult], job: Job, target: StagedFolder) -> GroupOutput:
    files = PartFiles(target, group.index, job.output_schema)
    out = run_group(group, scans[group.index], job.plan, job.schema, job.backup_id, job.masking, files)
    out.files = files.close()
    return out


def start_forkserver() -> None:
    """Start the server that workers fork from, now: its imports (~2 s) then overlap with cutting and planning.

    forkserver: a Dagster step has threads (and numpy's BLAS and Arrow start their own), so forking the step
    itself is unsafe. Workers fork from a server that has imported the pipeline once, instead of each importing
    pyarrow, pymongo and numba again. The server lives as long as this process: later pools reuse it."""
    mp.get_context("forkserver").set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()


def warm_forkserver() -> None:
    """Start the server and wait until it is ready (a process forked from it answered): measurements that leave
    imports out (`benchmarks/ingest.py`) leave the workers' imports out too."""
    start_forkserver()
    with ProcessPoolExecutor(1, mp_context=mp.get_context("forkserver")) as executor:
        executor.submit(os.getpid).result()


@dataclass(frozen=True)
class Pool:
    """The worker processes beside this one: each runs one claiming loop (`run_claimed`) per pass."""

    executor: Executor
    processes: int


def make_pool(stack: ExitStack, workers: int, shared: tuple[SynchronizedArray, Synchronized]) -> Pool | None:
    """A pool of `workers` processes, which start now, in the background, while the caller plans."""
    install(*shared)
    if workers < 1:
        return None
    start_forkserver()
    executor = stack.enter_context(
        ProcessPoolExecutor(workers, mp_context=mp.get_context("forkserver"), initializer=install, initargs=shared)
    )
    # A submit blocks until its process has forked, after the server's imports: pay that in a thread.
    starting = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="ingest-pool-start"))
    for _ in range(workers):
        starting.submit(executor.submit, os.getpid)
    return Pool(executor, workers)


def claimed_everywhere(groups: list[Group], pool: Pool | None, task: Callable, *args: Any) -> list:
    """`task(group, *args)` for every group, claimed by this process and each of the pool's; results in group order.

    The pool's loops are submitted from a thread, so this process starts claiming at once, even while the pool's
    processes are still starting."""
    assert _next_group is not None, "make_pool() first"
    _next_group.value = 0
    with ThreadPoolExecutor(1, thread_name_prefix="ingest-submit") as submitter:
        submitted = submitter.submit(
            lambda: (
                [pool.executor.submit(run_claimed, task, groups, *args) for _ in range(pool.processes)] if pool else []
            )
        )
        try:
            results = dict(run_claimed(task, groups, *args))
            for future in submitted.result():
                results.update(future.result())
        finally:
            futures: list[Future] = submitted.result() if submitted.exception() is None else []
            for future in futures:  # let running workers finish before what they write to is cleaned up
                future.cancel()
            wait(futures)
    return [results[i] for i in range(len(groups))]
