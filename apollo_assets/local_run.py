"""Run the platform headless on one machine, the way the daemon would: evaluate the backup sensor, then run the
pipeline job (multiprocess executor) for each backup it requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from apollo_assets.backups.bucket import BackupBucket
from apollo_assets.settings import Settings

SENSOR = "backup_sensor"


@dataclass
class PipelineRun:
    backup_id: str
    run_id: str
    success: bool
    materialized: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)


def pipeline_job() -> dg.JobDefinition:
    """Module-level so that `dg.reconstructable` can rebuild the job in each step's process."""
    from apollo_assets.definitions import PIPELINE_JOB, current_definitions

    return current_definitions().resolve_job_def(PIPELINE_JOB)


def ensure_sample_backup(settings: Settings) -> str | None:
    """Write a sample backup when the local bucket has no complete backup; returns its id."""
    bucket = BackupBucket.from_url(settings.backup_url)
    if bucket.complete_backup_ids() or settings.is_prod:
        return None
    from apollo_assets.sample_data import write_sample_backup

    return write_sample_backup(Path(settings.backup_url)).name


def evaluate_backup_sensor(instance: dg.DagsterInstance) -> list[dg.RunRequest]:
    """One sensor tick: registers the new partitions and returns the runs it asks for."""
    from apollo_assets.definitions import current_definitions

    defs = current_definitions()

    sensor = defs.resolve_sensor_def(SENSOR)
    with dg.build_sensor_context(instance=instance, definitions=defs, resources=defs.resources) as context:
        result = sensor(context)
    if isinstance(result, dg.SkipReason):
        print(f"Sensor skipped: {result.skip_message}")
        return []
    for request in result.dynamic_partitions_requests or []:
        if isinstance(request, dg.DeleteDynamicPartitionsRequest):  # retention: a backup left the bucket
            for key in request.partition_keys or []:
                instance.delete_dynamic_partition(request.partitions_def_name, key)
        else:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys or []))
    return [r for r in result.run_requests or [] if not _already_ran(instance, r.run_key)]


def _already_ran(instance: dg.DagsterInstance, run_key: str | None) -> bool:
    tags = {"dagster/run_key": run_key} if run_key else None
    return bool(tags and instance.get_run_records(dg.RunsFilter(tags=tags), limit=1))


def run_backup(instance: dg.DagsterInstance, request: dg.RunRequest) -> PipelineRun:
    tags = {**request.tags, "dagster/partition": str(request.partition_key)}
    if request.run_key:
        tags["dagster/run_key"] = request.run_key
    with dg.execute_job(dg.reconstructable(pipeline_job), instance=instance, tags=tags) as result:
        run = PipelineRun(str(request.partition_key), result.run_id, result.success)
    for event in instance.get_records_for_run(run.run_id).records:
        materialization = event.event_log_entry.asset_materialization
        if materialization is None:
            continue
        key = materialization.asset_key.to_user_string()
        run.materialized.append(key)
        for name, value in materialization.metadata.items():
            if name == "dagster/row_count":
                run.row_counts[key] = int(value.value)
            elif name.startswith("metric/"):
                run.metrics[f"{key} {name.removeprefix('metric/')}"] = float(value.value)
    return run
