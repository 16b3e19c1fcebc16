"""React to the bucket: one partition and one pipeline run per complete backup, never twice, none missed; and the
partitions of backups that left the bucket (or the retention window) removed with their lake data."""

from datetime import UTC, datetime

import dagster as dg

from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.backups.plan import TickPlan, plan_tick
from apollo_assets.backups.resource import BackupBucketResource
from apollo_assets.lake.resource import LakeResource
from apollo_assets.operations.retention import RetentionPolicy, purge_backup

SENSOR_NAME = "backup_sensor"
BACKUP_TAG = "apollo/backup"
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


def requested_backup_ids(instance: dg.DagsterInstance) -> set[str]:
    """Backups that already have a run from this sensor (or `apollo run`): one query, whatever their number."""
    return {value for _, values in instance.get_run_tags(tag_keys=[BACKUP_TAG]) for value in values}


def build_backup_sensor(
    job_name: str, retention: RetentionPolicy | None = None, max_runs_per_tick: int = MAX_RUNS_PER_TICK
) -> dg.SensorDefinition:
    retention = retention or RetentionPolicy()

    @dg.sensor(
        name=SENSOR_NAME,
        job_name=job_name,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Adds each complete backup in the bucket as a partition and runs the pipeline for it; removes the "
        "partitions (and lake data) of backups deleted from the bucket or older than the retention window.",
    )
    def backup_sensor(
        context: dg.SensorEvaluationContext, backup_bucket: BackupBucketResource, lake: LakeResource
    ) -> dg.SensorResult | dg.SkipReason:
        complete = backup_bucket.bucket().complete_backup_ids()
        plan = plan_tick(
            complete,
            context.instance.get_dynamic_partitions(backup_partitions.name),
            requested_backup_ids(context.instance),
            cutoff=retention.cutoff(datetime.now(UTC)),
            max_runs=min(max_runs_per_tick, _room_in_queue(context.instance)),
            max_retired=retention.max_retired_per_tick,
        )
        for note in plan.notes:
            context.log.warning(note)
        _add_partitions(context, plan.add)
        retired = [b for b in plan.retire if _retire(context, lake, b)]
        return _result(context, plan, retired, len(complete))

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


def _retire(context: dg.SensorEvaluationContext, lake: LakeResource, backup_id: str) -> bool:
    """Purge one retired backup's data; False (retried next tick) while a run uses it or when the purge fails."""
    busy = context.instance.get_run_records(
        dg.RunsFilter(tags={"dagster/partition": backup_id}, statuses=list(IN_PROGRESS)), limit=1
    )
    if busy:
        context.log.info(f"Backup {backup_id} is retired but run {busy[0].dagster_run.run_id} uses it: later.")
        return False
    try:
        removed = purge_backup(lake, backup_id)
    except OSError as exc:  # the next tick tries again; the partition stays until its data is gone
        context.log.error(f"Backup {backup_id}: could not remove its lake data ({exc}); partition kept for now")
        return False
    context.log.info(f"Backup {backup_id} retired: partition removed, data removed from {removed or 'nowhere'}")
    return True


def _result(
    context: dg.SensorEvaluationContext, plan: TickPlan, retired: list[str], complete: int
) -> dg.SensorResult | dg.SkipReason:
    partition_requests = [backup_partitions.build_delete_request(retired)] if retired else []
    if not plan.run and not partition_requests and not plan.add:
        context.update_cursor(context.cursor)  # a skipped tick would otherwise clear it
        return dg.SkipReason(f"No new complete backup ({complete} complete, all have their run).")
    if plan.run:
        more = f" ({plan.deferred} more on the next ticks)" if plan.deferred else ""
        context.log.info(f"Runs for backups {', '.join(plan.run)}{more}")
    return dg.SensorResult(
        # The run key is the backup id: the daemon itself refuses a second run for it, whatever the cursor says.
        run_requests=[dg.RunRequest(run_key=b, partition_key=b, tags={BACKUP_TAG: b}) for b in plan.run],
        dynamic_partitions_requests=partition_requests,
        # Informational only (the newest backup handled): decisions never depend on it.
        cursor=plan.run[-1] if plan.run else context.cursor,
    )
