"""The failure sensor: every failed run is told where an operator looks, with the assets and the error."""

import dagster as dg

from apollo_assets.operations.alerts import Alert, notifiers_from_env, send

FAILURE_SENSOR = "run_failure_alerts"
PLANNED = dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
DONE = dg.DagsterEventType.ASSET_MATERIALIZATION
FAILED = dg.DagsterEventType.STEP_FAILURE


def alert_for(instance: dg.DagsterInstance, run: dg.DagsterRun, run_failure: str | None) -> Alert:
    """The failed steps of the run, each named by the assets it planned and did not materialize, with its error."""
    missing: dict[str, set[str]] = {}  # step → assets planned, not (yet) materialized
    errors: dict[str, str] = {}
    for record in instance.get_records_for_run(run.run_id, of_type={PLANNED, DONE, FAILED}).records:
        event = record.event_log_entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == FAILED:
            errors[event.step_key] = step_error(event.event_specific_data)
        elif event.asset_key is not None:
            keys = missing.setdefault(event.step_key, set())
            if event.event_type == PLANNED:
                keys.add(event.asset_key.to_user_string())
            else:
                keys.discard(event.asset_key.to_user_string())
    failures = [(_name(step, sorted(missing.get(step, ()))), error) for step, error in errors.items()]
    if not failures:  # the run failed outside any step: launch, run worker, or a cancelled dependency
        failures = [(run.job_name, run_failure or "run failed")]
    return Alert(run.run_id, run.job_name, run.tags.get("dagster/partition"), failures)


def step_error(data: object) -> str:
    """The user's message: a `Failure`'s description, else the innermost exception of the chain."""
    user = getattr(data, "user_failure_data", None)
    if user is not None and user.description:
        return user.description
    error = getattr(data, "error", None)
    if error is None:
        return "step failed"
    while error.cause is not None:
        error = error.cause
    return f"{error.cls_name}: {error.message.strip()}" if error.cls_name else error.message.strip()


def _name(step: str, keys: list[str]) -> str:
    if not keys:
        return step
    shown = ", ".join(keys[:3])
    return shown if len(keys) <= 3 else f"{shown} … ({len(keys)} assets, step {step})"


@dg.run_failure_sensor(
    name=FAILURE_SENSOR,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Logs each failed run (asset and error); Slack/e-mail when APOLLO_ALERT_* is set (README).",
)
def run_failure_alerts(context: dg.RunFailureSensorContext) -> None:
    alert = alert_for(context.instance, context.dagster_run, context.failure_event.message)
    for line in alert.lines():
        context.log.error(line)
    for problem in send(alert, notifiers_from_env()):
        context.log.warning(f"alert not delivered: {problem}")
