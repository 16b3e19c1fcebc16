"""Where a pipeline run's time went, from the Dagster instance's event log (not from what the run printed).

Step times are the instance's step stats (first start to last end of each step, retries included); a step's
process is the pid its events carry; a model's quality is its materialization's `metric/…` metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg

LAYERS = ("snapshots", "lake", "warehouse", "checks", "models")


def layer_of(step_key: str) -> str:
    """The layer a step of the pipeline job belongs to, from its step key."""
    if step_key.startswith("mongo__"):
        return "snapshots"
    if step_key.startswith("lake__"):
        return "lake"
    if step_key.startswith("ml__"):
        return "models"
    if "check" in step_key or "pii" in step_key:
        return "checks"
    if step_key.startswith("warehouse"):
        return "warehouse"
    return "other"


@dataclass
class Step:
    key: str
    layer: str
    start: float
    end: float
    status: str
    pid: int | None = None

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class RunReport:
    run_id: str
    success: bool
    start: float
    end: float
    steps: list[Step] = field(default_factory=list)
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)  # asset key -> metric -> value

    @property
    def wall_s(self) -> float:
        return self.end - self.start

    def layer_step_seconds(self) -> dict[str, float]:
        """Step time per layer, summed: what the layer costs (steps of one layer may run side by side)."""
        totals = dict.fromkeys(LAYERS, 0.0)
        for step in self.steps:
            totals[step.layer] = totals.get(step.layer, 0.0) + step.seconds
        return {layer: round(seconds, 1) for layer, seconds in totals.items()}

    def layer_spans(self) -> dict[str, float]:
        """Wall time per layer: from its first step's start to its last step's end."""
        spans = {}
        for layer in {s.layer for s in self.steps}:
            steps = [s for s in self.steps if s.layer == layer]
            spans[layer] = round(max(s.end for s in steps) - min(s.start for s in steps), 1)
        return spans


def read_run(instance: dg.DagsterInstance, run_id: str) -> RunReport:
    record = instance.get_run_record_by_id(run_id)
    if record is None:
        raise LookupError(f"no run {run_id} in the instance")
    pids: dict[str, int] = {}
    metrics: dict[str, dict[str, float]] = {}
    for event in instance.get_records_for_run(run_id, limit=1_000_000).records:
        entry = event.event_log_entry
        event = entry.dagster_event
        if event is not None and event.event_type_value == "STEP_START" and entry.step_key and event.pid:
            pids[entry.step_key] = event.pid  # the step's own process (earlier events come from the orchestrator)
        materialization = entry.asset_materialization
        if materialization is not None:
            for name, value in materialization.metadata.items():
                if name.startswith("metric/"):
                    key = materialization.asset_key.to_user_string()
                    metrics.setdefault(key, {})[name.removeprefix("metric/")] = float(value.value)
    steps = [
        Step(s.step_key, layer_of(s.step_key), s.start_time, s.end_time, str(s.status.value), pids.get(s.step_key))
        for s in instance.get_run_step_stats(run_id)
        if s.start_time is not None and s.end_time is not None
    ]
    start = record.start_time or min(s.start for s in steps)
    end = record.end_time or max(s.end for s in steps)
    return RunReport(run_id, record.dagster_run.is_success, start, end, steps, metrics)


# The metric each model is judged by (its check compares it with the baseline's).
HEADLINE = {"ml/similar_companies": "precision_at_10", "ml/reply_propensity": "pr_auc"}


def model_quality(asset_key: str, metrics: dict[str, float]) -> dict[str, float | str]:
    """A model's headline metric next to its baseline's, and the lift (metric / baseline)."""
    name = HEADLINE.get(asset_key) or next((m for m in metrics if f"baseline_{m}" in metrics), None)
    if name is None or name not in metrics or f"baseline_{name}" not in metrics:
        return {}
    value, baseline = metrics[name], metrics[f"baseline_{name}"]
    quality: dict[str, float | str] = {"metric": name, "value": round(value, 4), "baseline": round(baseline, 4)}
    quality["lift"] = round(value / baseline, 2) if baseline else float("nan")
    for extra in ("random_precision", "roc_auc", "baseline_roc_auc"):
        if extra in metrics:
            quality[extra] = round(metrics[extra], 4)
    return quality
