"""React to new complete backups: one partition and one run per backup, never twice."""

import dagster as dg

from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.backups.resource import BackupBucketResource


def new_backup_ids(complete: list[str], known: set[str]) -> list[str]:
    """Complete backups that are not yet partitions, oldest first."""
    return [backup_id for backup_id in complete if backup_id not in known]


def build_backup_sensor(job_name: str) -> dg.SensorDefinition:
    @dg.sensor(
        name="backup_sensor",
        job_name=job_name,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Adds each complete backup in the bucket as a partition and runs the pipeline for it.",
    )
    def backup_sensor(
        context: dg.SensorEvaluationContext, backup_bucket: BackupBucketResource
    ) -> dg.SensorResult | dg.SkipReason:
        complete = backup_bucket.bucket().complete_backup_ids()
        known = set(context.instance.get_dynamic_partitions(backup_partitions.name))
        new = new_backup_ids(complete, known)
        if not new:
            return dg.SkipReason(f"No new complete backup ({len(complete)} complete, all known).")
        context.log.info(f"New backups: {', '.join(new)}")
        return dg.SensorResult(
            # The run key is the backup id: re-evaluating, restarting or resetting the cursor never reruns one.
            run_requests=[dg.RunRequest(run_key=b, partition_key=b, tags={"apollo/backup": b}) for b in new],
            dynamic_partitions_requests=[backup_partitions.build_add_request(new)],
            cursor=new[-1],
        )

    return backup_sensor
