"""The daily fallback: whatever the sensor and automation left unmaterialized in the latest backups gets a run.

Normally it finds nothing (the sensor ran the backup, automation followed every change). It catches a backup whose
run failed on a transient error after its retries, or a daemon that was down while automation should have acted.
A backup whose run failed every attempt the backup sensor allows is left to an operator, not retried daily."""

from collections.abc import Sequence

import dagster as dg

from apollo_assets.backups.attempts import given_up
from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.operations.backup_sensor import IN_PROGRESS

FALLBACK_SCHEDULE = "daily_fallback"
# Backups land around 04:00 UTC and take well under an hour: 07:00 leaves room for the sensor and automation.
FALLBACK_CRON = "0 7 * * *"


def missing_keys(instance: dg.DagsterInstance, keys: Sequence[dg.AssetKey], backup_id: str) -> list[dg.AssetKey]:
    return [k for k in keys if backup_id not in instance.get_materialized_partitions(k)]


def build_fallback_schedule(job_name: str, keys: Sequence[dg.AssetKey], lookback: int = 3) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=FALLBACK_SCHEDULE,
        cron_schedule=FALLBACK_CRON,
        execution_timezone="UTC",
        job_name=job_name,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Daily: materializes what is missing in the latest {lookback} backups (normally nothing).",
    )
    def daily_fallback(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
        day = context.scheduled_execution_time.strftime("%Y%m%d")
        requests = []
        for backup_id in context.instance.get_dynamic_partitions(backup_partitions.name)[-lookback:]:
            busy = dg.RunsFilter(tags={"dagster/partition": backup_id}, statuses=list(IN_PROGRESS))
            if context.instance.get_run_records(busy, limit=1):
                continue  # its run is still going: what looks missing is on its way
            if given_up(context.instance, backup_id):
                continue  # failed every attempt the sensor allows: an operator decides, not a daily retry
            missing = missing_keys(context.instance, keys, backup_id)
            if missing:
                context.log.warning(f"Backup {backup_id}: {len(missing)} assets never materialized; requesting them")
                requests.append(
                    dg.RunRequest(
                        run_key=f"fallback/{backup_id}/{day}",
                        partition_key=backup_id,
                        asset_selection=missing,
                        tags={"apollo/trigger": "daily_fallback"},
                    )
                )
        return requests or dg.SkipReason("Every asset of the latest backups is materialized.")

    return daily_fallback
