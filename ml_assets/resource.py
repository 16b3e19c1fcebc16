"""Where models are registered and where their training runs are recorded."""

import os
from pathlib import Path

import dagster as dg

from apollo_assets.settings import load_settings
from ml_assets.registry import ModelRegistry
from ml_assets.tracking import local_tracking_uri


class ModelRegistryResource(dg.ConfigurableResource):
    """The file registry the service reads (`root`), and the MLflow store training runs are logged to: by default
    MLFLOW_TRACKING_URI, else SQLite under APOLLO_DATA_DIR/mlflow."""

    root: str
    tracking_uri: str | None = None

    def registry(self) -> ModelRegistry:
        return ModelRegistry(Path(self.root))

    def mlflow_uri(self) -> str:
        explicit = self.tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
        return explicit or local_tracking_uri(load_settings().data_dir)
