"""Registration of a trained model: written to the file registry (invisible), logged to MLflow with the backup
partition, then published (its card written). A failure anywhere leaves no visible version behind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ml_assets.registry import ModelCard, ModelRegistry
from ml_assets.tracking import TrackedRun, log_training_run


@dataclass(frozen=True)
class Candidate:
    name: str
    model: Any
    backup_id: str
    metrics: Mapping[str, float]
    features: Sequence[str]
    params: Mapping[str, Any]
    checks: Mapping[str, bool]


@dataclass(frozen=True)
class Published:
    card: ModelCard
    run: TrackedRun


def publish_model(registry: ModelRegistry, tracking_uri: str, candidate: Candidate) -> Published:
    c = candidate
    staged = registry.stage(c.name, c.model)
    tags = {"registry_version": str(staged.version), **{f"check.{k}": str(v) for k, v in c.checks.items()}}
    try:
        run = log_training_run(tracking_uri, c.name, c.backup_id, c.params, c.metrics, staged.model_path, tags)
        card = registry.publish(
            staged,
            c.backup_id,
            dict(c.metrics),
            list(c.features),
            params=dict(c.params),
            checks=dict(c.checks),
            mlflow_run_id=run.run_id,
        )
    except BaseException:
        registry.discard(staged)
        raise
    return Published(card, run)
