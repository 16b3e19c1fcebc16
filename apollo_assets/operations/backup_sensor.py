"""React to the bucket: one partition and one pipeline run per complete backup, never twice, none missed; a failed
run retried a bounded number of times; and the partitions of backups that left the bucket (or the retention
window) removed with their data, lake and warehouse. A retired backup that comes back is ingested again."""

from datetime import UTC, datetime

import dagster as dg

from apollo_assets.backups.attempts import (
    GaveUp,
    RunRetries,
    claimed_backup_ids,
    decide_failures,
    mark_given_up,
    release_claims,
    run_request,
)
from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.backups.plan import TickPlan, plan_tick
from apollo_assets.backups.resource import BackupBucketResource
from apollo_assets.lake.resource import LakeResource
from apollo_assets.operations.alerts import Alert, notifiers_from_env, send
from apollo_assets.operations.retention import RetentionPolicy, retire_backup, sweep_lake
from apollo_assets.warehouse.interface import Warehouse

SENSOR_NAME = "backup_sensor"
# Creating a run costs the daemon a fraction of a second (more on SQLite): a few per tick keeps a tick short, and
# the queue (a handful of runs at a time) could not run more anyway. A backlog of years drains tick after tick.
MAX_RUNS_PER_TICK = 10
MAX_QUEUED = 20
ADD_BATCH = 500

IN_PROGRESS = (
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
)


def build_backup_sensor(
    job_name: str,
    retention: RetentionPolicy | None = None,
    max_runs_per_tick: int = MAX_RUNS_PER_TICK,
    retries: RunRetries | None = None,
) -> dg.SensorDefinition:
    retention = retention or RetentionPolicy()
    retries = retries or RunRetries()

    @dg.sensor(
        name=SENSOR_NAME,
        job_name=job_name,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Adds each complete backup in the bucket as a partition and runs the pipeline for it (a failed "
        f"run up to {retries.max_retries} more times); removes the partitions, lake data and warehouse rows of "
        "backups deleted from the bucket or older than the retention window.",
    )
    def backup_sensor(
        context: dg.SensorEvaluationContext,
        backup_bucket: BackupBucketResource,
        lake: LakeResource,
        warehouse: dg.ResourceParam[Warehouse],
    ) -> dg.SensorResult | dg.SkipReason:
        complete = backup_bucket.bucket().complete_backup_ids()
        cutoff = retention.cutoff(datetime.now(UTC))
        failures = decide_failures(context.instance, [b for b in complete if cutoff is None or b >= cutoff], retries)
        plan = plan_tick(
            complete,
            context.instance.get_dynamic_partitions(backup_partitions.name),
            claimed_backup_ids(context.instance),
            cutoff=cutoff,
            max_runs=min(max_runs_per_tick, _room_in_queue(context.instance)),
            max_retired=retention.max_retired_per_tick,
            retry=failures.retry,
        )
        for note in plan.notes:
            context.log.warning(note)
        for gave_up in failures.gave_up:
            _give_up(context, job_name, gave_up)
        _add_partitions(context, plan.add)
        retired = [b for b in plan.retire if _retire(context, lake, warehouse, b)]
        _sweep(context, lake)
        requests = [run_request(context.instance, b, failures.retry.get(b, 1)) for b in plan.run]
        return _result(context, plan, requests, retired, len(complete))

    return backup_sensor


def _room_in_queue(instance: dg.DagsterInstance) -> int:
    # A backlog waits in the bucket rather than as thousands of queued runs that an operator would have to scroll.
    queued = dg.RunsFilter(tags={"dagster/sensor_name": SENSOR_NAME}, statuses=[dg.DagsterRunStatus.QUEUED])
    return max(0, MAX_QUEUED - instance.get_runs_count(queued))


def _add_partitions(context: dg.SensorEvaluationContext, keys: list[str]) -> None:
    # Added here in batches rather than returned as a request: the daemon checks a request's keys one query each,
    # minutes for the 10,000 backups of a first deployment. They exist before the runs that need them are created.
    for start in range(0, len(keys), ADD_BATCH):
        context.instance.add_dynamic_partitions(backup_partitions.name, keys[start : start + ADD_BATCH])
    if keys:
        context.log.info(f"{len(keys)} new backup partitions, {keys[0]} … {keys[-1]}")


def _retire(context: dg.SensorEvaluationContext, lake: LakeResource, warehouse: Warehouse, backup_id: str) -> bool:
    """Remove one retired backup's data; False (retried next tick) while a run uses it or when removal fails."""
    busy = context.instance.get_run_records(
        dg.RunsFilter(tags={"dagster/partition": backup_id}, statuses=list(IN_PROGRESS)), limit=1
    )
    if busy:
        context.log.info(f"Backup {backup_id} is retired but run {busy[0].dagster_run.run_id} uses it: later.")
        return False
    try:
        rows, removed = retire_backup(lake, warehouse, backup_id)
    except Exception as exc:  # the warehouse busy (a dbt build holds DuckDB), storage down: the next tick tries again
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        context.log.error(f"Backup {backup_id}: could not remove its data ({reason}); partition kept for now")
        return False
    release_claims(context.instance, backup_id)  # back in the bucket one day, it is ingested again
    context.log.info(
        f"Backup {backup_id} retired: partition removed, {sum(rows.values())} warehouse rows removed from "
        f"{len(rows)} tables, data removed from {removed or 'nowhere'}"
    )
    return True


def _give_up(context: dg.SensorEvaluationContext, job_name: str, gave_up: GaveUp) -> None:
    problem = (
        f"failed {gave_up.attempts} times (the last: run {gave_up.run_id}); not retried again: re-run it once the "
        "cause is fixed"
    )
    context.log.error(f"Backup {gave_up.backup_id}: {problem}")
    send(Alert(gave_up.run_id, job_name, gave_up.backup_id, [(SENSOR_NAME, problem)]), notifiers_from_env())
    mark_given_up(context.instance, gave_up)


def _sweep(context: dg.SensorEvaluationContext, lake: LakeResource) -> None:
    """Superseded lake versions whose grace period has passed are deleted here; a failure waits for the next tick."""
    try:
        waiting = sweep_lake(lake)
    except Exception as exc:
        context.log.warning(f"Lake sweep not finished ({type(exc).__name__}); the next tick continues it")
        return
    if waiting:
        context.log.debug(f"Superseded lake versions still within their grace period: {waiting}")


def _result(
    context: dg.SensorEvaluationContext,
    plan: TickPlan,
    requests: list[dg.RunRequest],
    retired: list[str],
    complete: int,
) -> dg.SensorResult | dg.SkipReason:
    partition_requests = [backup_partitions.build_delete_request(retired)] if retired else []
    if not plan.run and not partition_requests and not plan.add:
        context.update_cursor(context.cursor)  # a skipped tick would otherwise clear it
        return dg.SkipReason(f"No new complete backup ({complete} complete, all have their run).")
    if plan.run:
        more = f" ({plan.deferred} more on the next ticks)" if plan.deferred else ""
        context.log.info(f"Runs for backups {', '.join(plan.run)}{more}")
    return dg.SensorResult(
        # The run key is the backup id (then `<id>:<n>` for a retry or a backup back after its retirement): the
        # daemon itself refuses a second run for a key, whatever the cursor says.
        run_requests=requests,
        dynamic_partitions_requests=partition_requests,
        # Informational only (the newest backup handled): decisions never depend on it.
        cursor=plan.run[-1] if plan.run else context.cursor,
    )
