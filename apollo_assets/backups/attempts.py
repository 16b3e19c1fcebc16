"""The backup sensor's runs of each backup, as its run tags record them: which backups are handled, which failed
run gets another attempt, which was retried enough, and how a retired backup is forgotten.

Each run the sensor asks for carries `apollo/backup=<id>` (the backup's claim: a backup with a claimed run is not
run again), `apollo/attempt=<n>` and `apollo/trigger=backup_sensor`. Decisions come from these tags only (never
from the sensor's cursor), so that a restarted daemon or a reset cursor changes nothing:

- a failed run (final: Dagster's own run retry is not coming) of attempt n gets attempt n + 1 while
  n <= `max_retries`, once `delay` has passed since it ended; then it is left failed, with an alert;
- a run that is no longer the backup's newest (retried, or re-executed by hand) leaves the failure query
  (`apollo/trigger` rewritten), so that a tick reads only the failures still undecided;
- retiring a backup rewrites the claim of each of its runs (`apollo/backup=retired:<id>`): if the backup comes
  back into the bucket, it is ingested again, under a new run key.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import dagster as dg

BACKUP_TAG = "apollo/backup"
ATTEMPT_TAG = "apollo/attempt"
TRIGGER_TAG = "apollo/trigger"
SENSOR_TRIGGER = "backup_sensor"
SUPERSEDED = f"{SENSOR_TRIGGER}:superseded"  # a newer run of the backup took over
GAVE_UP = f"{SENSOR_TRIGGER}:gave_up"  # the last attempt failed: left failed for an operator
RETIRED_PREFIX = "retired:"
PARTITION_TAG = "dagster/partition"
WILL_RETRY_TAG = "dagster/will_retry"  # Dagster's run retries (dagster.yaml `run_retries`) set it on a failed run
AUTO_RETRY_TAG = "dagster/auto_retry_run_id"  # … and this one once the new run exists
RETRIES_ENV = "APOLLO_BACKUP_RUN_RETRIES"


@dataclass(frozen=True)
class RunRetries:
    max_retries: int = 3  # attempts after the first
    delay: timedelta = timedelta(minutes=5)  # since the failed run ended: a transient cause gets time to pass


def run_retries_from_env(environ: Mapping[str, str] | None = None) -> RunRetries:
    environ = os.environ if environ is None else environ
    raw = environ.get(RETRIES_ENV, "").strip()
    if not raw:
        return RunRetries()
    if not raw.isdigit():
        raise ValueError(f"{RETRIES_ENV} must be a whole number of retries (0 or more), not {raw!r}")
    return RunRetries(max_retries=int(raw))


def claimed_backup_ids(instance: dg.DagsterInstance) -> set[str]:
    """Backups that have a run from this sensor (or `apollo run`) that still counts: one query, whatever their
    number (retired runs carry `retired:<id>`, which is no backup id)."""
    return {value for _, values in instance.get_run_tags(tag_keys=[BACKUP_TAG]) for value in values}


@dataclass(frozen=True)
class GaveUp:
    backup_id: str
    run_id: str
    attempts: int


@dataclass
class FailureDecisions:
    retry: dict[str, int] = field(default_factory=dict)  # backup id → the attempt number of its next run
    gave_up: list[GaveUp] = field(default_factory=list)


def decide_failures(
    instance: dg.DagsterInstance, kept: Collection[str], retries: RunRetries, now: datetime | None = None
) -> FailureDecisions:
    """Which failed backups get another run now, and which have failed their last attempt (reported once)."""
    now = now or datetime.now(UTC)
    failed = instance.get_run_records(
        dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE], tags={TRIGGER_TAG: SENSOR_TRIGGER})
    )
    decisions = FailureDecisions()
    seen: set[str] = set()
    for record in failed:  # newest first
        run = record.dagster_run
        backup_id = run.tags.get(PARTITION_TAG, "")
        if run.tags.get(BACKUP_TAG) != backup_id:  # retired since: its backup, if back, has new runs
            instance.add_run_tags(run.run_id, {TRIGGER_TAG: SUPERSEDED})
            continue
        if run.tags.get(WILL_RETRY_TAG) == "true":  # Dagster re-launches the run itself; its copy is the claim
            if run.tags.get(AUTO_RETRY_TAG):
                instance.add_run_tags(run.run_id, {TRIGGER_TAG: SUPERSEDED})
            continue
        if backup_id not in kept:  # being retired
            continue
        newest = instance.get_run_records(dg.RunsFilter(tags={BACKUP_TAG: backup_id}), limit=1)
        if backup_id in seen or (newest and newest[0].dagster_run.run_id != run.run_id):
            instance.add_run_tags(run.run_id, {TRIGGER_TAG: SUPERSEDED})
            continue
        seen.add(backup_id)
        attempt = int(run.tags.get(ATTEMPT_TAG, "1") or 1)
        if attempt > retries.max_retries:
            decisions.gave_up.append(GaveUp(backup_id, run.run_id, attempt))
            continue
        ended = record.end_time or record.update_timestamp.timestamp()
        if now.timestamp() - ended >= retries.delay.total_seconds():
            decisions.retry[backup_id] = attempt + 1
    return decisions


def mark_given_up(instance: dg.DagsterInstance, gave_up: GaveUp) -> None:
    """The failed run stays the backup's claim (not run again) but leaves the failure query."""
    instance.add_run_tags(gave_up.run_id, {TRIGGER_TAG: GAVE_UP})


def given_up(instance: dg.DagsterInstance, backup_id: str) -> bool:
    """Whether the backup's newest run is a failure the sensor stopped retrying."""
    newest = instance.get_run_records(dg.RunsFilter(tags={BACKUP_TAG: backup_id}), limit=1)
    return bool(newest) and newest[0].dagster_run.tags.get(TRIGGER_TAG) == GAVE_UP


def run_request(instance: dg.DagsterInstance, backup_id: str, attempt: int = 1) -> dg.RunRequest:
    """The run of one backup. Its key is the backup id for the backup's first run, then `<id>:<runs so far>`: a
    retry or a backup back after its retirement is never refused by the daemon as a run it already made, and a
    request repeated after a lost tick has the same key."""
    earlier = instance.get_runs_count(dg.RunsFilter(tags={PARTITION_TAG: backup_id}))
    return dg.RunRequest(
        run_key=backup_id if not earlier else f"{backup_id}:{earlier}",
        partition_key=backup_id,
        tags={BACKUP_TAG: backup_id, ATTEMPT_TAG: str(attempt), TRIGGER_TAG: SENSOR_TRIGGER},
    )


def release_claims(instance: dg.DagsterInstance, backup_id: str) -> int:
    """Forget the backup's runs as its claim (it was retired); returns how many runs carried it."""
    runs = instance.get_run_records(dg.RunsFilter(tags={BACKUP_TAG: backup_id}))
    for record in runs:
        instance.add_run_tags(record.dagster_run.run_id, {BACKUP_TAG: f"{RETIRED_PREFIX}{backup_id}"})
    return len(runs)
