"""Run the platform headless on one machine, the way the daemon would: evaluate the backup sensor, then run the
pipeline job (multiprocess executor) for each backup it requests.

The run's Dagster events go to a file (`run_log`), not the console. While the run goes on, a thread reads its events
back from the instance, where every process of the run writes them, and keeps a `RunProgress` up to date for
whoever shows it.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from apollo_assets.backups.bucket import BackupBucket
from apollo_assets.run_log import event_log_config, new_log_path
from apollo_assets.run_progress import RunProgress, first_line
from apollo_assets.settings import Settings, load_settings

SENSOR = "backup_sensor"
# Tags the run, so that the thread that follows it finds it among the instance's runs.
FOLLOW_TAG = "apollo/local_run"
POLL_SECONDS = 0.5
FOLLOWED = {
    dg.DagsterEventType.RUN_START,
    dg.DagsterEventType.RUN_FAILURE,
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
}

# Told of the progress after each read of the run's events, with the lines that must be shown (failures).
ProgressListener = Callable[[RunProgress, list[str]], None]


@dataclass
class PipelineRun:
    backup_id: str
    run_id: str
    success: bool
    materialized: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    log_path: Path | None = None
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


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


def plan_progress(defs: dg.Definitions | None = None, job: str | None = None) -> RunProgress:
    """The layers and steps of the assets of `job` (default: the platform's pipeline job; with other definitions and
    no job, all their assets); a step's key is its op's name."""
    if defs is None:
        from apollo_assets.definitions import PIPELINE_JOB, current_definitions

        defs, job = current_definitions(), PIPELINE_JOB
    # The job's assets only: the stream's hourly assets are in the graph, not in a backup's run.
    in_job = defs.resolve_job_def(job).asset_layer.selected_asset_keys if job else set(defs.resolve_all_asset_keys())
    groups = {
        spec.key.to_user_string(): spec.group_name for spec in defs.resolve_all_asset_specs() if spec.key in in_job
    }
    steps = {}
    for assets_def in defs.resolve_asset_graph().assets_defs:
        if not assets_def.is_executable:
            continue
        keys = [key for key in assets_def.keys if key in in_job] or [
            check.asset_key for check in assets_def.check_keys if check.asset_key in in_job
        ]
        if keys:
            steps[assets_def.node_def.name] = [key.to_user_string() for key in keys]
    return RunProgress.plan(groups, steps)


def run_backup(
    instance: dg.DagsterInstance,
    request: dg.RunRequest,
    *,
    log_path: Path | None = None,
    on_progress: ProgressListener | None = None,
) -> PipelineRun:
    """Run the pipeline for the request's backup; its events are appended to `log_path` (default: a new file under
    `$APOLLO_DATA_DIR/logs/`), and `on_progress` is told how the run goes while it runs."""
    log_path = log_path or new_log_path(load_settings().data_dir)
    token = uuid.uuid4().hex
    tags = {**request.tags, "dagster/partition": str(request.partition_key), FOLLOW_TAG: token}
    if request.run_key:
        tags["dagster/run_key"] = request.run_key
    follower = RunFollower(instance, token, plan_progress(), on_progress)
    started = time.monotonic()
    follower.start()
    try:
        with dg.execute_job(
            dg.reconstructable(pipeline_job), instance=instance, tags=tags, run_config=event_log_config(log_path)
        ) as result:
            run = PipelineRun(str(request.partition_key), result.run_id, result.success, log_path=log_path)
    finally:
        follower.finish()
    run.seconds = time.monotonic() - started
    run.failures = list(follower.progress.failures)
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


class RunFollower(threading.Thread):
    """Reads the events of the run tagged with `token` as they are written, into `progress`."""

    def __init__(
        self, instance: dg.DagsterInstance, token: str, progress: RunProgress, listener: ProgressListener | None
    ):
        super().__init__(name="apollo-run-follower", daemon=True)
        self.instance, self.token, self.progress, self.listener = instance, token, progress, listener
        self._done = threading.Event()
        self._run_id: str | None = None
        self._cursor: str | None = None

    def finish(self) -> None:
        """Stop after one last read (the run has ended: every event is written)."""
        self._done.set()
        self.join()

    def run(self) -> None:
        while True:
            last = self._done.is_set()
            try:
                lines = self._read()
            except Exception:  # progress is a view: a failed read (storage busy) must not stop it, nor the run
                traceback.print_exc()  # into the run's log (`apollo run` sends stderr there)
                lines = []
            if self.listener is not None:
                self.listener(self.progress, lines)
            if last:
                return
            self._done.wait(POLL_SECONDS)

    def _read(self) -> list[str]:
        if self._run_id is None:
            runs = self.instance.get_run_records(dg.RunsFilter(tags={FOLLOW_TAG: self.token}), limit=1)
            if not runs:
                return []
            self._run_id = runs[0].dagster_run.run_id
        connection = self.instance.get_records_for_run(self._run_id, cursor=self._cursor, of_type=FOLLOWED)
        self._cursor = connection.cursor
        return [line for record in connection.records if (line := observe(self.progress, record))]


def observe(progress: RunProgress, record: dg.EventLogRecord) -> str | None:
    """Apply one event to the progress; returns the line to show for it, if any (a failure)."""
    event = record.event_log_entry.dagster_event
    if event is None:
        return None
    at = record.timestamp
    kind = event.event_type
    if kind == dg.DagsterEventType.RUN_START:
        progress.started = at
    elif kind == dg.DagsterEventType.STEP_START and event.step_key:
        progress.step_started(event.step_key, at)
    elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION and event.asset_key:
        progress.materialized(event.asset_key.to_user_string(), at)
    elif kind == dg.DagsterEventType.STEP_FAILURE and event.step_key:
        return progress.step_failed(event.step_key, error_line(event.step_failure_data.error))
    elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
        evaluation = event.asset_check_evaluation_data
        if not evaluation.passed:
            return progress.check_failed(
                evaluation.asset_key.to_user_string(), evaluation.check_name, evaluation.severity.value
            )
    elif kind == dg.DagsterEventType.RUN_FAILURE and not progress.failures:
        # The run failed outside its steps (its worker died, the plan could not be built): say why.
        return progress.run_failed(first_line(record.event_log_entry.message or "the run failed"))
    return None


def error_line(error: object) -> str:
    """The first line of a step's error, the user's exception rather than Dagster's wrapper around it."""
    while getattr(error, "cause", None) is not None and str(getattr(error, "cls_name", "")).startswith("Dagster"):
        error = error.cause  # type: ignore[attr-defined]
    if error is None:
        return "unknown error"
    cls_name = getattr(error, "cls_name", None)
    line = first_line(getattr(error, "message", "") or "", cls_name)
    # `dg.Failure` is how a step says what was wrong with its input: its description is the message.
    return line.removeprefix("Failure: ") if cls_name == "Failure" else line
