"""MLflow records each training run: parameters, metrics, the skops artifact and the backup partition.

Locally the store is SQLite under `$APOLLO_DATA_DIR/mlflow/` (MLflow 3 refuses its plain-file store unless told
otherwise, and SQLite also gives its model registry); in production `MLFLOW_TRACKING_URI` names the server. The
file registry (ml_assets.registry) stays what the service reads: MLflow is the experiment record."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

EXPERIMENT_PREFIX = "apollo/"


@dataclass(frozen=True)
class TrackedRun:
    run_id: str
    experiment_id: str
    artifact_uri: str
    registered_version: str | None


def local_tracking_uri(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'mlflow' / 'mlflow.db'}"


def display_uri(uri: str) -> str:
    """The URI without credentials, for metadata and logs."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}" if parts.scheme not in ("", "file") else uri


@contextmanager
def _store_lock(uri: str) -> Iterator[Path | None]:
    """Serialise writers of a local SQLite store: two model assets of one run train in parallel processes, and the
    first one to open a new store creates its tables (concurrent migrations collide)."""
    if not uri.startswith("sqlite:///"):
        yield None
        return
    folder = Path(uri.removeprefix("sqlite:///")).parent
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def log_training_run(
    uri: str,
    model_name: str,
    backup_id: str,
    params: Mapping[str, Any],
    metrics: Mapping[str, float],
    artifact: Path,
    tags: Mapping[str, str] | None = None,
) -> TrackedRun:
    from mlflow.entities import Metric, Param, RunTag  # heavy import: only when a model is trained
    from mlflow.tracking import MlflowClient

    with _store_lock(uri) as local_folder:
        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        experiment = client.get_experiment_by_name(EXPERIMENT_PREFIX + model_name)
        if experiment is None:
            # Without an explicit location a SQLite store would put artifacts under the caller's working directory.
            location = (local_folder / "artifacts").as_uri() if local_folder else None
            experiment_id = client.create_experiment(EXPERIMENT_PREFIX + model_name, artifact_location=location)
        else:
            experiment_id = experiment.experiment_id
        all_tags = {"backup_partition": backup_id, "model": model_name, **(tags or {})}
        run = client.create_run(experiment_id, tags=all_tags, run_name=f"{model_name}-{backup_id}")
        run_id = run.info.run_id
        now = int(time.time() * 1000)
        try:
            client.log_batch(
                run_id,
                metrics=[Metric(k, float(v), now, 0) for k, v in metrics.items()],
                params=[Param(k, str(v)[:6000]) for k, v in params.items()],
                tags=[RunTag(k, str(v)) for k, v in all_tags.items()],
            )
            client.log_artifact(run_id, str(artifact), artifact_path="model")
            version = _register(client, model_name, f"{run.info.artifact_uri}/model", run_id, backup_id)
        except BaseException:
            client.set_terminated(run_id, status="FAILED")
            raise
        client.set_terminated(run_id)
        return TrackedRun(run_id, experiment_id, run.info.artifact_uri, version)


def _register(client: Any, model_name: str, source: str, run_id: str, backup_id: str) -> str:
    """Mirror the version in MLflow's model registry, so that MLflow users find it next to the run."""
    from mlflow.exceptions import MlflowException

    try:
        client.get_registered_model(model_name)
    except MlflowException:
        client.create_registered_model(model_name, description="Apollo model; served from the file registry.")
    return client.create_model_version(model_name, source, run_id, tags={"backup_partition": backup_id}).version
